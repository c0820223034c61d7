"""Sending one ledger row through GOV.UK Notify, exactly once.

Each row is one Notify email to one recipient, sent with the service's one plain template
(subject ``((subject))``, body ``((body))``) and the row's reference (``notify_reference``).
Notify does not refuse a second email with the same reference, so an attempt that follows an
outcome we did not see (no answer in time, a dropped connection, a 5xx, a worker killed in
the middle of the request) first asks Notify for emails with that reference and, if it finds
one, records it rather than sending again.

Notify's answers are sorted for the delivery task: no answer, 429 (too many requests) and
5xx are ``NotifyUnavailable`` (tried again later with the usual wait); 400 and 403 are
``NotifyRefused`` (the row fails, with Notify's message kept).
"""

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import APIError

from notifications.links import absolute
from notifications.markdown import notify_markdown
from notifications.models import DeliveryStatus, Notification

logger = logging.getLogger(__name__)

# Notify's final statuses of an email, as the ledger records them.
FINAL_STATUSES = {
    "delivered": DeliveryStatus.DELIVERED,
    "permanent-failure": DeliveryStatus.PERMANENT_FAILURE,
    "temporary-failure": DeliveryStatus.TEMPORARY_FAILURE,
    "technical-failure": DeliveryStatus.TECHNICAL_FAILURE,
}


class NotifyUnavailable(Exception):
    """Notify did not answer, or asked us to wait: trying again later may work."""


class NotifyRefused(Exception):
    """Notify refused the email (or our settings are wrong): sending again will not help."""


@dataclass(frozen=True)
class Accepted:
    """The email Notify has: its id, and its final status if it already has one."""

    provider_id: str
    delivery_status: str = ""


def notify_reference(notification: Notification) -> str:
    """The same on every attempt and unique to the row, with no personal data in it.

    The site's host keeps two installations that share one Notify service apart, and the
    row's creation time a database made again from scratch (its ids counting from 1 again).
    """
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{host}/notification-{notification.pk}-{notification.created_at:%Y%m%dT%H%M%S}"


def notify_send(*, notification: Notification, message: EmailMultiAlternatives) -> Accepted:
    """Hands the row's email to Notify, or finds the one an earlier attempt handed over."""
    client = _client()
    reference = notify_reference(notification)
    if _may_have_reached_notify(notification):
        found = _find(client, reference)
        if found is not None:
            logger.info(
                "Notification %s: Notify already has it (%s); not sending again",
                notification.pk,
                found.provider_id,
            )
            return found
    body = notify_markdown(message, files_url=_files_url(notification))
    personalisation = {"subject": str(message.subject), "body": body}
    answer = _call(
        lambda: client.send_email_notification(
            email_address=message.to[0],
            template_id=settings.NOTIFY_TEMPLATE_ID,
            personalisation=personalisation,
            reference=reference,
            email_reply_to_id=settings.NOTIFY_REPLY_TO_ID or None,
            one_click_unsubscribe_url=one_click_unsubscribe_url(message),
        )
    )
    return Accepted(provider_id=str(answer["id"]))


def _files_url(notification: Notification) -> str | None:
    """Where a digest's spreadsheet downloads, kept with the digest (subject "snapshot:<id>")."""
    prefix, _, number = notification.subject_key.partition(":")
    if prefix != "snapshot" or not number.isdigit():
        return None
    return absolute(reverse("workspace:digest-xlsx", args=[int(number)]))


def one_click_unsubscribe_url(message: EmailMultiAlternatives) -> str | None:
    """The address a reminder's List-Unsubscribe header names, for Notify to put in its own
    headers (Notify sends one-click unsubscribe headers only when given this)."""
    headers = message.extra_headers
    if "List-Unsubscribe-Post" not in headers:
        return None
    value = headers.get("List-Unsubscribe", "").strip()
    return value[1:-1] if value.startswith("<") and value.endswith(">") else None


def _may_have_reached_notify(notification: Notification) -> bool:
    """Whether an earlier attempt may have handed this row to Notify.

    The claim counts this attempt, so more than one means an earlier one; an error on the row
    means one too, after an operator put a failed row back (its count starting again).
    """
    return notification.attempts > 1 or bool(notification.last_error)


def _find(client: NotificationsAPIClient, reference: str) -> Accepted | None:
    answer = _call(lambda: client.get_all_notifications(reference=reference, template_type="email"))
    found = answer.get("notifications") or []
    if not found:
        return None
    if len(found) > 1:
        logger.error("Notify has %s emails with the reference %s", len(found), reference)
    # The first one Notify accepted is the one the ledger records.
    first = min(found, key=lambda item: str(item.get("created_at") or ""))
    return Accepted(
        provider_id=str(first["id"]),
        delivery_status=FINAL_STATUSES.get(str(first.get("status")), ""),
    )


def _client() -> NotificationsAPIClient:
    if not settings.NOTIFY_TEMPLATE_ID:
        raise NotifyRefused("NOTIFY_TEMPLATE_ID is not set: Notify needs the template's id.")
    try:
        return NotificationsAPIClient(
            settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.NOTIFY_TIMEOUT,
        )
    except AssertionError:
        raise NotifyRefused(
            "NOTIFY_API_KEY is not a whole Notify API key (name, service id and secret)."
        ) from None


def _call(request: Any) -> dict[str, Any]:
    """One request to Notify, its errors sorted into unavailable and refused."""
    try:
        answer: dict[str, Any] = request()
    except APIError as exc:
        raise _sorted(exc) from exc
    return answer


def _sorted(exc: APIError) -> NotifyUnavailable | NotifyRefused:
    if exc.response is None:
        cause = exc.__cause__
        why = f"{type(cause).__name__}: {cause}" if cause is not None else "no answer"
        return NotifyUnavailable(f"No answer from GOV.UK Notify ({why})")
    text = f"GOV.UK Notify answered {exc.status_code}: {_messages(exc.message)}"
    if exc.status_code == 429 or exc.status_code >= 500:
        return NotifyUnavailable(text)
    if 200 <= exc.status_code < 300:
        # Accepted, but with an answer we could not read: the email may be there.
        return NotifyUnavailable(text)
    return NotifyRefused(text)


def _messages(message: Any) -> str:
    """Notify's ``errors`` list (``[{"error", "message"}]``) as one line."""
    if isinstance(message, list):
        return "; ".join(
            f"{item.get('error', 'Error')}: {item.get('message', '')}"
            if isinstance(item, dict)
            else str(item)
            for item in message
        )
    return str(message)
