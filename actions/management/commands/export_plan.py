"""Write a plan as a spreadsheet in the format ``import_plan`` reads."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from actions.models import Plan
from actions.spreadsheets import plan_export


class Command(BaseCommand):
    help = (
        "Write a plan's recommendations, outcomes, actions and milestones to an XLSX or CSV "
        "file that import_plan reads back (format: docs/spreadsheets.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The plan's slug, e.g. northshire-wsoa.")
        parser.add_argument(
            "--format",
            choices=["xlsx", "csv"],
            help="File format (default: from the output file's name, else xlsx).",
        )
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="Where to write (default: SLUG.xlsx or .csv)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plan = Plan.objects.select_related("plan_type").filter(slug=options["slug"]).first()
        if plan is None:
            raise CommandError(f'There is no plan "{options["slug"]}".')
        output = options["output"]
        file_format = options["format"]
        if file_format is None:
            suffix = Path(output).suffix.lower() if output else ""
            file_format = "csv" if suffix == ".csv" else "xlsx"
        path = Path(output or f"{plan.slug}.{file_format}")
        data = plan_export(plan=plan, file_format=file_format)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Could not write {path}: {exc.strerror}.") from None
        self.stdout.write(f'Plan "{plan.slug}" written to {path} ({file_format.upper()}).')
