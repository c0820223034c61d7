"""Reminder rules at their boundaries: what each person's daily email lists, and when."""

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import resolve

from accounts.models import User
from actions.dates import is_working_day
from actions.models import ActionStatus, PlanStatus, Rag
from actions.services import action_update_status
from notifications.delivery import notification_deliver
from notifications.links import read_preferences_token, read_update_token
from notifications.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationStatus,
    ReminderRule,
)
from notifications.services import reminders_queue
from notifications.unsubscribe import read_unsubscribe_token
from tests.factories import ActionFactory, PlanFactory, RecommendationFactory, UserFactory
from tests.notifications.conftest import Clock, SmallPlan

d = dt.date


def reminder_row(person: User, day: dt.date) -> Notification | None:
    return Notification.objects.filter(
        recipient=person, kind=NotificationKind.REMINDERS, occurrence=day.isoformat()
    ).first()


Line = tuple[str, int, str, int, str]


def told(person: User, day: dt.date) -> list[Line]:
    """The lines of ``person``'s reminder email of ``day``: (type, id, reason, days, role)."""
    row = reminder_row(person, day)
    if row is None:
        return []
    return [(i["type"], i["id"], i["reason"], i["days"], i["role"]) for i in row.items]


def lines_on(clock: Clock, day: dt.date, person: User) -> list[Line]:
    """Run the day's sweep at 09:30 that day; what ``person`` is told."""
    clock.go_to(day)
    reminders_queue(today=day)
    return told(person, day)


def timeline(
    clock: Clock, person: User, start: dt.date, end: dt.date
) -> list[tuple[dt.date, str, int]]:
    """Every working day from ``start`` to ``end``, swept in turn: (day, reason, days) told."""
    seen = []
    day = start
    while day <= end:
        if is_working_day(day):
            seen += [(day, reason, days) for _, _, reason, days, _ in lines_on(clock, day, person)]
        day += dt.timedelta(days=1)
    return seen


# --- Before the due date, on it, and after it ---------------------------------------------


def test_it_reminds_ten_and_three_working_days_before_counting_over_a_weekend(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=d(2026, 12, 7))  # a Monday
    assert timeline(clock, small_plan.owner, d(2026, 11, 16), d(2026, 12, 6)) == [
        (d(2026, 11, 23), "due_soon", 10),
        (d(2026, 12, 2), "due_soon", 3),  # Wednesday: Thursday, Friday, Monday
    ]


def test_it_counts_the_days_before_over_christmas_and_the_observed_boxing_day(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=d(2026, 12, 29))
    assert timeline(clock, small_plan.owner, d(2026, 12, 1), d(2027, 1, 12)) == [
        (d(2026, 12, 11), "due_soon", 10),
        (d(2026, 12, 22), "due_soon", 3),  # 23, 24 and 29 December
        (d(2026, 12, 29), "due_today", 0),
        (d(2026, 12, 30), "overdue", 1),
        (d(2027, 1, 7), "overdue", 6),  # 30, 31 Dec, 4, 5, 6, 7 Jan: New Year's Day skipped
    ]


def test_a_due_date_on_a_saturday_is_due_today_on_the_friday_before(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=d(2026, 11, 28))
    assert timeline(clock, small_plan.owner, d(2026, 11, 23), d(2026, 12, 4)) == [
        (d(2026, 11, 24), "due_soon", 3),  # Wednesday, Thursday, Friday
        (d(2026, 11, 27), "due_today", 0),
        (d(2026, 11, 30), "overdue", 1),
    ]


def test_a_due_date_on_a_bank_holiday_is_due_today_on_the_working_day_before(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=d(2026, 12, 25))
    assert timeline(clock, small_plan.owner, d(2026, 12, 23), d(2026, 12, 30)) == [
        (d(2026, 12, 24), "due_today", 0),
        (d(2026, 12, 29), "overdue", 1),
    ]


def test_it_nudges_on_the_first_late_working_day_then_every_five(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=d(2026, 11, 20))  # a Friday
    assert timeline(clock, small_plan.owner, d(2026, 11, 21), d(2026, 12, 14)) == [
        (d(2026, 11, 23), "overdue", 1),
        (d(2026, 11, 30), "overdue", 6),
        (d(2026, 12, 7), "overdue", 11),
        (d(2026, 12, 14), "overdue", 16),
    ]


