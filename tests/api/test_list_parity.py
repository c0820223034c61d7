"""Every per-person list selects exactly the rows it selected when written as an OR of EXISTS.

The selectors read each list as a UNION of indexed look-ups, which PostgreSQL serves from
indexes at national scale; the old forms (benchmarks/lists_old.py, which ``make bench-lists``
times beside them) are the rules as first written. Over a generated world with its sweeps'
escalations and its boards' digests, both must give every person the same rows, and the plan
list the same counts as the aggregate over every plan.
"""

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db.models import QuerySet
from rest_framework.test import APIClient

from accounts.models import User
from actions import selectors
from actions.dataset import dataset_generate
from actions.dates import LONDON
from actions.models import Action, MeasureReading, Outcome, Plan, SuccessMeasure
from benchmarks import lists_old, lists_world
from digests.selectors import snapshots_visible_to
from notifications.models import Escalation
from notifications.selectors import escalations_visible_to
from tests.built_once import built_once
from tests.factories import PlanFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = lists_world.TODAY


NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _generated_world() -> list[User]:
    """Everyone in a generated world of four plans, with its chasing, and an administrator."""
    dataset_generate(plans=4, actions_per_plan=40, people=80, seed=3, today=TODAY)
    lists_world.chasing_ensure()
    assert Escalation.objects.filter(milestone__isnull=False).exists()
    assert Escalation.objects.filter(told__isnull=False).exists()
    return [*User.objects.order_by("pk"), UserFactory.create(is_staff=True)]


@pytest.fixture(scope="module")
def people_built_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[User]]:
    yield from built_once(django_db_blocker, _generated_world, at=NOW)


@pytest.fixture
def people(people_built_once: list[User], db: None) -> list[User]:
    """The generated world, built once for the module; each test's own copy of its people."""
    return copy.deepcopy(people_built_once)


def _ids(rows: QuerySet[Any]) -> set[int]:
    return set(rows.values_list("pk", flat=True))


PAIRS: list[tuple[str, Callable[[User], QuerySet[Any]], Callable[[User], QuerySet[Any]]]] = [
    ("my actions", selectors.actions_of, lists_old.actions_of),
    ("plans", selectors.plans_visible_to, lists_old.plans_visible_to),
    ("recommendations", selectors.recommendations_visible_to, lists_old.recommendations_visible_to),
    ("milestones", selectors.milestones_visible_to, lists_old.milestones_visible_to),
    (
        "outcomes",
        selectors.outcomes_visible_to,
        lambda u: lists_old.under_recommendation(u, Outcome.objects.all(), ""),
    ),
    (
        "measures",
        selectors.measures_visible_to,
        lambda u: lists_old.under_recommendation(u, SuccessMeasure.objects.all(), ""),
    ),
    (
        "readings",
        selectors.readings_visible_to,
        lambda u: lists_old.under_recommendation(u, MeasureReading.objects.all(), "measure__"),
    ),
    ("escalations", escalations_visible_to, lists_old.escalations_visible_to),
    ("digests", snapshots_visible_to, lists_old.snapshots_visible_to),
]


@pytest.mark.parametrize("name,selector,old", PAIRS, ids=[p[0] for p in PAIRS])
def test_each_list_gives_everyone_the_rows_the_old_rule_gave(
    people: list[User],
    name: str,
    selector: Callable[[User], QuerySet[Any]],
    old: Callable[[User], QuerySet[Any]],
) -> None:
    people_with_rows = 0
    for person in people:
        ours = _ids(selector(person))
        assert ours == _ids(old(person)), f"{name}: {person} sees other rows"
        people_with_rows += bool(ours)
    # Not a comparison of empty lists: many people see some rows, and nobody sees them all.
    assert people_with_rows >= 5, name


def test_my_actions_are_those_i_own_or_support_and_no_others(people: list[User]) -> None:
    for person in people:
        mine = _ids(selectors.actions_of(person))
        owned = _ids(Action.objects.filter(owner=person))
        supported = _ids(Action.objects.filter(supporting_owners=person))
        assert mine == owned | supported


def test_the_plan_list_counts_each_page_as_the_aggregate_over_every_plan_does(
    people: list[User],
) -> None:
    admin = people[-1]
    expected = {
        plan.pk: {name: getattr(plan, name) for name in selectors.PROGRESS_FIELDS}
        for plan in selectors.plans_with_progress(Plan.objects.all(), today=TODAY)
    }
    assert any(counts["actions_overdue"] for counts in expected.values())
    client = APIClient()
    client.force_authenticate(admin)
    seen = {}
    for page in (1, 2):
        answer = client.get(f"/api/plans/?page_size=2&page={page}")
        assert answer.status_code == 200
        for plan in answer.json()["results"]:
            seen[plan["id"]] = plan["progress"]
    assert len(seen) == 4
    for plan_id, progress in seen.items():
        counts = expected[plan_id]
        assert progress == {
            "actions_total": counts["actions_total"],
            "actions_completed": counts["actions_completed"],
            "actions_overdue": counts["actions_overdue"],
            "red": counts["actions_red"],
            "amber": counts["actions_amber"],
            "green": counts["actions_green"],
            "blue": counts["actions_blue"],
        }


def test_a_plan_with_no_actions_is_listed_with_zero_counts() -> None:
    [plan] = selectors.plans_attach_progress([PlanFactory.create()])
    assert {name: getattr(plan, name) for name in selectors.PROGRESS_FIELDS} == dict.fromkeys(
        selectors.PROGRESS_FIELDS, 0
    )
