"""The clock run: the real sweeps driven day by day over months on a synthetic data set.

    .venv/bin/python -m benchmarks.clock_run [--months 4] [--json FILE]

On a throw-away test database (SQLite in memory, or ``test_<name>`` on the PostgreSQL of
DATABASE_URL) it generates a small synthetic data set, then moves a pinned clock through
every day from Monday 2 November 2026: on each day the beat's sweeps run at 09:05 and 13:00
London time, as beat would start them (``workers.tasks``), except on the outage days, when
the service is down (a Thursday and Friday, twice). It reports:

- person-days with two emails: a person with more than one ledger row for one day;
- lines lost to the outages: what the sweep would have sent on a missed day and that the
  first email after the outage does not carry;
- nudges repeated by a second operator run: each Monday before the send time, for the
  working day three days ahead, ``send_reminders``, ``escalate_overdue`` and
  ``send_reminders`` again (rolled back afterwards); the overdue lines the second
  ``send_reminders`` queues.

Deliveries are not enqueued: a ledger row is an email.
"""

import argparse
import datetime as dt
import json
import os
import sys
from collections import Counter
from io import StringIO
from typing import Any

import django
from django.apps import apps

if not apps.ready:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()

import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test.utils import setup_databases, teardown_databases

from actions.dataset import dataset_generate
from actions.dates import LONDON, add_working_days, is_working_day
from notifications.models import Notification, NotificationKind
from notifications.services import reminders_due
from workers import tasks

START = dt.date(2026, 11, 2)
OUTAGES = [dt.date(2026, 12, 3), dt.date(2026, 12, 4), dt.date(2027, 1, 14), dt.date(2027, 1, 15)]
SWEEP_TIMES = [dt.time(9, 5), dt.time(13, 0)]


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=LONDON)


def _quiet(command: str, day: dt.date) -> None:
    call_command(command, "--as-of", day.isoformat(), stdout=StringIO())


def _operator_repeats(traveller: Any, monday: dt.date) -> int:
    """Overdue lines queued by a second ``send_reminders`` for a day ahead (rolled back)."""
    day = add_working_days(monday, 3)
    traveller.move_to(_at(monday, dt.time(8, 0)))
    repeated = 0
    with transaction.atomic():
        _quiet("send_reminders", day)
        _quiet("escalate_overdue", day)
        last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        _quiet("send_reminders", day)
        for items in Notification.objects.filter(
            pk__gt=last, kind=NotificationKind.REMINDERS
        ).values_list("items", flat=True):
            repeated += sum(1 for item in items if item["reason"] == "overdue")
        transaction.set_rollback(True)
    return repeated


def _missed_lines(day: dt.date) -> set[tuple[int, str, int]]:
    due, _ = reminders_due(today=day)
    return {(line.recipient_id, line.item_type, line.item_id) for line in due}


def _first_email_lines(day: dt.date) -> set[tuple[int, str, int]]:
    return {
        (recipient, item["type"], item["id"])
        for recipient, items in Notification.objects.filter(
            occurrence__startswith=day.isoformat()
        ).values_list("recipient", "items")
        for item in items
    }


def clock_run(*, months: float) -> dict[str, Any]:
    """Runs the clock from ``START`` for so many months; the figures of the run."""
    enqueue = tasks.enqueue_deliveries
    # A ledger row is an email; nothing is handed to a broker.
    tasks.enqueue_deliveries = lambda ids: None  # type: ignore[assignment]
    try:
        return _run(months=months)
    finally:
        tasks.enqueue_deliveries = enqueue  # type: ignore[assignment]


def _run(*, months: float) -> dict[str, Any]:
    end = START + dt.timedelta(days=round(months * 30.5))
    with time_machine.travel(_at(START, dt.time(8, 0)), tick=False) as traveller:
        dataset_generate(plans=4, actions_per_plan=80, people=120, seed=7, today=START)
        missed: set[tuple[int, str, int]] = set()
        lost = 0
        repeats: dict[str, int] = {}
        day = START
        while day <= end:
            if day.weekday() == 0:
                repeats[day.isoformat()] = _operator_repeats(traveller, day)
            if day in OUTAGES:
                if is_working_day(day):
                    traveller.move_to(_at(day, SWEEP_TIMES[0]))
                    missed |= _missed_lines(day)
            else:
                for time in SWEEP_TIMES:
                    traveller.move_to(_at(day, time))
                    tasks.scan_escalations()
                    tasks.scan_reminders()
                if missed and is_working_day(day):
                    lost += len(missed - _first_email_lines(day))
                    missed = set()
            day += dt.timedelta(days=1)
    per_day = Counter(
        (recipient, occurrence[:10])
        for recipient, occurrence in Notification.objects.filter(
            kind__in=[NotificationKind.REMINDERS, NotificationKind.ESCALATION]
        ).values_list("recipient", "occurrence")
    )
    return {
        "from": START.isoformat(),
        "to": end.isoformat(),
        "emails": sum(per_day.values()),
        "person_days": len(per_day),
        "person_days_with_two_emails": sum(1 for n in per_day.values() if n > 1),
        "outage_lines_lost": lost,
        "operator_second_run_nudges": sum(repeats.values()),
        "operator_second_run_nudges_by_monday": {k: v for k, v in repeats.items() if v},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=float, default=4)
    parser.add_argument("--json", help="Also write the figures to this file.")
    args = parser.parse_args(argv)
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        figures = clock_run(months=args.months)
    finally:
        teardown_databases(databases, verbosity=0)
    print(json.dumps(figures, indent=2))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
