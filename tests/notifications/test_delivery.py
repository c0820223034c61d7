"""Delivering ledger rows to a real SMTP server: what is retried, what fails, what is sent once.

Rows are made the way the sweep makes them (``reminders_queue`` on a small plan) and handed to
``notification_deliver``, which talks SMTP to an aiosmtpd server on a loopback port.
"""

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connections
from django.utils import timezone
from pytest_django import Settings

from actions.dates import LONDON
from actions.models import Action
from notifications.delivery import notification_claim, notification_deliver
from notifications.models import Notification, NotificationStatus
from notifications.services import (
    notifications_reconcile,
    notifications_to_dispatch,
    reminders_queue,
)
from tests.factories import ActionFactory, UserFactory
from tests.notifications.smtp import SmtpServer, running_smtp_server, text_and_html

pytestmark = pytest.mark.e2e

TODAY = dt.date(2026, 11, 25)  # a Wednesday
NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=LONDON)


@pytest.fixture
def smtp(settings: Settings) -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = server.host
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        yield server


@pytest.fixture
def timeline() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def queued_reminder(title: str = "Publish the local offer") -> int:
    """Today's reminder for one owner with an action due today, queued by the sweep."""
    owner = UserFactory.create(name="Amara Okafor", email="amara.okafor@example.gov.uk")
    ActionFactory.create(owner=owner, due_date=TODAY, title=title)
    result = reminders_queue(today=TODAY)
    [notification_id] = result.queued_ids
    return notification_id


def row(notification_id: int) -> Notification:
    return Notification.objects.get(pk=notification_id)


def grace() -> dt.timedelta:
    return dt.timedelta(seconds=django_settings.NOTIFICATIONS_DISPATCH_GRACE_SECONDS)


@pytest.mark.django_db
def test_a_reminder_reaches_the_server_once_with_its_message_id_and_a_text_and_an_html_part(
    smtp: SmtpServer, timeline: time_machine.Traveller
) -> None:
    notification_id = queued_reminder()

    assert notification_deliver(notification_id=notification_id) == "sent"

    [message] = smtp.handler.accepted
    notification = row(notification_id)
    assert notification.status == NotificationStatus.SENT
    assert notification.sent_at == NOW
    assert notification.attempts == 1
    assert notification.last_error == ""
    assert message["To"] == "amara.okafor@example.gov.uk"
    assert message["Subject"] == notification.subject
    assert message["Message-ID"] == notification.message_id
    assert notification.message_id.startswith(f"<notification-{notification_id}@")
    text, html = text_and_html(message)
    assert "Publish the local offer" in text
    assert "Publish the local offer" in html
    assert "<html" not in text
    assert (text, html) == (notification.body_text, notification.body_html)
    assert notification_id not in notifications_to_dispatch(now=NOW + dt.timedelta(days=1))


@pytest.mark.django_db
def test_a_451_goes_back_to_the_queue_with_a_doubling_wait_and_is_then_sent_once(
    smtp: SmtpServer, timeline: time_machine.Traveller
) -> None:
    smtp.handler.defer_data = 3
    notification_id = queued_reminder()

    assert notification_deliver(notification_id=notification_id) == "retrying"

    first = row(notification_id)
    assert first.status == NotificationStatus.QUEUED
    assert first.attempts == 1
    assert first.last_error == "451 4.3.0 Temporary local problem, try again later"
    assert first.sent_at is None

    # Not before its time: neither offered by the dispatch sweep nor claimed by a stray task.
    just_before = first.next_attempt_at - dt.timedelta(seconds=1)
    timeline.move_to(just_before)
    assert notifications_to_dispatch(now=just_before) == []
    assert notification_deliver(notification_id=notification_id) == "not claimed"
    assert len(smtp.handler.attempts) == 1

    # Each time its turn comes the dispatch sweep offers it; the server defers it twice more.
    tried_at, waits = NOW, []
    for attempt in (2, 3):
        queued = row(notification_id)
        waits.append(queued.next_attempt_at - tried_at)
        tried_at = queued.next_attempt_at + grace()
        timeline.move_to(tried_at)
        assert notifications_to_dispatch(now=tried_at) == [notification_id]
        assert notification_deliver(notification_id=notification_id) == "retrying"
        assert row(notification_id).attempts == attempt
    waits.append(row(notification_id).next_attempt_at - tried_at)

    base = dt.timedelta(seconds=django_settings.NOTIFICATIONS_RETRY_BASE_SECONDS)
    assert waits == [base, 2 * base, 4 * base]
    assert row(notification_id).last_error == "451 4.3.0 Temporary local problem, try again later"

    sent_at = row(notification_id).next_attempt_at + grace()
    timeline.move_to(sent_at)
    assert notifications_to_dispatch(now=sent_at) == [notification_id]
    assert notification_deliver(notification_id=notification_id) == "sent"

    assert len(smtp.handler.accepted) == 1
    assert len(smtp.handler.attempts) == 4
    sent = row(notification_id)
    assert sent.status == NotificationStatus.SENT
    assert sent.attempts == 4
    assert sent.sent_at == sent_at
    assert notifications_to_dispatch(now=sent_at + dt.timedelta(days=1)) == []


