"""What the public may read of a published plan: the plan on a page, with no personal data.

``public_plan(slug=...)`` reads a published plan in a fixed number of queries whatever its
size, and returns plain values only. People appear as their role (job title and
organisation), never by name or email; officers' free text (progress commentary, notes on
readings) is left out, as it may name people. The page and the downloads are both built
from this one structure, so they always say the same.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, Subquery

from actions.dates import LONDON, local_today
from actions.models import (
    OPEN_STATUSES,
    Action,
    ActionStatus,
    Direction,
    MeasureReading,
    Milestone,
    Outcome,
    PlanStatus,
    Rag,
    Recommendation,
    SuccessMeasure,
)
from actions.selectors import plans_public


@dataclass(frozen=True)
class PublicOutcome:
    number: int
    title: str


@dataclass(frozen=True)
class PublicMilestone:
    title: str
    due_on: dt.date
    achieved_on: dt.date | None
    today: dt.date

    @property
    def state(self) -> str:
        """In words, so that nothing depends on colour."""
        if self.achieved_on is not None:
            return "Achieved on time" if self.achieved_on <= self.due_on else "Achieved late"
        return "Overdue" if self.due_on < self.today else "Not due yet"


@dataclass(frozen=True)
class PublicMeasure:
    name: str
    unit: str
    baseline: Decimal
    baseline_on: dt.date | None
    latest: Decimal | None
    latest_on: dt.date | None
    target: Decimal
    target_on: dt.date
    direction: str

    def show(self, value: Decimal | None) -> str:
        """A figure with its unit, as people write it: "38%", "12.5 weeks"."""
        if value is None:
            return "No reading yet"
        number = f"{value.quantize(Decimal('0.01')).normalize():f}"
        if not self.unit:
            return number
        return f"{number}{self.unit}" if self.unit == "%" else f"{number} {self.unit}"

    @property
    def baseline_text(self) -> str:
        return self.show(self.baseline)

    @property
    def latest_text(self) -> str:
        return self.show(self.latest)

    @property
    def target_text(self) -> str:
        return self.show(self.target)

    @property
    def better_when(self) -> str:
        return "Higher" if self.direction == Direction.HIGHER_IS_BETTER else "Lower"

    @property
    def travel(self) -> str:
        """How the latest reading compares with the baseline, in words."""
        if self.latest is None:
            return "No reading yet"
        if self.latest == self.baseline:
            return "No change from baseline"
        better = (self.latest > self.baseline) == (self.direction == Direction.HIGHER_IS_BETTER)
        met = (
            self.latest >= self.target
            if self.direction == Direction.HIGHER_IS_BETTER
            else self.latest <= self.target
        )
        if met:
            return "Target met"
        return "Better than baseline" if better else "Worse than baseline"


@dataclass(frozen=True)
class Counts:
    """A recommendation's actions. Cancelled actions are counted apart and nowhere else."""

    total: int = 0
    completed: int = 0
    red: int = 0
    amber: int = 0
    green: int = 0
    overdue: int = 0
    cancelled: int = 0

    @property
    def counted(self) -> int:
        return self.total - self.cancelled

    @property
    def percent_complete(self) -> int:
        # Rounded down: a plan shows 100% only when every action is complete.
        return self.completed * 100 // self.counted if self.counted else 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(
            total=self.total + other.total,
            completed=self.completed + other.completed,
            red=self.red + other.red,
            amber=self.amber + other.amber,
            green=self.green + other.green,
            overdue=self.overdue + other.overdue,
            cancelled=self.cancelled + other.cancelled,
        )


@dataclass
class PublicRecommendation:
    number: int
    title: str
    description: str
    lead_role: str
    counts: Counts
    last_updated: dt.date
    outcomes: list[PublicOutcome] = field(default_factory=list)
    milestones: list[PublicMilestone] = field(default_factory=list)
    measures: list[PublicMeasure] = field(default_factory=list)


