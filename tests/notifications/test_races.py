"""Sweeps and deliveries racing each other on real PostgreSQL: each row is handed out once.

Each thread has its own database connection. The threads are released together by a
barrier, and a gate makes the race certain rather than likely: the test holds a lock on the
table the threads write to until every one of them is waiting on it, so they all read the
same state and then all try to write the same rows at once.
"""

import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest
import time_machine
from django.db import connection, transaction
from pytest_django import Settings

from actions.dates import LONDON
from notifications.delivery import notification_deliver
from notifications.models import Escalation, Notification, NotificationKind, NotificationStatus
from notifications.services import escalations_queue, reminders_queue
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MilestoneFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.notifications.smtp import SmtpServer, running_smtp_server

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Races need PostgreSQL (set DATABASE_URL): SQLite serialises every writer.",
    ),
    # Transactional, so that each thread sees what the others commit (the default rules and
    # ladder are put back before every test by tests/conftest.py).
    pytest.mark.django_db(transaction=True),
]

TODAY = dt.date(2026, 11, 25)  # a Wednesday
NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=LONDON)

T = TypeVar("T")


@pytest.fixture(autouse=True)
def timeline() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Statistics views are read once per transaction unless told to look again.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        (count,) = cursor.fetchone() or (0,)
    return int(count)


@contextmanager
def gate(table: str) -> Iterator[None]:
    """Holds every write to ``table`` until the block ends (SELECTs go through)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        yield


def run_together(work: Callable[[], T], *, threads: int, table: str) -> list[T]:
    """Runs ``work`` in so many threads at once, each on its own connection; their results.

    The threads start together and all queue up behind the gate on ``table`` before any of
    them may write to it.
    """
    barrier = threading.Barrier(threads)
    results: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            result = work()
            with lock:
                results.append(result)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    with gate(table):
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 30
        while waiting_on_locks() < threads and not errors:
            assert time.monotonic() < deadline, "the threads never reached the write"
            time.sleep(0.01)
    for worker in workers:
        worker.join(timeout=60)
    assert not any(worker.is_alive() for worker in workers)
    assert errors == [], errors
    return results


@pytest.mark.parametrize("threads", [2, 4])
def test_reminder_sweeps_racing_queue_each_persons_email_once_and_hand_it_out_once(
    threads: int,
) -> None:
    plan = PlanFactory.create()
    owners = [UserFactory.create() for _ in range(12)]
    for owner in owners:
        ActionFactory.create(recommendation__plan=plan, owner=owner, due_date=TODAY)

    results = run_together(
        lambda: reminders_queue(today=TODAY), threads=threads, table="notifications_notification"
    )

    rows = Notification.objects.filter(kind=NotificationKind.REMINDERS)
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(o.pk for o in owners)
    handed_out = [notification_id for result in results for notification_id in result.queued_ids]
    assert sorted(handed_out) == sorted(rows.values_list("pk", flat=True))
    # Every sweep decided the same thing; only one of them inserted (and may enqueue) each row.
    assert all(len(result.due) == len(owners) for result in results)


def test_two_workers_delivering_the_same_row_send_it_once(settings: Settings) -> None:
    owner = UserFactory.create(email="amara.okafor@example.gov.uk")
    ActionFactory.create(owner=owner, due_date=TODAY)
    [notification_id] = reminders_queue(today=TODAY).queued_ids

    with running_smtp_server() as smtp:
        use_smtp(settings, smtp)
        outcomes = run_together(
            lambda: notification_deliver(notification_id=notification_id),
            threads=2,
            table="notifications_notification",
        )

        assert sorted(outcomes) == ["not claimed", "sent"]
        [message] = smtp.handler.accepted
        assert smtp.handler.attempts == [message]
    assert message["To"] == "amara.okafor@example.gov.uk"
    sent = Notification.objects.get(pk=notification_id)
    assert sent.status == NotificationStatus.SENT
    assert sent.attempts == 1


def use_smtp(settings: Settings, smtp: SmtpServer) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp.host
    settings.EMAIL_PORT = smtp.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5


# Seven working days before TODAY: overdue day 6, past levels 1 and 2 of the default
# milestone ladder (0 and 5 days) and level 1 of the action ladder (5 days).
LONG_OVERDUE = dt.date(2026, 11, 16)


def test_escalation_sweeps_racing_record_each_level_once_and_email_each_person_once() -> None:
    executive = [UserFactory.create(), UserFactory.create()]
    plan = PlanFactory.create(board=BoardFactory.create(members=executive))
    recommendations = [RecommendationFactory.create(plan=plan) for _ in range(3)]
    milestones = [
        MilestoneFactory.create(recommendation=recommendation, due_date=LONG_OVERDUE)
        for recommendation in recommendations
    ]
    actions = [
        ActionFactory.create(recommendation=recommendation, due_date=LONG_OVERDUE)
        for recommendation in recommendations
    ]

    results = run_together(
        lambda: escalations_queue(today=TODAY), threads=2, table="notifications_escalation"
    )

    # Milestones: level 1 (the lead) and 2 (the executive); actions: level 1 (the lead).
    expected = {("milestone", m.pk, level) for m in milestones for level in (1, 2)} | {
        ("action", a.pk, 1) for a in actions
    }
    recorded = [
        ("action" if e.action_id else "milestone", e.action_id or e.milestone_id, e.level)
        for e in Escalation.objects.all()
    ]
    assert sorted(recorded) == sorted(expected)
    inserted = [e.pk for result in results for e in result.escalations]
    assert sorted(inserted) == sorted(Escalation.objects.values_list("pk", flat=True))

    emails = Notification.objects.filter(kind=NotificationKind.ESCALATION)
    handed_out = [notification_id for result in results for notification_id in result.queued_ids]
    assert sorted(handed_out) == sorted(emails.values_list("pk", flat=True))
    # Each person hears about each level of each item in one email only.
    told = Counter(
        (email.recipient_id, item["type"], item["id"], item["level"])
        for email in emails
        for item in email.items
    )
    assert told and max(told.values()) == 1
    leads = {r.lead_id for r in recommendations}
    assert {recipient for recipient, *_ in told} == leads | {u.pk for u in executive}
