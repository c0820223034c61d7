"""The sweeps beat starts (``workers.tasks``), called as plain functions, and their schedule.

Beat runs on UTC intervals; whether anything is due is decided in London time by the tasks.
Deliveries are enqueued after commit: these tests run the commit callbacks and use a Celery
app of their own for the broker (eager, a filesystem broker in a temporary folder, or a
broker nobody answers on), made current for the test so the tasks' ``delay`` uses it.
"""

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from notifications.delivery import notification_claim, notification_deliver
from notifications.models import Escalation, Notification, NotificationKind, NotificationStatus
from notifications.services import escalations_queue, notifications_to_dispatch, reminders_queue
from tests.notifications.conftest import TODAY, Clock, SmallPlan, london
from workers import tasks

SATURDAY = dt.date(2026, 11, 28)
CHRISTMAS = dt.date(2026, 12, 25)  # a Friday and a bank holiday
MONDAY_IN_BST = dt.date(2026, 3, 30)  # the first working day after the clocks go forward
# Seven working days before TODAY: overdue day 6, so levels 1 (lead) and 2 (executive) of
# the default milestone ladder are due.
LONG_OVERDUE = dt.date(2026, 11, 16)


@contextmanager
def celery_app(**config: Any) -> Iterator[Celery]:
    """A Celery app of the test's own, current while the block runs, then the real one again."""
    previous = tasks.deliver.app
    app = Celery("tests", set_as_current=False)
    app.conf.update(task_serializer="json", accept_content=["json"], **config)
    app.set_current()
    try:
        yield app
    finally:
        previous.set_current()


@pytest.fixture
def eager_celery() -> Iterator[Celery]:
    """Tasks run where they are enqueued: an enqueued delivery is a delivered email."""
    with celery_app(task_always_eager=True, task_eager_propagates=True) as app:
        yield app


@pytest.fixture
def broker_down() -> Iterator[Celery]:
    """A broker on a port nobody listens on, as when Redis is down."""
    with celery_app(broker_url="redis://127.0.0.1:9/0") as app:
        yield app


@pytest.fixture
def folder_broker(tmp_path: Path) -> Iterator[Celery]:
    """A filesystem broker in a temporary folder (the development broker, not its folder)."""
    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    with celery_app(
        broker_url="filesystem://localhost//",
        broker_transport_options={
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "store_processed": False,
            "control_folder": str(folders["control"]),
        },
    ) as app:
        yield app


def published(app: Celery) -> list[tuple[str, list[Any]]]:
    """The messages waiting on the app's broker (task name and arguments), taken off it."""
    messages = []
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue("celery")
        while True:
            try:
                message = queue.get(block=False)
            except queue.Empty:
                break
            messages.append((message.headers["task"], message.payload[0]))
            message.ack()
        queue.close()
    return messages


def reminders() -> list[Notification]:
    return list(Notification.objects.filter(kind=NotificationKind.REMINDERS).order_by("pk"))


