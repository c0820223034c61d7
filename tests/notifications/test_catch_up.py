"""No day lost: after an outage, the next sweep sends what fell due on the missed days.

The service is down on Thursday 3 and Friday 4 December 2026 and back on Monday 7. Monday's
sweep sends, in each person's one email for Monday, what they would have had on Thursday and
Friday, each line saying the day it was due; once, and never for a day the service did run
or for days before it first ran.
"""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from pytest_django import Settings

from actions.models import Action
from notifications.delivery import notification_deliver
from notifications.models import Notification
from tests.factories import UserFactory
from tests.notifications.conftest import Clock, SmallPlan
from workers import tasks

d = dt.date

WEDNESDAY, THURSDAY, FRIDAY = d(2026, 12, 2), d(2026, 12, 3), d(2026, 12, 4)
MONDAY, TUESDAY = d(2026, 12, 7), d(2026, 12, 8)


def sweep(clock: Clock, day: dt.date, at: dt.time = dt.time(9, 0)) -> int:
    clock.go_to(day, at)
    tasks.scan_escalations()
    return tasks.scan_reminders()


def items_on(day: dt.date) -> dict[str, list[tuple[str, str, str | None]]]:
    """Each person's lines queued for ``day``: (action title, reason, day it was due)."""
    titles = dict(Action.objects.values_list("pk", "title"))
    return {
        row.recipient.email: [
            (titles[item["id"]], item["reason"], item.get("was_due")) for item in row.items
        ]
        for row in Notification.objects.filter(occurrence=day.isoformat()).select_related(
            "recipient"
        )
    }


@pytest.fixture
def outage(small_plan: SmallPlan, clock: Clock) -> SmallPlan:
    """Wednesday's sweep ran; then the actions that fall due while the service is down."""
    other = UserFactory.create(name="Olu Other", email="other@northshire.gov.uk")
    small_plan.action(due=WEDNESDAY, title="Wednesday's action", owner=other)
    small_plan.action(due=THURSDAY, title="Due on Thursday")
    small_plan.action(due=TUESDAY, title="Due on Tuesday")  # 3 working days after Thursday
    small_plan.action(due=FRIDAY, title="Due on Friday", owner=small_plan.lead)
    small_plan.action(due=MONDAY, title="Due on Monday")
    assert sweep(clock, WEDNESDAY) == 2
    return small_plan


def test_mondays_sweep_sends_thursdays_and_fridays_reminders_once_in_mondays_email(
    outage: SmallPlan, clock: Clock
) -> None:
    assert sweep(clock, MONDAY) == 3
    assert sweep(clock, MONDAY, dt.time(9, 5)) == 0
    assert sweep(clock, MONDAY, dt.time(16, 0)) == 0

    thursday, friday = THURSDAY.isoformat(), FRIDAY.isoformat()
    assert items_on(MONDAY) == {
        "owner@northshire.gov.uk": [
            # Due on Thursday: reminded that day, and nudged on Friday (the later says it).
            ("Due on Thursday", "overdue", friday),
            ("Due on Monday", "due_today", None),
            ("Due on Tuesday", "due_soon", thursday),
        ],
        # Due on Friday: Monday is its first late day, and Monday's own nudge says it.
        "lead@northshire.gov.uk": [("Due on Friday", "overdue", None)],
        # Wednesday's action, nudged on its first late day, Thursday.
        "other@northshire.gov.uk": [("Wednesday's action", "overdue", thursday)],
    }
    assert items_on(THURSDAY) == items_on(FRIDAY) == {}

    # Tuesday: the service ran on Monday, so nothing more is caught up.
    assert sweep(clock, TUESDAY) == 1
    assert items_on(TUESDAY) == {
        "owner@northshire.gov.uk": [
            ("Due on Monday", "overdue", None),
            ("Due on Tuesday", "due_today", None),
        ]
    }


def test_the_email_says_when_each_late_line_was_due(outage: SmallPlan, clock: Clock) -> None:
    sweep(clock, MONDAY)
    row = Notification.objects.get(recipient=outage.owner, occurrence=MONDAY.isoformat())

    mail.outbox.clear()
    assert notification_deliver(notification_id=row.pk) == "sent"

    [message] = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    text = str(message.body)
    assert "The service could not send emails on some recent working days." in text
    assert (
        "Due Tuesday 8 December 2026 (in 1 working day).\n"
        "  This reminder was due on Thursday 3 December; the service could not send it then."
    ) in text
    assert "This reminder was due on Friday 4 December; the service could not send it" in text
    [(html, _)] = message.alternatives
    assert "This reminder was due on Thursday 3 December; the service could not send it then." in (
        str(html)
    )
    assert message.subject == "3 actions need your update, 1 overdue"


