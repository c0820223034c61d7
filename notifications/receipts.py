"""Delivery receipts: what became of an email the provider (GOV.UK Notify) accepted.

Notify posts one receipt per email when it knows the outcome. A receipt can come twice, out of
order, or before our own record that the email was sent has been written, so recording one is
a conditional UPDATE that only ever moves a row forward: a row without a delivery status takes
the receipt's; a row with one takes a different status only from a receipt completed later.
The same receipt again changes nothing.

A permanent failure marks the address as not reachable (``notifications.reachability``): the
engine sends nothing more to it. A delivery to an address completed after its mark was made
shows the inbox works, and clears the mark.
"""

import datetime as dt
import enum
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from notifications.models import DeliveryStatus, Notification
from notifications.notify_channel import FINAL_STATUSES, notify_reference
from notifications.reachability import address_clear, address_mark_unreachable

logger = logging.getLogger(__name__)

# Notify's words for the outcome of an email, and ours (the channel's own table).
NOTIFY_STATUSES = FINAL_STATUSES
# ``notify_reference``: "<host>/notification-<id>-<created, UTC, to the second>".
_REFERENCE = re.compile(r"/notification-(?P<pk>\d+)-\d{8}T\d{6}$")
_REASONS: dict[str, str] = {
    DeliveryStatus.PERMANENT_FAILURE: "GOV.UK Notify: permanent failure (the address does not "
    "exist, or its mail server refuses mail for it).",
}
# Longer than any id or reference Notify sends; a longer one is not a receipt of ours.
_MAX_ID = 100
_MAX_REFERENCE = 1000


class ReceiptInvalid(ValueError):
    """A body that is not a delivery receipt; ``errors`` says what is wrong, by field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Receipt:
    provider_id: str
    reference: str
    status: str  # a DeliveryStatus value
    to: str
    completed_at: dt.datetime | None


class Outcome(enum.StrEnum):
    RECORDED = "recorded"
    UNCHANGED = "already recorded"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ReceiptResult:
    outcome: Outcome
    notification_id: int | None = None
    address_marked: bool = False


def _text(data: dict[str, Any], name: str, errors: dict[str, list[str]], limit: int) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = ["Give a string."]
        return ""
    if len(value) > limit:
        errors[name] = [f"Give at most {limit} characters."]
        return ""
    return value.strip()


def _moment(data: dict[str, Any], name: str, errors: dict[str, list[str]]) -> dt.datetime | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        errors[name] = ["Give a time such as 2026-11-25T09:30:00.000000Z, or null."]
        return None
    # Notify's times end in Z; one without an offset is taken as UTC, as Notify means it.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def receipt_from(data: Any) -> Receipt:
    """The receipt in a callback's JSON body, or ``ReceiptInvalid`` saying what is wrong."""
    if not isinstance(data, dict):
        raise ReceiptInvalid({"non_field_errors": ["Send a JSON object, one receipt per request."]})
    errors: dict[str, list[str]] = {}
    provider_id = _text(data, "id", errors, _MAX_ID)
    reference = _text(data, "reference", errors, _MAX_REFERENCE)
    to = _text(data, "to", errors, 320)
    completed_at = _moment(data, "completed_at", errors)
    if not provider_id and "id" not in errors:
        errors["id"] = ["Give Notify's id of the email."]
    raw_status = data.get("status")
    status = NOTIFY_STATUSES.get(raw_status) if isinstance(raw_status, str) else None
    if status is None:
        errors["status"] = [f"Give one of: {', '.join(NOTIFY_STATUSES)}."]
    if errors:
        raise ReceiptInvalid(errors)
    assert status is not None
    return Receipt(
        provider_id=provider_id,
        reference=reference,
        status=status,
        to=to,
        completed_at=completed_at,
    )


def row_for_receipt(receipt: Receipt) -> Notification | None:
    """The ledger row a receipt is about: by Notify's id, else by the reference we sent."""
    row = Notification.objects.filter(provider_id=receipt.provider_id).first()
    if row is None and receipt.reference:
        row = _row_by_reference(receipt.reference)
    return row


def _row_by_reference(reference: str) -> Notification | None:
    """The row whose ``notify_reference`` this is, if it is one of this installation's."""
    match = _REFERENCE.search(reference)
    if match is None:
        return None
    row = Notification.objects.filter(pk=int(match["pk"])).first()
    # The whole reference must be the row's: the same id in another installation sharing the
    # Notify service, or in a database made again from scratch, is another email.
    return row if row is not None and notify_reference(row) == reference else None


def receipt_record(*, receipt: Receipt, now: dt.datetime) -> ReceiptResult:
    """Records the receipt on its row, once, never moving a row back to an older outcome."""
    row = row_for_receipt(receipt)
    if row is None:
        logger.warning(
            "A delivery receipt for an email we have no record of: Notify id %s, reference %r",
            receipt.provider_id,
            receipt.reference,
        )
        return ReceiptResult(Outcome.UNKNOWN)
    with transaction.atomic():
        # Matched by reference before our own "sent" write: keep Notify's id for next time.
        Notification.objects.filter(pk=row.pk, provider_id="").update(
            provider_id=receipt.provider_id
        )
        moved, marked = delivery_status_record(
            notification=row,
            status=receipt.status,
            at=receipt.completed_at or now,
            now=now,
            email=row.to_email or receipt.to,
        )
    return ReceiptResult(
        Outcome.RECORDED if moved else Outcome.UNCHANGED, row.pk, address_marked=marked
    )


def delivery_status_record(
    *, notification: Notification, status: str, at: dt.datetime, now: dt.datetime, email: str
) -> tuple[bool, bool]:
    """Records what the provider says became of the row's email, and what that says about
    the address: (whether the row moved, whether the address was marked unreachable).

    For a receipt, and for a status learnt any other way (the Notify channel's look-up), so
    that a permanent failure marks the address however it was learnt. Only ever forward: see
    the module's docstring.
    """
    newer = Q(delivery_status_at__lt=at) & ~Q(delivery_status=status)
    with transaction.atomic():
        moved = (
            Notification.objects.filter(pk=notification.pk)
            .filter(Q(delivery_status="") | Q(delivery_status_at__isnull=True) | newer)
            .update(delivery_status=status, delivery_status_at=at, updated_at=now)
        )
        if not moved:
            return False, False
        return True, _follow_up(notification.pk, status, email=email, at=at)


def _follow_up(notification_id: int, status: str, *, email: str, at: dt.datetime) -> bool:
    """What the outcome says about the address; True if it was marked unreachable."""
    if status == DeliveryStatus.PERMANENT_FAILURE:
        marked = address_mark_unreachable(
            email=email,
            since=at,
            reason=_REASONS[DeliveryStatus.PERMANENT_FAILURE],
            notification_id=notification_id,
        )
        if marked:
            logger.warning("Notification %s: %s is not reachable", notification_id, email)
        return marked
    if status == DeliveryStatus.DELIVERED:
        address_clear(email=email, delivered_at=at)
    return False
