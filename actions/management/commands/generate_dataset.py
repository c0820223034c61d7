"""Generate a deterministic synthetic dataset at national scale (see actions.dataset)."""

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from actions.dataset import DatasetError, dataset_generate
from actions.dates import local_today


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today must be a date like 2026-11-23 (got {value!r}).") from exc


class Command(BaseCommand):
    help = (
        "Write synthetic plans, people, boards, actions with progress histories, milestones "
        "and measures, in bulk and without audit history. The same --seed and --today give "
        "the same data. Generated plan and board slugs start 'synthetic-<seed>-' and emails "
        "end '@s<seed>.synthetic.example'; if data for the seed already exists the command "
        "refuses (exit status 1) rather than mix the two: use another --seed or an empty "
        "database. Example (national scale): --plans 150 --actions-per-plan 400 "
        "--people 10000 --seed 1"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plans", type=int, default=3, help="Number of plans (default 3).")
        parser.add_argument(
            "--actions-per-plan", type=int, default=20, help="Actions in each plan (default 20)."
        )
        parser.add_argument("--people", type=int, default=50, help="Number of people (default 50).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--today",
            type=str,
            default=None,
            help="Date the data is generated around, YYYY-MM-DD (default: today in London).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options["today"] else local_today()
        started = time.monotonic()
        try:
            counts = dataset_generate(
                plans=options["plans"],
                actions_per_plan=options["actions_per_plan"],
                people=options["people"],
                seed=options["seed"],
                today=today,
            )
        except DatasetError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        self.stdout.write(f"Generated {counts.line()} in {elapsed:.1f} s.")