def test_an_update_after_the_due_date_restarts_the_count_of_nudges(
    small_plan: SmallPlan, clock: Clock
) -> None:
    action = small_plan.action(due=d(2026, 11, 20))
    assert lines_on(clock, d(2026, 11, 23), small_plan.owner)
    # On Wednesday afternoon, after that day's emails, the owner reports progress.
    clock.go_to(d(2026, 11, 25), dt.time(14, 0))
    action_update_status(
        action=action, by=small_plan.owner, commentary="Interviews booked for next week."
    )
    assert timeline(clock, small_plan.owner, d(2026, 11, 24), d(2026, 12, 10)) == [
        # Not Monday 30 November (6 days late): five quiet working days after the update.
        (d(2026, 12, 2), "overdue", 8),
        (d(2026, 12, 9), "overdue", 13),
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {"status": ActionStatus.COMPLETED, "rag": Rag.BLUE, "completed_on": d(2026, 11, 2)},
        {"status": ActionStatus.CANCELLED},
    ],
    ids=["completed", "cancelled"],
)
def test_finished_actions_get_no_reminders(
    small_plan: SmallPlan, clock: Clock, fields: dict[str, Any]
) -> None:
    for due in (d(2026, 11, 23), d(2026, 11, 25), d(2026, 11, 30), d(2026, 12, 9)):
        small_plan.action(due=due, **fields)
    assert reminders_queue(today=d(2026, 11, 25)).due == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize("status", [ActionStatus.NOT_STARTED, ActionStatus.BLOCKED])
def test_open_actions_in_any_open_status_are_reminded(
    small_plan: SmallPlan, clock: Clock, status: str
) -> None:
    action = small_plan.action(due=d(2026, 11, 25), status=status)
    assert lines_on(clock, d(2026, 11, 25), small_plan.owner) == [
        ("action", action.pk, "due_today", 0, "owner")
    ]


@pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.CLOSED])
def test_actions_and_milestones_of_plans_not_active_get_nothing(
    small_plan: SmallPlan, clock: Clock, status: str
) -> None:
    small_plan.action(due=d(2026, 11, 25))
    small_plan.action(due=d(2026, 11, 20))
    small_plan.milestone(due=d(2026, 11, 25))
    small_plan.plan.status = status
    small_plan.plan.save()
    assert reminders_queue(today=d(2026, 11, 25)).due == []
    assert not Notification.objects.exists()


# --- One email per person per day ---------------------------------------------------------


def test_each_person_gets_one_row_a_day_listing_their_items_most_urgent_first(
    small_plan: SmallPlan, clock: Clock
) -> None:
    today = d(2026, 11, 30)  # a Monday
    due_in_ten = small_plan.action(due=d(2026, 12, 14))
    due_in_three = small_plan.action(due=d(2026, 12, 3), supporting_owners=[small_plan.supporter])
    small_plan.action(due=d(2026, 12, 1))  # tomorrow: no reminder that day
    late_one_day = small_plan.action(due=d(2026, 11, 27))
    due_today = small_plan.action(due=today)
    late_six_days = small_plan.action(due=d(2026, 11, 20))

    assert lines_on(clock, today, small_plan.owner) == [
        ("action", late_six_days.pk, "overdue", 6, "owner"),
        ("action", late_one_day.pk, "overdue", 1, "owner"),
        ("action", due_today.pk, "due_today", 0, "owner"),
        ("action", due_in_three.pk, "due_soon", 3, "owner"),
        ("action", due_in_ten.pk, "due_soon", 10, "owner"),
    ]
    assert Notification.objects.filter(recipient=small_plan.owner).count() == 1


def test_a_supporting_owner_gets_a_line_of_their_own(small_plan: SmallPlan, clock: Clock) -> None:
    action = small_plan.action(due=d(2026, 11, 30), supporting_owners=[small_plan.supporter])
    assert lines_on(clock, d(2026, 11, 25), small_plan.supporter) == [
        ("action", action.pk, "due_soon", 3, "supporting")
    ]
    assert reminder_row(small_plan.owner, d(2026, 11, 25)) is not None


def test_an_owner_listed_as_supporting_too_gets_one_line_as_owner(
    small_plan: SmallPlan, clock: Clock
) -> None:
    action = small_plan.action(due=d(2026, 11, 25), supporting_owners=[small_plan.owner])
    assert lines_on(clock, d(2026, 11, 25), small_plan.owner) == [
        ("action", action.pk, "due_today", 0, "owner")
    ]


