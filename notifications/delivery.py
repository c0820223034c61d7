"""Delivering one ledger row: claim it, render it once, send it, record what happened.

It goes through Django's email backend (SMTP, or files in development), or through GOV.UK
Notify when ``NOTIFY_API_KEY`` is set (``notifications.notify_channel``). Transient failures
(an SMTP 4xx reply, Notify's 429 or 5xx, a dropped connection, a timeout) go back to the
queue with a doubling wait, up to ``NOTIFICATIONS_MAX_ATTEMPTS``; permanent ones (an SMTP 5xx
reply, Notify's 400 or 403, a bug in rendering) fail at once. Either way the outcome and the
error are on the row for people to see in the admin and the API.
"""

import datetime as dt
import logging
import smtplib
import socket
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import InterfaceError, OperationalError
from django.db import connection as database
from django.db.models import F, QuerySet
from django.utils import timezone

from notifications.emails import build_message, message_id_for, stored_message
from notifications.models import Notification, NotificationStatus
from notifications.notify_channel import Accepted, NotifyRefused, NotifyUnavailable, notify_send
from notifications.reachability import skip_reason, unreachable_address
from notifications.receipts import delivery_status_record

logger = logging.getLogger(__name__)


def is_transient(exc: BaseException) -> bool:
    """Would trying again later help? 4xx replies and network trouble, yes; 5xx, no."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(
        exc,
        smtplib.SMTPServerDisconnected
        | NotifyUnavailable
        | socket.timeout
        | TimeoutError
        | ConnectionError
        # The task's soft time limit: the server was too slow this time.
        | SoftTimeLimitExceeded,
    ) or (isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, NotifyUnavailable | NotifyRefused):
        return str(exc)
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {message.decode(errors='replace')}"
            for address, (code, message) in exc.recipients.items()
        )
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def retry_wait(attempts: int) -> dt.timedelta:
    """Doubling from the base, capped: a mail server down for an hour or two is ridden out."""
    seconds = settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    return dt.timedelta(seconds=min(seconds, settings.NOTIFICATIONS_RETRY_MAX_WAIT_SECONDS))


def notification_claim(*, notification_id: int, now: dt.datetime) -> bool:
    """Compare-and-set queued → sending: exactly one worker wins a row."""
    claimed = Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.QUEUED, next_attempt_at__lte=now
    ).update(
        status=NotificationStatus.SENDING,
        claimed_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return claimed == 1


def notification_deliver(*, notification_id: int, now: dt.datetime | None = None) -> str:
    """Send one ledger row if it is still to be sent; answers what happened to it."""
    now = now or timezone.now()
    if not notification_claim(notification_id=notification_id, now=now):
        return "not claimed"
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    accepted: Accepted | None = None
    connection: BaseEmailBackend | None = None
    try:
        message = _message_to_send(notification)
        if message is None:
            return "skipped"
        # The provider said this address cannot receive mail: nothing more goes to it.
        if (mark := unreachable_address(message.to[0])) is not None:
            return _skip(notification, skip_reason(mark))
        if settings.NOTIFICATIONS_CHANNEL == "notify":
            accepted = notify_send(notification=notification, message=message)
        else:
            connection = _send_by_email(message)
    except Exception as exc:
        return _record_failure(notification, exc, now=now)
    try:
        _record_sent(notification, accepted)
    finally:
        if connection is not None:
            _close_quietly(connection)
    return "sent"


def _message_to_send(notification: Notification) -> EmailMultiAlternatives | None:
    """The row's email: rendered on the first attempt and kept, rebuilt from the row on a
    retry; None (and the row skipped) when there is nothing to send any more."""
    if notification.subject:
        return stored_message(notification)
    if not notification.recipient.is_active:
        _skip(notification, "The person's account was closed before it was sent.")
        return None
    # Rendered once and kept: a retry sends exactly what the first attempt tried.
    message = build_message(notification)
    if message is None:
        _skip(
            notification,
            "Nothing left to send: every item was completed, achieved or given a new due date "
            "after the sweep.",
        )
        return None
    notification.subject = str(message.subject)
    notification.body_text = str(message.body)
    notification.body_html = str(message.alternatives[0][0])
    notification.message_id = message_id_for(notification)
    notification.to_email = message.to[0]
    Notification.objects.filter(pk=notification.pk).update(
        subject=notification.subject,
        body_text=notification.body_text,
        body_html=notification.body_html,
        message_id=notification.message_id,
        to_email=notification.to_email,
    )
    return message


def _send_by_email(message: EmailMultiAlternatives) -> BaseEmailBackend:
    """Hands the message to the email backend; the open connection, to close once recorded.

    Opened here rather than inside send_messages, which would also say goodbye (QUIT) before
    returning: "sent" is recorded as soon as the server has the message, so a worker killed
    while the server answers the goodbye leaves nothing to send again.
    """
    connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
    try:
        connection.open()
        connection.send_messages([message])
    except Exception:
        _close_quietly(connection)
        raise
    return connection


def _close_quietly(connection: BaseEmailBackend) -> None:
    """Say goodbye to the mail server; by now the outcome is known, so a failure is noise."""
    try:
        connection.close()
    except Exception:
        logger.info("Closing the mail connection failed", exc_info=True)


def _record_sent(notification: Notification, accepted: Accepted | None = None) -> None:
    """Records that the mail server (or Notify) has the message, riding out a database restart.

    The email is out: a row left "sending" would be sent again by the reconcile sweep. So a
    lost connection is tried again until just before the row would count as stuck (after
    which the sweep may already have queued it again); only a longer outage leaves the one
    copy that docs/notifications.md describes (through Notify, not even that: the next
    attempt finds the email by its reference).
    """
    fields: dict[str, object] = {}
    if accepted is not None:
        fields["provider_id"] = accepted.provider_id
    stuck_after = dt.timedelta(seconds=settings.NOTIFICATIONS_STUCK_AFTER_SECONDS)
    give_up = (notification.claimed_at or timezone.now()) + stuck_after - dt.timedelta(seconds=1)
    wait = 0.25
    while True:
        try:
            # Whatever state a reconcile sweep may have put the row in meanwhile, it was sent.
            Notification.objects.filter(pk=notification.pk).exclude(
                status=NotificationStatus.SENT
            ).update(
                status=NotificationStatus.SENT,
                sent_at=timezone.now(),
                updated_at=timezone.now(),
                **fields,
            )
            break
        except (OperationalError, InterfaceError):
            if timezone.now() + dt.timedelta(seconds=wait) > give_up:
                raise
            logger.warning(
                "Notification %s was sent but the database is unreachable; recording it again "
                "in %.2fs",
                notification.pk,
                wait,
            )
            database.close()
            time.sleep(wait)
            wait = min(wait * 2, 5.0)
    if accepted is not None and accepted.delivery_status:
        # Found by its reference with a final status already: recorded as a receipt would be,
        # so that a permanent failure marks the address too.
        now = timezone.now()
        delivery_status_record(
            notification=notification,
            status=accepted.delivery_status,
            at=now,
            now=now,
            email=notification.to_email,
        )


def _skip(notification: Notification, why: str) -> str:
    _ours(notification).update(
        status=NotificationStatus.SKIPPED, last_error=why, updated_at=timezone.now()
    )
    return "skipped"


def _ours(notification: Notification) -> "QuerySet[Notification]":
    """The row while this attempt still holds it: a reconciled and re-claimed row is not."""
    return Notification.objects.filter(
        pk=notification.pk,
        status=NotificationStatus.SENDING,
        claimed_at=notification.claimed_at,
    )


def _record_failure(notification: Notification, exc: Exception, *, now: dt.datetime) -> str:
    error = _describe(exc)[:2000]
    attempts = notification.attempts
    if is_transient(exc) and attempts < settings.NOTIFICATIONS_MAX_ATTEMPTS:
        _ours(notification).update(
            status=NotificationStatus.QUEUED,
            next_attempt_at=now + retry_wait(attempts),
            last_error=error,
            updated_at=timezone.now(),
        )
        logger.warning(
            "Notification %s: attempt %s failed, will retry: %s", notification.pk, attempts, error
        )
        return "retrying"
    _ours(notification).update(
        status=NotificationStatus.FAILED, last_error=error, updated_at=timezone.now()
    )
    logger.error("Notification %s failed after %s attempts: %s", notification.pk, attempts, error)
    return "failed"
