"""The demo plan, as `make run` loads it, gives the chasing something real to do.

On a working day after 09:00 London, the beat's next reminder and escalation sweeps queue
each person's email and the worker writes them to var/mail (the file backend). Here the
sweep tasks and the deliveries run in-process (Celery eager mode) on the same code paths.
"""

import datetime as dt
import email
import re
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from actions.dates import LONDON
from actions.demo import demo_load
from notifications.models import Escalation, Notification, NotificationStatus
from workers import tasks
from workers.celery import app

pytestmark = pytest.mark.django_db(transaction=True)

WEDNESDAY_10AM = dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)


@pytest.fixture
def mail_dir(settings: Any, tmp_path: Path) -> Path:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


@pytest.fixture
def eager() -> Iterator[None]:
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def read_mail(folder: Path) -> list[Message]:
    """Every message in the folder: the file backend appends to a file whose name (time to
    the second, and the id of a connection object) can repeat, separating messages by a line
    of 79 dashes."""
    separator = b"\n" + b"-" * 79 + b"\n"
    return [
        email.message_from_bytes(chunk)
        for path in sorted(folder.glob("*.log"))
        for chunk in path.read_bytes().split(separator)
        if chunk.strip()
    ]


def test_the_demo_sends_its_reminders_and_escalations_on_the_next_sweep(
    mail_dir: Path, eager: None
) -> None:
    with time_machine.travel(WEDNESDAY_10AM, tick=False):
        demo_load(today=WEDNESDAY_10AM.date())
        call_command("setup_periodic_tasks", verbosity=0)
        # One email per person: the escalations are in the day's email, at the top.
        assert tasks.scan_reminders() == 9
        assert tasks.scan_escalations() == 0

    # A long subject is folded over two header lines; a mail program shows it unfolded.
    sent = {(m["To"], re.sub(r"\r?\n", "", m["Subject"])) for m in read_mail(mail_dir)}
    meeting = "for the Northshire SEND Executive meeting on Wednesday 9 December 2026"
    assert sent == {
        # Today opens the requests for the next meeting's papers: owners who have not
        # updated since the last meeting are asked (actions 1.6 and 3.6).
        ("ehc.manager@northshire.example", f"1 action needs your update, {meeting}"),
        ("pfa.lead@northshire.example", f"1 action needs your update, {meeting}"),
        ("slt.lead@northshire.example", "1 action needs your update, 1 due today"),
        ("head@riverside-primary.example", "1 action needs your update"),
        ("inclusion.officer@northshire.example", "1 action needs your update"),
        ("families@northshire-autism.example", "1 action needs your update"),
        ("cochair@northshire-pcf.example", "1 action needs your update"),
        ("head.of.inclusion@northshire.example", "Escalated to you: 1 action overdue"),
        ("head.of.send@northshire.example", "Escalated to you: 1 action and 1 milestone overdue"),
    }
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
    assert Escalation.objects.count() == 3

    # Every email has a plain-text part and an HTML part, and the text reads on its own.
    for message in read_mail(mail_dir):
        parts = {part.get_content_type(): part for part in message.walk()}
        assert {"text/plain", "text/html"} <= set(parts)
        text = parts["text/plain"].get_payload(decode=True)
        assert isinstance(text, bytes) and "Dear " in text.decode()

    # The next sweeps that day (beat runs them every minute) send nothing more.
    with time_machine.travel(WEDNESDAY_10AM + dt.timedelta(hours=3), tick=False):
        assert tasks.scan_reminders() == 0
        assert tasks.scan_escalations() == 0
    assert len(read_mail(mail_dir)) == 9
