"""What a recommendation's page shows, for one person, in a fixed number of queries.

Every row comes through the API's own reads: the recommendation, its outcomes, actions,
milestones, measures and readings through ``actions.selectors``, escalations through
``notifications.apis.escalations_visible_to``, and the action list is filtered by the API's
``ActionFilter`` (``workspace.action_listing``). So a lead or a board member sees here what
the API shows them, an owner only their own actions, and nobody sees what the API would not
let them read. Who may mark a milestone achieved or record a reading is the API's own policy
for those endpoints.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Length

from accounts.models import User
from actions import selectors
from actions.apis import MeasureReadingViewSet, MilestoneViewSet
from actions.dates import working_days_between
from actions.models import (
    OPEN_STATUSES,
    Action,
    ActionStatus,
    Milestone,
    Outcome,
    Rag,
    Recommendation,
    SuccessMeasure,
)
from actions.permissions import ALL_FIELDS
from notifications.apis import escalations_visible_to
from notifications.models import Escalation
from workspace.access import visible_or_404
from workspace.action_listing import ActionListing, action_listing
from workspace.charts import LineChart, measure_chart

NOT_UPDATED_DAYS = 30


@dataclass(frozen=True)
class RagMix:
    red: int
    amber: int
    green: int
    blue: int
    cancelled: int

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        labels = dict(Rag.choices)
        return [(key, labels[key], getattr(self, key)) for key in ("red", "amber", "green", "blue")]

    @property
    def counted(self) -> int:
        return self.red + self.amber + self.green + self.blue


@dataclass
class MilestoneRow:
    milestone: Milestone
    overdue: bool
    working_days: int  # past the due date when overdue, else until it
    may_mark_achieved: bool
    form: Any = None  # the view's form, for those who may mark it


@dataclass
class MeasureRow:
    measure: SuccessMeasure
    readings: list[Any]
    chart: LineChart | None
    may_record: bool
    form: Any = None


@dataclass
class RecommendationPage:
    recommendation: Recommendation
    today: dt.date
    outcomes: list[Outcome]
    rag_mix: RagMix
    actions: ActionListing
    milestones: list[MilestoneRow]
    measures: list[MeasureRow]
    escalations: list[Escalation]
    not_updated: list[Action]
    not_updated_days: int = NOT_UPDATED_DAYS

    @property
    def has_forms(self) -> bool:
        return any(r.may_mark_achieved for r in self.milestones) or any(
            r.may_record for r in self.measures
        )


def may_mark_achieved(user: User, milestone: Milestone) -> bool:
    """The API's rule for changing a milestone's ``achieved_on`` (the lead, administrators)."""
    changeable = MilestoneViewSet.policy.changeable_fields(user, milestone)
    return changeable == ALL_FIELDS or "achieved_on" in changeable


def may_record_reading(
    user: User, measure: SuccessMeasure, *, any_at_all: bool | None = None
) -> bool:
    """The API's rule for adding a reading to a measure (its lead, administrators).

    ``any_at_all``: the policy's first check (a query), when the caller has made it already.
    """
    policy = MeasureReadingViewSet.policy
    if any_at_all is None:
        any_at_all = policy.may_create_any(user)
    return any_at_all and policy.may_create(user, {"measure": measure})


def recommendation_of(user: User, pk: int) -> Recommendation:
    """The recommendation if the API lets this person read it; 404 otherwise."""
    visible = selectors.recommendations_visible_to(user).select_related("plan", "lead")
    return visible_or_404(visible, pk)


def _actions(user: User, recommendation: Recommendation) -> QuerySet[Action]:
    # prefetch_related(None): the API prefetches supporting owners; the page names none.
    return (
        selectors.actions_visible_to(user)
        .prefetch_related(None)
        .filter(recommendation=recommendation)
    )


def rag_mix(actions: QuerySet[Action]) -> RagMix:
    """The RAG ratings of the actions, cancelled ones apart (one query)."""
    counted = ~Q(status=ActionStatus.CANCELLED)
    figures = actions.aggregate(
        **{key: Count("pk", filter=counted & Q(rag=key)) for key in Rag.values},
        cancelled=Count("pk", filter=~counted),
    )
    return RagMix(**figures)


def milestone_rows(
    user: User, recommendation: Recommendation, today: dt.date
) -> list[MilestoneRow]:
    milestones = (
        selectors.milestones_visible_to(user)
        .prefetch_related(None)
        .filter(recommendation=recommendation)
        .order_by("due_date", "pk")
    )
    rows = []
    for milestone in milestones:
        milestone.recommendation = recommendation  # the policy asks for its lead
        overdue = milestone.is_overdue(on=today)
        days = (
            working_days_between(milestone.due_date, today)
            if overdue
            else working_days_between(today, milestone.due_date)
        )
        rows.append(MilestoneRow(milestone, overdue, days, may_mark_achieved(user, milestone)))
    return rows


def measure_rows(user: User, recommendation: Recommendation) -> list[MeasureRow]:
    readings = selectors.readings_visible_to(user).order_by("taken_on", "pk")
    measures = (
        selectors.measures_visible_to(user)
        .filter(recommendation=recommendation)
        .prefetch_related(Prefetch("readings", queryset=readings))
        .order_by("name", "pk")
    )
    rows = []
    any_at_all = MeasureReadingViewSet.policy.may_create_any(user)
    for measure in measures:
        measure.recommendation = recommendation
        taken = list(measure.readings.all())
        chart = measure_chart(
            chart_id=f"measure-{measure.pk}-chart",
            name=measure.name,
            unit=measure.unit,
            baseline=measure.baseline,
            baseline_date=measure.baseline_date,
            target=measure.target,
            target_date=measure.target_date,
            direction=measure.direction,
            readings=[(r.taken_on, r.value) for r in taken],
        )
        may_record = may_record_reading(user, measure, any_at_all=any_at_all)
        rows.append(MeasureRow(measure, taken, chart, may_record))
    return rows


def open_escalations(user: User, recommendation: Recommendation) -> list[Escalation]:
    """Unresolved escalations of the recommendation's actions and milestones, highest first."""
    here = Q(action__recommendation_id=recommendation.pk) | Q(
        milestone__recommendation_id=recommendation.pk
    )
    return list(
        escalations_visible_to(user)
        .prefetch_related(None)
        .filter(here, resolved_at__isnull=True)
        .select_related("action", "milestone")
        .order_by("-level", "created_at", "pk")
    )


