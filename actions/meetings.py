"""Board meetings and the updates owners owe them: which meeting is current, who owes what.

A meeting's *request window* opens ``board.update_request_working_days`` working days before
its papers deadline and stays open up to and including the day of the meeting. A deadline on
a weekend or bank holiday counts as the working day before it (as due dates do).

- Owners are asked by email on two days only: the first day of the window, and again on the
  papers deadline day if they still have not updated (once when both are the same day). The
  reminder sweep does the asking (``notifications.services``); these selectors only say who
  owes an update.
- After the papers deadline nobody is asked again, but the window stays open until the
  meeting, so that the digest can list the updates not received for that meeting.
- When windows overlap (meetings close together), the soonest meeting is the current one.

"Not updated since the last meeting" means no progress update since the start of the day
after the board's previous meeting (London time). For a board's first meeting on record,
it means no update since the plan started (the start of its start date in London): an
action nobody has ever updated is always asked for.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from actions.dates import LONDON, add_working_days, working_day_on_or_before
from actions.models import OPEN_STATUSES, Action, Board, BoardMeeting, Plan


@dataclass(frozen=True)
class RequestDays:
    """The days of a meeting's request window that matter."""

    opens_on: dt.date  # the first day of the window (a working day): everyone owing is asked
    deadline_on: dt.date  # the working day the papers are due: asked again if still owing
    closes_on: dt.date  # the meeting day: the last day the window is open


def request_days(*, meets_on: dt.date, papers_due_on: dt.date, working_days: int) -> RequestDays:
    """The window of a meeting whose board asks ``working_days`` working days ahead."""
    deadline = working_day_on_or_before(papers_due_on)
    return RequestDays(
        opens_on=add_working_days(deadline, -working_days),
        deadline_on=deadline,
        closes_on=meets_on,
    )


def current_meeting(*, board: Board, on: dt.date) -> BoardMeeting | None:
    """The board's soonest meeting on or after ``on`` whose request window is open on ``on``."""
    for meeting in BoardMeeting.objects.filter(board=board, meets_on__gte=on).order_by("meets_on"):
        days = request_days(
            meets_on=meeting.meets_on,
            papers_due_on=meeting.papers_due_on,
            working_days=board.update_request_working_days,
        )
        if days.opens_on <= on:
            return meeting
    return None


def previous_meeting(*, meeting: BoardMeeting) -> BoardMeeting | None:
    return (
        BoardMeeting.objects.filter(board_id=meeting.board_id, meets_on__lt=meeting.meets_on)
        .order_by("-meets_on")
        .first()
    )


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in London, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=LONDON)


def updates_since(*, previous_meets_on: dt.date | None, plan_start: dt.date) -> dt.datetime:
    """The moment from which an update counts for a meeting (see the module's docstring)."""
    if previous_meets_on is None:
        return start_of_day(plan_start)
    return start_of_day(previous_meets_on + dt.timedelta(days=1))


def awaiting_update_filter(since: dt.datetime) -> Q:
    """Open actions with no progress update from ``since`` on."""
    return Q(status__in=OPEN_STATUSES) & (
        Q(last_progress_at__isnull=True) | Q(last_progress_at__lt=since)
    )


def actions_awaiting_update(*, plan: Plan, on: dt.date) -> QuerySet[Action]:
    """The plan's open actions whose owners owe an update for its board's current meeting.

    Empty when the plan has no board or no request window is open on ``on``. Three queries
    at most: the meeting, the previous meeting, then the actions when evaluated.
    """
    if plan.board_id is None:
        return Action.objects.none()
    assert plan.board is not None
    meeting = current_meeting(board=plan.board, on=on)
    if meeting is None:
        return Action.objects.none()
    previous = previous_meeting(meeting=meeting)
    since = updates_since(
        previous_meets_on=previous.meets_on if previous else None, plan_start=plan.start_date
    )
    return Action.objects.filter(awaiting_update_filter(since), plan=plan)
