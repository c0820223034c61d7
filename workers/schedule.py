"""The beat schedule as code, installed by ``manage.py setup_periodic_tasks``.

Every entry is a short sweep on a fixed interval (UTC, no local times): the sweeps decide
in Europe/London time whether anything is due.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Sweep:
    name: str
    task: str
    every_seconds: int
    description: str


def sweeps() -> list[Sweep]:
    scan = settings.NOTIFICATIONS_SCAN_EVERY_SECONDS
    return [
        Sweep(
            "Scan reminders",
            "notifications.scan_reminders",
            # Sends nothing before the send time on a working day, so checking often costs
            # little and means the day's reminders leave within minutes of it.
            scan,
            "Queues each person's one email a working day: escalations, then reminders.",
        ),
        Sweep(
            "Scan escalations",
            "notifications.scan_escalations",
            scan,
            "Closes the escalations of finished items (the ladder climbs in the reminder scan).",
        ),
        Sweep(
            "Scan digests",
            "digests.scan_digests",
            # Compiles only on the digest weekday after the digest time, once per board and
            # period; on other days and after that it reads one small query and stops.
            scan,
            "Compiles and queues each board's digest, briefing or summary once per period.",
        ),
        Sweep(
            "Dispatch queued notifications",
            "notifications.dispatch_queued",
            60,
            "Enqueues ledger rows whose delivery was lost or whose retry is due.",
        ),
        Sweep(
            "Reconcile stuck notifications",
            "notifications.reconcile",
            300,
            "Re-queues rows left 'sending' by a worker that died.",
        ),
        Sweep(
            "Delete expired sign-in records",
            "accounts.delete_expired_sign_in_records",
            # Records expire by whole London days, so once a day is often enough; a run
            # finds nothing to delete until the next day's records have aged out.
            24 * 60 * 60,
            "Deletes sign-in records older than SIGN_IN_RECORDS_KEEP_DAYS.",
        ),
    ]