def test_milestones_are_reminded_to_the_accountable_lead(
    small_plan: SmallPlan, clock: Clock
) -> None:
    milestone = small_plan.milestone(due=d(2026, 11, 30))
    small_plan.milestone(due=d(2026, 11, 30), achieved_on=d(2026, 11, 20))
    assert lines_on(clock, d(2026, 11, 25), small_plan.lead) == [
        ("milestone", milestone.pk, "due_soon", 3, "lead")
    ]
    # On its first late day the ladder escalates it to the lead, and that email is the
    # nudge: one email about it, not two. The next nudge comes 5 working days later.
    assert lines_on(clock, d(2026, 12, 1), small_plan.lead) == []
    assert lines_on(clock, d(2026, 12, 8), small_plan.lead) == [
        ("milestone", milestone.pk, "overdue", 6, "lead")
    ]
    assert reminder_row(small_plan.owner, d(2026, 11, 25)) is None


def test_the_sweep_run_twice_queues_nothing_new(small_plan: SmallPlan, clock: Clock) -> None:
    small_plan.action(due=d(2026, 11, 25), supporting_owners=[small_plan.supporter])
    small_plan.action(due=d(2026, 11, 20))
    small_plan.milestone(due=d(2026, 11, 30))
    first = reminders_queue(today=d(2026, 11, 25))
    rows = list(Notification.objects.values_list("id", "recipient_id", "items"))
    assert len(first.queued_ids) == 3

    second = reminders_queue(today=d(2026, 11, 25))

    assert second.queued_ids == []
    assert len(second.due) == len(first.due)
    assert list(Notification.objects.values_list("id", "recipient_id", "items")) == rows


def test_a_dry_run_says_what_is_due_and_changes_nothing(
    small_plan: SmallPlan, clock: Clock
) -> None:
    action = small_plan.action(due=d(2026, 11, 25))
    result = reminders_queue(today=d(2026, 11, 25), dry_run=True)
    assert [(line.recipient_id, line.item_id, line.reason) for line in result.due] == [
        (small_plan.owner.pk, action.pk, "due_today")
    ]
    assert result.queued_ids == []
    assert not Notification.objects.exists()
    # The real run afterwards still queues it.
    assert len(reminders_queue(today=d(2026, 11, 25)).queued_ids) == 1


# --- Rules per plan and preferences per person --------------------------------------------


def test_a_plans_own_rule_replaces_the_default(small_plan: SmallPlan, clock: Clock) -> None:
    ReminderRule.objects.create(
        plan=small_plan.plan, days_before=[5], on_due_date=False, overdue_every=2
    )
    small_plan.action(due=d(2026, 12, 18))
    other_owner = UserFactory.create(email="elsewhere@northshire.gov.uk")
    ActionFactory.create(
        recommendation=RecommendationFactory.create(plan=PlanFactory.create()),
        owner=other_owner,
        due_date=d(2026, 12, 18),
    )

    assert timeline(clock, small_plan.owner, d(2026, 12, 1), d(2026, 12, 29)) == [
        (d(2026, 12, 11), "due_soon", 5),
        (d(2026, 12, 21), "overdue", 1),
        (d(2026, 12, 23), "overdue", 3),
        (d(2026, 12, 29), "overdue", 5),  # 21, 22, 23, 24, 29
    ]
    # The other plan keeps the default: 10 and 3 days before, the due date, every 5.
    assert [
        (day, reason)
        for day in (d(2026, 12, 4), d(2026, 12, 15), d(2026, 12, 18), d(2026, 12, 21))
        for _, _, reason, _, _ in told(other_owner, day)
    ] == [
        (d(2026, 12, 4), "due_soon"),
        (d(2026, 12, 15), "due_soon"),
        (d(2026, 12, 18), "due_today"),
        (d(2026, 12, 21), "overdue"),
    ]


def test_an_owner_who_turned_off_reminders_before_the_due_date_still_hears_on_the_day(
    small_plan: SmallPlan, clock: Clock
) -> None:
    NotificationPreference.objects.create(user=small_plan.owner, before_due=False)
    small_plan.action(due=d(2026, 12, 7))
    assert timeline(clock, small_plan.owner, d(2026, 11, 20), d(2026, 12, 8)) == [
        (d(2026, 12, 7), "due_today", 0),
        (d(2026, 12, 8), "overdue", 1),
    ]


