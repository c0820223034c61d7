"""The digest benchmark's floor stores what the engine stores (``make bench-digest``).

Its hand-written SQL must gather the very figures the engine's snapshots hold, and store the
same state, recipients, spreadsheet and ledger rows, or the times the benchmark sets side by
side compare different work. The plan is the digest tests' own (tests/digests/conftest.py),
whose figures are known: cancelled, stale, not-yet-started and overdue actions, milestones
met, missed and moved, measures with and without readings, open and resolved escalations at
several levels, a board meeting whose updates are owed, a member who turned digests off and
one who left; with an earlier digest, and someone we could not reach.
"""

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction

from actions.models import ActionStatus, BoardAudience
from benchmarks.digest_compare import differences, stored_since
from benchmarks.digest_floor import floor_calendar, floor_sweep
from digests.services import digests_queue
from notifications.models import UnreachableAddress
from tests.digests.conftest import FIRST_MONDAY, MONDAY, SET_UP, Clock, World, build_world, london
from tests.factories import ActionFactory, PlanFactory, RecommendationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="The hand-written floor is PostgreSQL SQL."
    ),
]

Sweep = Callable[..., Any]


@pytest.fixture
def clock() -> Iterator[Clock]:
    with time_machine.travel(london(SET_UP, dt.time(9)), tick=False) as traveller:
        yield Clock(traveller)


@pytest.fixture
def world(clock: Clock) -> World:
    world = build_world(clock)
    # The first Monday's digests are sent, so the second's have something to compare with.
    digests_queue(today=FIRST_MONDAY, now=clock.go_to(FIRST_MONDAY))
    world.week_of_the_23rd()
    UnreachableAddress.objects.create(
        email=world.owner.email.upper(), since=london(dt.date(2026, 11, 26), dt.time(14))
    )
    # A second plan: an executive board only, no earlier digest, one of its actions owned
    # by the same unreachable owner (cancelled: not a part they take).
    other = PlanFactory.create(slug="southshire-wsoa")
    recommendation = RecommendationFactory.create(plan=other, lead=world.other_owner)
    ActionFactory.create(
        recommendation=recommendation, owner=world.owner, status=ActionStatus.CANCELLED
    )
    ActionFactory.create(recommendation=recommendation, owner=world.lead)
    # And a plan with nothing in it yet: every figure nought, an empty spreadsheet.
    PlanFactory.create(slug="eastshire-wsoa")
    return world


def stored_by(sweep: Sweep, now: dt.datetime) -> dict[str, Any]:
    """What one sweep stored and queued, rolled back afterwards."""
    with transaction.atomic():
        sweep(today=now.date(), now=now)
        stored = stored_since(now)
        transaction.set_rollback(True)
    return stored


def test_the_floor_stores_the_figures_state_sheet_and_rows_the_engine_stores(
    world: World, clock: Clock
) -> None:
    now = clock.go_to(MONDAY, dt.time(8, 5))
    floor_calendar(as_of=MONDAY)

    engine = stored_by(digests_queue, now)
    floor = stored_by(floor_sweep, now)

    assert differences(engine, floor) == []
    # Both did the whole sweep: five boards (the other plans' have nobody on them) and the
    # four members who get digests.
    assert len(floor["snapshots"]) == 5
    assert {row[3] for row in floor["ledger"]} == {"digest", "briefing", "summary"}
    assert len(floor["ledger"]) == 4
    executive = floor["snapshots"][(world.plan.pk, world.plan.board_id)]
    assert executive["audience"] == BoardAudience.EXECUTIVE
    figures = executive["figures"]
    assert figures["headline"]["actions"] == 6
    assert figures["headline"]["overdue"] == 2
    assert figures["headline"]["percent_complete"] == 17
    # The 23rd as it stood then (1.1 on track, not yet complete; 1.4 not yet red), and today.
    assert [point[2:] for point in figures["chart"][-2:]] == [(0, 5, 1, 0), (1, 3, 1, 1)]
    assert figures["stale"] == (1, 0, [("1.2", "Owen Owner", 90)])
    assert [level[:3] for level in figures["escalations"]] == [
        (1, "accountable_lead", 1),
        (1, "owner", 1),
        (2, "accountable_lead", 1),
        (4, "lead_member", 1),
    ]
    assert [m[2:] for m in figures["measures"]] == [
        ("45.5%", "improving", False),
        ("51 weeks", "worsening", False),
        (None, "no readings yet", False),
    ]
    assert figures["awaiting"] == [3]
    assert figures["unreachable"] == [
        ("Owen Owner", "owen.owner@northshire.gov.uk", "26 November 2026", "action owner")
    ]
    assert figures["since"] is False
    assert executive["spreadsheet"]


def test_a_figure_the_floor_got_wrong_is_reported(world: World, clock: Clock) -> None:
    now = clock.go_to(MONDAY, dt.time(8, 5))
    floor_calendar(as_of=MONDAY)
    engine = stored_by(digests_queue, now)

    wrong = copy.deepcopy(engine)
    key = (world.plan.pk, world.plan.board_id)
    wrong["snapshots"][key]["figures"]["chart"][0] = ("2026-10-12", "12 Oct", 9, 9, 9, 9)
    wrong["snapshots"][key]["state"]["actions"].popitem()
    wrong["ledger"].pop()

    lines = differences(engine, wrong)

    assert len(lines) == 3
    assert lines[0].startswith(f"plan {world.plan.pk}, board {world.plan.board_id}, chart:")
    assert lines[1] == f"plan {world.plan.pk}, board {world.plan.board_id}: the state differs"
    assert lines[2] == "the ledger rows differ (1 rows in one only)"
