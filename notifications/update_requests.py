"""Requests for updates before a board meeting: who is asked today, and for which action.

The dates (when a meeting's window opens, its papers deadline) are ``actions.meetings``;
this module turns them into lines of the owners' daily reminder email.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from actions.dates import add_working_days, working_days_between
from actions.meetings import awaiting_update_filter, request_days, updates_since
from actions.models import OPEN_STATUSES, Action, Board, BoardMeeting, PlanStatus

# A board asks at most this many working days before its papers deadline (the model's limit).
_MAX_REQUEST_WORKING_DAYS = 60


@dataclass(frozen=True)
class UpdateRequest:
    """An owner asked today for an update on an action, before their plan's board meeting."""

    owner_id: int
    action_id: int
    plan_id: int
    due_date: dt.date
    meeting_id: int
    meets_on: dt.date
    papers_due_on: dt.date
    days: int  # working days until the papers deadline: 0 on the deadline day


# A board asking today: its current meeting, when that meets, its papers deadline, the
# previous meeting's date (None for a board's first) and working days to the deadline.
_Asking = tuple[int, dt.date, dt.date, dt.date | None, int]


def _boards_asking(today: dt.date) -> dict[int, _Asking]:
    """Boards whose current meeting asks for updates today (one query).

    A board's current meeting is its soonest one whose window is open; it asks on two days:
    the first day of its window, and its papers deadline day.
    """
    horizon = add_working_days(today, _MAX_REQUEST_WORKING_DAYS + 1)
    # Written out: the sweep runs every few minutes, and Django takes longer to build this
    # than the database takes to answer it.
    meeting = connection.ops.quote_name(BoardMeeting._meta.db_table)
    board = connection.ops.quote_name(Board._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT meeting.id, meeting.board_id, meeting.meets_on, meeting.papers_due_on,
                   board.update_request_working_days,
                   (SELECT earlier.meets_on FROM {meeting} earlier
                    WHERE earlier.board_id = meeting.board_id
                      AND earlier.meets_on < meeting.meets_on
                    ORDER BY earlier.meets_on DESC LIMIT 1)
            FROM {meeting} meeting JOIN {board} board ON board.id = meeting.board_id
            WHERE meeting.meets_on >= %s AND meeting.papers_due_on < %s
            ORDER BY meeting.board_id, meeting.meets_on""",
            [today, horizon],
        )
        # Each date is a column's (the previous meeting's through a subquery), which Django
        # has SQLite hand over as a date, as PostgreSQL does.
        meetings = cursor.fetchall()
    seen: set[int] = set()
    asking: dict[int, _Asking] = {}
    for meeting_id, board_id, meets_on, papers_due_on, working_days, previous_on in meetings:
        if board_id in seen:
            continue
        days = request_days(
            meets_on=meets_on, papers_due_on=papers_due_on, working_days=working_days
        )
        if days.opens_on > today:
            continue  # not open yet; a later meeting of the board may be (papers due sooner)
        seen.add(board_id)  # the soonest open meeting is the board's current one
        if today in (days.opens_on, days.deadline_on):
            to_deadline = working_days_between(today, days.deadline_on)
            asking[board_id] = (meeting_id, meets_on, papers_due_on, previous_on, to_deadline)
    return asking


def update_requests_due(*, today: dt.date) -> list[UpdateRequest]:
    """Owners whose plan's board asks them today for an update before its meeting.

    An owner who has updated since the previous meeting is not asked. Two queries (the
    meetings, then the actions) whatever the size of the plans: one when no board asks today.
    """
    asking = _boards_asking(today)
    if not asking:
        return []

    # The previous meeting is the same for every plan of a board, so the test is in SQL; a
    # board's first meeting counts updates since each plan's start, tested below.
    condition = Q()
    for board_id, (_, _, _, previous_on, _) in asking.items():
        if previous_on is None:
            condition |= Q(plan__board_id=board_id)
        else:
            since = updates_since(previous_meets_on=previous_on, plan_start=today)
            condition |= Q(plan__board_id=board_id) & awaiting_update_filter(since)
    requests = []
    for action_id, plan_id, owner_id, due_date, last_progress_at, board_id, plan_start in (
        Action.objects.filter(condition, status__in=OPEN_STATUSES, plan__status=PlanStatus.ACTIVE)
        .order_by()
        .values_list(
            "id",
            "plan_id",
            "owner_id",
            "due_date",
            "last_progress_at",
            "plan__board_id",
            "plan__start_date",
        )
    ):
        meeting_id, meets_on, papers_due_on, previous_on, to_deadline = asking[board_id]
        since = updates_since(previous_meets_on=previous_on, plan_start=plan_start)
        if last_progress_at is not None and last_progress_at >= since:
            continue
        requests.append(
            UpdateRequest(
                owner_id,
                action_id,
                plan_id,
                due_date,
                meeting_id,
                meets_on,
                papers_due_on,
                to_deadline,
            )
        )
    return requests


def wants_update_requests(
    *, before_due: bool | None, on_due_date: bool | None, overdue: bool | None
) -> bool:
    """Update requests come with the reminders: someone who switched every reminder off
    (before, on and after the due date) gets none. None: no preferences, so all on."""
    return any(choice is not False for choice in (before_due, on_due_date, overdue))
