"""What needs a person: the selector behind the signed-in home page ("What needs you").

Everything comes from the visibility selectors the API uses (``actions.selectors``), so the
page lists only what the person may read: an owner their own actions, a lead what their
recommendations hold, a board member their plans, an administrator every plan. Each section
is the most urgent first, cut to a page, with the full count; the cost is a fixed number of
queries whatever the number of rows.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from actions.dates import add_working_days, working_days_between
from actions.meetings import awaiting_update_filter, request_days, updates_since
from actions.models import OPEN_STATUSES, Action, BoardMeeting, Milestone, PlanStatus
from actions.selectors import actions_visible_to, milestones_visible_to
from notifications.models import Escalation

# How far ahead "due soon" looks, in working days.
DUE_SOON_WORKING_DAYS = 10
# Rows shown per section; the count says how many there are in all.
SECTION_ROWS = 25


@dataclass(frozen=True)
class Need:
    """One row of a section: an action or a milestone, and how late or near it is."""

    kind: str  # "action" or "milestone"
    pk: int
    reference: str
    title: str
    plan_title: str
    due_date: dt.date
    working_days: int  # past the due date (overdue) or until it (due soon)
    part: str  # the person's part: owner, supporting owner, lead, board member, administrator
    recommendation_id: int
    rag: str = ""
    status: str = ""
    level: int = 0  # an escalation's level


@dataclass
class Section:
    rows: list[Need] = field(default_factory=list)
    count: int = 0


@dataclass
class Needs:
    today: dt.date
    due_soon_until: dt.date
    overdue: Section
    due_soon: Section
    updates_owed: Section
    escalated: Section

    @property
    def total(self) -> int:
        return (
            self.overdue.count
            + self.due_soon.count
            + self.updates_owed.count
            + self.escalated.count
        )


def _open_actions(user: User) -> QuerySet[Action]:
    supports = Action.supporting_owners.through.objects.filter(
        action_id=OuterRef("pk"), user_id=user.pk
    )
    return (
        actions_visible_to(user)
        .prefetch_related(None)
        .filter(status__in=OPEN_STATUSES, plan__status=PlanStatus.ACTIVE)
        .select_related("plan", "recommendation")
        .annotate(supported=Exists(supports))
    )


def _open_milestones(user: User) -> QuerySet[Milestone]:
    return (
        milestones_visible_to(user)
        .prefetch_related(None)
        .filter(achieved_on__isnull=True, recommendation__plan__status=PlanStatus.ACTIVE)
        .select_related("recommendation__plan")
    )


def _action_part(action: Any, user: User) -> str:
    if action.owner_id == user.pk:
        return "owner"
    if getattr(action, "supported", False):
        return "supporting owner"
    if action.recommendation.lead_id == user.pk:
        return "lead"
    return "administrator" if user.is_staff else "board member"


def _milestone_part(milestone: Milestone, user: User) -> str:
    if milestone.recommendation.lead_id == user.pk:
        return "lead"
    return "administrator" if user.is_staff else "board member"


def _action_need(action: Any, user: User, days: int) -> Need:
    return Need(
        "action",
        action.pk,
        action.reference,
        action.title,
        action.plan.title,
        action.due_date,
        days,
        _action_part(action, user),
        action.recommendation_id,
        rag=action.rag,
        status=action.status,
    )


def _milestone_need(milestone: Milestone, user: User, days: int) -> Need:
    recommendation = milestone.recommendation
    return Need(
        "milestone",
        milestone.pk,
        f"Milestone, recommendation {recommendation.number}",
        milestone.title,
        recommendation.plan.title,
        milestone.due_date,
        days,
        _milestone_part(milestone, user),
        milestone.recommendation_id,
    )


def _dated_section(user: User, due: Q, *, today: dt.date, late: bool) -> Section:
    """Actions and milestones due in a window, the most urgent first (four queries)."""
    order = ("due_date", "pk")
    actions = _open_actions(user).filter(due).order_by(*order)
    milestones = _open_milestones(user).filter(due).order_by(*order)

    def days(due_date: dt.date) -> int:
        if late:
            return working_days_between(due_date, today)
        return working_days_between(today, due_date)

    rows = [_action_need(a, user, days(a.due_date)) for a in actions[:SECTION_ROWS]]
    rows += [_milestone_need(m, user, days(m.due_date)) for m in milestones[:SECTION_ROWS]]
    rows.sort(key=lambda need: (need.due_date, need.kind != "milestone", need.pk))
    return Section(rows[:SECTION_ROWS], actions.count() + milestones.count())


def _updates_owed(user: User, *, today: dt.date) -> Section:
    """The person's own actions that their plan's board asks an update on before its next
    meeting (two queries: the boards' meetings, then the actions)."""
    previous = (
        BoardMeeting.objects.filter(
            board_id=OuterRef("board_id"), meets_on__lt=OuterRef("meets_on")
        )
        .order_by("-meets_on")
        .values("meets_on")[:1]
    )
    boards = Action.objects.filter(owner=user, status__in=OPEN_STATUSES).values("plan__board_id")
    meetings = (
        BoardMeeting.objects.filter(meets_on__gte=today, board_id__in=boards)
        .select_related("board")
        .annotate(previous_meets_on=Subquery(previous))
        .order_by("board_id", "meets_on")
    )
    condition = Q()
    seen: set[int] = set()
    for meeting in meetings:
        if meeting.board_id in seen:
            continue
        window = request_days(
            meets_on=meeting.meets_on,
            papers_due_on=meeting.papers_due_on,
            working_days=meeting.board.update_request_working_days,
        )
        if window.opens_on > today:
            continue
        seen.add(meeting.board_id)
        previous_on = getattr(meeting, "previous_meets_on", None)
        if previous_on is None:
            # A board's first meeting: updates count from each plan's start.
            awaiting = Q(last_progress_at__isnull=True) | Q(
                last_progress_at__date__lt=F("plan__start_date")
            )
        else:
            since = updates_since(previous_meets_on=previous_on, plan_start=today)
            awaiting = awaiting_update_filter(since)
        condition |= Q(plan__board_id=meeting.board_id) & awaiting
    if not seen:
        return Section()
    owed = _open_actions(user).filter(condition, owner=user).order_by("due_date", "pk")
    rows = [
        _action_need(a, user, working_days_between(today, a.due_date)) for a in owed[:SECTION_ROWS]
    ]
    return Section(rows, owed.count())


def _escalated(user: User, *, today: dt.date) -> Section:
    """Open escalations that told this person, the highest level and the longest late first."""
    told = (
        Escalation.objects.filter(told=user, resolved_at__isnull=True)
        .select_related(
            "plan", "action__plan", "action__recommendation", "milestone__recommendation"
        )
        .order_by("-level", "due_date", "pk")
    )
    rows = []
    for escalation in told[:SECTION_ROWS]:
        days = working_days_between(escalation.due_date, today)
        if escalation.action is not None:
            need = _action_need(escalation.action, user, days)
        else:
            assert escalation.milestone is not None
            milestone = escalation.milestone
            need = Need(
                "milestone",
                milestone.pk,
                f"Milestone, recommendation {milestone.recommendation.number}",
                milestone.title,
                escalation.plan.title,
                escalation.due_date,
                days,
                _milestone_part(milestone, user),
                milestone.recommendation_id,
            )
        rows.append(Need(**{**need.__dict__, "level": escalation.level}))
    return Section(rows, told.count())


def needs_of(*, user: User, today: dt.date) -> Needs:
    """What needs this person on ``today`` (London): late, due soon, owed, escalated."""
    until = add_working_days(today, DUE_SOON_WORKING_DAYS)
    return Needs(
        today=today,
        due_soon_until=until,
        overdue=_dated_section(user, Q(due_date__lt=today), today=today, late=True),
        due_soon=_dated_section(
            user, Q(due_date__gte=today, due_date__lte=until), today=today, late=False
        ),
        updates_owed=_updates_owed(user, today=today),
        escalated=_escalated(user, today=today),
    )
