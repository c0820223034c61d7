"""A digest costs the same number of queries whatever the size of the plan."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action, PlanStatus, Rag
from actions.services import action_update_status
from digests.services import digests_queue
from tests.digests.conftest import MONDAY, Clock, World, build_world

pytestmark = pytest.mark.django_db


def sweep_queries(clock: Clock) -> tuple[int, int]:
    now = clock.go_to(MONDAY)
    with CaptureQueriesContext(connection) as captured:
        result = digests_queue(today=MONDAY, now=now)
    return len(captured), len(result.queued_ids)


def grown(world: World) -> None:
    """Sixty more actions, ten of them with updates inside the chart's weeks."""
    world.clock.go_to(dt.date(2026, 11, 16), dt.time(10))
    for action in Action.objects.filter(plan=world.plan, reference__startswith="3.")[:10]:
        action_update_status(
            action=action, by=world.owner, rag=Rag.AMBER, commentary="Waiting for the budget."
        )


def test_the_sweep_makes_the_same_queries_for_a_plan_of_7_actions_and_one_of_67(
    clock: Clock, db: None
) -> None:
    small = build_world(clock, slug="small-plan")
    small_queries, small_rows = sweep_queries(clock)
    small.plan.status = PlanStatus.CLOSED
    small.plan.save()

    large = build_world(clock, slug="large-plan", extra_actions=60)
    grown(large)
    assert Action.objects.filter(plan=large.plan).count() == 67
    large_queries, large_rows = sweep_queries(clock)

    assert small_rows == large_rows == 4
    assert large_queries == small_queries


def test_a_second_sweep_reads_one_query_of_snapshots_and_stops(world: World) -> None:
    sweep_queries(world.clock)
    queries, rows = sweep_queries(world.clock)
    assert rows == 0
    # The active plans with their boards (two: plans, then other boards), and the periods
    # already sent.
    assert queries == 3