@pytest.mark.django_db
def test_a_retry_sends_the_subject_bodies_and_message_id_of_the_first_attempt(
    smtp: SmtpServer, timeline: time_machine.Traveller
) -> None:
    smtp.handler.defer_data = 1
    notification_id = queued_reminder(title="Publish the local offer")
    assert notification_deliver(notification_id=notification_id) == "retrying"

    # The action is renamed meanwhile: the retry still sends what was first rendered.
    Action.objects.update(title="Publish the revised local offer")
    timeline.move_to(row(notification_id).next_attempt_at)
    assert notification_deliver(notification_id=notification_id) == "sent"

    deferred, delivered = smtp.handler.attempts
    assert smtp.handler.accepted == [delivered]
    assert delivered["Subject"] == deferred["Subject"]
    assert delivered["Message-ID"] == deferred["Message-ID"] == row(notification_id).message_id
    assert text_and_html(delivered) == text_and_html(deferred)
    assert "Publish the local offer" in text_and_html(delivered)[0]
    assert "revised" not in text_and_html(delivered)[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            "refuse_recipient",
            "amara.okafor@example.gov.uk: 550 5.1.1 <amara.okafor@example.gov.uk>: "
            "Recipient address rejected: User unknown",
        ),
        ("refuse_data", "554 5.7.1 Message rejected as spam"),
    ],
)
def test_a_5xx_fails_the_row_after_one_attempt_and_it_is_never_offered_again(
    smtp: SmtpServer, timeline: time_machine.Traveller, answer: str, error: str
) -> None:
    setattr(smtp.handler, answer, True)
    notification_id = queued_reminder()

    assert notification_deliver(notification_id=notification_id) == "failed"

    failed = row(notification_id)
    assert failed.status == NotificationStatus.FAILED
    assert failed.attempts == 1
    assert failed.last_error == error
    assert failed.sent_at is None
    assert smtp.handler.accepted == []

    later = NOW + dt.timedelta(days=2)
    timeline.move_to(later)
    assert notifications_to_dispatch(now=later) == []
    assert notifications_reconcile(now=later) == 0
    assert notification_deliver(notification_id=notification_id) == "not claimed"
    assert row(notification_id).attempts == 1


@pytest.mark.django_db
def test_transient_failures_stop_at_the_attempt_limit_and_the_row_is_failed(
    smtp: SmtpServer, timeline: time_machine.Traveller, settings: Settings
) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    smtp.handler.defer_data = 100
    notification_id = queued_reminder()

    outcomes = []
    for _ in range(3):
        timeline.move_to(row(notification_id).next_attempt_at)
        outcomes.append(notification_deliver(notification_id=notification_id))

    assert outcomes == ["retrying", "retrying", "failed"]
    failed = row(notification_id)
    assert failed.status == NotificationStatus.FAILED
    assert failed.attempts == 3
    assert failed.last_error == "451 4.3.0 Temporary local problem, try again later"
    assert len(smtp.handler.attempts) == 3
    assert smtp.handler.accepted == []
    later = NOW + dt.timedelta(days=1)
    timeline.move_to(later)
    assert notifications_to_dispatch(now=later) == []
    assert notification_deliver(notification_id=notification_id) == "not claimed"


@pytest.mark.django_db
def test_a_server_that_hangs_past_the_email_timeout_is_retried_later(
    smtp: SmtpServer, timeline: time_machine.Traveller, settings: Settings
) -> None:
    settings.EMAIL_TIMEOUT = 1
    smtp.handler.hang_seconds = 30
    notification_id = queued_reminder()

    assert notification_deliver(notification_id=notification_id) == "retrying"

    retrying = row(notification_id)
    assert retrying.status == NotificationStatus.QUEUED
    assert retrying.attempts == 1
    assert "timed out" in retrying.last_error, retrying.last_error
    assert retrying.next_attempt_at > NOW


@pytest.mark.django_db
def test_a_server_that_accepts_then_hangs_on_the_goodbye_gets_the_email_once(
    smtp: SmtpServer, timeline: time_machine.Traveller, settings: Settings
) -> None:
    # The message is accepted (250); only the QUIT that follows times out. Counting that as
    # a failure would send the owner the same reminder again at the retry.
    settings.EMAIL_TIMEOUT = 1
    smtp.handler.hang_on_quit_seconds = 30
    notification_id = queued_reminder()

    assert notification_deliver(notification_id=notification_id) == "sent"

    sent = row(notification_id)
    assert sent.status == NotificationStatus.SENT
    assert sent.attempts == 1
    assert sent.last_error == ""
    timeline.shift(grace() + dt.timedelta(hours=3))
    assert notifications_to_dispatch(now=timezone.now()) == []
    assert notification_deliver(notification_id=notification_id) == "not claimed"
    assert len(smtp.handler.accepted) == 1


