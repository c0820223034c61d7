"""Benchmark: one page of the lists a signed-in person reads, at national scale.

Compares the selectors in actions/selectors.py (visible actions as a UNION of indexed
look-ups) with the same rule written as one OR of EXISTS tests, the form they replaced, in
the same run on the same data; prints best-of-N milliseconds and the ratio.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench make bench-visibility

generates the national data set (150 plans x 400 actions, 10,000 people) into that
database first if it holds no synthetic data for seed 1.
"""

import os
import sys
import time
from collections.abc import Callable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Exists, OuterRef, Q, QuerySet  # noqa: E402

from accounts.models import User  # noqa: E402
from actions import selectors  # noqa: E402
from actions.dataset import slug_prefix  # noqa: E402
from actions.models import Action, BoardMembership, Plan, ProgressUpdate  # noqa: E402

RUNS = 7


def or_of_exists(user: User) -> Q:
    """The visibility rule as it was written before: correct, but no index can serve it."""
    supports = Action.supporting_owners.through.objects.filter(
        action_id=OuterRef("pk"), user_id=user.pk
    )
    member = BoardMembership.objects.filter(board_id=OuterRef("plan__board_id"), user_id=user.pk)
    return Q(
        Q(owner_id=user.pk) | Exists(supports) | Q(recommendation__lead_id=user.pk) | Exists(member)
    )


def best_ms(page: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        page()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def one_page(queryset: QuerySet[Any], *order: str) -> Callable[[], Any]:
    return lambda: (queryset.count(), list(queryset.order_by(*order)[:50]))


def main() -> int:
    if not Plan.objects.filter(slug__startswith=slug_prefix(1)).exists():
        print("Generating the national data set (seed 1)...", flush=True)
        call_command(
            "generate_dataset",
            "--plans=150",
            "--actions-per-plan=400",
            "--people=10000",
            "--seed=1",
        )
    member = (
        BoardMembership.objects.filter(board__plans__slug__startswith=slug_prefix(1))
        .select_related("user")
        .first()
    )
    lead = User.objects.filter(led_recommendations__isnull=False).first()
    assert member is not None and lead is not None
    print(f"{'list, as whom':44} {'selector ms':>11} {'OR form ms':>11} {'ratio':>6}")
    for label, user in (("executive member", member.user), ("recommendation lead", lead)):
        cases = [
            (
                "actions",
                selectors.actions_visible_to(user),
                Action.objects.filter(or_of_exists(user)),
                ("due_date", "pk"),
            ),
            (
                "progress updates",
                selectors.progress_updates_visible_to(user),
                ProgressUpdate.objects.filter(
                    Exists(Action.objects.filter(or_of_exists(user), pk=OuterRef("action_id")))
                ),
                ("-created_at", "pk"),
            ),
        ]
        for name, ours, naive, order in cases:
            assert set(ours.values_list("pk", flat=True)) == set(
                naive.values_list("pk", flat=True)
            ), "both forms must select the same rows"
            fast, slow = best_ms(one_page(ours, *order)), best_ms(one_page(naive, *order))
            print(f"{name + ', ' + label:44} {fast:11.1f} {slow:11.1f} {slow / fast:5.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
