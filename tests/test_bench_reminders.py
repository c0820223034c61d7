"""The reminders benchmark compares like with like (``make bench-reminders``).

Its naive loop and its hand-written SQL must queue the very ledger rows and escalations the
engine queues, or the times it prints compare different work. Tiny plans hold each case the
sweeps decide: both reminder offsets, due today, overdue nudges (with and without an update
since), preferences, an inactive supporting owner, a plan with rules and a ladder of its
own, a level already told, several levels reached on one day, no nudge beside an escalation
to the same person, levels with nobody active (the lead, else the board, is told), and an
escalation to resolve.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction

from accounts.models import User
from actions.dates import LONDON, add_working_days
from actions.models import ActionStatus, BoardAudience, PlanStatus, Rag
from benchmarks.alternate import RowsDiffer, alternate, per_line
from benchmarks.reminders import (
    engine_escalations,
    engine_reminders,
    floor_calendar,
    floor_escalations,
    floor_reminders,
    naive_escalations,
    naive_reminders,
    queued_since,
)
from benchmarks.reminders_report import the_day
from notifications.models import (
    Audience,
    Escalation,
    EscalationStep,
    ItemType,
    NotificationPreference,
    ReminderRule,
)
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MilestoneFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# 09:05 in London on Wednesday 25 November 2026, a working day.
NOW = dt.datetime(2026, 11, 25, 9, 5, tzinfo=LONDON)
TODAY = NOW.date()
YESTERDAY = dt.datetime(2026, 11, 24, 9, 5, tzinfo=LONDON)

Sweep = Callable[..., int]


def working_days_from_today(count: int) -> dt.date:
    return add_working_days(TODAY, count)


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people() -> dict[str, User]:
    names = ["lead", "exec", "lead_member", "owner", "other_owner", "supporter", "shy", "picky"]
    people = {name: UserFactory.create(email=f"{name}@example.gov.uk") for name in names}
    people["gone"] = UserFactory.create(email="gone@example.gov.uk", is_active=False)
    NotificationPreference.objects.create(user=people["shy"], as_supporting_owner=False)
    NotificationPreference.objects.create(user=people["picky"], days_before=[5], overdue=False)
    return people


@pytest.fixture
def tiny_plans(people: dict[str, User]) -> None:
    """Two active plans (one with its own rule and ladder) and a draft one."""
    p = people
    board = BoardFactory.create(members=[p["exec"], p["lead"]])
    plan = PlanFactory.create(board=board)
    plan.other_boards.add(
        BoardFactory.create(audience=BoardAudience.LEAD_MEMBER, members=[p["lead_member"]])
    )
    rec = RecommendationFactory.create(plan=plan, lead=p["lead"])

    def action(due: int, owner: str, **extra: Any) -> Any:
        return ActionFactory.create(
            recommendation=rec, due_date=working_days_from_today(due), owner=p[owner], **extra
        )

    action(10, "owner", supporting_owners=[p["supporter"], p["shy"], p["gone"]])
    action(3, "owner")
    action(0, "other_owner")
    action(-1, "other_owner")
    action(-6, "owner")  # overdue day 5: the lead is told
    told_before = action(-16, "other_owner")  # overdue day 15: the executive is told
    Escalation.objects.create(
        plan=plan,
        action=told_before,
        due_date=told_before.due_date,
        level=1,
        audience=Audience.ACCOUNTABLE_LEAD,
        working_days_overdue=14,
        created_at=YESTERDAY,
    )
    updated = dt.datetime.combine(working_days_from_today(-5), dt.time(10), tzinfo=LONDON)
    action(-12, "owner", last_progress_at=updated)  # quiet for 5 working days since
    action(5, "picky")
    action(3, "picky")  # picky wants 5 working days' notice only
    action(-6, "picky")  # no nudges for picky, but the lead is still told
    action(-6, "lead")  # the lead is told today: no nudge besides
    done = action(-30, "owner", status=ActionStatus.COMPLETED, rag=Rag.BLUE, completed_on=TODAY)
    Escalation.objects.create(
        plan=plan,
        action=done,
        due_date=done.due_date,
        level=1,
        audience=Audience.ACCOUNTABLE_LEAD,
        working_days_overdue=20,
        created_at=YESTERDAY,
    )
    # Six working days late and never told: levels 1 (lead) and 2 (executive) on one day.
    MilestoneFactory.create(recommendation=rec, due_date=working_days_from_today(-6))
    MilestoneFactory.create(
        recommendation=rec,
        due_date=working_days_from_today(-6),
        achieved_on=working_days_from_today(-7),
    )

    own = PlanFactory.create(board=BoardFactory.create(members=[p["exec"]]))
    # Its Lead Member has left: their level tells the lead instead.
    own.other_boards.add(
        BoardFactory.create(audience=BoardAudience.LEAD_MEMBER, members=[p["gone"]])
    )
    ReminderRule.objects.create(plan=own, days_before=[2], on_due_date=False, overdue_every=2)
    EscalationStep.objects.create(
        plan=own, item_type=ItemType.ACTION, level=1, after_working_days=0, audience="owner"
    )
    own_rec = RecommendationFactory.create(plan=own, lead=p["lead"])
    for due in (0, 2, -1, -3):  # the owner is told on the first late day: no nudge besides
        ActionFactory.create(
            recommendation=own_rec, due_date=working_days_from_today(due), owner=p["other_owner"]
        )
    # Overdue day 15: all three levels at once, the lead told in the Lead Member's place.
    MilestoneFactory.create(recommendation=own_rec, due_date=working_days_from_today(-16))
    # Its lead has left too: the board is told.
    MilestoneFactory.create(
        recommendation=RecommendationFactory.create(plan=own, lead=p["gone"]),
        due_date=working_days_from_today(-1),
    )

    draft = PlanFactory.create(status=PlanStatus.DRAFT)
    ActionFactory.create(
        recommendation=RecommendationFactory.create(plan=draft),
        due_date=working_days_from_today(-6),
        owner=p["owner"],
    )


def queued_by(sweep: Sweep) -> dict[str, Any]:
    """What one sweep queued, resolved and told, rolled back afterwards."""
    with transaction.atomic():
        sweep(today=TODAY, now=NOW)
        queued: dict[str, Any] = dict(queued_since(NOW))
        queued["resolved"] = sorted(
            Escalation.objects.filter(resolved_at=NOW).values_list("pk", "resolution")
        )
        transaction.set_rollback(True)
    return queued


def items_of(queued: dict[str, Any], email: str, kind: str) -> list[tuple[Any, ...]]:
    [row] = [row for row in queued["ledger"] if row[4] == email and row[1] == kind]
    return [
        (item["reason"], item["days"], item["role"], item.get("level"))
        for item in json.loads(row[-1])
    ]


def test_the_engine_queues_every_case_of_the_tiny_plans(tiny_plans: None) -> None:
    reminders, escalations = queued_by(engine_reminders), queued_by(engine_escalations)

    assert items_of(reminders, "owner@example.gov.uk", "reminders") == [
        ("overdue", 12, "owner", None),
        ("overdue", 6, "owner", None),
        ("due_soon", 3, "owner", None),
        ("due_soon", 10, "owner", None),
    ]
    assert items_of(reminders, "other_owner@example.gov.uk", "reminders") == [
        ("overdue", 16, "owner", None),
        ("overdue", 3, "owner", None),
        ("overdue", 1, "owner", None),
        ("due_today", 0, "owner", None),
        ("due_soon", 2, "owner", None),
    ]
    assert items_of(reminders, "picky@example.gov.uk", "reminders") == [
        ("due_soon", 5, "owner", None)
    ]
    assert items_of(reminders, "supporter@example.gov.uk", "reminders") == [
        ("due_soon", 10, "supporting", None)
    ]
    assert {row[4] for row in reminders["ledger"]} == {
        "owner@example.gov.uk",
        "other_owner@example.gov.uk",
        "picky@example.gov.uk",
        "supporter@example.gov.uk",
        "lead@example.gov.uk",
    }
    # The lead's own overdue action is in today's escalation email, not in a nudge too.
    assert items_of(reminders, "lead@example.gov.uk", "reminders") == [("overdue", 6, "lead", None)]
    # One line per item, at the highest level that tells the person.
    assert items_of(escalations, "lead@example.gov.uk", "escalation") == [
        ("escalated", 16, "executive", 2),
        ("escalated", 16, "lead_member", 3),
        ("escalated", 12, "accountable_lead", 1),
        ("escalated", 6, "accountable_lead", 1),
        ("escalated", 6, "accountable_lead", 1),
        ("escalated", 6, "accountable_lead", 1),
        ("escalated", 6, "executive", 2),
    ]
    assert items_of(escalations, "exec@example.gov.uk", "escalation") == [
        ("escalated", 16, "executive", 2),
        ("escalated", 16, "executive", 2),
        ("escalated", 6, "executive", 2),
        ("escalated", 1, "accountable_lead", 1),
    ]
    assert items_of(escalations, "other_owner@example.gov.uk", "escalation") == [
        ("escalated", 3, "owner", 1),
        ("escalated", 1, "owner", 1),
    ]
    assert len(escalations["resolved"]) == 1


def test_the_naive_loop_queues_what_the_engine_queues(tiny_plans: None) -> None:
    assert queued_by(naive_reminders) == queued_by(engine_reminders)
    assert queued_by(naive_escalations) == queued_by(engine_escalations)


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="The hand-written floor is PostgreSQL SQL."
)
def test_the_hand_written_sql_queues_what_the_engine_queues(tiny_plans: None) -> None:
    floor_calendar(today=TODAY)

    assert queued_by(floor_reminders) == queued_by(engine_reminders)
    assert queued_by(floor_escalations) == queued_by(engine_escalations)


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="The hand-written floor is PostgreSQL SQL."
)
def test_engine_and_floor_run_in_turn_and_every_pair_is_checked(tiny_plans: None) -> None:
    floor_calendar(today=TODAY)
    order: list[str] = []

    def noted(name: str, sweep: Sweep) -> Sweep:
        def run(**kwargs: Any) -> int:
            order.append(name)
            return sweep(**kwargs)

        return run

    paired = alternate(
        noted("engine", engine_reminders),
        noted("floor", floor_reminders),
        runs=3,
        today=TODAY,
        now=NOW,
        queued=queued_since,
    )

    assert order == ["engine", "floor", "floor", "engine", "engine", "floor"]
    alone = queued_by(engine_reminders)
    assert paired.queued == {"ledger": alone["ledger"], "escalations": alone["escalations"]}
    engine = paired.engine.summary()
    assert engine["runs"] == 3 and engine["rows"] == len(paired.queued["ledger"]) == 5
    assert engine["min_ms"] <= engine["median_ms"]
    # The floor is one statement; the engine a handful of queries whatever the size.
    assert paired.floor.queries == 1 and 1 < paired.engine.queries <= 15


def test_a_floor_that_queues_other_rows_stops_the_benchmark(tiny_plans: None) -> None:
    def nothing(**kwargs: Any) -> int:
        return 0

    with pytest.raises(RowsDiffer, match="run 1: the floor did not queue"):
        alternate(engine_reminders, nothing, runs=2, today=TODAY, now=NOW, queued=queued_since)


def test_the_cost_per_line_is_the_slope_between_the_two_scales() -> None:
    # 100 lines in 12 ms, 1,000 lines in 30 ms: 20 us a line on top of 10 ms.
    microseconds, fixed = per_line((100, 12.0), (1000, 30.0)) or (0.0, 0.0)

    assert microseconds == pytest.approx(20.0)
    assert fixed == pytest.approx(10.0)
    assert per_line((100, 12.0), (100, 13.0)) is None


def test_the_day_adds_each_runs_reminders_to_the_same_runs_escalations() -> None:
    def part(lines: int, engine: list[float], floor: list[float]) -> dict[str, Any]:
        return {
            "lines": lines,
            "naive": None,
            "engine": {"ms": engine, "queries": 2, "rows": 1},
            "floor": {"ms": floor, "queries": 1, "rows": 1},
        }

    day = the_day(
        {
            "reminders": part(10, [5.0, 1.0, 9.0], [2.0, 2.0, 2.0]),
            "escalations": part(4, [1.0, 9.0, 1.0], [1.0, 1.0, 3.0]),
        }
    )

    # Not the sum of the two minimums (2.0): no single run of the day took that.
    assert day["engine"]["ms"] == [6.0, 10.0, 10.0]
    assert day["engine"]["min_ms"] == 6.0 and day["engine"]["median_ms"] == 10.0
    assert day["floor"]["median_ms"] == 3.0
    assert day["lines"] == 14 and day["engine"]["queries"] == 4
