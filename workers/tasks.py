"""Thin Celery tasks: each takes ids, calls one service and holds only its retry policy.

Beat starts only the short sweeps (``workers.schedule``); the database decides what is sent,
so a lost message or a second beat loses or repeats nothing.
"""

import logging
from collections.abc import Iterable

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.sign_in_records import sign_in_records_delete_expired
from digests.periods import digest_day
from digests.services import digests_queue
from notifications import delivery, services

logger = logging.getLogger(__name__)


@shared_task(name="workers.ping")
def ping() -> str:
    """Answers 'pong': lets an operator (and a test) prove a worker is consuming the broker."""
    return "pong"


def enqueue_deliveries(notification_ids: Iterable[int]) -> None:
    """After commit, one delivery task per new ledger row.

    If the broker is down the rows stay queued and the dispatch sweep sends them later: the
    first failed publish stops the loop, so an outage costs one timeout, not one per row.
    """
    ids = list(notification_ids)

    def send() -> None:
        for position, notification_id in enumerate(ids):
            try:
                deliver.delay(notification_id)
            except Exception:  # the broker is unreachable: the dispatch sweep will find them
                logger.warning(
                    "The broker is unreachable: the dispatch sweep will send the %s "
                    "queued notification(s) left",
                    len(ids) - position,
                )
                return

    if ids:
        transaction.on_commit(send)


@shared_task(name="notifications.scan_reminders", acks_late=True)
def scan_reminders() -> int:
    """The day's sweep: the escalation ladder, then the reminders, one email per person."""
    now = timezone.now()
    today = services.sending_day(now)
    if today is None:
        return 0
    result = services.day_queue(today=today, now=now)
    enqueue_deliveries(result.queued_ids)
    return len(result.queued_ids)


@shared_task(name="notifications.scan_escalations", acks_late=True)
def scan_escalations() -> int:
    """Closes the escalations of finished items, on any day; queues no email.

    The ladder climbs in the day's sweep (``scan_reminders``), so that what escalates to a
    person comes in their one email of the day rather than in a second one.
    """
    services.escalations_resolve(now=timezone.now())
    return 0


@shared_task(name="digests.scan_digests", acks_late=True)
def scan_digests() -> int:
    now = timezone.now()
    today = digest_day(now)
    if today is None:
        return 0
    result = digests_queue(today=today, now=now)
    enqueue_deliveries(result.queued_ids)
    return len(result.queued_ids)


@shared_task(name="notifications.dispatch_queued", acks_late=True)
def dispatch_queued() -> int:
    ids = services.notifications_to_dispatch(now=timezone.now())
    enqueue_deliveries(ids)
    return len(ids)


@shared_task(name="notifications.reconcile", acks_late=True)
def reconcile() -> int:
    return services.notifications_reconcile(now=timezone.now())


@shared_task(name="accounts.delete_expired_sign_in_records", acks_late=True)
def delete_expired_sign_in_records() -> int:
    return sign_in_records_delete_expired(now=timezone.now())


# Late acknowledgement: a worker killed mid-send leaves the message to be redelivered, and
# the claim on the row makes the redelivery harmless. The hard limit is well past
# EMAIL_TIMEOUT and short of the reconcile sweep's idea of "stuck".
@shared_task(
    name="notifications.deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.EMAIL_TIMEOUT * 4,
    time_limit=settings.EMAIL_TIMEOUT * 4 + 30,
)
def deliver(notification_id: int) -> str:
    return delivery.notification_deliver(notification_id=notification_id)
