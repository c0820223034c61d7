"""Import a plan from a spreadsheet (XLSX or CSV); ``--dry-run`` checks it and writes nothing."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from actions.spreadsheets import MAX_BYTES, plan_import


class Command(BaseCommand):
    help = (
        "Read a plan from an XLSX or CSV file (format: docs/spreadsheets.md) into a new or "
        "empty plan. Every problem is listed with its row and column, and nothing is written "
        "unless the whole file is valid. Exit code 0: valid (and imported, unless --dry-run); "
        "1: problems found, nothing written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The spreadsheet: .xlsx or .csv.")
        parser.add_argument(
            "--plan",
            metavar="SLUG",
            help='The plan to fill (default: the file\'s "plan slug" row). A plan that does '
            "not exist yet is created from the plan details above the table.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="Who is importing, for the audit history (default: the first active "
            "superuser, else the first active plan administrator).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(
                f"{path.name} is too large (at most {MAX_BYTES // 1024 // 1024} MB): "
                "nothing was imported."
            )
        by = _importer(options["by"])
        result = plan_import(
            data=path.read_bytes(),
            by=by,
            filename=path.name,
            plan_slug=options["plan"],
            dry_run=options["dry_run"],
        )
        if len(result.problems) == 1 and not result.problems[0].row:
            # A file that cannot be used at all (unreadable, empty, no plan): one line says why.
            raise CommandError(f"{path.name}: {result.problems[0]} Nothing was imported.")
        for problem in result.problems:
            self.stdout.write(str(problem))
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(result.summary())


def _importer(email: str | None) -> User:
    if email:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"--by {email}: no active person has that email.")
        return user
    user = (
        User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
        or User.objects.filter(is_active=True, is_staff=True).order_by("pk").first()
    )
    if user is None:
        raise CommandError(
            "Nobody can be recorded as the importer: create a plan administrator first "
            "(manage.py createsuperuser) or give --by EMAIL."
        )
    return user
