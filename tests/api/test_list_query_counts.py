"""Every list a person opens costs a fixed number of queries, however many rows it shows.

A list that read each row's relations one by one would be fast in a test and slow at national
scale; these count the queries of each list for a person with a few rows and again with
many more, and hold each to its number: the count, the page, and one query per prefetched
relation (the plan list: one grouped count of the page's plans' actions).
"""

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from actions.dates import LONDON
from actions.models import Action, Plan
from benchmarks import lists_world
from digests.services import boards_of, digest_snapshot
from notifications.models import Escalation, Notification
from notifications.services import escalations_queue, reminders_queue
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MilestoneFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = lists_world.TODAY
NOW = dt.datetime(2026, 11, 25, 7, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def person() -> User:
    return UserFactory.create(name="Priya Shah")


def _plan_for(person: User, number: int) -> None:
    """A plan on the person's board, led by them, with overdue actions they own and support,
    a milestone, its escalations and reminders, and a digest."""
    board = BoardFactory.create(members=[person])
    recommendation = RecommendationFactory.create(plan__board=board, lead=person)
    for n in range(3):
        ActionFactory.create(
            recommendation=recommendation,
            owner=person if n % 2 == 0 else UserFactory.create(),
            supporting_owners=[UserFactory.create(), *([person] if n % 2 else [])],
            due_date=TODAY - dt.timedelta(days=30 + n + number),
        )
    MilestoneFactory.create(
        recommendation=recommendation,
        due_date=TODAY - dt.timedelta(days=20 + number),
        actions=list(Action.objects.filter(recommendation=recommendation)),
    )
    plan = Plan.objects.get(pk=recommendation.plan_id)
    for board in boards_of(plan):
        digest_snapshot(plan=plan, board=board, as_of=TODAY, now=NOW)


def _world(person: User, plans: int) -> None:
    for number in range(plans):
        _plan_for(person, number)
    Escalation.objects.all().delete()
    Notification.objects.all().delete()
    escalations_queue(today=TODAY, now=NOW)
    reminders_queue(today=TODAY, now=NOW)


LISTS = [
    ("/api/me/actions/", 3),
    ("/api/actions/", 3),
    ("/api/plans/", 3),
    ("/api/recommendations/", 2),
    ("/api/milestones/", 3),
    ("/api/escalations/", 3),
    ("/api/me/notifications/", 2),
    ("/api/digests/", 2),
]


def _queries(person: User, url: str) -> tuple[int, int]:
    client = APIClient()
    client.force_authenticate(person)
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200, answer.content
    return len(captured), answer.json()["count"]


@pytest.mark.parametrize("url,queries", LISTS)
def test_each_list_costs_the_same_few_queries_for_few_rows_and_for_many(
    person: User, url: str, queries: int
) -> None:
    _world(person, 1)
    few = _queries(person, url)
    _world(person, 4)
    many = _queries(person, url)
    assert many[1] > few[1] > 0, "the person has more rows in the larger world"
    assert few[0] == many[0] == queries
