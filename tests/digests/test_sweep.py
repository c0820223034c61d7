"""The digest sweep beat starts (``workers.tasks.scan_digests``): when it sends, and only once.

Deliveries are enqueued after commit: the commit callbacks are run on a Celery app of the
test's own that runs tasks where they are enqueued, so an enqueued delivery is an email in
``mail.outbox``.
"""

import datetime as dt
from collections.abc import Iterator

import pytest
from celery import Celery
from django.core import mail
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from actions.dates import LONDON
from actions.models import Action, PlanStatus
from digests.models import DigestSnapshot
from digests.periods import digest_day
from notifications.delivery import notification_deliver
from notifications.models import Notification, NotificationStatus
from tests.digests.conftest import MONDAY, Clock, World
from tests.notifications.smtp import SmtpServer, running_smtp_server, text_and_html
from workers import tasks

TUESDAY = dt.date(2026, 12, 1)
MONDAY_IN_BST = dt.date(2026, 3, 30)  # the first Monday after the clocks go forward


@pytest.fixture
def eager_celery() -> Iterator[Celery]:
    previous = tasks.deliver.app
    app = Celery("tests", set_as_current=False)
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    app.set_current()
    try:
        yield app
    finally:
        previous.set_current()


def scan(captured: DjangoCaptureOnCommitCallbacks) -> int:
    with captured(execute=True):
        return tasks.scan_digests()


