"""The action page's fixtures: the clock pinned to ``NOW``, and an action under a plan's
recommendation with the people around it (owner, supporting owner, the recommendation's lead,
a board member, an administrator) and someone from another plan."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from actions.dates import LONDON
from actions.models import Rag
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MilestoneFactory,
    OutcomeFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.workspace.action_page.helpers import NOW


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(clock: time_machine.Traveller) -> dict[str, Any]:
    # The plan was set up in the summer; the tests run on NOW.
    clock.move_to(dt.datetime(2026, 9, 1, 9, 0, tzinfo=LONDON))
    owner = UserFactory.create(name="Olu Owner")
    helper = UserFactory.create(name="Sam Supporter")
    lead = UserFactory.create(name="Lena Lead")
    member = UserFactory.create(name="Bo Board")
    admin = UserFactory.create(name="Ada Admin", is_staff=True)
    plan = PlanFactory.create(title="Northshire WSOA", board=BoardFactory.create(members=[member]))
    recommendation = RecommendationFactory.create(
        plan=plan, lead=lead, number=1, title="Assess needs on time"
    )
    outcome = OutcomeFactory.create(recommendation=recommendation, title="Plans within 20 weeks")
    action = ActionFactory.create(
        recommendation=recommendation,
        outcome=outcome,
        reference="1.1",
        title="Clear the assessment backlog",
        owner=owner,
        supporting_owners=[helper],
        due_date=dt.date(2026, 11, 25),
        rag=Rag.GREEN,
    )
    milestone = MilestoneFactory.create(
        recommendation=recommendation,
        title="Backlog cleared",
        due_date=dt.date(2027, 1, 29),
        actions=[action],
    )
    stranger = UserFactory.create(name="Otto Other")
    ActionFactory.create(owner=stranger, title="Another plan's action")
    clock.move_to(NOW)
    return {
        "owner": owner,
        "helper": helper,
        "lead": lead,
        "member": member,
        "admin": admin,
        "stranger": stranger,
        "plan": plan,
        "recommendation": recommendation,
        "action": action,
        "milestone": milestone,
    }
