"""Fixtures for the pages reached from email links: a pinned clock and one action.

``clock`` pins time (no ticking) at 10:00 in London on Wednesday 25 November 2026 and can be
moved; ``owner`` owns ``action``, action 2.3 of the Northshire plan, in progress and green,
due Friday 18 December 2026.
"""

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from accounts.models import User
from actions.models import Action, ActionStatus, Rag
from tests.factories import ActionFactory, PlanFactory, RecommendationFactory, UserFactory
from tests.notifications.link_pages.links import NOW


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def owner(db: None) -> User:
    return UserFactory.create(name="Owen Owner", email="owen.owner@northshire.gov.uk")


@pytest.fixture
def action(clock: time_machine.Traveller, owner: User) -> Action:
    plan = PlanFactory.create(title="Northshire SEND Written Statement of Action")
    lead = UserFactory.create(name="Priya Lead", email="priya.lead@northshire.gov.uk")
    recommendation = RecommendationFactory.create(
        plan=plan, number=2, title="Improve the timeliness of EHC plans", lead=lead
    )
    return ActionFactory.create(
        recommendation=recommendation,
        reference="2.3",
        title="Recruit two additional educational psychologists",
        owner=owner,
        due_date=dt.date(2026, 12, 18),
        status=ActionStatus.IN_PROGRESS,
        rag=Rag.GREEN,
    )
