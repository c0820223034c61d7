"""Reads for digests: one plan's data in a fixed number of queries, and who may read snapshots.

``plan_data`` reads everything a digest of any audience says about a plan with the same
number of queries whatever the plan's size: one per table (actions, milestones, measures,
readings, escalations, recent progress updates, recommendations), each a flat ``values()``
read, and the figures are worked out in Python from those rows.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from actions.dates import LONDON
from actions.models import (
    Action,
    BoardMembership,
    MeasureReading,
    Milestone,
    Plan,
    ProgressUpdate,
    Recommendation,
    SuccessMeasure,
)
from actions.selectors import AnyUser
from digests.models import DigestSnapshot
from notifications.models import Escalation

# The RAG-mix chart covers this many weeks, ending on the digest's date.
CHART_WEEKS = 8


@dataclass
class PlanData:
    plan: Plan
    as_of: dt.date
    actions: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    recommendations: list[dict[str, Any]] = field(default_factory=list)
    measures: list[dict[str, Any]] = field(default_factory=list)
    readings: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    awaiting: list[dict[str, Any]] = field(default_factory=list)
    meeting: dict[str, Any] | None = None
    meetings_known: bool = True


def _rows(queryset: Any) -> list[dict[str, Any]]:
    """A ``values()`` queryset's rows, as plain dictionaries."""
    return list(queryset)


def end_of_day(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in London: what "as at the end of that day" means."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)


def chart_days(as_of: dt.date) -> list[dt.date]:
    return [as_of - dt.timedelta(weeks=weeks) for weeks in range(CHART_WEEKS - 1, -1, -1)]


def plan_data(*, plan: Plan, as_of: dt.date) -> PlanData:
    data = PlanData(plan=plan, as_of=as_of)
    data.actions = _rows(
        Action.objects.filter(plan=plan)
        .order_by("recommendation__number", "due_date", "reference", "pk")
        .values(
            "id",
            "reference",
            "title",
            "status",
            "rag",
            "start_date",
            "due_date",
            "completed_on",
            "last_progress_at",
            "created_at",
            "recommendation__number",
            "owner__name",
            "latest_update__commentary",
        )
    )
    data.milestones = _rows(
        Milestone.objects.filter(recommendation__plan=plan)
        .order_by("due_date", "recommendation__number", "pk")
        .values(
            "id",
            "title",
            "due_date",
            "achieved_on",
            "recommendation__number",
            "recommendation__lead__name",
            "recommendation__lead__job_title",
        )
    )
    data.recommendations = _rows(
        Recommendation.objects.filter(plan=plan)
        .order_by("number")
        .values("id", "number", "title", "lead__name", "lead__job_title")
    )
    data.measures = _rows(
        SuccessMeasure.objects.filter(recommendation__plan=plan)
        .order_by("recommendation__number", "name", "pk")
        .values(
            "id",
            "name",
            "unit",
            "baseline",
            "target",
            "target_date",
            "direction",
            "recommendation__number",
        )
    )
    for reading in _rows(
        MeasureReading.objects.filter(measure__recommendation__plan=plan, taken_on__lte=as_of)
        .order_by("measure_id", "taken_on")
        .values("measure_id", "taken_on", "value")
    ):
        data.readings.setdefault(reading["measure_id"], []).append(reading)
    data.escalations = _rows(
        Escalation.objects.filter(plan=plan, resolved_at__isnull=True)
        .order_by("level", "-working_days_overdue", "pk")
        .values(
            "id",
            "level",
            "audience",
            "working_days_overdue",
            "due_date",
            "action__reference",
            "action__title",
            "milestone__title",
            "milestone__recommendation__number",
        )
    )
    # Only the updates inside the chart's window change a RAG mix it shows (see
    # digests.services.rag_mix): the rest of the history is not read.
    window_start = end_of_day(chart_days(as_of)[0])
    data.updates = _rows(
        ProgressUpdate.objects.filter(action__plan=plan, created_at__gte=window_start)
        .order_by("action_id", "created_at", "pk")
        .values("action_id", "created_at", "previous_status", "status", "previous_rag", "rag")
    )
    _awaiting(data)
    return data


def _awaiting(data: PlanData) -> None:
    """The updates not received for the board's current meeting, when one is near."""
    try:
        # Board meetings are another feature's; the digest reads them only if present.
        from actions.meetings import actions_awaiting_update, current_meeting
    except ImportError:  # pragma: no cover - the module is part of the same release
        data.meetings_known = False
        return
    plan = data.plan
    if plan.board is None:
        return
    meeting = current_meeting(board=plan.board, on=data.as_of)
    if meeting is None:
        return
    data.meeting = {"meets_on": meeting.meets_on, "papers_due_on": meeting.papers_due_on}
    data.awaiting = _rows(
        actions_awaiting_update(plan=plan, on=data.as_of)
        .order_by("recommendation__number", "due_date", "reference", "pk")
        .values("id", "reference", "title", "owner__name", "last_progress_at")
    )


def recipients_of(*, board_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The active members of each board with an address who did not turn digests off."""
    people: dict[int, list[dict[str, Any]]] = {board_id: [] for board_id in board_ids}
    for row in (
        BoardMembership.objects.filter(board_id__in=board_ids, user__is_active=True)
        .exclude(user__email="")
        .exclude(user__notification_preference__digests=False)
        .order_by("board_id", "user__name", "user_id")
        .values("board_id", "user_id", "user__email", "user__name")
    ):
        people[row["board_id"]].append(
            {"id": row["user_id"], "email": row["user__email"], "name": row["user__name"]}
        )
    return people


def snapshots_visible_to(user: AnyUser) -> QuerySet[DigestSnapshot]:
    """Administrators read every snapshot; others those of the boards they sit on.

    A snapshot is what a board was told, names and all, so a plan being published (or a
    person owning one of its actions) is not enough: the reader must be a member of the
    board it was compiled for or of the plan's governing board (who read everything anyway).
    """
    snapshots = DigestSnapshot.objects.select_related("plan", "board").defer("spreadsheet", "state")
    if not (user.is_authenticated and user.is_active):
        return snapshots.none()
    if user.is_staff:
        return snapshots
    member = BoardMembership.objects.filter(user_id=user.pk)
    return snapshots.filter(
        Q(Exists(member.filter(board_id=OuterRef("board_id"))))
        | Q(Exists(member.filter(board_id=OuterRef("plan__board_id"))))
    )
