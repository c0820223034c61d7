"""Benchmark: the Monday digest sweep for every plan of the national data set.

Times the engine (``digests.services.digests_queue``: read each plan in a fixed number of
queries, build every board's snapshot, its spreadsheet and the ledger rows) against, in the
same run on the same data, its floor and the naive version.

The floor (``benchmarks.digest_floor``) is the same work as hand-written SQL, set-based for
all plans at once: the same figures, state, recipients, spreadsheet (written by the same
writer) and ledger rows, stored the same way. Engine and floor are timed in turn (engine,
floor, engine, floor...), ``--runs`` times each (5 by default), and the benchmark prints
the best and median of each and their ratio beside the aim: the engine within 2x of its
floor. Before timing counts, the floor's stored snapshots and rows must equal the engine's
for every plan and board (figures, state, recipients, spreadsheet, ledger): the benchmark
stops on the first difference.

The naive version is the one a newcomer writes: for each plan and board, loop over the
actions through the ORM, following each action's owner, recommendation, updates and
escalations, each milestone's recommendation, each measure's readings, each member's person,
and create the snapshot and ledger rows with ``get_or_create``. It runs once, on as many
plans as fit in a minute (``--no-naive`` leaves it out), and must give the engine's headline,
chart and stale-action count for them; the benchmark stops if they differ.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench make bench-digest
    BENCH_DIGEST_ARGS="--runs 9 --no-naive" make bench-digest  # the naive loop takes 60 s
    DB_JIT_OFF=false make bench-digest  # PostgreSQL's JIT left to the server (on by default)

The database must be PostgreSQL and hold only synthetic plans (the national data set, 150
plans x 400 actions, 10,000 people, seed 1, generated if missing). Every run is one
transaction rolled back afterwards: nothing is stored or sent. Escalations are told once, as
the daily sweeps would have, if the database has none (that is committed).

Queries per plan is the aim: the engine's must not grow with the plan. Besides the national
plans (all of 400 actions), a plan of 3 actions is built inside the rolled-back transaction
and compiled alone, and its query count printed beside a national plan's.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections import Counter
from typing import Any

import django
from django.apps import apps

if not apps.ready:  # run as a program
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DEBUG", "false")
    django.setup()

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from actions.dataset import slug_prefix
from actions.dates import LONDON
from actions.models import (
    OPEN_STATUSES,
    Action,
    ActionStatus,
    Board,
    BoardAudience,
    BoardMembership,
    Plan,
    PlanStatus,
    PlanType,
    Rag,
    Recommendation,
)
from benchmarks.digest_compare import differences, stored_since
from benchmarks.digest_floor import floor_calendar, floor_sweep
from benchmarks.reminders import SEED, all_queries_counted, dataset_ensure
from digests.content import STALE_DAYS
from digests.models import DigestSnapshot
from digests.periods import period_of
from digests.selectors import CHART_WEEKS, end_of_day
from digests.services import KIND_OF_AUDIENCE, boards_of, digests_queue
from notifications.models import Escalation, Notification, NotificationStatus
from notifications.services import escalations_queue

# The Monday of the data set's week (it is generated around Wednesday 25 November 2026).
AS_OF = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 8, 5, tzinfo=LONDON)
RUNS = 5
AIM_RATIO = 2.0
# The naive loop takes minutes for every plan: it runs on as many plans as fit in this, and
# its figures for all plans are scaled from those.
NAIVE_BUDGET_SECONDS = 60.0


def _say(message: str) -> None:
    print(message, flush=True)


def database_check() -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench-digest needs PostgreSQL: set DATABASE_URL to a database of its own.")
    others = Plan.objects.exclude(slug__startswith=slug_prefix(SEED)).count()
    if others:
        sys.exit(
            f"This database holds {others} plans besides the synthetic ones: give the digest "
            "benchmark a database of its own."
        )


def escalations_ensure() -> int:
    if not Escalation.objects.exists():
        _say("Telling the escalations due up to the Friday before, as the daily sweeps would...")
        friday = AS_OF - dt.timedelta(days=3)
        escalations_queue(today=friday, now=dt.datetime.combine(friday, dt.time(9), LONDON))
    return Escalation.objects.filter(resolved_at__isnull=True).count()


# --- The naive version ----------------------------------------------------------------------


def _naive_rag_at(action: Action, moment: dt.datetime) -> tuple[str, str]:
    before = action.updates.filter(created_at__lt=moment).order_by("-created_at", "-id").first()
    if before is not None:
        return before.status, before.rag
    after = action.updates.filter(created_at__gte=moment).order_by("created_at", "id").first()
    if after is not None:
        return after.previous_status, after.previous_rag
    return action.status, action.rag


def naive_content(plan: Plan, board: Board) -> dict[str, Any]:
    actions = list(Action.objects.filter(plan=plan))
    rags: Counter[str] = Counter()
    complete = overdue = counted = 0
    xlsx_rows, stale = [], 0
    for action in actions:
        owner = User.objects.get(pk=action.owner_id)
        recommendation = Recommendation.objects.get(pk=action.recommendation_id)
        latest = action.updates.order_by("-created_at", "-id").first()
        action.escalations.filter(resolved_at__isnull=True).count()
        xlsx_rows.append((recommendation.number, action.reference, owner.name, latest))
        if action.status == ActionStatus.CANCELLED:
            continue
        counted += 1
        rags[action.rag] += 1
        complete += action.status == ActionStatus.COMPLETED
        overdue += action.is_overdue(on=AS_OF)
        if action.status in OPEN_STATUSES and not (action.start_date and action.start_date > AS_OF):
            last = action.last_progress_at or action.created_at
            stale += last.astimezone(LONDON).date() <= AS_OF - dt.timedelta(days=STALE_DAYS)
    chart = []
    for weeks in range(CHART_WEEKS - 1, 0, -1):
        moment = end_of_day(AS_OF - dt.timedelta(weeks=weeks))
        mix: Counter[str] = Counter()
        for action in actions:
            status, rag = _naive_rag_at(action, moment)
            if status != ActionStatus.CANCELLED:
                mix[rag] += 1
        chart.append((mix[Rag.BLUE], mix[Rag.GREEN], mix[Rag.AMBER], mix[Rag.RED]))
    # The digest's own week is the plan as it stands, the same figures as the headline.
    chart.append((rags[Rag.BLUE], rags[Rag.GREEN], rags[Rag.AMBER], rags[Rag.RED]))
    for recommendation in Recommendation.objects.filter(plan=plan):
        User.objects.get(pk=recommendation.lead_id)
        for milestone in recommendation.milestones.all():
            milestone.actions.count()
        for measure in recommendation.measures.all():
            list(measure.readings.filter(taken_on__lte=AS_OF).order_by("taken_on"))
    return {
        "headline": (counted, complete, rags[Rag.GREEN], rags[Rag.AMBER], rags[Rag.RED], overdue),
        "chart": chart,
        "stale": stale,
    }


def naive_sweep() -> tuple[int, int, dict[int, dict[str, Any]]]:
    """(plans done, rows, content per plan) within the budget."""
    started = time.perf_counter()
    done = rows = 0
    contents: dict[int, dict[str, Any]] = {}
    for plan in Plan.objects.filter(status=PlanStatus.ACTIVE).order_by("pk"):
        for board in boards_of(plan):
            content = naive_content(plan, board)
            if board.audience == BoardAudience.EXECUTIVE:
                contents[plan.pk] = content
            snapshot, _ = DigestSnapshot.objects.get_or_create(
                plan=plan,
                board=board,
                period=period_of(cadence=board.cadence, day=AS_OF),
                defaults={"audience": board.audience, "as_of": AS_OF, "created_at": NOW},
            )
            for membership in BoardMembership.objects.filter(board=board):
                person = User.objects.get(pk=membership.user_id)
                _, created = Notification.objects.get_or_create(
                    recipient=person,
                    kind=KIND_OF_AUDIENCE[board.audience],
                    subject_key=f"snapshot:{snapshot.pk}",
                    occurrence=snapshot.period,
                    defaults={
                        "to_email": person.email,
                        "status": NotificationStatus.QUEUED,
                        "created_at": NOW,
                        "next_attempt_at": NOW,
                        "updated_at": NOW,
                    },
                )
                rows += created
        done += 1
        if time.perf_counter() - started > NAIVE_BUDGET_SECONDS:
            break
    return done, rows, contents


def executive_contents() -> dict[int, dict[str, Any]]:
    """The figures the naive version gathers, from the stored executive snapshots."""
    contents = {}
    for plan_id, content in DigestSnapshot.objects.filter(
        audience=BoardAudience.EXECUTIVE, period=period_of(cadence="weekly", day=AS_OF)
    ).values_list("plan_id", "content"):
        h = content["headline"]
        contents[plan_id] = {
            "headline": (
                h["actions"],
                h["complete"],
                h["on_track"],
                h["at_risk"],
                h["off_track"],
                h["overdue"],
            ),
            "chart": [
                (p["complete"], p["on_track"], p["at_risk"], p["off_track"])
                for p in content["chart"]
            ],
            "stale": content["stale"]["count"],
        }
    return contents


# --- A small plan, for the query count ------------------------------------------------------


def small_plan_queries() -> tuple[int, int]:
    """Queries of the sweep for one plan of 3 actions (built and rolled back) and for one
    national plan alone."""
    counts = []
    with transaction.atomic():
        people = list(User.objects.order_by("pk")[:4])
        board = Board.objects.create(
            name="Small board", slug="bench-small-board", audience=BoardAudience.EXECUTIVE
        )
        for person in people[:2]:
            BoardMembership.objects.create(board=board, user=person)
        others = [
            Board.objects.create(
                name=f"Small {audience}", slug=f"bench-small-{audience}", audience=audience
            )
            for audience in (BoardAudience.LEAD_MEMBER, BoardAudience.PARENT_CARER_FORUM)
        ]
        for other in others:
            BoardMembership.objects.create(board=other, user=people[0])
        plan = Plan.objects.create(
            title="Small plan",
            slug="bench-small-plan",
            plan_type=PlanType.objects.order_by("pk")[0],
            local_area="Smallshire",
            start_date=dt.date(2026, 1, 5),
            end_date=dt.date(2027, 12, 31),
            status=PlanStatus.ACTIVE,
            board=board,
        )
        plan.other_boards.set(others)
        recommendation = Recommendation.objects.create(
            plan=plan, number=1, title="One recommendation", lead=people[2]
        )
        for number in (1, 2, 3):
            Action.objects.create(
                plan=plan,
                recommendation=recommendation,
                reference=f"1.{number}",
                title=f"Action {number}",
                owner=people[3],
                due_date=dt.date(2026, 12, number),
                status=ActionStatus.IN_PROGRESS,
            )
        national = Plan.objects.filter(slug__startswith=slug_prefix(SEED)).order_by("pk").first()
        assert national is not None
        for only in (plan, national):
            Plan.objects.exclude(pk=only.pk).update(status=PlanStatus.CLOSED)
            Plan.objects.filter(pk=only.pk).update(status=PlanStatus.ACTIVE)
            with CaptureQueriesContext(connection) as captured:
                digests_queue(today=AS_OF, now=NOW)
            counts.append(len(captured))
        transaction.set_rollback(True)
    return counts[0], counts[1]


# --- Timing ---------------------------------------------------------------------------------


def engine_sweep() -> tuple[int, int]:
    result = digests_queue(today=AS_OF, now=NOW)
    return len(result.snapshot_ids), len(result.queued_ids)


def floor_run() -> tuple[int, int]:
    return floor_sweep(today=AS_OF, now=NOW)


def _one_run(sweep: Any, compare: bool) -> tuple[float, int, Any, dict[str, Any] | None]:
    """One run of ``sweep`` in a transaction rolled back: seconds, queries, its answer, and
    (when ``compare``) what it stored."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = sweep()
            elapsed = time.perf_counter() - started
        queries = len(captured)  # read from the connection's log: before it is cleared
        stored = (
            {"stored": stored_since(NOW), "contents": executive_contents()} if compare else None
        )
        transaction.set_rollback(True)
    connection.queries_log.clear()
    return elapsed, queries, result, stored


