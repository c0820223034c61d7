"""The people and the chasing the per-person list benchmarks read, on the national data set.

The data set holds plans, actions and milestones but no escalations, no ledger and no digest
snapshots. ``chasing_ensure`` makes them the way the service does: the escalation and reminder
sweeps run for a few working days before the data set's day, and each plan's boards get a
stored digest for each of the last weeks. ``people_by_role`` picks the purest example of each
role, as ``make bench-api`` does, so that each role's cost shows.

Both only add rows; a second call finds them and adds nothing.
"""

import datetime as dt
import random
import sys
from typing import Any

from accounts.models import User
from actions.dates import LONDON, add_working_days
from actions.models import Action, BoardMembership, Plan, Recommendation

TODAY = dt.date(2026, 11, 25)
# Working days before TODAY on which the sweeps run: levels climb over them.
SWEEP_DAYS = (-10, -5, -2, -1, 0)
DIGEST_WEEKS = 6
ROLES = ("administrator", "executive member", "recommendation lead", "owner", "supporter")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _morning(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(7, 0), tzinfo=LONDON)


def _sweeps_ensure() -> None:
    from notifications.models import Escalation
    from notifications.services import escalations_queue, reminders_queue

    if Escalation.objects.exists():
        return
    for offset in SWEEP_DAYS:
        day = add_working_days(TODAY, offset)
        _say(f"Running the escalation and reminder sweeps for {day}...")
        escalations_queue(today=day, now=_morning(day))
        reminders_queue(today=day, now=_morning(day))


def _digests_ensure() -> None:
    """One digest per board per week: one compiled for real per board, the rest its copies.

    Compiling 2,700 digests would take most of an hour; a list reads no content (it is
    deferred), so copies of a real one, each with its own period, date and recipients, are
    the same rows to the list.
    """
    from digests.models import DigestSnapshot
    from digests.selectors import recipients_of
    from digests.services import boards_of, digest_snapshot

    if DigestSnapshot.objects.exists():
        return
    _say("Compiling a digest for each board of each plan...")
    plans = list(Plan.objects.select_related("board").prefetch_related("other_boards"))
    copies: list[Any] = []
    for plan in plans:
        boards = boards_of(plan)
        recipients = recipients_of(board_ids=[board.pk for board in boards])
        for board in boards:
            snapshot, _ = digest_snapshot(
                plan=plan,
                board=board,
                as_of=TODAY,
                now=_morning(TODAY),
                recipients=recipients[board.pk],
            )
            for week in range(1, DIGEST_WEEKS):
                as_of = TODAY - dt.timedelta(weeks=week)
                copies.append(
                    DigestSnapshot(
                        plan=plan,
                        board=board,
                        audience=snapshot.audience,
                        period=f"copy-{as_of.isoformat()}",
                        as_of=as_of,
                        created_at=_morning(as_of),
                        queued_at=_morning(as_of),
                        content={"copy_of": snapshot.pk},
                        state={},
                        recipients=snapshot.recipients,
                    )
                )
    DigestSnapshot.objects.bulk_create(copies, batch_size=500)


def chasing_ensure() -> None:
    from django.db import connection

    _sweeps_ensure()
    _digests_ensure()
    if connection.vendor == "postgresql":
        # As the data set generator does: until autovacuum runs, PostgreSQL would plan for
        # the tables as they were before these rows (a thousand open escalations, not 15,603).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def people_by_role(rng: random.Random, per_role: int) -> dict[str, list[User]]:
    """``per_role`` people of each role: administrators the run adds, the others sampled."""
    through = Action.supporting_owners.through
    leads = set(Recommendation.objects.values_list("lead_id", flat=True))
    members = set(
        BoardMembership.objects.filter(board__plans__isnull=False).values_list("user_id", flat=True)
    )
    owners = set(Action.objects.values_list("owner_id", flat=True))
    supporters = set(through.objects.values_list("user_id", flat=True))
    pools = {
        "executive member": sorted(members - leads),
        "recommendation lead": sorted(leads - members),
        "owner": sorted(owners - leads - members),
        "supporter": sorted(supporters - owners - leads - members),
    }
    chosen: dict[str, list[User]] = {"administrator": []}
    for number in range(1, per_role + 1):
        admin, _ = User.objects.get_or_create(
            email=f"api-load-admin-{number}@bench.invalid",
            defaults={"name": f"Load test administrator {number}", "is_staff": True},
        )
        chosen["administrator"].append(admin)
    for role, pool in pools.items():
        ids = rng.sample(pool, per_role)
        found = {user.pk: user for user in User.objects.filter(pk__in=ids)}
        chosen[role] = [found[pk] for pk in ids]
    return chosen
