"""The operator's sweep commands: queue one working day's emails by hand, then deliver them.

They live with the workers because queueing is the engine's and delivering is the workers':
a command that queues rows must hand them to a delivery task after commit.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from actions.dates import bank_holiday_name, is_working_day
from notifications.due import QueueResult
from notifications.operator import count, parse_day, report
from workers.tasks import enqueue_deliveries


class SweepCommand(BaseCommand):
    """``--as-of YYYY-MM-DD [--dry-run]`` around one queueing service."""

    what = ""  # "escalation" for "escalation lines"; empty for plain "lines"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", required=True, help="The working day, YYYY-MM-DD.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be queued; change nothing."
        )

    def queue(self, *, today: dt.date, dry_run: bool) -> QueueResult:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_day(options["as_of"])
        dry_run = options["dry_run"]
        if not is_working_day(today):
            why = bank_holiday_name(today) or f"a {today:%A}"
            self.stdout.write(f"{today} is not a working day ({why}): nothing is sent.")
            return
        result = self.queue(today=today, dry_run=dry_run)
        for line in report(result, dry_run=dry_run):
            self.stdout.write(line)
        people = count(len({line.recipient_id for line in result.due}), "person", "people")
        lines = count(len(result.due), f"{self.what} line".strip())
        if dry_run:
            self.stdout.write(f"Dry run: {lines} for {people}; nothing queued.")
        else:
            enqueue_deliveries(result.queued_ids)
            emails = count(len(result.queued_ids), "email")
            self.stdout.write(f"{emails} queued; {lines} for {people}.")
