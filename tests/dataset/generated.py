"""Running ``manage.py generate_dataset`` in the tests, and reading back what it wrote.

``generate`` runs the command at a small size (``PLANS``, ``ACTIONS_PER_PLAN``, ``PEOPLE``)
around ``TODAY``; ``content`` reads one seed's data by natural keys, so two runs can be
compared; ``every_row`` reads every table the command could touch, audit history included,
to show a refusal changed nothing; ``printed_counts`` reads the line the command prints.
"""

import datetime as dt
import re
from io import StringIO
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.db import models

from accounts.models import User
from actions.dataset import email_domain, slug_prefix
from actions.dates import LONDON
from actions.models import (
    Action,
    Board,
    BoardMembership,
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    ProgressUpdate,
    Recommendation,
    SuccessMeasure,
)
from tests.factories import PLAN_MODELS

# 10:00 in London on Monday 23 November 2026; the data is generated around that day.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
TODAY = NOW.date()
PLANS, ACTIONS_PER_PLAN, PEOPLE = 2, 12, 20

ALL_MODELS = PLAN_MODELS
HISTORY_MODELS: list[type[models.Model]] = [
    m for m in apps.get_models() if m.__name__.startswith("Historical")
]


def generate(*args: str, seed: int = 1, today: dt.date = TODAY) -> str:
    out = StringIO()
    call_command(
        "generate_dataset",
        "--plans",
        str(PLANS),
        "--actions-per-plan",
        str(ACTIONS_PER_PLAN),
        "--people",
        str(PEOPLE),
        "--seed",
        str(seed),
        "--today",
        today.isoformat(),
        *args,
        stdout=out,
    )
    return out.getvalue()


def every_row() -> dict[str, list[dict[str, Any]]]:
    """Every column of every row in every table the command could touch, audit included."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in [*ALL_MODELS, *HISTORY_MODELS]
    }


def seed_plans(seed: int) -> models.QuerySet[Plan]:
    return Plan.objects.filter(slug__startswith=slug_prefix(seed))


def content(seed: int) -> dict[str, list[tuple[Any, ...]]]:
    """The seed's data by natural keys (slugs, emails, numbers, references), not ids."""
    plans = seed_plans(seed)
    actions = Action.objects.filter(plan__in=plans)
    recs = Recommendation.objects.filter(plan__in=plans)
    measures = SuccessMeasure.objects.filter(recommendation__in=recs)
    milestones = Milestone.objects.filter(recommendation__in=recs)

    def rows(queryset: models.QuerySet[Any], *names: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in queryset.order_by(*names).values_list(*names)]

    return {
        "people": rows(
            User.objects.filter(email__endswith="@" + email_domain(seed)),
            "email",
            "name",
            "organisation",
            "job_title",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
            "date_joined",
        ),
        "boards": rows(
            Board.objects.filter(slug__startswith=slug_prefix(seed)), "slug", "name", "audience"
        ),
        "members": rows(
            BoardMembership.objects.filter(board__slug__startswith=slug_prefix(seed)),
            "board__slug",
            "user__email",
            "role",
            "joined_on",
        ),
        "plans": rows(
            plans,
            "slug",
            "title",
            "plan_type__slug",
            "local_area",
            "start_date",
            "end_date",
            "status",
            "published",
            "board__slug",
            "summary",
        ),
        "recommendations": rows(recs, "plan__slug", "number", "title", "lead__email"),
        "outcomes": rows(
            Outcome.objects.filter(recommendation__in=recs),
            "recommendation__plan__slug",
            "recommendation__number",
            "number",
            "title",
        ),
        "actions": rows(
            actions,
            "plan__slug",
            "reference",
            "recommendation__number",
            "outcome__number",
            "title",
            "owner__email",
            "start_date",
            "due_date",
            "status",
            "rag",
            "completed_on",
            "latest_update__created_at",
            "last_progress_at",
        ),
        "supporting owners": rows(
            Action.supporting_owners.through.objects.filter(action__in=actions),
            "action__plan__slug",
            "action__reference",
            "user__email",
        ),
        "updates": rows(
            ProgressUpdate.objects.filter(action__in=actions),
            "action__plan__slug",
            "action__reference",
            "created_at",
            "author__email",
            "previous_status",
            "status",
            "previous_rag",
            "rag",
            "commentary",
            "completed_on",
        ),
        "evidence": sorted(
            (u.action.plan.slug, u.action.reference, str(u.created_at), u.evidence_links)
            for u in ProgressUpdate.objects.filter(action__in=actions).select_related(
                "action__plan"
            )
        ),
        "milestones": rows(
            milestones,
            "recommendation__plan__slug",
            "recommendation__number",
            "title",
            "due_date",
            "achieved_on",
        ),
        "milestone actions": rows(
            Milestone.actions.through.objects.filter(milestone__in=milestones),
            "milestone__recommendation__plan__slug",
            "milestone__title",
            "action__reference",
        ),
        "measures": rows(
            measures,
            "recommendation__plan__slug",
            "recommendation__number",
            "name",
            "unit",
            "baseline",
            "baseline_date",
            "target",
            "target_date",
            "direction",
            "outcome__number",
        ),
        "readings": rows(
            MeasureReading.objects.filter(measure__in=measures),
            "measure__recommendation__plan__slug",
            "measure__recommendation__number",
            "measure__name",
            "taken_on",
            "value",
            "recorded_by__email",
            "note",
        ),
    }


def delete_seed(seed: int) -> None:
    # Progress is kept when an action is deleted (or not: either way, go first explicitly).
    ProgressUpdate.objects.filter(action__plan__in=seed_plans(seed)).delete()
    seed_plans(seed).delete()  # recommendations, actions, milestones, measures, readings
    Board.objects.filter(slug__startswith=slug_prefix(seed)).delete()
    User.objects.filter(email__endswith="@" + email_domain(seed)).delete()


def printed_counts(output: str) -> dict[str, int]:
    match = re.fullmatch(r"Generated (.+) in \d+\.\d s\.\n", output)
    assert match, output
    counts = {}
    for part in match.group(1).split(", "):
        number, name = part.split(" ", 1)
        counts[name] = int(number)
    return counts