def test_an_owner_who_chose_their_own_days_before_gets_those_instead(
    small_plan: SmallPlan, clock: Clock
) -> None:
    NotificationPreference.objects.create(user=small_plan.owner, days_before=[7, 1])
    small_plan.action(due=d(2026, 12, 7))
    assert timeline(clock, small_plan.owner, d(2026, 11, 20), d(2026, 12, 6)) == [
        (d(2026, 11, 26), "due_soon", 7),
        (d(2026, 12, 4), "due_soon", 1),
    ]


def test_an_owner_who_turned_off_overdue_nudges_gets_none(
    small_plan: SmallPlan, clock: Clock
) -> None:
    NotificationPreference.objects.create(user=small_plan.owner, overdue=False)
    small_plan.action(due=d(2026, 11, 20))
    assert timeline(clock, small_plan.owner, d(2026, 11, 23), d(2026, 12, 7)) == []
    assert lines_on(clock, d(2026, 11, 20), small_plan.owner)[0][2] == "due_today"


def test_an_owner_who_turned_off_the_due_date_reminder_gets_none_that_day(
    small_plan: SmallPlan, clock: Clock
) -> None:
    NotificationPreference.objects.create(user=small_plan.owner, on_due_date=False)
    small_plan.action(due=d(2026, 11, 25))
    assert lines_on(clock, d(2026, 11, 25), small_plan.owner) == []
    assert lines_on(clock, d(2026, 11, 26), small_plan.owner)[0][2] == "overdue"


def test_a_supporting_owner_who_turned_off_copies_gets_none_and_the_owner_still_does(
    small_plan: SmallPlan, clock: Clock
) -> None:
    NotificationPreference.objects.create(user=small_plan.supporter, as_supporting_owner=False)
    action = small_plan.action(due=d(2026, 11, 25), supporting_owners=[small_plan.supporter])
    assert lines_on(clock, d(2026, 11, 25), small_plan.supporter) == []
    assert told(small_plan.owner, d(2026, 11, 25)) == [
        ("action", action.pk, "due_today", 0, "owner")
    ]


def test_a_supporter_who_turned_off_copies_is_still_reminded_of_their_own_actions(
    small_plan: SmallPlan, clock: Clock
) -> None:
    NotificationPreference.objects.create(user=small_plan.supporter, as_supporting_owner=False)
    small_plan.action(due=d(2026, 11, 25), supporting_owners=[small_plan.supporter])
    own = small_plan.action(due=d(2026, 11, 25), owner=small_plan.supporter)
    assert lines_on(clock, d(2026, 11, 25), small_plan.supporter) == [
        ("action", own.pk, "due_today", 0, "owner")
    ]


def test_people_who_have_been_deactivated_get_nothing(small_plan: SmallPlan, clock: Clock) -> None:
    small_plan.owner.is_active = False
    small_plan.owner.save()
    small_plan.lead.is_active = False
    small_plan.lead.save()
    action = small_plan.action(due=d(2026, 11, 25), supporting_owners=[small_plan.supporter])
    small_plan.milestone(due=d(2026, 11, 25))

    reminders_queue(today=d(2026, 11, 25))

    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [
        small_plan.supporter.pk
    ]
    assert told(small_plan.supporter, d(2026, 11, 25)) == [
        ("action", action.pk, "due_today", 0, "supporting")
    ]


# --- The email ----------------------------------------------------------------------------


def html_of(message: EmailMultiAlternatives) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return str(html)


def deliver_reminders_of(person: User, day: dt.date) -> EmailMultiAlternatives:
    row = reminder_row(person, day)
    assert row is not None
    mail.outbox.clear()
    assert notification_deliver(notification_id=row.pk) == "sent"
    [message] = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    return message


def update_links(text: str) -> dict[int, int]:
    """The update links in ``text``: action id -> person id, read back from the signature."""
    links = {}
    for url in re.findall(r"https?://[^\s\"<>]+/update/[^\s\"<>]+", text):
        token = resolve(urlsplit(url).path).kwargs["token"]
        link = read_update_token(token)
        links[link.action_id] = link.user_id
    return links


