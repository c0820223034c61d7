"""End to end: reminders and escalations from a real beat and worker to a real SMTP server.

Beat (django-celery-beat's database scheduler) starts the sweeps installed by
``manage.py setup_periodic_tasks``; a thread-pool worker runs them and the deliveries on the
broker the tests are configured for (Redis when REDIS_URL is set, otherwise the filesystem
broker in a temporary VAR_DIR) and sends through SMTP to an aiosmtpd server in this process.
Every process runs on one clock pinned to Wednesday 25 November 2026, 10:00 in London (a
working day, after the 09:00 send time) and ticking from there, so the test does not depend
on the day CI runs it.
"""

import dataclasses
import datetime as dt
import importlib
import io
import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.test import Client, override_settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts.models import User
from actions.dates import LONDON, add_working_days
from actions.models import Action, PlanStatus
from notifications.models import Escalation, Notification, NotificationKind, NotificationStatus
from tests.e2e.mailbox import Mailbox, Received, smtp_server
from tests.e2e.pinned_clock import clock_env
from tests.e2e.processes import Celery, CeleryProcess, SharedDatabase, reset_redis_queue, wait_until
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MilestoneFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
TODAY = NOW.date()
SWEEPS = [
    "notifications.scan_reminders",
    "notifications.scan_escalations",
    "notifications.dispatch_queued",
    "notifications.reconcile",
]
# Every sweep runs every SWEEP_SECONDS. The filesystem broker delivers to a worker at most
# as many messages a second as it has threads, so faster sweeps would queue up.
SWEEP_SECONDS = 2
CONCURRENCY = 8
# A row 'sending' this long lost its worker. Sends here take milliseconds, but the kill test
# holds up to CONCURRENCY sends at the SMTP server before the kill: those must not look stuck
# while the worker that holds them is still alive.
STUCK_AFTER_SECONDS = 6


@dataclasses.dataclass(frozen=True)
class Clock:
    start: dt.datetime
    anchor: float


@pytest.fixture
def clock() -> Iterator[Clock]:
    """This process and every process the test starts read one clock, pinned and ticking."""
    anchor = time.time()
    with time_machine.travel(NOW, tick=True):
        yield Clock(NOW, anchor)


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def celery(tmp_path: Path) -> Iterator[Celery]:
    reset_redis_queue()
    runner = Celery(tmp_path)
    try:
        yield runner
    finally:
        runner.stop_all()
        reset_redis_queue()


def prepare_processes(
    celery: Celery, tmp_path: Path, *, port: int, clock: Clock
) -> tuple[SharedDatabase, str]:
    """Installs the sweeps (every SWEEP_SECONDS) and sets the processes' environment."""
    with override_settings(NOTIFICATIONS_SCAN_EVERY_SECONDS=SWEEP_SECONDS):
        call_command("setup_periodic_tasks", stdout=io.StringIO())
    # Dispatch (60 s) and reconcile (300 s) are fixed in workers/schedule.py.
    fast, _ = IntervalSchedule.objects.get_or_create(
        every=SWEEP_SECONDS, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.filter(task__in=SWEEPS).update(interval=fast)
    assert PeriodicTask.objects.filter(interval=fast, task__in=SWEEPS).count() == len(SWEEPS)

    database = SharedDatabase(tmp_path)
    celery.env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": database.hand_over(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": "false",
        "NOTIFICATIONS_SEND_TIME": "09:00",
        "NOTIFICATIONS_STUCK_AFTER_SECONDS": str(STUCK_AFTER_SECONDS),
        "NOTIFICATIONS_DISPATCH_GRACE_SECONDS": str(SWEEP_SECONDS),
        **clock_env(clock.start, clock.anchor),
    }
    broker = "redis://" if os.environ.get("REDIS_URL") else "filesystem://"
    return database, broker


def install_default_ladder() -> None:
    """The default rules come from a data migration, which a transactional test's flush
    removes: put them back (the migration's function is idempotent)."""
    migration = importlib.import_module("notifications.migrations.0002_default_rules")
    migration.add_defaults(apps, None)