# --- scan_reminders -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(london(SATURDAY, dt.time(10, 0)), id="Saturday"),
        pytest.param(london(CHRISTMAS, dt.time(10, 0)), id="Christmas Day"),
        pytest.param(london(TODAY, dt.time(8, 59, 59)), id="Wednesday before 09:00"),
        pytest.param(london(MONDAY_IN_BST, dt.time(8, 59)), id="08:59 BST (07:59 UTC)"),
    ],
)
def test_scan_reminders_queues_nothing_on_a_day_off_or_before_nine_in_london(
    small_plan: SmallPlan, clock: Clock, moment: dt.datetime
) -> None:
    clock.go_to(moment.date(), moment.timetz())
    small_plan.action(due=moment.date(), start_date=dt.date(2026, 1, 5))

    assert tasks.scan_reminders() == 0

    assert reminders() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(london(TODAY, dt.time(9, 0)), id="Wednesday 09:00 GMT"),
        pytest.param(london(MONDAY_IN_BST, dt.time(9, 0)), id="09:00 BST (08:00 UTC)"),
        pytest.param(london(TODAY, dt.time(17, 45)), id="Wednesday evening"),
    ],
)
def test_scan_reminders_queues_the_days_reminders_from_nine_and_a_second_run_queues_nothing(
    small_plan: SmallPlan, clock: Clock, moment: dt.datetime
) -> None:
    clock.go_to(moment.date(), moment.timetz())
    start = dt.date(2026, 1, 5)
    small_plan.action(due=moment.date(), start_date=start, supporting_owners=[small_plan.supporter])
    small_plan.action(due=moment.date(), start_date=start)

    assert tasks.scan_reminders() == 2
    clock.go_to(moment.date(), (moment + dt.timedelta(minutes=5)).timetz())
    assert tasks.scan_reminders() == 0

    rows = reminders()
    assert {row.recipient for row in rows} == {small_plan.owner, small_plan.supporter}
    assert all(row.occurrence == moment.date().isoformat() for row in rows)
    assert all(row.status == NotificationStatus.QUEUED for row in rows)
    [owners] = [row for row in rows if row.recipient == small_plan.owner]
    assert len(owners.items) == 2


# --- scan_escalations ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(london(SATURDAY, dt.time(10, 0)), id="Saturday"),
        pytest.param(london(TODAY, dt.time(8, 59, 59)), id="Wednesday before 09:00"),
    ],
)
def test_scan_escalations_tells_nobody_on_a_day_off_or_before_nine_in_london(
    small_plan: SmallPlan, clock: Clock, moment: dt.datetime
) -> None:
    small_plan.milestone(due=LONG_OVERDUE)
    clock.go_to(moment.date(), moment.timetz())

    assert tasks.scan_escalations() == 0

    assert not Escalation.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_the_days_scan_tells_each_level_due_from_nine_in_the_days_email_and_only_once(
    small_plan: SmallPlan, clock: Clock
) -> None:
    milestone = small_plan.milestone(due=LONG_OVERDUE)
    clock.go_to(TODAY, dt.time(9, 0))

    # The escalation scan only closes escalations: the ladder climbs in the day's scan, so
    # that what escalates to a person is in their one email of the day.
    assert tasks.scan_escalations() == 0
    assert not Escalation.objects.exists()
    # One email to the lead (level 1), one to each of the two executive members (level 2).
    assert tasks.scan_reminders() == 3
    clock.go_to(TODAY, dt.time(9, 5))
    assert tasks.scan_reminders() == 0
    assert tasks.scan_escalations() == 0

    assert sorted(Escalation.objects.values_list("milestone", "level")) == [
        (milestone.pk, 1),
        (milestone.pk, 2),
    ]
    assert not Notification.objects.filter(kind=NotificationKind.ESCALATION).exists()
    emails = Notification.objects.filter(kind=NotificationKind.REMINDERS)
    assert sorted(emails.values_list("recipient", flat=True)) == sorted(
        [small_plan.lead.pk, *(member.pk for member in small_plan.executive)]
    )
    assert {item["reason"] for row in emails for item in row.items} == {"escalated"}


@pytest.mark.django_db
def test_scan_escalations_closes_the_escalation_of_an_achieved_milestone_even_on_a_saturday(
    small_plan: SmallPlan, clock: Clock
) -> None:
    milestone = small_plan.milestone(due=LONG_OVERDUE)
    escalations_queue(today=TODAY)
    milestone.achieved_on = dt.date(2026, 11, 27)
    milestone.save()
    saturday = clock.go_to(SATURDAY, dt.time(10, 0))

    assert tasks.scan_escalations() == 0

    assert Escalation.objects.count() == 2
    assert set(Escalation.objects.values_list("resolved_at", flat=True)) == {saturday}


# --- dispatch_queued and the enqueueing after commit ------------------------------------