@dataclass
class PublicPlan:
    slug: str
    title: str
    plan_type: str
    local_area: str
    summary: str
    start_date: dt.date
    end_date: dt.date
    status: str
    last_updated: dt.date
    today: dt.date
    recommendations: list[PublicRecommendation]

    @property
    def counts(self) -> Counts:
        return sum((r.counts for r in self.recommendations), Counts())

    @property
    def milestones_achieved(self) -> int:
        return sum(1 for r in self.recommendations for m in r.milestones if m.achieved_on)

    @property
    def milestones_total(self) -> int:
        return sum(len(r.milestones) for r in self.recommendations)


def role_of(job_title: str, organisation: str) -> str:
    """A person as the public sees them: what they do and where, never who they are."""
    return ", ".join(part for part in (job_title, organisation) if part) or "Officer"


def _london_date(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(LONDON).date() if moment is not None else None


def _latest(*moments: dt.datetime | None) -> dt.datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


# The times each recommendation last changed (its own row, its actions, outcomes,
# milestones, measures and readings), filled in as each part is read.
Changed = dict[int, list[dt.datetime | None]]


def public_plan(*, slug: str, today: dt.date | None = None) -> PublicPlan | None:
    """The public plan with this slug, or None (unknown, a draft, or not published).

    Public is ``actions.selectors.plan_is_public``, the rule the API follows for people who
    are not signed in, so the page and the API always agree on what the public sees.

    Six queries, whatever the number of recommendations, actions, milestones and measures.
    """
    today = today or local_today()
    plan = _plan_row(slug)
    if plan is None:
        return None
    recommendation_rows = _recommendation_rows(plan["id"])
    ids = [row["id"] for row in recommendation_rows]
    changed: Changed = {row["id"]: [row["updated_at"]] for row in recommendation_rows}
    counts = _action_counts(ids, today, changed)
    outcomes = _outcomes(ids, changed)
    milestones = _milestones(ids, today, changed)
    measures = _measures(ids, changed)

    recommendations = []
    for rec_row in recommendation_rows:
        rid = rec_row["id"]
        last = _latest(*changed[rid])
        assert last is not None  # the recommendation's own updated_at is always there
        recommendations.append(
            PublicRecommendation(
                number=rec_row["number"],
                title=rec_row["title"],
                description=rec_row["description"],
                lead_role=role_of(rec_row["lead__job_title"], rec_row["lead__organisation"]),
                counts=counts.get(rid, Counts()),
                last_updated=_london_date(last) or today,
                outcomes=outcomes[rid],
                milestones=milestones[rid],
                measures=measures[rid],
            )
        )
    plan_last = _latest(plan["updated_at"], *(v for vs in changed.values() for v in vs))
    return PublicPlan(
        slug=plan["slug"],
        title=plan["title"],
        plan_type=plan["plan_type__name"],
        local_area=plan["local_area"],
        summary=plan["summary"],
        start_date=plan["start_date"],
        end_date=plan["end_date"],
        status=PlanStatus(plan["status"]).label,
        last_updated=_london_date(plan_last) or today,
        today=today,
        recommendations=recommendations,
    )


def _plan_row(slug: str) -> Mapping[str, Any] | None:
    return (
        plans_public()
        .filter(slug=slug)
        .values(
            "id",
            "slug",
            "title",
            "plan_type__name",
            "local_area",
            "summary",
            "start_date",
            "end_date",
            "status",
            "updated_at",
        )
        .first()
    )


def _recommendation_rows(plan_id: int) -> list[Mapping[str, Any]]:
    # values(): the lead's name and email are never even read from the database.
    return list(
        Recommendation.objects.filter(plan_id=plan_id)
        .order_by("number")
        .values(
            "id",
            "number",
            "title",
            "description",
            "lead__job_title",
            "lead__organisation",
            "updated_at",
        )
    )


def _action_counts(ids: list[int], today: dt.date, changed: Changed) -> dict[int, Counts]:
    counts: dict[int, Counts] = {}
    for row in (
        Action.objects.filter(recommendation_id__in=ids)
        .values("recommendation_id")
        .order_by("recommendation_id")
        .annotate(
            total=Count("id"),
            completed=Count("id", filter=Q(status=ActionStatus.COMPLETED)),
            cancelled=Count("id", filter=Q(status=ActionStatus.CANCELLED)),
            red=Count("id", filter=Q(rag=Rag.RED) & ~Q(status=ActionStatus.CANCELLED)),
            amber=Count("id", filter=Q(rag=Rag.AMBER) & ~Q(status=ActionStatus.CANCELLED)),
            green=Count("id", filter=Q(rag=Rag.GREEN) & ~Q(status=ActionStatus.CANCELLED)),
            overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
            last_progress=Max("last_progress_at"),
            last_change=Max("updated_at"),
        )
    ):
        rid = row["recommendation_id"]
        counts[rid] = Counts(
            total=row["total"],
            completed=row["completed"],
            red=row["red"],
            amber=row["amber"],
            green=row["green"],
            overdue=row["overdue"],
            cancelled=row["cancelled"],
        )
        changed[rid] += [row["last_progress"], row["last_change"]]
    return counts


def _outcomes(ids: list[int], changed: Changed) -> dict[int, list[PublicOutcome]]:
    outcomes: dict[int, list[PublicOutcome]] = {rid: [] for rid in ids}
    for outcome_row in (
        Outcome.objects.filter(recommendation_id__in=ids)
        .order_by("recommendation_id", "number")
        .values("recommendation_id", "number", "title", "updated_at")
    ):
        outcomes[outcome_row["recommendation_id"]].append(
            PublicOutcome(outcome_row["number"], outcome_row["title"])
        )
        changed[outcome_row["recommendation_id"]].append(outcome_row["updated_at"])
    return outcomes


def _milestones(
    ids: list[int], today: dt.date, changed: Changed
) -> dict[int, list[PublicMilestone]]:
    milestones: dict[int, list[PublicMilestone]] = {rid: [] for rid in ids}
    for milestone_row in (
        Milestone.objects.filter(recommendation_id__in=ids)
        .order_by("recommendation_id", "due_date", "title", "id")
        .values("recommendation_id", "title", "due_date", "achieved_on", "updated_at")
    ):
        milestones[milestone_row["recommendation_id"]].append(
            PublicMilestone(
                milestone_row["title"],
                milestone_row["due_date"],
                milestone_row["achieved_on"],
                today,
            )
        )
        changed[milestone_row["recommendation_id"]].append(milestone_row["updated_at"])
    return milestones


def _measure_rows(ids: list[int]) -> Any:
    """Each measure with its latest reading and when its readings last changed."""
    latest_reading = MeasureReading.objects.filter(measure_id=OuterRef("pk")).order_by(
        "-taken_on", "-id"
    )
    return (
        SuccessMeasure.objects.filter(recommendation_id__in=ids)
        .order_by("recommendation_id", "name", "id")
        .annotate(
            latest=Subquery(latest_reading.values("value")[:1]),
            latest_on=Subquery(latest_reading.values("taken_on")[:1]),
            reading_changed=Subquery(
                MeasureReading.objects.filter(measure_id=OuterRef("pk"))
                .order_by()
                .values("measure_id")
                .annotate(at=Max("updated_at"))
                .values("at")
            ),
        )
        .values(
            "recommendation_id",
            "name",
            "unit",
            "baseline",
            "baseline_date",
            "target",
            "target_date",
            "direction",
            "latest",
            "latest_on",
            "updated_at",
            "reading_changed",
        )
    )


def _measures(ids: list[int], changed: Changed) -> dict[int, list[PublicMeasure]]:
    measures: dict[int, list[PublicMeasure]] = {rid: [] for rid in ids}
    for row in _measure_rows(ids):
        measures[row["recommendation_id"]].append(
            PublicMeasure(
                name=row["name"],
                unit=row["unit"],
                baseline=row["baseline"],
                baseline_on=row["baseline_date"],
                latest=row["latest"],
                latest_on=row["latest_on"],
                target=row["target"],
                target_on=row["target_date"],
                direction=row["direction"],
            )
        )
        changed[row["recommendation_id"]] += [row["updated_at"], row["reading_changed"]]
    return measures
