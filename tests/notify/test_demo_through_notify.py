"""With Notify configured (here the stand-in), the demo's emails go through Notify.

The demo plan as ``make run`` loads it; the sweeps and deliveries run in-process (Celery eager
mode) on the same code paths as the worker's, as in tests/test_demo_emails.py: the reminders
and escalations of a working day, then the boards' digests, briefings and summaries.
"""

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.core.management import call_command

from actions.dates import LONDON
from actions.demo import demo_load
from notifications.models import Notification, NotificationKind, NotificationStatus
from tests.notify.conftest import Notify
from workers import tasks
from workers.celery import app

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WEDNESDAY_10AM = dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
DIGESTS = (NotificationKind.DIGEST, NotificationKind.BRIEFING, NotificationKind.SUMMARY)


@pytest.fixture
def eager() -> Iterator[None]:
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def test_the_demos_reminders_and_escalations_go_through_notify_once_each(
    notify: Notify, eager: None
) -> None:
    with time_machine.travel(WEDNESDAY_10AM, tick=False):
        demo_load(today=WEDNESDAY_10AM.date())
        call_command("setup_periodic_tasks", verbosity=0)
        queued = tasks.scan_reminders() + tasks.scan_escalations()
        # The next sweeps that day send nothing more.
        assert tasks.scan_reminders() + tasks.scan_escalations() == 0

    rows = Notification.objects.exclude(kind__in=DIGESTS)
    emails = notify.stand_in.notifications()
    assert queued == len(emails) == rows.count() > 0
    assert {(e["email_address"], e["personalisation"]["subject"]) for e in emails} == set(
        rows.values_list("to_email", "subject")
    )
    assert set(rows.values_list("status", flat=True)) == {NotificationStatus.SENT}
    assert {e["id"] for e in emails} == set(rows.values_list("provider_id", flat=True))
    assert len({e["reference"] for e in emails}) == len(emails)
    for email in emails:
        body = email["personalisation"]["body"]
        assert body.startswith("Dear ")
        assert "\n# " in body and "\n* " in body and "](http://127.0.0.1:8000/" in body
        assert "<" not in body


def test_the_demos_digests_go_through_notify_with_links_for_what_notify_cannot_carry(
    notify: Notify, eager: None
) -> None:
    with time_machine.travel(WEDNESDAY_10AM, tick=False):
        demo_load(today=WEDNESDAY_10AM.date())
    monday = dt.datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)
    with time_machine.travel(monday, tick=False):
        queued = tasks.scan_digests()

    rows = Notification.objects.filter(kind__in=DIGESTS)
    emails = {e["id"]: e for e in notify.stand_in.notifications()}
    assert queued == rows.count() == len(emails) > 0
    assert set(rows.values_list("status", flat=True)) == {NotificationStatus.SENT}
    digests = rows.filter(kind=NotificationKind.DIGEST)
    assert digests.exists()
    for digest in digests:
        body = emails[digest.provider_id]["personalisation"]["body"]
        # The chart's figures are in the words, and the page that draws it is linked.
        assert "# RAG mix over the last " in body
        assert "[Read this digest online](http://127.0.0.1:8000/workspace/digests/" in body
        # The spreadsheet cannot be attached: where to download it instead.
        assert "attached as a spreadsheet" not in body
        assert "^ Files cannot be attached to these emails." in body
        # The very file that went with the digest, kept with it in the workspace.
        snapshot_id = int(digest.subject_key.partition(":")[2])
        download = f"http://127.0.0.1:8000/workspace/digests/{snapshot_id}/actions.xlsx"
        assert f"[the action list that goes with this email]({download})" in body