def not_updated(actions: QuerySet[Action], *, now: dt.datetime) -> list[Action]:
    """Open actions with no progress reported in the last 30 days, or ever: the oldest first."""
    since = now - dt.timedelta(days=NOT_UPDATED_DAYS)
    quiet = Q(last_progress_at__isnull=True) | Q(last_progress_at__lt=since)
    return list(
        actions.filter(quiet, status__in=OPEN_STATUSES)
        .select_related("owner")
        .order_by(
            F("last_progress_at").asc(nulls_first=True),
            Length("reference"),
            "reference",
            "pk",
        )
    )


def recommendation_page(
    *,
    user: User,
    recommendation: Recommendation,
    query: Mapping[str, Any],
    today: dt.date,
    now: dt.datetime,
) -> RecommendationPage:
    """Everything the page shows, for this person, on ``today`` (London)."""
    actions = _actions(user, recommendation)
    owners = list(User.objects.filter(pk__in=actions.values("owner_id")).order_by("name", "pk"))
    outcomes = selectors.outcomes_visible_to(user).filter(recommendation=recommendation)
    return RecommendationPage(
        recommendation=recommendation,
        today=today,
        outcomes=list(outcomes.order_by("number", "pk")),
        rag_mix=rag_mix(actions),
        actions=action_listing(actions, query, owners=owners),
        milestones=milestone_rows(user, recommendation, today),
        measures=measure_rows(user, recommendation),
        escalations=open_escalations(user, recommendation),
        not_updated=not_updated(actions, now=now),
    )
