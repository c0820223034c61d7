"""The world the request-body tests write to, at Monday 23 November 2026, 10:00 in London.

A recommendation with its lead, two outcomes (the owner reads neither), an action under the
first with an owner and a supporting owner, a milestone linking the action, and a success
measure with one reading; and an administrator. Built once per module (``tests.built_once``).
"""

import copy
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from accounts.models import User
from actions.dates import LONDON
from actions.models import (
    Action,
    MeasureReading,
    Milestone,
    Outcome,
    Recommendation,
    SuccessMeasure,
)
from tests.built_once import built_once
from tests.factories import (
    ActionFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    OutcomeFactory,
    RecommendationFactory,
    SuccessMeasureFactory,
    UserFactory,
)

MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def monday_23_november_2026() -> Iterator[None]:
    with time_machine.travel(MONDAY_10, tick=False):
        yield


@dataclass
class World:
    admin: User
    lead: User
    owner: User
    supporter: User
    recommendation: Recommendation
    outcome: Outcome
    other_outcome: Outcome  # under the same recommendation; the owner cannot read outcomes
    action: Action
    milestone: Milestone
    measure: SuccessMeasure
    reading: MeasureReading


@pytest.fixture(scope="module")
def world_built_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from built_once(django_db_blocker, build_world, at=MONDAY_10)


@pytest.fixture
def world(world_built_once: World, db: None) -> World:
    """Built once per module; each test's writes are rolled back, and the objects are its own."""
    return copy.deepcopy(world_built_once)


def build_world() -> World:
    admin = UserFactory.create(is_staff=True, is_superuser=True)
    lead, owner, supporter = (UserFactory.create() for _ in range(3))
    recommendation = RecommendationFactory.create(lead=lead)
    outcome = OutcomeFactory.create(recommendation=recommendation)
    other_outcome = OutcomeFactory.create(recommendation=recommendation)
    action = ActionFactory.create(
        recommendation=recommendation,
        outcome=outcome,
        owner=owner,
        supporting_owners=[supporter],
        start_date=dt.date(2026, 9, 1),
        due_date=dt.date(2026, 12, 18),
    )
    milestone = MilestoneFactory.create(recommendation=recommendation, actions=[action])
    measure = SuccessMeasureFactory.create(recommendation=recommendation, outcome=outcome)
    reading = MeasureReadingFactory.create(measure=measure, taken_on=dt.date(2026, 10, 31))
    return World(
        admin,
        lead,
        owner,
        supporter,
        recommendation,
        outcome,
        other_outcome,
        action,
        milestone,
        measure,
        reading,
    )
