"""The reset email through a real SMTP server (aiosmtpd on loopback): it arrives with both
parts, and the link in it lets the person choose a password and sign in with it."""

from collections.abc import Iterator

import pytest
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from accounts.models import User
from notifications.delivery import notification_deliver
from notifications.models import Notification, NotificationKind, NotificationStatus
from tests.notifications.smtp import SmtpServer, running_smtp_server, text_and_html
from tests.passwords.conftest import JO_EMAIL, NEW_PASSWORD, choose_password, reset_path

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("eager_celery")]


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


def ask_for_a_link(client: Client, callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    with callbacks(execute=True):
        answer = client.post("/password-reset/", {"email": JO_EMAIL})
    assert answer.status_code == 302


def test_the_email_arrives_and_its_link_sets_the_password(
    client: Client,
    jo: User,
    smtp: SmtpServer,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    ask_for_a_link(client, django_capture_on_commit_callbacks)

    [arrived] = smtp.handler.accepted
    row = Notification.objects.get(kind=NotificationKind.PASSWORD_RESET)
    assert row.status == NotificationStatus.SENT
    assert arrived["To"] == JO_EMAIL
    assert arrived["Message-ID"] == row.message_id
    assert arrived["Auto-Submitted"] == "auto-generated"
    text, html = text_and_html(arrived)
    assert "If you did not ask for this, you can ignore this email" in text
    link = reset_path(text)
    assert reset_path(html) == link

    assert choose_password(client, link) == 302

    browser = Client()
    signed_in = browser.post("/sign-in/", {"username": JO_EMAIL, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert browser.get("/").context["user"] == jo
    assert Client().get(link).status_code == 404


def test_a_mail_server_that_defers_gets_the_same_link_again(
    client: Client,
    jo: User,
    smtp: SmtpServer,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    smtp.handler.defer_data = 1
    ask_for_a_link(client, django_capture_on_commit_callbacks)
    row = Notification.objects.get(kind=NotificationKind.PASSWORD_RESET)
    assert row.status == NotificationStatus.QUEUED and smtp.handler.accepted == []

    assert notification_deliver(notification_id=row.pk, now=row.next_attempt_at) == "sent"

    [first_try, second_try] = smtp.handler.attempts
    # The retry sends what the ledger recorded: the same link, which still works.
    assert reset_path(text_and_html(second_try)[0]) == reset_path(text_and_html(first_try)[0])
    assert choose_password(client, reset_path(text_and_html(second_try)[0])) == 302
