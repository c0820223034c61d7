"""A permanent failure marks the address; nothing more is sent to it; a new address gets mail.

The whole way through, as the owner of an action lives it: Notify says the reminder could not
be delivered; the next day's reminder is not sent (the ledger says why); their address is
corrected and the next reminder goes to the new one. An administrator clearing the mark (the
old inbox works again) lets mail go to the old address too.
"""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from notifications.delivery import notification_deliver
from notifications.models import (
    DeliveryStatus,
    Notification,
    NotificationKind,
    NotificationStatus,
    UnreachableAddress,
)
from notifications.reachability import address_clear, is_unreachable, people_unreachable
from notifications.receipts import delivery_status_record
from notifications.services import reminders_queue
from tests.notifications.conftest import TODAY, Clock, SmallPlan, london
from tests.receipts.conftest import post, receipt

pytestmark = pytest.mark.django_db

THURSDAY = dt.date(2026, 11, 26)
FRIDAY = dt.date(2026, 11, 27)
MONDAY = dt.date(2026, 11, 30)


def deliver_today(person: User, day: dt.date) -> tuple[str, Notification]:
    """Runs the day's sweep and delivers the person's reminder row of that day."""
    reminders_queue(today=day)
    row = Notification.objects.get(
        recipient=person, kind=NotificationKind.REMINDERS, occurrence=day.isoformat()
    )
    mail.outbox.clear()
    outcome = notification_deliver(notification_id=row.pk)
    return outcome, Notification.objects.get(pk=row.pk)


def test_a_permanent_failure_marks_the_address_with_why_and_which_email(
    client: Client, sent: Notification
) -> None:
    completed = london(TODAY, dt.time(9, 45))

    assert post(client, receipt(sent, "permanent-failure", completed=completed)).status_code == 200

    [mark] = UnreachableAddress.objects.all()
    assert mark.email == sent.to_email
    assert mark.since == completed
    assert mark.notification_id == sent.pk
    assert "permanent failure" in mark.reason
    assert is_unreachable(sent.to_email.upper())


def test_a_failure_to_an_address_already_marked_keeps_the_first_mark(
    client: Client, small_plan: SmallPlan, sent: Notification
) -> None:
    post(client, receipt(sent, "permanent-failure", completed=london(TODAY, dt.time(10))))
    other = Notification.objects.create(
        recipient=small_plan.owner,
        kind=NotificationKind.ESCALATION,
        subject_key="action:1",
        occurrence="x",
        to_email=sent.to_email.upper(),
        status=NotificationStatus.SENT,
        provider_id="b7d0c1e4-second",
        created_at=sent.created_at,
        next_attempt_at=sent.created_at,
        updated_at=sent.created_at,
    )

    later = london(TODAY, dt.time(11))
    assert post(client, receipt(other, "permanent-failure", completed=later)).status_code == 200

    [mark] = UnreachableAddress.objects.all()
    assert (mark.notification_id, mark.since) == (sent.pk, london(TODAY, dt.time(10)))


def test_nothing_more_is_sent_to_the_address_until_it_changes(
    client: Client, small_plan: SmallPlan, sent: Notification, clock: Clock
) -> None:
    owner = small_plan.owner
    post(client, receipt(sent, "permanent-failure", completed=london(TODAY, dt.time(9, 45))))
    small_plan.action(due=FRIDAY)  # due tomorrow: a reminder is due on Thursday

    clock.go_to(THURSDAY)
    outcome, row = deliver_today(owner, THURSDAY)

    assert outcome == "skipped"
    assert mail.outbox == []
    assert row.status == NotificationStatus.SKIPPED
    assert row.last_error.startswith("Address not reachable since 25 November 2026")
    assert owner.email in row.last_error

    # The owner gives a working address: their next reminder goes to it, with no one clearing
    # anything.
    owner.email = "owen.owner@northshire.gov.uk"
    owner.save()
    clock.go_to(FRIDAY)
    outcome, row = deliver_today(owner, FRIDAY)

    assert outcome == "sent"
    [message] = mail.outbox
    assert message.to == ["owen.owner@northshire.gov.uk"]
    assert row.status == NotificationStatus.SENT
    # The old address stays marked: someone else still using it gets nothing either.
    assert is_unreachable("owner@northshire.gov.uk")


def test_clearing_the_mark_lets_mail_go_to_the_old_address_again(
    client: Client, small_plan: SmallPlan, sent: Notification, clock: Clock
) -> None:
    post(client, receipt(sent, "permanent-failure", completed=london(TODAY, dt.time(9, 45))))
    small_plan.action(due=FRIDAY)

    assert address_clear(email=small_plan.owner.email.upper()) == 1
    clock.go_to(THURSDAY)
    outcome, _ = deliver_today(small_plan.owner, THURSDAY)

    assert outcome == "sent"
    assert [m.to for m in mail.outbox] == [[small_plan.owner.email]]


@pytest.mark.parametrize("status", ["temporary-failure", "technical-failure", "delivered"])
def test_other_outcomes_leave_the_address_alone(
    client: Client, small_plan: SmallPlan, sent: Notification, clock: Clock, status: str
) -> None:
    post(client, receipt(sent, status))
    small_plan.action(due=FRIDAY)

    clock.go_to(THURSDAY)
    outcome, _ = deliver_today(small_plan.owner, THURSDAY)

    assert outcome == "sent"
    assert not UnreachableAddress.objects.exists()


def test_people_unreachable_lists_only_the_marked_with_the_day(
    client: Client, small_plan: SmallPlan, sent: Notification
) -> None:
    post(client, receipt(sent, "permanent-failure", completed=london(TODAY, dt.time(9, 45))))

    found = people_unreachable(User.objects.all())

    assert [person.pk for person in found] == [small_plan.owner.pk]
    assert found[0].unreachable_since == london(TODAY, dt.time(9, 45))  # type: ignore[attr-defined]


def test_a_permanent_failure_learnt_without_a_receipt_marks_the_address_too(
    client: Client, sent: Notification
) -> None:
    # The Notify channel can learn an email's outcome by looking it up (a retry after an
    # answer it did not see); a later receipt saying the same then changes nothing.
    at = london(TODAY, dt.time(9, 50))
    assert delivery_status_record(
        notification=sent,
        status=DeliveryStatus.PERMANENT_FAILURE,
        at=at,
        now=at,
        email=sent.to_email,
    ) == (True, True)
    assert is_unreachable(sent.to_email)

    again = post(client, receipt(sent, "permanent-failure", completed=at))
    assert again.json() == {"status": "already recorded"}
    assert UnreachableAddress.objects.count() == 1
