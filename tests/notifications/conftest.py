"""Fixtures for the notification tests: a pinned clock and one small active plan with people.

``clock`` pins time (time-machine, no ticking) at 09:30 in London on Wednesday 25 November
2026; ``clock.go_to(day)`` moves it to 09:30 London time on another day, so that services
stamping ``timezone.now()`` (progress updates, escalations, ledger rows) see that day.

``small_plan`` is an active plan whose one recommendation is led by ``lead``; ``owner`` owns
the actions made with ``small_plan.action(due=...)`` and ``supporter`` supports them when
asked. The plan's board (the SEND Executive) has two members; its other audiences are a Lead
Member board (one member) and a Parent Carer Forum board (one member, never escalated to).
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from accounts.models import User
from actions.dates import LONDON
from actions.models import Action, BoardAudience, Milestone, Plan, Recommendation
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MilestoneFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)

TODAY = dt.date(2026, 11, 25)
SWEEP_TIME = dt.time(9, 30)


def london(day: dt.date, at: dt.time = SWEEP_TIME) -> dt.datetime:
    """A moment on ``day`` as a clock in London shows it (GMT or BST as the date has it)."""
    return dt.datetime.combine(day, at, tzinfo=LONDON)


class Clock:
    def __init__(self, traveller: time_machine.Traveller) -> None:
        self._traveller = traveller

    def go_to(self, day: dt.date, at: dt.time = SWEEP_TIME) -> dt.datetime:
        moment = london(day, at)
        self._traveller.move_to(moment)
        return moment


@pytest.fixture
def clock() -> Iterator[Clock]:
    with time_machine.travel(london(TODAY), tick=False) as traveller:
        yield Clock(traveller)


@dataclass
class SmallPlan:
    plan: Plan
    recommendation: Recommendation
    lead: User
    owner: User
    supporter: User
    executive: list[User]
    lead_member: User
    forum_member: User

    def action(self, *, due: dt.date, **fields: Any) -> Action:
        fields.setdefault("owner", self.owner)
        return ActionFactory.create(recommendation=self.recommendation, due_date=due, **fields)

    def milestone(self, *, due: dt.date, **fields: Any) -> Milestone:
        return MilestoneFactory.create(recommendation=self.recommendation, due_date=due, **fields)


@pytest.fixture
def small_plan(db: None, clock: Clock) -> SmallPlan:
    lead = UserFactory.create(name="Priya Lead", email="lead@northshire.gov.uk")
    owner = UserFactory.create(name="Owen Owner", email="owner@northshire.gov.uk")
    supporter = UserFactory.create(name="Sam Supporter", email="supporter@nhs.example")
    executive = [
        UserFactory.create(name="Erin Executive", email="exec1@northshire.gov.uk"),
        UserFactory.create(name="Eddie Executive", email="exec2@icb.example"),
    ]
    lead_member = UserFactory.create(name="Cllr Lena Member", email="cllr@northshire.gov.uk")
    forum_member = UserFactory.create(name="Fay Forum", email="forum@parents.example")
    plan = PlanFactory.create(slug="northshire-wsoa", board=BoardFactory.create(members=executive))
    plan.other_boards.set(
        [
            BoardFactory.create(audience=BoardAudience.LEAD_MEMBER, members=[lead_member]),
            BoardFactory.create(audience=BoardAudience.PARENT_CARER_FORUM, members=[forum_member]),
        ]
    )
    return SmallPlan(
        plan=plan,
        recommendation=RecommendationFactory.create(plan=plan, number=1, lead=lead),
        lead=lead,
        owner=owner,
        supporter=supporter,
        executive=executive,
        lead_member=lead_member,
        forum_member=forum_member,
    )
