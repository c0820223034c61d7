"""One email per person per working day: what escalated to them that day is at its top.

The day's sweep climbs the ladder first and then decides the reminders, so a person told
about an escalation gets it in the same email as their reminders, in a section of its own
("Escalated to you"). An escalation recorded later that day joins the email if it has not
been sent yet, and comes in an email of its own if it has: never lost, never twice.
"""

import datetime as dt
from collections import Counter

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from notifications.day import day_queue
from notifications.delivery import notification_claim, notification_deliver
from notifications.models import (
    Escalation,
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationStatus,
)
from tests.factories import (
    ActionFactory,
    MilestoneFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.notifications.conftest import TODAY, Clock, SmallPlan, london
from workers import tasks

d = dt.date

# Seven working days before TODAY (Wednesday 25 November 2026): the milestone ladder's
# levels 1 (the accountable lead) and 2 (the SEND Executive) are both due.
LONG_OVERDUE = d(2026, 11, 16)


def rows_of(person: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=person).order_by("pk"))


def deliver(row: Notification) -> EmailMultiAlternatives:
    mail.outbox.clear()
    assert notification_deliver(notification_id=row.pk) == "sent"
    [message] = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    return message


def html_of(message: EmailMultiAlternatives) -> str:
    [(html, _)] = message.alternatives
    return str(html)


