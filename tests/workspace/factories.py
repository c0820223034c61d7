"""Factories the workspace's tests add to ``tests/factories.py``: each as its tests need it."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from digests.services import digests_queue
from notifications.models import Audience, Escalation
from tests.digests.conftest import FIRST_MONDAY, MONDAY, Clock, World, build_world
from tests.factories import ActionFactory


class EscalationFactory(DjangoModelFactory[Escalation]):
    """An open escalation of an action; pass ``milestone=`` and ``action=None`` for a
    milestone's."""

    class Meta:
        model = Escalation

    action = factory.SubFactory(ActionFactory)
    milestone = None
    plan = factory.LazyAttribute(
        lambda e: e.action.plan if e.action else e.milestone.recommendation.plan
    )
    due_date = factory.LazyAttribute(
        lambda e: e.action.due_date if e.action else e.milestone.due_date
    )
    level = 1
    audience = Audience.OWNER
    working_days_overdue = 0
    created_at = factory.LazyFunction(lambda: dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC))


def plan_after_two_digests(clock: Clock) -> World:
    """The digests' fixture plan (``tests/digests/conftest.py``) on Monday 30 November 2026 at
    08:30, after the sweeps of the 23rd and the 30th stored six snapshots: a weekly digest, a
    Lead Member briefing and a Parent Carer Forum summary each week."""
    world = build_world(clock)
    digests_queue(today=FIRST_MONDAY, now=clock.go_to(FIRST_MONDAY))
    world.week_of_the_23rd()
    digests_queue(today=MONDAY, now=clock.go_to(MONDAY))
    return world