def test_the_daily_email_lists_every_item_with_its_update_link(
    small_plan: SmallPlan, clock: Clock
) -> None:
    monday = d(2026, 11, 30)
    soon = small_plan.action(due=d(2026, 12, 3), title="Train SENCOs on EHC plans")
    overdue = small_plan.action(due=d(2026, 11, 20), title="Recruit two psychologists")
    today_ = small_plan.action(due=monday, title="Publish the local offer")
    reminders_queue(today=monday)

    message = deliver_reminders_of(small_plan.owner, monday)

    assert message.subject == "3 actions need your update, 1 overdue"
    assert message.to == ["owner@northshire.gov.uk"]
    text, html = str(message.body), html_of(message)
    for part in (text, html):
        positions = [part.index(a.title) for a in (overdue, today_, soon)]
        assert positions == sorted(positions), "most urgent first"
        assert update_links(part) == {a.pk: small_plan.owner.pk for a in (overdue, today_, soon)}
    assert "Overdue" in html and "Due today" in html and "Due soon" in html
    assert "OVERDUE" in text and "DUE TODAY" in text and "DUE SOON" in text
    assert "6 working days overdue" in text  # Friday 20 to Monday 30 November
    assert "Due Thursday 3 December 2026 (in 3 working days)." in text


def test_the_daily_email_links_to_preferences_and_says_it_is_automatic(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=d(2026, 11, 25))
    reminders_queue(today=d(2026, 11, 25))

    message = deliver_reminders_of(small_plan.owner, d(2026, 11, 25))

    headers = message.message()
    assert headers["Auto-Submitted"] == "auto-generated"
    unsubscribe = headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and unsubscribe.endswith(">")
    # One click in the mail program switches the reminders off (tests/unsubscribe).
    token = resolve(urlsplit(unsubscribe[1:-1]).path).kwargs["token"]
    assert read_unsubscribe_token(token) == small_plan.owner.pk
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [preferences] = re.findall(r"https?://\S+/preferences/[^/\s]+/", str(message.body))
    token = resolve(urlsplit(preferences).path).kwargs["token"]
    assert read_preferences_token(token) == small_plan.owner.pk
    assert f'href="{preferences}"' in html_of(message)
    assert message.subject == "1 action needs your update, 1 due today"


def test_a_supporting_owner_is_told_who_owns_the_action(
    small_plan: SmallPlan, clock: Clock
) -> None:
    action = small_plan.action(due=d(2026, 11, 25), supporting_owners=[small_plan.supporter])
    reminders_queue(today=d(2026, 11, 25))

    message = deliver_reminders_of(small_plan.supporter, d(2026, 11, 25))

    assert "You support this action; Owen Owner owns it." in str(message.body)
    assert update_links(str(message.body)) == {action.pk: small_plan.supporter.pk}


def test_an_email_with_a_milestone_names_it_and_counts_it(
    small_plan: SmallPlan, clock: Clock
) -> None:
    # Six working days late: a nudge day that is not the ladder's day for the lead.
    small_plan.milestone(due=d(2026, 11, 17), title="All overdue assessments cleared")
    small_plan.action(due=d(2026, 11, 30), owner=small_plan.lead)
    reminders_queue(today=d(2026, 11, 25))

    message = deliver_reminders_of(small_plan.lead, d(2026, 11, 25))

    assert message.subject == "1 action and 1 milestone need your update, 1 overdue"
    assert "Milestone of recommendation 1: All overdue assessments cleared" in str(message.body)
    assert "You are the accountable lead for this milestone." in str(message.body)


def test_the_delivered_row_keeps_what_was_sent(small_plan: SmallPlan, clock: Clock) -> None:
    small_plan.action(due=d(2026, 11, 25))
    reminders_queue(today=d(2026, 11, 25))
    message = deliver_reminders_of(small_plan.owner, d(2026, 11, 25))

    row = reminder_row(small_plan.owner, d(2026, 11, 25))
    assert row is not None
    assert row.status == NotificationStatus.SENT
    assert row.attempts == 1
    assert (row.subject, row.body_text, row.body_html) == (
        message.subject,
        message.body,
        html_of(message),
    )
    # Delivering it again sends nothing.
    assert notification_deliver(notification_id=row.pk) == "not claimed"
    assert len(mail.outbox) == 1
