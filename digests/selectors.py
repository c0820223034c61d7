"""Reads for digests: one plan's data in a fixed number of queries, and who may read snapshots.

``plan_data`` reads everything a digest of any audience says about a plan with the same
number of queries whatever the plan's size: one per table (actions, milestones, measures,
readings, escalations, recent progress updates, recommendations), each a flat ``values()``
read, and the figures are worked out in Python from those rows.

A digest for today reads the plan as it is now. A digest for a past day reads it as at the
end of that day (London): each action and milestone as its audit history last recorded it
before then, the escalations open then, the readings and progress updates recorded by then.
A day before the plan's recorded history begins, or a day still to come, cannot be described:
``plan_data`` refuses it with ``CannotRebuild`` rather than mixing in what is known now.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Min, OuterRef, Q, QuerySet, Subquery

from actions.dates import LONDON
from actions.models import (
    OPEN_STATUSES,
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

ACTION_FIELDS = (
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
MILESTONE_FIELDS = (
    "id",
    "title",
    "due_date",
    "achieved_on",
    "recommendation__number",
    "recommendation__lead__name",
    "recommendation__lead__job_title",
)


class CannotRebuild(ValueError):
    """A digest was asked for a day that what is recorded cannot describe; the message says why."""


@dataclass
class PlanData:
    plan: Plan
    as_of: dt.date
    # The end of ``as_of`` when it is a past day (the plan is read as it was then); None for
    # today's digest, which reads the plan as it is now.
    moment: dt.datetime | None = None
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


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def end_of_day(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in London: what "as at the end of that day" means."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)


def chart_days(as_of: dt.date) -> list[dt.date]:
    return [as_of - dt.timedelta(weeks=weeks) for weeks in range(CHART_WEEKS - 1, -1, -1)]


def plan_data(*, plan: Plan, as_of: dt.date, now: dt.datetime) -> PlanData:
    """Everything a digest as of ``as_of`` says about ``plan``, read at ``now``.

    Raises ``CannotRebuild`` for a day after ``now``'s London date, or a past day the plan's
    recorded history does not reach back to.
    """
    today = now.astimezone(LONDON).date()
    if as_of > today:
        raise CannotRebuild(
            f"{_day(as_of)} is in the future: a digest can only be built as of today or an "
            "earlier date."
        )
    data = PlanData(plan=plan, as_of=as_of)
    if as_of < today:
        _check_history_reaches(plan=plan, as_of=as_of)
        data.moment = end_of_day(as_of).astimezone(dt.UTC)
    data.actions = _rows(
        _as_at(Action, data.moment, plan_id=plan.pk)
        .order_by("recommendation__number", "due_date", "reference", "id")
        .values(*ACTION_FIELDS)
    )
    data.milestones = _rows(
        _as_at(Milestone, data.moment, recommendation__plan_id=plan.pk)
        .order_by("due_date", "recommendation__number", "id")
        .values(*MILESTONE_FIELDS)
    )
    _read_recommendations_and_measures(data)
    _read_escalations(data)
    _read_updates(data)
    _awaiting(data)
    return data


def _check_history_reaches(*, plan: Plan, as_of: dt.date) -> None:
    """Refuse a past day before the plan's audit history begins: nothing says how it stood."""
    versions = plan.history  # type: ignore[attr-defined]  # django-simple-history's manager
    began = versions.aggregate(first=Min("history_date"))["first"]
    if began is None:
        raise CannotRebuild(
            f'A digest as of {_day(as_of)} cannot be rebuilt: the plan "{plan.slug}" has no '
            "recorded history, so it can only be built as of today."
        )
    first_day = began.astimezone(LONDON).date()
    if as_of < first_day:
        raise CannotRebuild(
            f"A digest as of {_day(as_of)} cannot be rebuilt: the recorded history of the plan "
            f'"{plan.slug}" begins on {_day(first_day)}. Choose that day or a later one.'
        )