@pytest.mark.django_db(transaction=True)
def test_the_send_is_recorded_before_the_goodbye(
    smtp: SmtpServer, timeline: time_machine.Traveller
) -> None:
    # A worker killed while the server answers QUIT has already recorded the send, so the
    # reconcile sweep finds nothing to send again.
    seen: list[str] = []

    def status_at_goodbye() -> None:
        try:
            seen.append(Notification.objects.get(pk=notification_id).status)
        finally:
            connections.close_all()

    smtp.handler.on_quit = status_at_goodbye
    notification_id = queued_reminder()

    assert notification_deliver(notification_id=notification_id) == "sent"

    assert seen == [NotificationStatus.SENT]
    assert len(smtp.handler.accepted) == 1


@pytest.mark.django_db
def test_a_connection_dropped_by_the_server_is_retried_later(
    smtp: SmtpServer, timeline: time_machine.Traveller
) -> None:
    smtp.handler.disconnect_on_data = True
    notification_id = queued_reminder()

    assert notification_deliver(notification_id=notification_id) == "retrying"

    retrying = row(notification_id)
    assert retrying.status == NotificationStatus.QUEUED
    assert retrying.attempts == 1
    assert retrying.last_error.startswith("SMTPServerDisconnected")

    smtp.handler.disconnect_on_data = False
    timeline.move_to(retrying.next_attempt_at)
    assert notification_deliver(notification_id=notification_id) == "sent"
    assert len(smtp.handler.accepted) == 1


# --- The claim ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_row_already_being_sent_is_not_sent_by_a_second_delivery(
    smtp: SmtpServer, timeline: time_machine.Traveller
) -> None:
    notification_id = queued_reminder()
    # Another worker has claimed it and is talking to the server.
    assert notification_claim(notification_id=notification_id, now=NOW)

    assert notification_deliver(notification_id=notification_id) == "not claimed"

    assert smtp.handler.attempts == []
    claimed = row(notification_id)
    assert claimed.status == NotificationStatus.SENDING
    assert claimed.attempts == 1


@pytest.mark.django_db
def test_a_sent_row_is_not_sent_again_by_a_redelivered_task(
    smtp: SmtpServer, timeline: time_machine.Traveller
) -> None:
    notification_id = queued_reminder()
    assert notification_deliver(notification_id=notification_id) == "sent"

    timeline.shift(dt.timedelta(hours=1))
    assert notification_deliver(notification_id=notification_id) == "not claimed"

    assert len(smtp.handler.accepted) == 1
    sent = row(notification_id)
    assert sent.status == NotificationStatus.SENT
    assert sent.attempts == 1
    assert sent.sent_at == NOW


@pytest.mark.django_db
def test_reconcile_requeues_a_row_whose_worker_died_mid_send_and_leaves_a_recent_one_alone(
    smtp: SmtpServer, timeline: time_machine.Traveller
) -> None:
    stuck_after = dt.timedelta(seconds=django_settings.NOTIFICATIONS_STUCK_AFTER_SECONDS)
    abandoned = queued_reminder()
    # A worker claims the row, then dies before it records anything.
    assert notification_claim(notification_id=abandoned, now=NOW)
    # Later that morning another owner's reminder is queued and claimed by a live worker.
    claimed_at = NOW + stuck_after
    timeline.move_to(claimed_at)
    ActionFactory.create(owner=UserFactory.create(), due_date=TODAY)
    [busy] = reminders_queue(today=TODAY).queued_ids
    assert notification_claim(notification_id=busy, now=claimed_at)

    reconcile_at = NOW + stuck_after + dt.timedelta(seconds=1)
    timeline.move_to(reconcile_at)
    assert notifications_reconcile(now=reconcile_at) == 1

    requeued = row(abandoned)
    assert requeued.status == NotificationStatus.QUEUED
    assert requeued.next_attempt_at == reconcile_at
    assert requeued.last_error == "The worker stopped while sending; sending again."
    assert row(busy).status == NotificationStatus.SENDING
    assert notifications_reconcile(now=reconcile_at) == 0

    assert notification_deliver(notification_id=abandoned) == "sent"
    [message] = smtp.handler.accepted
    assert message["To"] == "amara.okafor@example.gov.uk"
    assert row(abandoned).attempts == 2


@pytest.mark.django_db
def test_reconcile_fails_a_row_stuck_on_its_last_allowed_attempt(
    smtp: SmtpServer, timeline: time_machine.Traveller, settings: Settings
) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    notification_id = queued_reminder()
    smtp.handler.defer_data = 1
    assert notification_deliver(notification_id=notification_id) == "retrying"
    second_try_at = row(notification_id).next_attempt_at
    # The second (last allowed) attempt's worker dies after claiming the row.
    assert notification_claim(notification_id=notification_id, now=second_try_at)

    later = second_try_at + dt.timedelta(
        seconds=django_settings.NOTIFICATIONS_STUCK_AFTER_SECONDS + 1
    )
    timeline.move_to(later)
    assert notifications_reconcile(now=later) == 1

    failed = row(notification_id)
    assert failed.status == NotificationStatus.FAILED
    assert failed.attempts == 2
    assert failed.last_error == "The worker stopped while sending, on the last allowed attempt."
    assert notifications_to_dispatch(now=later + dt.timedelta(days=1)) == []
    assert notification_deliver(notification_id=notification_id) == "not claimed"
    assert smtp.handler.accepted == []
