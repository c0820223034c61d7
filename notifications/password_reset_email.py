"""The password-reset email: a ledger row per request, delivered at once like any other email.

Each request gets a row of its own (its occurrence is the moment asked plus a random suffix),
so asking twice sends twice, within the limits the page applies. The row's ``items`` hold
only when it was asked for: the link's token is made when the email is rendered, just before
it is sent, so no working secret waits in the queue. The rendered body, kept on the row as the
record of what was sent, does hold the link; it stops working after
``PASSWORD_RESET_TIMEOUT`` or once used, and is never logged.

The rows are queued for delivery after commit through ``register_delivery_queue``: the
workers app, above this one, registers how a delivery task is enqueued when it starts. Without
it the rows still go, a minute later, through the dispatch sweep.
"""

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Iterable

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from accounts.models import User
from accounts.password_reset import (
    may_reset_password,
    password_reset_link_lifetime,
    password_reset_link_parts,
)
from actions.dates import LONDON
from notifications.emails import make_message
from notifications.ledger import insert_new, ledger_row
from notifications.links import absolute
from notifications.models import Notification, NotificationKind

logger = logging.getLogger(__name__)

SUBJECT_KEY = "password"

DeliveryQueue = Callable[[Iterable[int]], None]
_delivery_queues: list[DeliveryQueue] = []


def register_delivery_queue(enqueue: DeliveryQueue) -> None:
    """How new rows are handed to the workers after commit (``workers.tasks``)."""
    _delivery_queues[:] = [enqueue]


def password_reset_queue(*, user: User, now: dt.datetime) -> int | None:
    """Adds the row for one request and has it delivered after commit; answers its id."""
    row = ledger_row(
        recipient_id=user.pk,
        email=user.email,
        kind=NotificationKind.PASSWORD_RESET,
        subject_key=SUBJECT_KEY,
        occurrence=f"{now.astimezone(dt.UTC).isoformat()}-{secrets.token_hex(4)}",
        items=[{"requested_at": now.isoformat()}],
        now=now,
    )
    ids = insert_new(Notification, [row])
    if not _delivery_queues:
        logger.warning("No delivery queue registered: the dispatch sweep will send %s", ids)
    for enqueue in _delivery_queues:
        enqueue(ids)
    return ids[0] if ids else None


def _when(moment: dt.datetime) -> str:
    """ "9:30am on Wednesday 25 November 2026", as a clock in London shows it."""
    local = moment.astimezone(LONDON)
    hour = local.hour % 12 or 12
    clock = f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"
    return f"{clock} on {local:%A} {local.day} {local:%B %Y}"


def build_password_reset_message(
    notification: Notification, headers: dict[str, str]
) -> EmailMultiAlternatives | None:
    """The email with a fresh link, or None: a retry (the stored copy is sent again, the same
    link), or a person who may no longer choose a password (the row is skipped)."""
    if notification.subject:
        return None
    user = notification.recipient
    if not may_reset_password(user):
        return None
    uidb64, token = password_reset_link_parts(user)
    items = notification.items[0] if notification.items else {}
    requested_at = dt.datetime.fromisoformat(items.get("requested_at") or "")
    context = {
        "name": user.name or user.email,
        "email": user.email,
        "requested_at": _when(requested_at),
        "reset_url": absolute(reverse("workspace:password-reset-link", args=[uidb64, token])),
        "request_url": absolute(reverse("workspace:password-reset")),
        "lifetime": password_reset_link_lifetime(),
        "site_url": absolute("/"),
    }
    return make_message("password_reset", user.email, context, headers)