def engine_and_floor(runs: int) -> dict[str, Any]:
    """Engine and floor in turn, ``runs`` times each; stops if the first runs stored
    different things."""
    times: dict[str, list[float]] = {"engine": [], "floor": []}
    found: dict[str, Any] = {}
    with all_queries_counted():
        for run in range(runs):
            for name, sweep in (("engine", engine_sweep), ("floor", floor_run)):
                elapsed, queries, result, stored = _one_run(sweep, compare=run == 0)
                times[name].append(elapsed)
                if run == 0:
                    found[name] = {"queries": queries, "result": result, "stored": stored}
            if run == 0:
                lines = differences(
                    found["engine"]["stored"]["stored"], found["floor"]["stored"]["stored"]
                )
                if lines:
                    _say("\n".join(lines[:10]))
                    sys.exit(
                        f"The floor and the engine stored different things ({len(lines)} "
                        "differences, the first above): the times would compare different "
                        "work. Stopping."
                    )
                _say(f"  the floor stored what the engine stored; {runs} runs each, in turn...")
    return {
        name: {
            "best": min(times[name]),
            "median": statistics.median(times[name]),
            "queries": found[name]["queries"],
            "result": found[name]["result"],
            "contents": found[name]["stored"]["contents"],
        }
        for name in times
    }