@pytest.mark.django_db
def test_dispatch_queued_enqueues_only_queued_rows_past_the_grace_period(
    small_plan: SmallPlan,
    clock: Clock,
    settings: Settings,
    eager_celery: Celery,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.NOTIFICATIONS_DISPATCH_GRACE_SECONDS = 60
    small_plan.action(due=TODAY, supporting_owners=[small_plan.supporter])
    # 09:00: the sweep queued the owner's and the supporter's reminders, but their delivery
    # tasks were lost (the commit callbacks never ran). The supporter's has since been sent.
    clock.go_to(TODAY, dt.time(9, 0))
    reminders_queue(today=TODAY)
    [supporters] = [row for row in reminders() if row.recipient == small_plan.supporter]
    assert notification_deliver(notification_id=supporters.pk) == "sent"
    # 09:29:30: a new action, and the next sweep queues its owner's reminder (still fresh).
    clock.go_to(TODAY, dt.time(9, 29, 30))
    small_plan.action(due=TODAY, owner=small_plan.lead)
    reminders_queue(today=TODAY)
    mail.outbox.clear()

    clock.go_to(TODAY, dt.time(9, 30))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch_queued() == 1

    assert [message.to for message in mail.outbox] == [[small_plan.owner.email]]
    assert {row.to_email: row.status for row in reminders()} == {
        small_plan.owner.email: NotificationStatus.SENT,
        small_plan.supporter.email: NotificationStatus.SENT,
        small_plan.lead.email: NotificationStatus.QUEUED,
    }

    clock.go_to(TODAY, dt.time(9, 30, 30))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch_queued() == 1
    assert [message.to for message in mail.outbox[1:]] == [[small_plan.lead.email]]
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch_queued() == 0


@pytest.mark.django_db
def test_the_scans_emails_go_out_once_the_sweep_has_committed(
    small_plan: SmallPlan,
    clock: Clock,
    eager_celery: Celery,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    small_plan.action(due=TODAY, title="Publish the local offer")

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.scan_reminders() == 1
        assert mail.outbox == []  # nothing leaves before the commit

    [email] = mail.outbox
    assert email.to == [small_plan.owner.email]
    assert "Publish the local offer" in str(email.body)
    [row] = reminders()
    assert row.status == NotificationStatus.SENT


@pytest.mark.django_db
def test_the_scan_puts_one_delivery_per_new_row_on_the_broker_after_commit_and_no_more(
    small_plan: SmallPlan,
    clock: Clock,
    folder_broker: Celery,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    small_plan.action(due=TODAY, supporting_owners=[small_plan.supporter])

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.scan_reminders() == 2
        assert published(folder_broker) == []

    ids = sorted(row.pk for row in reminders())
    messages = published(folder_broker)
    assert sorted(messages) == [("notifications.deliver", [pk]) for pk in ids]
    # Nobody has consumed them yet: the rows wait, queued, for a worker.
    assert {row.status for row in reminders()} == {NotificationStatus.QUEUED}

    clock.go_to(TODAY, dt.time(9, 35))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.scan_reminders() == 0
    assert published(folder_broker) == []


@pytest.mark.django_db
def test_with_the_broker_down_the_scan_succeeds_and_its_rows_wait_for_the_dispatch_sweep(
    small_plan: SmallPlan,
    clock: Clock,
    broker_down: Celery,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    caplog: pytest.LogCaptureFixture,
    settings: Settings,
) -> None:
    small_plan.action(due=TODAY)

    with (
        caplog.at_level(logging.WARNING, logger="workers.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.scan_reminders() == 1

    [row] = reminders()
    assert row.status == NotificationStatus.QUEUED
    assert row.attempts == 0
    assert (
        "The broker is unreachable: the dispatch sweep will send the 1 queued notification(s) left"
        in caplog.messages
    )
    assert mail.outbox == []
    # Once the grace period is over the dispatch sweep offers it again (and, with the
    # broker still down, again leaves it queued rather than failing).
    later = london(TODAY) + dt.timedelta(seconds=settings.NOTIFICATIONS_DISPATCH_GRACE_SECONDS)
    clock.go_to(TODAY, later.timetz())
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.dispatch_queued() == 1
    assert reminders()[0].status == NotificationStatus.QUEUED


# --- reconcile ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_reconcile_sweep_puts_a_row_abandoned_mid_send_back_in_the_queue(
    small_plan: SmallPlan, clock: Clock, settings: Settings
) -> None:
    small_plan.action(due=TODAY)
    [notification_id] = reminders_queue(today=TODAY).queued_ids
    assert notification_claim(notification_id=notification_id, now=london(TODAY))
    assert tasks.reconcile() == 0

    later = london(TODAY) + dt.timedelta(seconds=settings.NOTIFICATIONS_STUCK_AFTER_SECONDS + 1)
    clock.go_to(TODAY, later.timetz())
    assert tasks.reconcile() == 1

    assert Notification.objects.get(pk=notification_id).status == NotificationStatus.QUEUED


# --- the schedule -------------------------------------------------------------------------


def installed() -> list[tuple[Any, ...]]:
    """Each sweep's name, task, interval, whether enabled, and its row's id and last change."""
    return [
        (
            task.name,
            task.task,
            task.interval.every,
            task.interval.period,
            task.enabled,
            task.pk,
            task.date_changed,
        )
        for task in PeriodicTask.objects.select_related("interval").order_by("name")
        if task.interval is not None
    ]


@pytest.mark.django_db
def test_setup_periodic_tasks_installs_the_six_sweeps_and_a_second_run_changes_nothing(
    settings: Settings,
) -> None:
    first = StringIO()
    call_command("setup_periodic_tasks", stdout=first)
    after_first = installed()
    intervals = list(IntervalSchedule.objects.order_by("pk").values_list("pk", "every", "period"))

    second = StringIO()
    call_command("setup_periodic_tasks", stdout=second)

    scan = settings.NOTIFICATIONS_SCAN_EVERY_SECONDS
    assert [row[:5] for row in after_first] == [
        (
            "Delete expired sign-in records",
            "accounts.delete_expired_sign_in_records",
            86400,
            "seconds",
            True,
        ),
        ("Dispatch queued notifications", "notifications.dispatch_queued", 60, "seconds", True),
        ("Reconcile stuck notifications", "notifications.reconcile", 300, "seconds", True),
        ("Scan digests", "digests.scan_digests", scan, "seconds", True),
        ("Scan escalations", "notifications.scan_escalations", scan, "seconds", True),
        ("Scan reminders", "notifications.scan_reminders", scan, "seconds", True),
    ]
    assert PeriodicTask.objects.count() == 6
    added = first.getvalue().splitlines()
    assert len(added) == 6
    assert all(line.startswith("added: ") for line in added), added
    assert installed() == after_first
    assert (
        list(IntervalSchedule.objects.order_by("pk").values_list("pk", "every", "period"))
        == intervals
    )
    lines = second.getvalue().splitlines()
    assert len(lines) == 6
    assert all(line.startswith("unchanged: ") for line in lines), lines


@pytest.mark.django_db
def test_a_retry_is_dispatched_as_soon_as_its_wait_is_over(
    small_plan: SmallPlan, clock: Clock, settings: Settings
) -> None:
    settings.NOTIFICATIONS_DISPATCH_GRACE_SECONDS = 60
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    small_plan.action(due=TODAY)
    clock.go_to(TODAY, dt.time(9, 0))
    [row_id] = reminders_queue(today=TODAY).queued_ids
    # The first attempt met a 4xx and was put back to wait one minute.
    Notification.objects.filter(pk=row_id).update(
        attempts=1,
        last_error="451 4.3.0 Try again later",
        next_attempt_at=london(TODAY, dt.time(9, 1)),
    )

    clock.go_to(TODAY, dt.time(9, 0, 59))
    assert notifications_to_dispatch(now=timezone.now()) == []
    # Not a minute later, as a fresh row would be: its wait was the backoff.
    clock.go_to(TODAY, dt.time(9, 1))
    assert notifications_to_dispatch(now=timezone.now()) == [row_id]
