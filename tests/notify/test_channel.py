"""Delivering ledger rows through GOV.UK Notify (the stand-in), exactly once.

Rows are made the way the sweep makes them and handed to ``notification_deliver`` with the
service's settings pointing at the stand-in: each row is one email through the one plain
template; a retry after an answer we never saw finds the email by its reference instead of
sending it again; 429 and 500 are tried again; 400 and 403 fail the row with Notify's words.
"""

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone
from pytest_django import Settings

from actions.dates import LONDON
from notifications.delivery import notification_deliver
from notifications.models import (
    DeliveryStatus,
    Notification,
    NotificationStatus,
    UnreachableAddress,
)
from notifications.notify_channel import notify_reference
from notifications.services import notifications_reconcile, reminders_queue
from tests.factories import ActionFactory, UserFactory
from tests.notify.conftest import REPLY_TO_ID, TEMPLATE_ID, Notify

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

TODAY = dt.date(2026, 11, 25)  # a Wednesday
NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=LONDON)


@pytest.fixture
def timeline() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def queued_reminder() -> int:
    owner = UserFactory.create(name="Amara Okafor", email="amara.okafor@example.gov.uk")
    ActionFactory.create(owner=owner, due_date=TODAY, title="Publish the local offer")
    [notification_id] = reminders_queue(today=TODAY).queued_ids
    return notification_id


def row(notification_id: int) -> Notification:
    return Notification.objects.get(pk=notification_id)


def when_due(notification_id: int, timeline: time_machine.Traveller) -> None:
    timeline.move_to(row(notification_id).next_attempt_at)


def answer_lost(notify: Notify) -> int:
    """A reminder Notify accepted but whose answer never came: its first attempt retries."""
    notify.stand_in.hang_next(seconds=10, create=True)
    notification_id = queued_reminder()
    assert notification_deliver(notification_id=notification_id) == "retrying"
    return notification_id


def settled_before_the_retry(notify: Notify, timeline: time_machine.Traveller, status: str) -> int:
    """The answer was lost and Notify has since settled the email: the retry finds it."""
    notification_id = answer_lost(notify)
    [email] = notify.stand_in.notifications()
    notify.stand_in.settle(email["id"], status)
    when_due(notification_id, timeline)
    assert notification_deliver(notification_id=notification_id) == "sent"
    return notification_id


def test_a_reminder_is_one_notify_email_with_its_subject_and_a_markdown_body(
    notify: Notify, timeline: time_machine.Traveller
) -> None:
    notification_id = queued_reminder()

    assert notification_deliver(notification_id=notification_id) == "sent"

    sent = row(notification_id)
    [email] = notify.stand_in.notifications()
    assert sent.status == NotificationStatus.SENT
    assert sent.provider_id == email["id"]
    assert sent.attempts == 1 and sent.last_error == ""
    assert email["email_address"] == "amara.okafor@example.gov.uk"
    assert email["template"]["id"] == TEMPLATE_ID
    assert email["email_reply_to_id"] == REPLY_TO_ID
    assert email["reference"] == notify_reference(sent)
    assert str(sent.pk) in email["reference"]
    assert email["personalisation"]["subject"] == sent.subject
    body = email["personalisation"]["body"]
    # Notify's Markdown from the same content as the email's text part, and no HTML of ours.
    assert "\n# Due today\n" in body
    assert re.search(r"^\* Action [^\n]*: Publish the local offer$", body, re.M)
    assert re.search(r"^  \[Update it\]\(http://127\.0\.0\.1:8000/\S+\)$", body, re.M)
    assert "[Choose which reminders you get](http://127.0.0.1:8000/" in body
    # Notify adds the one-click unsubscribe headers (RFC 8058) from the address it is given.
    assert re.fullmatch(
        r"http://127\.0\.0\.1:8000/unsubscribe/\S+/", email["one_click_unsubscribe_url"]
    )
    assert "<" not in body
    assert len(notify.posts()) == 1


def test_after_a_timeout_the_retry_finds_the_email_by_reference_and_does_not_send_it_again(
    notify: Notify, timeline: time_machine.Traveller
) -> None:
    """Notify accepted the email but its answer never came (the request hung)."""
    notify.stand_in.hang_next(seconds=10, create=True)
    notification_id = queued_reminder()

    assert notification_deliver(notification_id=notification_id) == "retrying"
    first = row(notification_id)
    assert first.status == NotificationStatus.QUEUED
    assert first.last_error.startswith("No answer from GOV.UK Notify (")
    assert first.provider_id == ""

    when_due(notification_id, timeline)
    assert notification_deliver(notification_id=notification_id) == "sent"

    [email] = notify.stand_in.notifications()
    sent = row(notification_id)
    assert (sent.status, sent.provider_id, sent.attempts) == (
        NotificationStatus.SENT,
        email["id"],
        2,
    )
    assert len(notify.posts()) == 1
    lookups = [r for r in notify.stand_in.requests() if r["method"] == "GET"]
    assert len(lookups) == 1 and "reference=" in str(lookups[0]["query"])


def test_after_a_dropped_connection_before_notify_had_it_the_retry_sends_it_once(
    notify: Notify, timeline: time_machine.Traveller
) -> None:
    notify.stand_in.drop_next(create=False)
    notification_id = queued_reminder()

    assert notification_deliver(notification_id=notification_id) == "retrying"
    when_due(notification_id, timeline)
    assert notification_deliver(notification_id=notification_id) == "sent"

    [email] = notify.stand_in.notifications()
    assert row(notification_id).provider_id == email["id"]
    assert len(notify.posts()) == 2


