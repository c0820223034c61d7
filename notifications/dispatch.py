"""Rows nobody is delivering: the lost, the retrying and the stuck, found by short sweeps.

Delivery itself (claim, send, record) is ``notifications.delivery``; this module finds the
rows that need it again, so losing the broker or a worker loses nothing.
"""

import datetime as dt
import logging
from collections.abc import Sequence

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from notifications.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)


def notifications_to_dispatch(*, now: dt.datetime, limit: int = 500) -> list[int]:
    """Queued rows whose time has come and that nobody enqueued: lost or retrying ones.

    A grace period leaves fresh rows to the delivery enqueued after their sweep's commit.
    """
    grace = dt.timedelta(seconds=settings.NOTIFICATIONS_DISPATCH_GRACE_SECONDS)
    return list(
        Notification.objects.filter(
            Q(attempts=0, next_attempt_at__lte=now - grace)
            # A retry is due when its wait is over; nothing else will enqueue it.
            | Q(attempts__gt=0, next_attempt_at__lte=now),
            status=NotificationStatus.QUEUED,
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def notifications_reconcile(*, now: dt.datetime) -> int:
    """Rows stuck in "sending" (their worker died mid-send) go back to the queue, or fail.

    A row stuck that long may or may not have reached the mail server: it is sent again
    (with the same Message-ID, so mail programs can drop a copy) rather than lost.
    """
    stuck_before = now - dt.timedelta(seconds=settings.NOTIFICATIONS_STUCK_AFTER_SECONDS)
    stuck = Notification.objects.filter(
        status=NotificationStatus.SENDING, claimed_at__lt=stuck_before
    )
    error = "The worker stopped while sending; sending again."
    requeued = stuck.filter(attempts__lt=settings.NOTIFICATIONS_MAX_ATTEMPTS).update(
        status=NotificationStatus.QUEUED, next_attempt_at=now, last_error=error, updated_at=now
    )
    failed = stuck.update(
        status=NotificationStatus.FAILED,
        last_error="The worker stopped while sending, on the last allowed attempt.",
        updated_at=now,
    )
    if requeued or failed:
        logger.warning("Reconciled stuck notifications: %s re-queued, %s failed", requeued, failed)
    return requeued + failed


def notifications_requeue(*, ids: Sequence[int], now: dt.datetime | None = None) -> list[int]:
    """Failed rows go back to the queue for a fresh set of attempts (an operator's choice)."""
    now = now or timezone.now()
    failed = list(
        Notification.objects.filter(pk__in=ids, status=NotificationStatus.FAILED).values_list(
            "pk", flat=True
        )
    )
    Notification.objects.filter(pk__in=failed, status=NotificationStatus.FAILED).update(
        status=NotificationStatus.QUEUED, attempts=0, next_attempt_at=now, updated_at=now
    )
    return failed