def test_a_lead_gets_the_escalation_and_the_reminders_in_one_email_escalation_first(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.milestone(due=LONG_OVERDUE, title="All overdue assessments cleared")
    small_plan.action(due=TODAY, owner=small_plan.lead, title="Publish the local offer")
    clock.go_to(TODAY, dt.time(9, 0))

    assert tasks.scan_reminders() == 3  # the lead and the two members of the SEND Executive
    clock.go_to(TODAY, dt.time(9, 5))
    assert tasks.scan_reminders() == 0
    assert tasks.scan_escalations() == 0

    [row] = rows_of(small_plan.lead)
    assert (row.kind, row.occurrence) == (NotificationKind.REMINDERS, TODAY.isoformat())
    assert [item["reason"] for item in row.items] == ["escalated", "due_today"]
    message = deliver(row)
    assert message.subject == (
        "Escalated to you: 1 milestone overdue; 1 action needs your update, 1 due today"
    )
    text = str(message.body)
    assert text.index("ESCALATED TO YOU") < text.index("All overdue assessments cleared")
    assert text.index("All overdue assessments cleared") < text.index("DUE TODAY")
    assert text.index("DUE TODAY") < text.index("Publish the local offer")
    assert "Escalations to leads and boards cannot be switched off." in text
    html = html_of(message)
    assert html.index(">Escalated to you</h2>") < html.index(">Due today</h2>")
    assert not Notification.objects.filter(kind=NotificationKind.ESCALATION).exists()
    assert Escalation.objects.count() == 2


def test_the_nudge_about_an_item_escalated_to_the_same_person_is_not_repeated(
    small_plan: SmallPlan, clock: Clock
) -> None:
    # Six working days late: a nudge day for the lead, and the ladder tells the lead too.
    milestone = small_plan.milestone(due=d(2026, 11, 17))

    day_queue(today=TODAY)

    [row] = rows_of(small_plan.lead)
    assert [(item["id"], item["reason"]) for item in row.items] == [(milestone.pk, "escalated")]
    assert deliver(row).subject == "Escalated to you: 1 milestone overdue"


def test_escalations_cannot_be_switched_off_and_come_without_any_reminders(
    small_plan: SmallPlan, clock: Clock
) -> None:
    member = small_plan.executive[0]
    NotificationPreference.objects.create(
        user=member, before_due=False, on_due_date=False, overdue=False, digests=False
    )
    small_plan.milestone(due=LONG_OVERDUE)

    day_queue(today=TODAY)

    [row] = rows_of(member)
    assert row.kind == NotificationKind.REMINDERS
    message = deliver(row)
    assert message.subject == "Escalated to you: 1 milestone overdue"
    assert "reached you on the escalation ladder" in str(message.body)
    assert "needs your update" not in str(message.body)


def test_an_escalation_later_in_the_day_joins_the_days_email_if_it_is_not_sent_yet(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=TODAY, owner=small_plan.lead)
    clock.go_to(TODAY, dt.time(9, 0))
    assert tasks.scan_reminders() == 1
    # At 11:00 a milestone is recorded that is already long overdue.
    clock.go_to(TODAY, dt.time(11, 0))
    small_plan.milestone(due=LONG_OVERDUE, title="Assessments cleared")

    clock.go_to(TODAY, dt.time(11, 5))
    assert tasks.scan_reminders() == 2  # the SEND Executive's; the lead's is the same row

    [row] = rows_of(small_plan.lead)
    assert [item["reason"] for item in row.items] == ["escalated", "due_today"]
    message = deliver(row)
    assert message.subject.startswith("Escalated to you: 1 milestone overdue; 1 action")
    assert "Assessments cleared" in str(message.body)


@pytest.mark.parametrize("stage", ["sent", "being sent"])
def test_an_escalation_after_the_days_email_left_comes_in_an_email_of_its_own(
    small_plan: SmallPlan, clock: Clock, stage: str
) -> None:
    small_plan.action(due=TODAY, owner=small_plan.lead)
    clock.go_to(TODAY, dt.time(9, 0))
    tasks.scan_reminders()
    [first] = rows_of(small_plan.lead)
    if stage == "sent":
        deliver(first)
    else:
        # A worker has claimed it and is rendering it: too late to add to it.
        assert notification_claim(notification_id=first.pk, now=london(TODAY, dt.time(9, 0)))
    clock.go_to(TODAY, dt.time(14, 0))
    small_plan.milestone(due=LONG_OVERDUE, title="Assessments cleared")

    clock.go_to(TODAY, dt.time(14, 5))
    assert tasks.scan_reminders() == 3
    clock.go_to(TODAY, dt.time(14, 10))
    assert tasks.scan_reminders() == 0

    first_again, own = rows_of(small_plan.lead)
    assert first_again.items == first.items
    assert own.kind == NotificationKind.ESCALATION
    assert deliver(own).subject == "Escalated to you: 1 milestone overdue"
    assert small_plan.lead in Escalation.objects.get(level=1).told.all()


def test_the_days_sweep_reads_as_many_queries_for_many_people_as_for_few(
    small_plan: SmallPlan, clock: Clock
) -> None:
    def queries(day: dt.date) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            result = day_queue(today=day)
        return len(captured), len(result.queued_ids)

    small_plan.action(due=d(2026, 11, 26))
    small_plan.milestone(due=d(2026, 11, 18))
    few = queries(d(2026, 11, 26))
    for _ in range(20):
        recommendation = RecommendationFactory.create(
            plan=small_plan.plan, lead=UserFactory.create()
        )
        ActionFactory.create(
            recommendation=recommendation, owner=UserFactory.create(), due_date=d(2026, 11, 27)
        )
        MilestoneFactory.create(recommendation=recommendation, due_date=d(2026, 11, 19))
    many = queries(d(2026, 11, 27))

    assert few[1] < many[1]
    assert few[0] == many[0]


def test_over_weeks_of_sweeps_nobody_gets_two_emails_on_a_day(
    small_plan: SmallPlan, clock: Clock
) -> None:
    """Working days from 16 November to 18 December 2026, the sweep every half hour."""
    start = d(2026, 11, 16)
    for offset in range(12):
        due = start + dt.timedelta(days=2 * offset)
        small_plan.action(due=due, owner=small_plan.lead)
        small_plan.action(due=due + dt.timedelta(days=1))
        small_plan.milestone(due=due)
    day = start
    while day <= d(2026, 12, 18):
        for hour in (9, 9.5, 13):
            clock.go_to(day, dt.time(int(hour), int(hour % 1 * 60)))
            tasks.scan_escalations()
            tasks.scan_reminders()
        day += dt.timedelta(days=1)

    days = Counter(
        (recipient, occurrence[:10])
        for recipient, occurrence in Notification.objects.values_list("recipient", "occurrence")
    )
    assert days and max(days.values()) == 1
    told = Counter(
        (row.recipient_id, item["type"], item["id"], item["level"])
        for row in Notification.objects.all()
        for item in row.items
        if item["reason"] == "escalated"
    )
    assert told and max(told.values()) == 1
    expected = {
        (
            person.pk,
            escalation.item_type,
            escalation.action_id or escalation.milestone_id,
            escalation.level,
        )
        for escalation in Escalation.objects.all()
        for person in escalation.told.all()
    }
    assert set(told) == expected
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.QUEUED}