def let_sweeps_run(worker: CeleryProcess, *, times: int, watching: list[CeleryProcess]) -> None:
    """Waits until every sweep has run ``times`` more times on ``worker``."""
    before = {task: worker.succeeded(task) for task in SWEEPS}
    wait_until(
        lambda: all(worker.succeeded(task) >= before[task] + times for task in SWEEPS),
        what=f"every sweep to run {times} more times",
        watching=watching,
    )


def stop(worker: CeleryProcess, beat: CeleryProcess) -> None:
    """Beat first, so that no sweep arrives while the worker finishes what it is doing.

    Beat is killed: its schedule lives in the database, and its SIGTERM handler writes to the
    database from inside the signal handler, which deadlocks on psycopg's connection lock
    when the signal lands during one of beat's own queries (tests/test_celery_worker.py
    covers beat's shutdown). The worker gets SIGTERM: a warm shutdown must finish its sends.
    """
    beat.kill()
    assert worker.stop() == 0, worker.output()


def by_recipient(received: list[Received]) -> dict[str, list[str]]:
    subjects: dict[str, list[str]] = {}
    for message in received:
        subjects.setdefault(message.to, []).append(message.subject)
    return {to: sorted(found) for to, found in sorted(subjects.items())}


def update_links(message: Received) -> list[str]:
    return re.findall(r"Update it: (\S+)", message.text)


