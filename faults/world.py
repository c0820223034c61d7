"""The harness's data, written through the ORM once Django is set up on the harness's database.

One active plan; for each fault a fresh batch of owners, each with one action due today, so
the reminder sweep queues exactly one email per owner; and a few people who report progress
through the API on actions due long after today (no reminder is due for those).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connections, transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts.models import User
from accounts.tokens import create_token
from actions.dates import add_working_days
from actions.models import (
    Action,
    Board,
    BoardAudience,
    Plan,
    PlanStatus,
    PlanType,
    ProgressUpdate,
    Recommendation,
)
from notifications.models import Notification

SWEEPS = [
    "notifications.scan_reminders",
    "notifications.scan_escalations",
    "notifications.dispatch_queued",
    "notifications.reconcile",
]
DOMAIN = "faults.example.gov.uk"
PASSWORD = "correct horse battery staple"

T = TypeVar("T")


def with_database(read: Callable[[], T], *, attempts: int = 120) -> T:
    """Runs ``read``; while the harness's own PostgreSQL is coming back, waits and reconnects."""
    for attempt in range(attempts):
        try:
            return read()
        except (OperationalError, InterfaceError):
            connections.close_all()
            if attempt == attempts - 1:
                raise
            import time

            time.sleep(0.5)
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Reporter:
    email: str
    token: str
    action_id: int


@dataclass(frozen=True)
class LedgerRow:
    email: str
    status: str
    attempts: int
    message_id: str
    last_error: str


class World:
    def __init__(self, *, now: dt.datetime, sweep_seconds: int, reporters: int) -> None:
        today = self.today = now.date()
        fast, _ = IntervalSchedule.objects.get_or_create(
            every=sweep_seconds, period=IntervalSchedule.SECONDS
        )
        # Beat takes a sweep that never ran as last run when it was changed: by the real clock,
        # hours after the pinned one. Marked as run a minute before the pinned clock starts,
        # every sweep is due at once.
        changed = PeriodicTask.objects.filter(task__in=SWEEPS).update(
            interval=fast, last_run_at=now - dt.timedelta(minutes=1)
        )
        if changed != len(SWEEPS):
            raise RuntimeError(f"expected {len(SWEEPS)} sweeps in the schedule, found {changed}")
        plan_type, _ = PlanType.objects.get_or_create(
            slug="written-statement-of-action",
            defaults={"name": "Written Statement of Action (WSOA)"},
        )
        board = Board.objects.create(
            name="SEND Executive", slug="faults-send-executive", audience=BoardAudience.EXECUTIVE
        )
        self.plan = Plan.objects.create(
            title="Faultshire SEND Written Statement of Action",
            slug="faultshire-wsoa",
            plan_type=plan_type,
            local_area="Faultshire",
            start_date=dt.date(today.year - 1, 1, 1),
            end_date=dt.date(today.year + 1, 12, 31),
            status=PlanStatus.ACTIVE,
            board=board,
        )
        lead = User.objects.create_user(email=f"lead@{DOMAIN}", name="Lena Lead")
        self.recommendation = Recommendation.objects.create(
            plan=self.plan, number=1, title="Improve the timeliness of EHC plans", lead=lead
        )
        # Due well past every reminder offset (10 and 3 working days): no email for these.
        later = add_working_days(today, 25)
        self.reporters = []
        for number in range(reporters):
            owner = User.objects.create_user(
                email=f"reporter{number}@{DOMAIN}", name=f"Reporter {number}", password=PASSWORD
            )
            action = Action.objects.create(
                plan=self.plan,
                recommendation=self.recommendation,
                reference=f"R.{number + 1}",
                title=f"Reported on through the API ({number + 1})",
                owner=owner,
                due_date=later,
            )
            _, secret = create_token(user=owner, name="Fault harness")
            self.reporters.append(Reporter(owner.email, secret, action.pk))

    def batch(self, fault: str, owners: int) -> list[str]:
        """``owners`` new people with one action due today each: one reminder email each."""
        emails = [f"{fault}-{number:03}@{DOMAIN}" for number in range(owners)]

        def create() -> None:
            with transaction.atomic():
                for number, address in enumerate(emails):
                    owner = User.objects.create_user(
                        email=address, name=f"{fault.title()} Owner {number}"
                    )
                    Action.objects.create(
                        plan=self.plan,
                        recommendation=self.recommendation,
                        reference=f"{fault}.{number + 1}",
                        title=f"Publish the local offer pages ({fault} {number + 1})",
                        owner=owner,
                        due_date=self.today,
                    )

        with_database(create)
        return emails


def ledger(emails: list[str]) -> list[LedgerRow]:
    def read() -> list[LedgerRow]:
        rows = Notification.objects.filter(recipient__email__in=emails).values_list(
            "recipient__email", "status", "attempts", "message_id", "last_error"
        )
        return [LedgerRow(*row) for row in rows]

    return with_database(read)


def stored_updates(prefix: str) -> set[str]:
    def read() -> set[str]:
        return set(
            ProgressUpdate.objects.filter(commentary__startswith=prefix).values_list(
                "commentary", flat=True
            )
        )

    return with_database(read)


def all_owner_emails() -> set[str]:
    return with_database(lambda: set(User.objects.values_list("email", flat=True)))
