"""Update requests before a board meeting: who is asked, on which day, in which email."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import ActionStatus, BoardMeeting, PlanStatus, Rag
from actions.services import action_update_status
from notifications.models import NotificationPreference
from notifications.services import reminders_queue
from tests.factories import ActionFactory, RecommendationFactory, UserFactory
from tests.notifications.conftest import Clock, SmallPlan, london
from tests.notifications.test_reminders import (
    deliver_reminders_of,
    html_of,
    lines_on,
    timeline,
    told,
    update_links,
)

d = dt.date
pytestmark = pytest.mark.django_db

# The SEND Executive meets on Tuesday 8 December 2026; papers are due on Monday 30 November;
# owners are asked three working days before: from Wednesday 25 November.
MEETS_ON = d(2026, 12, 8)
PAPERS_DUE = d(2026, 11, 30)
FAR = d(2027, 3, 31)  # a due date far enough away for no reminder to fall in these weeks


def board_meets(
    small_plan: SmallPlan,
    meets_on: dt.date = MEETS_ON,
    papers_due_on: dt.date = PAPERS_DUE,
    *,
    working_days: int = 3,
) -> BoardMeeting:
    board = small_plan.plan.board
    assert board is not None
    board.name = "SEND Executive"
    board.update_request_working_days = working_days
    board.save()
    return BoardMeeting.objects.create(board=board, meets_on=meets_on, papers_due_on=papers_due_on)


def test_owners_are_asked_when_the_window_opens_and_again_on_the_papers_deadline(
    small_plan: SmallPlan, clock: Clock
) -> None:
    board_meets(small_plan)
    small_plan.action(due=FAR, supporting_owners=[small_plan.supporter])
    assert timeline(clock, small_plan.owner, d(2026, 11, 16), d(2026, 12, 11)) == [
        (d(2026, 11, 25), "update_requested", 3),  # Thursday, Friday, Monday
        (d(2026, 11, 30), "update_requested", 0),
    ]
    # Supporting owners are not asked: the owner answers for the action.
    assert timeline(clock, small_plan.supporter, d(2026, 11, 16), d(2026, 12, 11)) == []


def test_the_window_skips_christmas_and_new_year_bank_holidays(
    small_plan: SmallPlan, clock: Clock
) -> None:
    # Four working days before Monday 4 January 2027: 31, 30, 29 and 24 December (the 25th
    # and the 28th are bank holidays, and so is the 1st of January).
    board_meets(small_plan, d(2027, 1, 5), d(2027, 1, 4), working_days=4)
    small_plan.action(due=FAR)
    assert timeline(clock, small_plan.owner, d(2026, 12, 14), d(2027, 1, 8)) == [
        (d(2026, 12, 24), "update_requested", 4),
        (d(2027, 1, 4), "update_requested", 0),
    ]


def test_papers_due_on_a_saturday_are_asked_for_by_the_working_day_before(
    small_plan: SmallPlan, clock: Clock
) -> None:
    # Saturday 2 January 2027: Friday is New Year's Day, so the deadline is Thursday 31st.
    board_meets(small_plan, d(2027, 1, 5), d(2027, 1, 2), working_days=2)
    small_plan.action(due=FAR)
    assert timeline(clock, small_plan.owner, d(2026, 12, 21), d(2027, 1, 8)) == [
        (d(2026, 12, 29), "update_requested", 2),
        (d(2026, 12, 31), "update_requested", 0),
    ]


def test_an_owner_who_updates_is_not_asked_again(small_plan: SmallPlan, clock: Clock) -> None:
    board_meets(small_plan)
    action = small_plan.action(due=FAR)
    assert [r for _, _, r, _, _ in lines_on(clock, d(2026, 11, 25), small_plan.owner)] == [
        "update_requested"
    ]
    clock.go_to(d(2026, 11, 26))
    action_update_status(action=action, by=small_plan.owner, commentary="Both posts advertised.")
    assert timeline(clock, small_plan.owner, d(2026, 11, 26), d(2026, 12, 11)) == []


def test_only_updates_since_the_day_after_the_previous_meeting_count(
    small_plan: SmallPlan, clock: Clock
) -> None:
    board_meets(small_plan, d(2026, 11, 10), d(2026, 11, 3))
    board_meets(small_plan)
    late_on_meeting_day = small_plan.action(
        due=FAR, reference="1.1", last_progress_at=london(d(2026, 11, 10), dt.time(23, 59))
    )
    small_plan.action(
        due=FAR, reference="1.2", last_progress_at=london(d(2026, 11, 11), dt.time(0, 1))
    )
    never = small_plan.action(due=FAR, reference="1.3")
    assert lines_on(clock, d(2026, 11, 25), small_plan.owner) == [
        ("action", a.pk, "update_requested", 3, "owner")
        for a in sorted([late_on_meeting_day, never], key=lambda a: a.pk)
    ]


def test_closed_actions_inactive_owners_and_plans_not_active_are_not_asked(
    small_plan: SmallPlan, clock: Clock
) -> None:
    board_meets(small_plan)
    small_plan.action(
        due=FAR, status=ActionStatus.COMPLETED, rag=Rag.BLUE, completed_on=d(2026, 11, 2)
    )
    gone = UserFactory.create(is_active=False)
    small_plan.action(due=FAR, owner=gone)
    draft = RecommendationFactory.create(
        plan__status=PlanStatus.DRAFT, plan__board=small_plan.plan.board
    )
    ActionFactory.create(recommendation=draft, owner=small_plan.owner, due_date=FAR)
    result = reminders_queue(today=d(2026, 11, 25))
    assert result.due == []


def test_the_request_shares_the_days_email_after_what_is_due_today(
    small_plan: SmallPlan, clock: Clock
) -> None:
    board_meets(small_plan)
    due_today = small_plan.action(due=d(2026, 11, 25), reference="1.1", title="Publish the offer")
    later = small_plan.action(due=FAR, reference="1.2", title="Recruit psychologists; two, paid")
    reminders_queue(today=d(2026, 11, 25))
    assert told(small_plan.owner, d(2026, 11, 25)) == [
        ("action", due_today.pk, "due_today", 0, "owner"),
        ("action", due_today.pk, "update_requested", 3, "owner"),
        ("action", later.pk, "update_requested", 3, "owner"),
    ]

    message = deliver_reminders_of(small_plan.owner, d(2026, 11, 25))

    assert message.subject == "2 actions need your update, 1 due today"
    text, html = str(message.body), html_of(message)
    heading = (
        "Updates requested for the SEND Executive meeting on Tuesday 8 December 2026 "
        "(papers due Monday 30 November)"
    )
    assert heading.upper() in text
    assert f'<h2 style="font-size: 20px;">{heading}</h2>' in html
    assert text.index("DUE TODAY") < text.index(heading.upper()) < text.index(later.title)
    section = text[text.index(heading.upper()) :]
    assert "- Action 1.2: Recruit psychologists; two, paid" in section
    assert "- Action 1.1: Publish the offer (listed above: one update counts for both)" in section
    assert "<li>Action 1.1: Publish the offer</li>" in html
    assert "Due Wednesday 31 March 2027 (in 85 working days)." in section
    for part in (text, html):
        assert update_links(part) == {
            due_today.pk: small_plan.owner.pk,
            later.pk: small_plan.owner.pk,
        }


def test_the_subject_names_the_meeting_when_nothing_else_is_due(
    small_plan: SmallPlan, clock: Clock
) -> None:
    board_meets(small_plan)
    small_plan.action(due=FAR)
    reminders_queue(today=d(2026, 11, 25))
    message = deliver_reminders_of(small_plan.owner, d(2026, 11, 25))
    assert message.subject == (
        "1 action needs your update, for the SEND Executive meeting on Tuesday 8 December 2026"
    )


def test_an_update_made_between_the_sweep_and_the_email_leaves_the_line_out(
    small_plan: SmallPlan, clock: Clock
) -> None:
    board_meets(small_plan)
    asked = small_plan.action(due=FAR, reference="1.1", title="Asked and answered")
    small_plan.action(due=FAR, reference="1.2", title="Still owed")
    clock.go_to(d(2026, 11, 25), dt.time(7, 0))
    reminders_queue(today=d(2026, 11, 25))
    clock.go_to(d(2026, 11, 25), dt.time(7, 5))
    action_update_status(action=asked, by=small_plan.owner, commentary="Done this morning.")

    message = deliver_reminders_of(small_plan.owner, d(2026, 11, 25))

    assert "Still owed" in str(message.body)
    assert "Asked and answered" not in str(message.body)


def test_someone_who_switched_every_reminder_off_is_not_asked(
    small_plan: SmallPlan, clock: Clock
) -> None:
    board_meets(small_plan)
    small_plan.action(due=FAR)
    NotificationPreference.objects.create(
        user=small_plan.owner, before_due=False, on_due_date=False, overdue=False
    )
    assert lines_on(clock, d(2026, 11, 25), small_plan.owner) == []


def test_someone_who_switched_only_some_reminders_off_is_still_asked(
    small_plan: SmallPlan, clock: Clock
) -> None:
    board_meets(small_plan)
    action = small_plan.action(due=FAR)
    NotificationPreference.objects.create(user=small_plan.owner, before_due=False, overdue=False)
    assert lines_on(clock, d(2026, 11, 25), small_plan.owner) == [
        ("action", action.pk, "update_requested", 3, "owner")
    ]


def test_a_second_sweep_the_same_day_sends_nothing_more(
    small_plan: SmallPlan, clock: Clock
) -> None:
    board_meets(small_plan)
    small_plan.action(due=FAR)
    first = reminders_queue(today=d(2026, 11, 25))
    again = reminders_queue(today=d(2026, 11, 25))
    assert len(first.queued_ids) == 1
    assert again.queued_ids == []


def test_the_dry_run_shows_the_request(small_plan: SmallPlan, clock: Clock) -> None:
    board_meets(small_plan)
    small_plan.action(due=FAR, reference="4.2")
    out = StringIO()
    call_command("send_reminders", "--as-of", "2026-11-25", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "would queue: owner@northshire.gov.uk | action 4.2 northshire-wsoa "
        "| update requested for the meeting on 2026-12-08 (papers due 2026-11-30) | role owner",
        "Dry run: 1 line for 1 person; nothing queued.",
    ]


def test_the_sweep_reads_the_same_number_of_queries_for_one_or_many_owners(
    small_plan: SmallPlan, clock: Clock
) -> None:
    board_meets(small_plan)

    def queries(day: dt.date) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            result = reminders_queue(today=day, dry_run=True)
        return len(captured), len(result.due)

    small_plan.action(due=FAR, reference="0.1")
    few = queries(d(2026, 11, 25))
    for n in range(30):
        small_plan.action(due=FAR, reference=f"9.{n}", owner=UserFactory.create())
    many = queries(d(2026, 11, 30))
    assert (few[1], many[1]) == (1, 31)
    assert few[0] == many[0]