def test_a_small_plan_sends_exactly_the_expected_emails_once(
    clock: Clock, smtp: tuple[Mailbox, int], celery: Celery, tmp_path: Path
) -> None:
    mailbox, port = smtp
    install_default_ladder()
    board_a = UserFactory.create(email="board.a@northshire.gov.uk", name="Bea Board")
    board_b = UserFactory.create(email="board.b@icb.nhs.uk", name="Ben Board")
    plan = PlanFactory.create(
        title="Northshire SEND Written Statement of Action",
        board=BoardFactory.create(name="SEND Executive", members=[board_a, board_b]),
    )
    lead = UserFactory.create(email="lead@northshire.gov.uk", name="Lena Lead")
    recommendation = RecommendationFactory.create(plan=plan, lead=lead)

    def action(email: str, due: dt.date, title: str, **extra: object) -> Action:
        owner = UserFactory.create(email=email, name=email.split("@")[0].title())
        return ActionFactory.create(
            recommendation=recommendation, owner=owner, due_date=due, title=title, **extra
        )

    helper = UserFactory.create(email="helper@school.org.uk", name="Hal Helper")
    in_ten = action("ten@northshire.gov.uk", add_working_days(TODAY, 10), "Recruit two EPs")
    action(
        "three@icb.nhs.uk",
        add_working_days(TODAY, 3),
        "Agree the health advice template",
        supporting_owners=[helper],
    )
    action("today@northshire.gov.uk", TODAY, "Publish the local offer pages")
    action("late@northshire.gov.uk", add_working_days(TODAY, -1), "Train the SENCO network")
    action("calm@northshire.gov.uk", add_working_days(TODAY, 5), "Nothing due today")
    # Five working days overdue: the accountable lead (level 1, day 0) and the SEND
    # Executive (level 2, after 5 working days) are told in the same sweep.
    milestone = MilestoneFactory.create(
        recommendation=recommendation,
        due_date=add_working_days(TODAY, -6),
        title="All overdue EHC needs assessments cleared",
    )
    # A draft plan is not chased, whatever its dates.
    draft_board = UserFactory.create(email="draft.board@northshire.gov.uk")
    draft = PlanFactory.create(
        status=PlanStatus.DRAFT, board=BoardFactory.create(members=[draft_board])
    )
    draft_recommendation = RecommendationFactory.create(
        plan=draft, lead=UserFactory.create(email="draft.lead@northshire.gov.uk")
    )
    draft_owner = UserFactory.create(email="draft.owner@northshire.gov.uk")
    for due in (TODAY, add_working_days(TODAY, -1), add_working_days(TODAY, 3)):
        ActionFactory.create(recommendation=draft_recommendation, owner=draft_owner, due_date=due)
    MilestoneFactory.create(
        recommendation=draft_recommendation, due_date=add_working_days(TODAY, -6)
    )

    database, broker = prepare_processes(celery, tmp_path, port=port, clock=clock)
    worker = celery.worker(concurrency=CONCURRENCY)
    beat = celery.beat()
    expected = {
        "board.a@northshire.gov.uk": ["Escalated to you: 1 milestone overdue"],
        "board.b@icb.nhs.uk": ["Escalated to you: 1 milestone overdue"],
        "helper@school.org.uk": ["1 action needs your update"],
        "late@northshire.gov.uk": ["1 action needs your update, 1 overdue"],
        # One email a day: the escalation is at the top of it, and the nudge about the same
        # milestone is not repeated below.
        "lead@northshire.gov.uk": ["Escalated to you: 1 milestone overdue"],
        "ten@northshire.gov.uk": ["1 action needs your update"],
        "three@icb.nhs.uk": ["1 action needs your update"],
        "today@northshire.gov.uk": ["1 action needs your update, 1 due today"],
    }
    count = sum(len(subjects) for subjects in expected.values())

    wait_until(
        lambda: len(mailbox.accepted) >= count,
        what=f"{count} emails at the SMTP server",
        watching=[worker, beat],
    )
    # More sweeps of every kind, on the same day: nothing more may arrive.
    let_sweeps_run(worker, times=2, watching=[worker, beat])
    received = mailbox.accepted
    assert f"transport:   {broker}" in worker.output()
    stop(worker, beat)
    assert worker.failures() == beat.failures() == [], worker.output() + beat.output()
    database.take_back()

    assert by_recipient(received) == expected
    for message in received:
        assert message.text.startswith("Dear "), message.text
        assert "<html" in message.html.lower() and "</html>" in message.html.lower()
        assert message.headers["Auto-Submitted"] == "auto-generated"
    # The owner's link, as it arrived, opens a form for that one action and records their
    # update without a password.
    [ten] = [message for message in received if message.to == "ten@northshire.gov.uk"]
    assert "Recruit two EPs" in ten.text and "Recruit two EPs" in ten.html
    [link] = update_links(ten)
    assert f'href="{link}"' in ten.html
    page = Client().get(urlsplit(link).path)
    assert page.status_code == 200
    assert "Recruit two EPs" in page.content.decode()
    done = Client().post(
        urlsplit(link).path,
        {"status": "in_progress", "rag": "green", "commentary": "Interviews booked."},
    )
    assert done.status_code == 200, done.content.decode()
    [update] = in_ten.updates.all()
    assert (update.author_id, update.commentary) == (in_ten.owner_id, "Interviews booked.")
    # The supporting owner is told whose action it is, and can update it too.
    [copy] = [message for message in received if message.to == "helper@school.org.uk"]
    assert "You support this action" in copy.text
    assert len(update_links(copy)) == 1

    # The ledger: one sent row per email, carrying the Message-ID that arrived.
    rows = list(Notification.objects.select_related("recipient"))
    arrived = {message.message_id: message for message in received}
    assert len(arrived) == len(received) == len(rows)
    for row in rows:
        assert row.status == NotificationStatus.SENT, (row, row.last_error)
        assert row.attempts == 1
        message = arrived[row.message_id]
        assert (message.to, message.subject) == (row.recipient.email, row.subject)
    kinds = Counter((row.recipient.email, row.kind) for row in rows)
    assert set(kinds.values()) == {1}
    assert kinds[("lead@northshire.gov.uk", NotificationKind.REMINDERS)] == 1
    assert not any(kind == NotificationKind.ESCALATION for _, kind in kinds)
    assert not User.objects.filter(notifications__isnull=False, email__startswith="draft")

    # Each level of the ladder is recorded with who was told.
    told = {
        escalation.level: sorted(user.email for user in escalation.told.all())
        for escalation in Escalation.objects.filter(milestone=milestone)
    }
    assert told == {
        1: ["lead@northshire.gov.uk"],
        2: ["board.a@northshire.gov.uk", "board.b@icb.nhs.uk"],
    }
    assert not Escalation.objects.exclude(milestone=milestone).exists()


