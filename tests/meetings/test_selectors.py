"""Which meeting is current, and which actions owe it an update."""

import datetime as dt

import pytest

from actions.meetings import actions_awaiting_update, current_meeting, request_days
from actions.models import ActionStatus, BoardMeeting, Rag
from tests.notifications.conftest import SmallPlan, london

pytestmark = pytest.mark.django_db

# The SEND Executive meets on Tuesday 8 December 2026; papers are due on Monday 30 November.
MEETS_ON = dt.date(2026, 12, 8)
PAPERS_DUE = dt.date(2026, 11, 30)


def meeting(small_plan: SmallPlan, meets_on: dt.date, papers_due_on: dt.date) -> BoardMeeting:
    assert small_plan.plan.board is not None
    return BoardMeeting.objects.create(
        board=small_plan.plan.board, meets_on=meets_on, papers_due_on=papers_due_on
    )


def test_the_window_opens_working_days_before_the_papers_deadline(small_plan: SmallPlan) -> None:
    board = small_plan.plan.board
    assert board is not None
    board.update_request_working_days = 3
    board.save()
    december = meeting(small_plan, MEETS_ON, PAPERS_DUE)
    # Three working days before Monday 30 November: Wednesday 25 November.
    assert current_meeting(board=board, on=dt.date(2026, 11, 24)) is None
    assert current_meeting(board=board, on=dt.date(2026, 11, 25)) == december
    # Requests stop at the deadline, the window itself stays open until the meeting...
    assert current_meeting(board=board, on=MEETS_ON) == december
    # ...and closes after it.
    assert current_meeting(board=board, on=dt.date(2026, 12, 9)) is None


def test_bank_holidays_and_weekends_are_not_counted() -> None:
    # Friday 1 January, Monday 28 and Friday 25 December 2026 are bank holidays.
    days = request_days(
        meets_on=dt.date(2027, 1, 5), papers_due_on=dt.date(2027, 1, 4), working_days=4
    )
    assert days.opens_on == dt.date(2026, 12, 24)
    assert days.deadline_on == dt.date(2027, 1, 4)
    # Papers due on a Saturday are due on the working day before (Thursday 31 December).
    days = request_days(
        meets_on=dt.date(2027, 1, 5), papers_due_on=dt.date(2027, 1, 2), working_days=2
    )
    assert (days.opens_on, days.deadline_on) == (dt.date(2026, 12, 29), dt.date(2026, 12, 31))


def test_the_soonest_meeting_is_current_when_windows_overlap(small_plan: SmallPlan) -> None:
    board = small_plan.plan.board
    assert board is not None
    board.update_request_working_days = 10
    board.save()
    december = meeting(small_plan, MEETS_ON, PAPERS_DUE)
    meeting(small_plan, dt.date(2026, 12, 10), dt.date(2026, 12, 3))
    assert current_meeting(board=board, on=dt.date(2026, 12, 1)) == december
    later = current_meeting(board=board, on=dt.date(2026, 12, 9))
    assert later is not None and later.meets_on == dt.date(2026, 12, 10)


def test_owners_owe_an_update_when_they_have_not_updated_since_the_last_meeting(
    small_plan: SmallPlan,
) -> None:
    meeting(small_plan, dt.date(2026, 11, 10), dt.date(2026, 11, 3))
    meeting(small_plan, MEETS_ON, PAPERS_DUE)
    due = dt.date(2027, 3, 1)
    never = small_plan.action(due=due, reference="1.1")
    on_meeting_day = small_plan.action(
        due=due, reference="1.2", last_progress_at=london(dt.date(2026, 11, 10), dt.time(23, 30))
    )
    day_after = small_plan.action(
        due=due, reference="1.3", last_progress_at=london(dt.date(2026, 11, 11), dt.time(0, 5))
    )
    small_plan.action(
        due=due,
        reference="1.4",
        status=ActionStatus.COMPLETED,
        rag=Rag.BLUE,
        completed_on=dt.date(2026, 11, 2),
    )
    owing = actions_awaiting_update(plan=small_plan.plan, on=dt.date(2026, 11, 25))
    assert sorted(a.reference for a in owing) == [never.reference, on_meeting_day.reference]
    assert day_after not in owing
    # Before the window opens (five working days before the deadline: 23 November).
    assert list(actions_awaiting_update(plan=small_plan.plan, on=dt.date(2026, 11, 20))) == []


def test_before_a_boards_first_meeting_updates_since_the_plan_started_count(
    small_plan: SmallPlan,
) -> None:
    meeting(small_plan, MEETS_ON, PAPERS_DUE)
    due = dt.date(2027, 3, 1)
    small_plan.plan.start_date = dt.date(2026, 6, 1)
    small_plan.plan.save()
    before_start = small_plan.action(
        due=due, reference="1.1", last_progress_at=london(dt.date(2026, 5, 29))
    )
    small_plan.action(due=due, reference="1.2", last_progress_at=london(dt.date(2026, 6, 1)))
    owing = actions_awaiting_update(plan=small_plan.plan, on=dt.date(2026, 11, 25))
    assert [a.reference for a in owing] == [before_start.reference]