def test_a_day_the_service_did_run_is_not_sent_again(outage: SmallPlan, clock: Clock) -> None:
    assert sweep(clock, THURSDAY) == 2  # up on Thursday, down on Friday

    sweep(clock, MONDAY)

    monday = items_on(MONDAY)
    assert {was_due for lines in monday.values() for _, _, was_due in lines} == {
        None,
        FRIDAY.isoformat(),
    }
    assert ("Due on Tuesday", "due_soon", THURSDAY.isoformat()) not in monday[outage.owner.email]


@pytest.mark.parametrize(("days", "caught_up"), [(1, {FRIDAY}), (0, set())])
def test_the_number_of_days_caught_up_is_a_setting(
    outage: SmallPlan, clock: Clock, settings: Settings, days: int, caught_up: set[dt.date]
) -> None:
    settings.NOTIFICATIONS_CATCH_UP_WORKING_DAYS = days

    sweep(clock, MONDAY)

    found = {was_due for lines in items_on(MONDAY).values() for _, _, was_due in lines}
    assert found - {None} == {day.isoformat() for day in caught_up}


def test_nothing_is_caught_up_from_before_the_service_first_ran(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=THURSDAY, title="Due on Thursday")
    small_plan.action(due=MONDAY, title="Due on Monday")

    sweep(clock, MONDAY)

    assert items_on(MONDAY) == {"owner@northshire.gov.uk": [("Due on Monday", "due_today", None)]}


def test_nothing_is_caught_up_from_before_the_plan_started(outage: SmallPlan, clock: Clock) -> None:
    outage.plan.start_date = FRIDAY
    outage.plan.save()

    sweep(clock, MONDAY)

    found = {was_due for lines in items_on(MONDAY).values() for _, _, was_due in lines}
    assert found == {None, FRIDAY.isoformat()}


def test_an_operators_run_for_another_day_catches_nothing_up(
    outage: SmallPlan, clock: Clock
) -> None:
    clock.go_to(FRIDAY, dt.time(8, 0))  # on Friday, before the send time
    call_command("send_reminders", "--as-of", MONDAY.isoformat(), verbosity=0)

    found = {was_due for lines in items_on(MONDAY).values() for _, _, was_due in lines}
    assert found == {None}


def test_over_christmas_only_working_days_count_and_the_clock_change_does_not_matter(
    small_plan: SmallPlan, clock: Clock
) -> None:
    # Christmas Day (Friday 25) and Boxing Day observed (Monday 28) are bank holidays:
    # down on Thursday 24 December, the service's next working day is Tuesday 29.
    small_plan.action(due=d(2026, 12, 23), title="Due on the 23rd", owner=small_plan.lead)
    small_plan.action(due=d(2026, 12, 24), title="Due on Christmas Eve")
    # Three working days after Christmas Eve: its reminder was due on the 24th.
    small_plan.action(due=d(2026, 12, 31), title="Due on New Year's Eve")
    assert sweep(clock, d(2026, 12, 23)) == 1

    assert sweep(clock, d(2026, 12, 29), dt.time(8, 59)) == 0
    assert sweep(clock, d(2026, 12, 29)) == 2

    assert items_on(d(2026, 12, 29)) == {
        # Christmas Eve's action is nudged today anyway: its first late working day.
        "owner@northshire.gov.uk": [
            ("Due on Christmas Eve", "overdue", None),
            ("Due on New Year's Eve", "due_soon", "2026-12-24"),
        ],
        "lead@northshire.gov.uk": [("Due on the 23rd", "overdue", "2026-12-24")],
    }

    # The clocks go back on Sunday 25 October 2026: down on Friday 23, up on Monday 26 at
    # 09:00 GMT (an hour later in UTC than the Friday before).
    small_plan.action(due=d(2026, 10, 22), title="Due on the 22nd")
    small_plan.action(due=d(2026, 10, 23), title="Due on the 23rd of October")
    assert sweep(clock, d(2026, 10, 22)) == 1
    assert sweep(clock, d(2026, 10, 26), dt.time(8, 59)) == 0
    assert sweep(clock, d(2026, 10, 26)) == 1
    assert items_on(d(2026, 10, 26)) == {
        "owner@northshire.gov.uk": [
            ("Due on the 22nd", "overdue", "2026-10-23"),
            ("Due on the 23rd of October", "overdue", None),
        ]
    }