def plan_with_actions_due_today(owners: int) -> dict[str, Action]:
    """One active plan, ``owners`` people each with one action due today: one email each."""
    install_default_ladder()
    recommendation = RecommendationFactory.create(plan=PlanFactory.create())
    actions = {}
    for number in range(owners):
        owner = UserFactory.create(email=f"owner{number:02}@northshire.gov.uk")
        actions[owner.email] = ActionFactory.create(
            recommendation=recommendation, owner=owner, due_date=TODAY
        )
    return actions


def test_a_worker_killed_mid_send_loses_no_email_and_sends_none_twice(
    clock: Clock, smtp: tuple[Mailbox, int], celery: Celery, tmp_path: Path
) -> None:
    mailbox, port = smtp
    owners = 30
    plan_with_actions_due_today(owners)
    database, _ = prepare_processes(celery, tmp_path, port=port, clock=clock)
    # Ten emails go through. The eleventh is accepted and its sender held as it says goodbye
    # (QUIT): the send is already recorded by then, so the kill must not repeat it. Every
    # later send is held after its content reached the server and before the server answered.
    mailbox.hold_after(10)
    worker = celery.worker(concurrency=CONCURRENCY)
    beat = celery.beat()
    wait_until(
        lambda: mailbox.held == CONCURRENCY,
        what="every worker thread to be in the middle of a send",
        watching=[worker, beat],
    )
    [*_, accepted_at_goodbye] = mailbox.accepted

    worker.kill()
    wait_until(
        lambda: mailbox.held == 0,
        what="the server to notice that the killed worker hung up",
        watching=[beat],
    )
    cut_off = {message.message_id for message in mailbox.dropped}
    assert len(mailbox.accepted) == 11
    assert len(cut_off) == CONCURRENCY - 1
    mailbox.release()
    restarted = celery.worker(concurrency=CONCURRENCY)
    wait_until(
        lambda: len(mailbox.accepted) == owners,
        what=f"{owners} emails",
        watching=[restarted, beat],
    )
    # Time for a copy to arrive, if one were going to.
    let_sweeps_run(restarted, times=2, watching=[restarted, beat])
    received = mailbox.accepted
    stop(restarted, beat)
    assert restarted.failures() == beat.failures() == [], restarted.output() + beat.output()
    database.take_back()

    # Nothing lost: every owner got their email.
    assert sorted({message.to for message in received}) == [
        f"owner{number:02}@northshire.gov.uk" for number in range(owners)
    ]
    rows = Notification.objects.all()
    assert rows.count() == owners
    assert {row.status for row in rows} == {NotificationStatus.SENT}
    assert {row.message_id for row in rows} == {message.message_id for message in received}
    # Nothing repeated: not the email accepted as its sender was killed saying goodbye...
    copies = Counter(message.message_id for message in received)
    assert {message_id: n for message_id, n in copies.items() if n > 1} == {}
    assert rows.get(message_id=accepted_at_goodbye.message_id).attempts == 1
    # ...and the sends the kill cut off were found by the reconcile sweep and made again, once.
    assert all(copies[message_id] == 1 for message_id in cut_off)
    resent = rows.filter(message_id__in=cut_off)
    assert {(row.attempts, row.last_error) for row in resent} == {
        (2, "The worker stopped while sending; sending again.")
    }
    assert resent.count() == CONCURRENCY - 1
    # The others went once, whichever worker took them.
    assert set(rows.exclude(pk__in=resent).values_list("attempts", flat=True)) == {1}