def test_a_worker_killed_after_notify_accepted_leaves_a_row_the_reconcile_sweep_sends_once(
    notify: Notify, timeline: time_machine.Traveller, settings: Settings
) -> None:
    """The worker died with the request in flight: the row stays "sending", Notify has it."""
    notify.stand_in.hang_next(seconds=10, create=True)
    notification_id = queued_reminder()
    # The request went out and the worker died before any answer: nothing was recorded.
    assert notification_deliver(notification_id=notification_id) == "retrying"
    Notification.objects.filter(pk=notification_id).update(
        status=NotificationStatus.SENDING, claimed_at=timezone.now(), last_error=""
    )

    later = timezone.now() + dt.timedelta(seconds=settings.NOTIFICATIONS_STUCK_AFTER_SECONDS + 1)
    timeline.move_to(later)
    assert notifications_reconcile(now=later) == 1
    assert notification_deliver(notification_id=notification_id) == "sent"

    [email] = notify.stand_in.notifications()
    assert row(notification_id).provider_id == email["id"]
    assert len(notify.posts()) == 1


@pytest.mark.parametrize(
    ("status", "accepted_first", "words"),
    [
        (500, False, "GOV.UK Notify answered 500: Exception: Internal server error"),
        (500, True, "GOV.UK Notify answered 500: Exception: Internal server error"),
        (429, False, "GOV.UK Notify answered 429: RateLimitError: Exceeded rate limit"),
    ],
)
def test_a_500_or_429_is_tried_again_after_the_usual_wait_and_arrives_once(
    notify: Notify,
    timeline: time_machine.Traveller,
    status: int,
    accepted_first: bool,
    words: str,
) -> None:
    notify.stand_in.fail_next(2, status=status, create=accepted_first)
    notification_id = queued_reminder()

    assert notification_deliver(notification_id=notification_id) == "retrying"
    first = row(notification_id)
    assert first.last_error.startswith(words)
    wait = first.next_attempt_at - NOW
    assert wait == dt.timedelta(seconds=django_settings.NOTIFICATIONS_RETRY_BASE_SECONDS)

    when_due(notification_id, timeline)
    outcome = notification_deliver(notification_id=notification_id)
    if not accepted_first:
        # The second answer is the same refusal: a doubling wait, then through.
        assert outcome == "retrying"
        when_due(notification_id, timeline)
        outcome = notification_deliver(notification_id=notification_id)
    assert outcome == "sent"
    assert len(notify.stand_in.notifications()) == 1
    assert row(notification_id).provider_id == notify.stand_in.notifications()[0]["id"]


def test_a_400_fails_the_row_at_once_with_notifys_message(
    notify: Notify, timeline: time_machine.Traveller, settings: Settings
) -> None:
    settings.NOTIFY_REPLY_TO_ID = "00000000-0000-4000-8000-000000000000"
    notification_id = queued_reminder()

    assert notification_deliver(notification_id=notification_id) == "failed"

    failed = row(notification_id)
    assert failed.status == NotificationStatus.FAILED
    assert failed.attempts == 1
    assert failed.last_error.startswith(
        "GOV.UK Notify answered 400: BadRequestError: email_reply_to_id "
        "00000000-0000-4000-8000-000000000000 does not exist"
    )
    assert notify.stand_in.notifications() == []


def test_a_403_for_a_wrong_api_key_fails_the_row_with_notifys_message(
    notify: Notify, timeline: time_machine.Traveller, settings: Settings
) -> None:
    service, _ = settings.NOTIFY_API_KEY[-73:-37], settings.NOTIFY_API_KEY[-36:]
    settings.NOTIFY_API_KEY = f"revoked-{service}-11111111-2222-4333-8444-555555555555"
    notification_id = queued_reminder()

    assert notification_deliver(notification_id=notification_id) == "failed"

    assert row(notification_id).last_error == (
        "GOV.UK Notify answered 403: AuthError: Invalid token: signature, api token not found"
    )


def test_a_failed_row_put_back_by_an_operator_is_not_sent_twice(
    notify: Notify, timeline: time_machine.Traveller
) -> None:
    """Its attempts start again from 0, but its error says an earlier attempt went out."""
    notification_id = answer_lost(notify)
    Notification.objects.filter(pk=notification_id).update(
        status=NotificationStatus.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )

    assert notification_deliver(notification_id=notification_id) == "sent"
    assert len(notify.posts()) == 1


def test_an_email_notify_already_delivered_is_recorded_with_its_delivery_status(
    notify: Notify, timeline: time_machine.Traveller
) -> None:
    notification_id = settled_before_the_retry(notify, timeline, "delivered")

    sent = row(notification_id)
    assert sent.delivery_status == DeliveryStatus.DELIVERED
    assert sent.delivery_status_at is not None


def test_a_permanent_failure_found_by_reference_marks_the_address_as_not_reachable(
    notify: Notify, timeline: time_machine.Traveller
) -> None:
    """The look-up after a lost answer learns what a receipt would have said: the same mark."""
    notification_id = settled_before_the_retry(notify, timeline, "permanent-failure")

    assert row(notification_id).delivery_status == DeliveryStatus.PERMANENT_FAILURE
    assert UnreachableAddress.objects.filter(email__iexact="amara.okafor@example.gov.uk").exists()