def utc(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_the_monday_sweep_sends_each_member_one_email_and_a_second_sweep_sends_nothing(
    world: World,
    clock: Clock,
    eager_celery: Celery,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    clock.go_to(MONDAY, dt.time(8, 5))
    mail.outbox.clear()

    assert scan(django_capture_on_commit_callbacks) == 4
    assert sorted(m.to[0] for m in mail.outbox) == [
        "cllr.member@northshire.gov.uk",
        "eddie.exec@icb.example",
        "erin.exec@northshire.gov.uk",
        "fay@parents.example",
    ]
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}

    # Later the same morning, and the next day: nothing new is built or sent.
    clock.go_to(MONDAY, dt.time(8, 10))
    assert scan(django_capture_on_commit_callbacks) == 0
    clock.go_to(TUESDAY, dt.time(8, 30))
    assert scan(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 4
    assert Notification.objects.count() == 4
    assert DigestSnapshot.objects.count() == 3


@pytest.mark.django_db
def test_a_rerun_of_the_service_itself_in_the_same_week_adds_no_row_and_no_snapshot(
    world: World, clock: Clock
) -> None:
    from digests.services import digests_queue

    first = digests_queue(today=MONDAY, now=clock.go_to(MONDAY))
    # As if a second beat raced the first: the period is compiled and queued, nothing added.
    DigestSnapshot.objects.update(queued_at=None)
    second = digests_queue(today=MONDAY, now=clock.go_to(MONDAY, dt.time(9)))

    assert len(first.queued_ids) == 4
    assert second.queued_ids == []
    assert sorted(second.snapshot_ids) == sorted(first.snapshot_ids)
    assert Notification.objects.count() == 4


@pytest.mark.django_db
def test_nothing_is_sent_before_the_digest_time_or_on_another_day_or_for_a_closed_plan(
    world: World,
    clock: Clock,
    eager_celery: Celery,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    clock.go_to(MONDAY, dt.time(7, 59))
    assert scan(django_capture_on_commit_callbacks) == 0
    clock.go_to(dt.date(2026, 12, 2), dt.time(8, 30))  # a Wednesday
    assert scan(django_capture_on_commit_callbacks) == 0
    world.plan.status = PlanStatus.CLOSED
    world.plan.save()
    clock.go_to(MONDAY, dt.time(8, 30))
    assert scan(django_capture_on_commit_callbacks) == 0
    assert Notification.objects.count() == 0
    assert DigestSnapshot.objects.count() == 0


@pytest.mark.django_db
def test_the_day_and_time_come_from_the_settings(
    world: World,
    clock: Clock,
    settings: Settings,
    eager_celery: Celery,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.DIGEST_WEEKDAY = "wednesday"
    settings.DIGEST_TIME = "13:30"
    clock.go_to(MONDAY, dt.time(13, 45))
    assert scan(django_capture_on_commit_callbacks) == 0
    clock.go_to(dt.date(2026, 12, 2), dt.time(13, 29))
    assert scan(django_capture_on_commit_callbacks) == 0
    clock.go_to(dt.date(2026, 12, 2), dt.time(13, 30))
    assert scan(django_capture_on_commit_callbacks) == 4
    assert DigestSnapshot.objects.get(audience="executive").as_of == dt.date(2026, 12, 2)


def test_monday_eight_in_london_is_eight_utc_in_winter_and_seven_utc_in_summer(
    settings: Settings,
) -> None:
    settings.DIGEST_WEEKDAY = "monday"
    settings.DIGEST_TIME = "08:00"

    assert digest_day(utc(MONDAY, 7, 59)) is None
    assert digest_day(utc(MONDAY, 8, 0)) == MONDAY
    # British Summer Time: 07:00 UTC is already 08:00 in London.
    assert digest_day(utc(MONDAY_IN_BST, 6, 59)) is None
    assert digest_day(utc(MONDAY_IN_BST, 7, 0)) == MONDAY_IN_BST
    # Late on Sunday night in UTC is not Monday in London in winter, but is in summer.
    assert digest_day(utc(dt.date(2026, 3, 29), 23, 30)) is None
    assert utc(dt.date(2026, 3, 29), 23, 30).astimezone(LONDON).weekday() == 0


@pytest.mark.django_db
def test_the_sweep_sends_at_eight_london_time_on_both_sides_of_the_clock_change(
    world: World,
    clock: Clock,
    eager_celery: Celery,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    for day, hour in ((MONDAY_IN_BST, 7), (MONDAY, 8)):  # 08:00 BST, then 08:00 GMT
        clock.at(utc(day, hour - 1, 59))
        assert scan(django_capture_on_commit_callbacks) == 0
        clock.at(utc(day, hour, 0))
        assert scan(django_capture_on_commit_callbacks) == 4
        assert timezone.localtime(timezone.now(), LONDON).time() == dt.time(8, 0)
    assert sorted(
        DigestSnapshot.objects.order_by("period").values_list("period", flat=True).distinct()
    ) == [
        "2026-W14",
        "2026-W49",
    ]


@pytest.fixture
def smtp(settings: Settings) -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = server.host
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        yield server


@pytest.mark.e2e
@pytest.mark.django_db
def test_a_retry_sends_the_same_digest_with_the_same_chart_and_spreadsheet(
    world: World, clock: Clock, smtp: SmtpServer
) -> None:
    from digests.services import digests_queue

    digests_queue(today=MONDAY, now=clock.go_to(MONDAY))
    row = Notification.objects.filter(kind="digest").order_by("pk").first()
    assert row is not None
    smtp.handler.defer_data = 1
    assert notification_deliver(notification_id=row.pk) == "retrying"

    # The plan changes before the retry: the email still says what the snapshot said.
    Action.objects.filter(plan=world.plan).update(title="Renamed meanwhile")
    row.refresh_from_db()
    clock.at(row.next_attempt_at)
    assert notification_deliver(notification_id=row.pk) == "sent"

    deferred, delivered = smtp.handler.attempts
    assert delivered["Subject"] == deferred["Subject"]
    assert delivered["Message-ID"] == deferred["Message-ID"]
    assert text_and_html(delivered) == text_and_html(deferred)
    assert "Renamed meanwhile" not in text_and_html(delivered)[0]

    def payloads(message: object) -> list[tuple[str, bytes]]:
        return [
            (part.get_content_type(), part.get_payload(decode=True))
            for part in message.walk()  # type: ignore[attr-defined]
            if part.get_content_maintype() in ("image", "application")
        ]

    assert payloads(delivered) == payloads(deferred)
    assert [kind for kind, _ in payloads(delivered)] == [
        "image/png",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
