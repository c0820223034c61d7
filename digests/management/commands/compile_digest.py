"""manage.py compile_digest --plan SLUG [--as-of YYYY-MM-DD] [--audience ...] [--dry-run]"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from actions.dates import local_today
from actions.models import BoardAudience, Plan
from digests.services import digest_compile_on_demand


class Command(BaseCommand):
    help = (
        "Build a plan's digest (or briefing, or summary) as of a date, store it as a snapshot "
        "and write the email under var/digests/ to read. Sends nothing: the weekly sweep does."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", required=True, help="The plan's slug.")
        parser.add_argument(
            "--as-of",
            help="The date the figures are judged at: YYYY-MM-DD; today (London) if left out. "
            "A past day is described as the plan stood at the end of that day, from its "
            "recorded history.",
        )
        parser.add_argument(
            "--audience",
            choices=[*BoardAudience.values, "all"],
            default=BoardAudience.EXECUTIVE,
            help="Whose version: the board's digest (executive, the default), lead_member, "
            "parent_carer_forum, or all.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the email's text and store and write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _as_of(options["as_of"])
        plan = Plan.objects.select_related("board").filter(slug=options["plan"]).first()
        if plan is None:
            raise CommandError(f'There is no plan with the slug "{options["plan"]}".')
        audience = None if options["audience"] == "all" else options["audience"]
        try:
            built = digest_compile_on_demand(
                plan=plan,
                as_of=as_of,
                audience=audience,
                now=timezone.now(),
                dry_run=options["dry_run"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        for item in built:
            if options["dry_run"]:
                self.stdout.write(f"--- {item.board} ({item.period}), not stored ---")
                self.stdout.write(item.text)
                continue
            verb = "Stored" if item.created else "Already stored"
            self.stdout.write(
                f"{verb}: snapshot {item.snapshot_id} for {item.board}, {item.period}. "
                f"Read it in {item.paths[0]} (text in {item.paths[1]}, email in {item.paths[2]})."
            )


def _as_of(given: str | None) -> dt.date:
    if given is None:
        return local_today()
    try:
        as_of = dt.date.fromisoformat(given)
    except ValueError:
        raise CommandError(
            f'"{given}" is not a date: give it as YYYY-MM-DD, such as 2026-11-23.'
        ) from None
    if as_of > local_today():
        raise CommandError(
            f"{as_of.day} {as_of:%B %Y} is in the future: a digest can only be built as of "
            "today or an earlier date."
        )
    return as_of