def _as_at(model: type[models.Model], moment: dt.datetime | None, **lookups: Any) -> QuerySet[Any]:
    """The rows of ``model`` matching ``lookups``: as they are now if ``moment`` is None, else
    each row as its audit history last recorded it before ``moment``.

    One query either way: the latest version is picked by a subquery per row, not a query
    per row. A row created after ``moment``, or deleted before it, is left out.
    """
    if moment is None:
        return model._default_manager.filter(**lookups)
    history = model.history.model  # type: ignore[attr-defined]  # django-simple-history's
    latest = (
        history.objects.filter(id=OuterRef("id"), history_date__lt=moment)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return (
        history.objects.filter(history_date__lt=moment, **lookups)
        .filter(history_id=Subquery(latest))
        .exclude(history_type="-")
    )


def _made_by(queryset: QuerySet[Any], moment: dt.datetime | None) -> QuerySet[Any]:
    """Rows recorded before ``moment`` (all of them for today's digest)."""
    return queryset if moment is None else queryset.filter(created_at__lt=moment)


def _read_recommendations_and_measures(data: PlanData) -> None:
    plan, moment = data.plan, data.moment
    data.recommendations = _rows(
        _made_by(Recommendation.objects.filter(plan=plan), moment)
        .order_by("number")
        .values("id", "number", "title", "lead__name", "lead__job_title")
    )
    data.measures = _rows(
        _made_by(SuccessMeasure.objects.filter(recommendation__plan=plan), moment)
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
    # A reading dated on or before the day but entered after it was not known that day.
    readings = MeasureReading.objects.filter(
        measure__recommendation__plan=plan, taken_on__lte=data.as_of
    )
    for reading in _rows(
        _made_by(readings, moment)
        .order_by("measure_id", "taken_on")
        .values("measure_id", "taken_on", "value")
    ):
        data.readings.setdefault(reading["measure_id"], []).append(reading)


def _read_escalations(data: PlanData) -> None:
    """The escalations open now, or, for a past day, open at its end."""
    escalations = Escalation.objects.filter(plan=data.plan)
    if data.moment is None:
        escalations = escalations.filter(resolved_at__isnull=True)
    else:
        escalations = escalations.filter(created_at__lt=data.moment).filter(
            Q(resolved_at__isnull=True) | Q(resolved_at__gte=data.moment)
        )
    data.escalations = _rows(
        escalations.order_by("level", "pk").values(
            "id",
            "level",
            "audience",
            "due_date",
            "action_id",
            "milestone_id",
            "action__reference",
            "action__title",
            "milestone__title",
            "milestone__recommendation__number",
        )
    )


def _read_updates(data: PlanData) -> None:
    # Only the updates inside the chart's window change a RAG mix it shows (see
    # digests.rag_history.rag_mix): the rest of the history is not read.
    window_start = end_of_day(chart_days(data.as_of)[0])
    updates = ProgressUpdate.objects.filter(action__plan=data.plan, created_at__gte=window_start)
    data.updates = _rows(
        _made_by(updates, data.moment)
        .order_by("action_id", "created_at", "pk")
        .values("action_id", "created_at", "previous_status", "status", "previous_rag", "rag")
    )


def _awaiting(data: PlanData) -> None:
    """The updates not received for the board's current meeting, when one is near."""
    try:
        # Board meetings are another feature's; the digest reads them only if present.
        from actions.meetings import current_meeting, previous_meeting, updates_since
    except ImportError:  # pragma: no cover - the module is part of the same release
        data.meetings_known = False
        return
    plan = data.plan
    if plan.board is None:
        return
    meeting = current_meeting(board=plan.board, on=data.as_of)
    if meeting is None:
        return
    previous = previous_meeting(meeting=meeting)
    since = updates_since(
        previous_meets_on=previous.meets_on if previous else None, plan_start=plan.start_date
    )
    data.meeting = {"meets_on": meeting.meets_on, "papers_due_on": meeting.papers_due_on}
    # The rule of actions.meetings.awaiting_update_filter, applied to the actions as the
    # digest reads them (as at the end of a past day), not as they are now.
    data.awaiting = [
        action
        for action in data.actions
        if action["status"] in OPEN_STATUSES
        and (action["last_progress_at"] is None or action["last_progress_at"] < since)
    ]


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
    # The id among a UNION of two indexed look-ups, not an OR of EXISTS tests, which made
    # PostgreSQL test every snapshot stored (actions.selectors says more).
    boards = BoardMembership.objects.filter(user_id=user.pk).values("board_id")
    ids = (
        DigestSnapshot.objects.filter(board_id__in=boards)
        .order_by()
        .values("pk")
        .union(DigestSnapshot.objects.filter(plan__board_id__in=boards).order_by().values("pk"))
    )
    return snapshots.filter(pk__in=ids)