def _naive_run(engine_contents: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """One naive run, rolled back; stops if it and the engine disagree on a plan."""
    with all_queries_counted():
        seconds, queries, (done, rows, contents), _ = _one_run(naive_sweep, compare=False)
    for plan_id, content in contents.items():
        if content != engine_contents.get(plan_id):
            sys.exit(f"The naive version and the engine differ on plan {plan_id}: stopping.")
    return {
        "seconds": seconds,
        "queries": queries,
        "plans": done,
        "rows": rows,
        "agreed": len(contents),
    }


def _naive_rows(naive: dict[str, Any], plans: int) -> None:
    done, seconds = naive["plans"], naive["seconds"]
    per_plan = naive["queries"] / done
    print(
        f"{_row('naive', done, '', naive['rows'], seconds, '')} {naive['queries']:>8} "
        f"{per_plan:>12.1f} {seconds * 1000 / done:>8.1f}"
    )
    print(
        f"{_row('naive, all', plans, '', '', seconds / done * plans, '')} "
        f"{round(per_plan * plans):>8} {per_plan:>12.1f} {seconds * 1000 / done:>8.1f}"
        f"  (scaled from {done} plans)"
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The Monday digest sweep at national scale.")
    parser.add_argument(
        "--runs", type=int, default=RUNS, help=f"runs of the engine and of the floor ({RUNS})"
    )
    parser.add_argument(
        "--no-naive",
        action="store_true",
        help=f"leave out the naive loop (it runs for {NAIVE_BUDGET_SECONDS:.0f} s)",
    )
    arguments = parser.parse_args()
    if arguments.runs < 1:
        parser.error("--runs must be 1 or more")
    return arguments


def _row(name: str, plans: int, snapshots: Any, rows: Any, best: float, median: Any) -> str:
    median_text = f"{median:>9.2f}" if isinstance(median, float) else f"{median:>9}"
    return f"{name:10} {plans:>6} {snapshots:>9} {rows:>6} {best:>9.2f} {median_text}"


def main() -> int:
    arguments = _arguments()
    database_check()
    dataset_ensure("national")
    run: dict[str, Any] = {"runs": arguments.runs, "open_escalations": escalations_ensure()}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    DigestSnapshot.objects.all().delete()
    # The floor's working-day numbers, as the engine's cache (not timed).
    floor_calendar(as_of=AS_OF)
    with connection.cursor() as cursor:
        # Off on the service's connections unless DB_JIT_OFF=false (docs/performance.md).
        cursor.execute("SHOW jit")
        run["jit"] = cursor.fetchone()[0]
    run["plans"] = Plan.objects.filter(status=PlanStatus.ACTIVE).count()
    run["actions"] = Action.objects.filter(plan__status=PlanStatus.ACTIVE).count()
    run["load_before"] = os.getloadavg()

    _say(f"Engine and floor: the sweep for {run['plans']} active plans, in turn...")
    run.update(engine_and_floor(arguments.runs))
    run["naive"] = None
    if not arguments.no_naive:
        _say(f"Naive: as many plans as fit in {NAIVE_BUDGET_SECONDS:.0f} s...")
        run["naive"] = _naive_run(run["engine"]["contents"])
    _say("Queries for one plan alone: a plan of 3 actions, and a national plan of 400...")
    run["small_queries"], run["national_queries"] = small_plan_queries()
    run["load_after"] = os.getloadavg()
    _report(run)
    return 0


def _report(run: dict[str, Any]) -> None:
    plans, engine, floor, naive = run["plans"], run["engine"], run["floor"], run["naive"]
    print()
    print(
        f"Digest sweep as of Monday {AS_OF:%-d %B %Y} at {NOW:%H:%M} London: {plans} active "
        f"plans, {run['actions']} actions, {run['open_escalations']} open escalations; three "
        f"boards a plan (SEND Executive digest with spreadsheet, Lead Member briefing, Parent "
        f"Carer Forum summary). Each run is one transaction, rolled back. PostgreSQL's JIT: "
        f"{run['jit']}."
    )
    print(
        f"Load average (1, 5, 15 minutes) before: "
        f"{' '.join(f'{x:.1f}' for x in run['load_before'])}; after: "
        f"{' '.join(f'{x:.1f}' for x in run['load_after'])}; on {os.cpu_count()} CPUs: other "
        "work on the machine slows every figure; the ratios of one run are what count."
    )
    print()
    print(
        f"{'version':10} {'plans':>6} {'snapshots':>9} {'rows':>6} {'best s':>9} "
        f"{'median s':>9} {'queries':>8} {'queries/plan':>12} {'ms/plan':>8}"
    )
    for name, result in (("engine", engine), ("floor", floor)):
        snapshots, rows = result["result"]
        print(
            f"{_row(name, plans, snapshots, rows, result['best'], result['median'])} "
            f"{result['queries']:>8} {result['queries'] / plans:>12.1f} "
            f"{result['best'] * 1000 / plans:>8.1f}"
        )
    if naive is not None:
        _naive_rows(naive, plans)
    print()
    best_ratio = engine["best"] / floor["best"]
    verdict = "met" if best_ratio <= AIM_RATIO else "missed"
    print(
        f"engine / floor time ({run['runs']} runs each, in turn): best {best_ratio:.2f}x, "
        f"median {engine['median'] / floor['median']:.2f}x; aim: within {AIM_RATIO:.0f}x "
        f"(best times): {verdict}"
    )
    print(
        "The floor stored what the engine stored for every plan and board: figures, state, "
        "recipients, spreadsheet and ledger rows."
    )
    if naive is not None:
        naive_all_s = naive["seconds"] / naive["plans"] * plans
        naive_per_plan = naive["queries"] / naive["plans"]
        print(
            f"naive / engine time: {naive_all_s / engine['best']:.0f}x; queries per plan "
            f"{naive_per_plan / (engine['queries'] / plans):.0f}x. The naive version and the "
            f"engine agree on the headline, chart and stale count of the {naive['agreed']} "
            "plans both built."
        )
    print(
        f"Queries of the sweep for one plan alone: {run['small_queries']} for a plan of 3 "
        f"actions, {run['national_queries']} for a national plan of 400 actions."
    )


if __name__ == "__main__":
    sys.exit(main())
