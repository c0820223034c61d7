"""Forgotten your password? The journey through the ledger: ask, get the email, choose.

The page's answer is the same whoever is named; only someone who could sign in with a
password gets a row in the ledger, delivered at once by the delivery task (run eagerly here,
to Django's in-memory mailbox). The link works once, for an hour.
"""

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import ApiToken, SsoOnlyOrganisation, User
from actions.dates import LONDON
from notifications.delivery import notification_deliver
from notifications.models import Notification, NotificationKind, NotificationStatus
from notifications.password_reset_email import password_reset_queue
from tests.passwords.conftest import (
    JO_EMAIL,
    NEW_PASSWORD,
    OLD_PASSWORD,
    choose_password,
    reset_path,
)

pytestmark = pytest.mark.usefixtures("eager_celery")

NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=LONDON)
SENT_PAGE = "/password-reset/sent/"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ask(
    client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> "Ask":
    return Ask(client, django_capture_on_commit_callbacks)


class Ask:
    """Posts the request form as a browser would, running what it queued after commit."""

    def __init__(self, client: Client, callbacks: DjangoCaptureOnCommitCallbacks) -> None:
        self.client = client
        self.callbacks = callbacks

    def __call__(self, email: str, *, address: str = "203.0.113.7") -> Any:
        with self.callbacks(execute=True):
            return self.client.post("/password-reset/", {"email": email}, REMOTE_ADDR=address)


def rows() -> list[Notification]:
    return list(Notification.objects.filter(kind=NotificationKind.PASSWORD_RESET).order_by("id"))


def test_the_sign_in_page_and_the_admins_link_to_the_reset(client: Client, db: None) -> None:
    sign_in = client.get("/sign-in/").content.decode()
    assert 'href="/password-reset/">Forgotten your password?</a>' in sign_in

    admin_sign_in = client.get("/admin/login/").content.decode()
    assert 'href="/admin/password-reset/"' in admin_sign_in
    assert client.get("/admin/password-reset/")["Location"] == "/password-reset/"


def test_a_person_resets_their_password_through_the_ledger(
    client: Client, jo: User, ask: Ask, clock: time_machine.Traveller
) -> None:
    page = client.get("/password-reset/")
    assert page.status_code == 200
    assert "Reset your password" in page.content.decode()

    answer = ask("  Jo.Bloggs@Northshire.gov.uk ")

    assert answer.status_code == 302 and answer["Location"] == SENT_PAGE
    sent_page = client.get(SENT_PAGE).content.decode()
    assert "If that address belongs to someone who can sign in, we have sent a link" in sent_page
    [row] = rows()
    assert row.recipient == jo
    assert row.status == NotificationStatus.SENT
    # What is needed to render it, and no secret: the token is made when it is sent.
    assert row.items == [{"requested_at": NOW.isoformat()}]
    [email] = mail.outbox
    assert email.to == [JO_EMAIL]
    assert email.subject == "Choose a new password for the action plan delivery service"
    assert email.extra_headers["Message-ID"] == row.message_id
    html = str(email.alternatives[0][0])  # type: ignore[union-attr]
    text = str(email.body)
    link = reset_path(text)
    assert reset_path(html) == link
    # The ledger keeps what was sent.
    assert row.body_text == text and row.subject == email.subject
    for part in (text, html):
        assert "Dear Jo Bloggs" in part
        assert "9:30am on Wednesday 25 November 2026" in part
        assert "works once, for 1 hour" in part
        assert "If you did not ask for this, you can ignore this email" in part

    assert choose_password(client, link) == 302

    done = client.get("/password-reset/done/").content.decode()
    assert "Your password has been changed" in done
    jo.refresh_from_db()
    assert jo.check_password(NEW_PASSWORD)
    signed_in = client.post("/sign-in/", {"username": JO_EMAIL, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert client.get("/").context["user"] == jo


def test_the_link_leaves_the_address_for_the_session_at_once(
    client: Client, jo: User, ask: Ask
) -> None:
    ask(JO_EMAIL)
    link = reset_path(str(mail.outbox[0].body))

    opened = client.get(link)

    # The token is no longer in the address the form is on (nor in its Referer headers).
    uidb64, token = link.strip("/").split("/")[1:]
    assert opened.status_code == 302
    assert opened["Location"] == f"/password-reset/{uidb64}/new-password/"
    form = client.get(opened["Location"])
    assert token not in form.content.decode()
    assert "Choose a new password" in form.content.decode()
    # Another browser, without the session, cannot use the form's address.
    assert Client().get(opened["Location"]).status_code == 404


def test_a_link_works_once(client: Client, jo: User, ask: Ask) -> None:
    ask(JO_EMAIL)
    link = reset_path(str(mail.outbox[0].body))
    assert choose_password(client, link) == 302

    again = Client().get(link)

    assert again.status_code == 404
    assert "This link does not work" in again.content.decode()
    assert "It may have been used already" in again.content.decode()
    assert choose_password(Client(), link, "another-new-password-9") == 404
    jo.refresh_from_db()
    assert jo.check_password(NEW_PASSWORD)


def test_each_request_is_a_row_of_its_own_and_using_one_link_ends_both(
    client: Client, jo: User, ask: Ask, clock: time_machine.Traveller
) -> None:
    ask(JO_EMAIL)
    clock.shift(dt.timedelta(minutes=2))
    ask(JO_EMAIL)

    first, second = rows()
    assert first.occurrence != second.occurrence
    assert [m.to for m in mail.outbox] == [[JO_EMAIL], [JO_EMAIL]]
    links = [reset_path(str(m.body)) for m in mail.outbox]

    assert choose_password(client, links[1]) == 302
    assert Client().get(links[0]).status_code == 404


def test_a_link_stops_working_after_an_hour(
    client: Client, jo: User, ask: Ask, clock: time_machine.Traveller
) -> None:
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    ask(JO_EMAIL)
    link = reset_path(str(mail.outbox[0].body))
    clock.shift(dt.timedelta(minutes=59))
    assert client.get(link).status_code == 302

    clock.shift(dt.timedelta(minutes=1, seconds=1))

    expired = Client().get(link)
    assert expired.status_code == 404
    assert "more than 1 hour old" in expired.content.decode()
    # The form reached before the hour was up does not save after it either.
    assert choose_password(client, link) == 404
    jo.refresh_from_db()
    assert jo.check_password(OLD_PASSWORD)


def test_a_new_password_like_the_email_is_refused_with_an_error_summary(
    client: Client, jo: User, ask: Ask
) -> None:
    ask(JO_EMAIL)
    form_page = client.get(reset_path(str(mail.outbox[0].body)))["Location"]

    refused = client.post(
        form_page, {"new_password": "JoBloggs2024", "confirm_password": "JoBloggs2024"}
    )
    mismatched = client.post(
        form_page, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x"}
    )

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "<title>Error: Choose a new password" in page
    assert 'class="govuk-error-summary"' in page
    assert '<a href="#id_new_password">Your password is too like your name.' in page
    assert mismatched.status_code == 400
    assert "The passwords do not match." in mismatched.content.decode()
    jo.refresh_from_db()
    assert jo.check_password(OLD_PASSWORD)
    # The link still works for a password that passes.
    saved = client.post(form_page, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert saved.status_code == 302


def test_an_unknown_email_gets_the_same_answer_and_no_row(
    client: Client, jo: User, ask: Ask
) -> None:
    known = ask(JO_EMAIL)
    unknown = ask("no.one@northshire.gov.uk")

    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == SENT_PAGE
    assert [row.recipient for row in rows()] == [jo]
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "who",
    ["sso_only", "sso_only_other_case", "inactive", "no_password"],
)
def test_people_who_cannot_sign_in_with_a_password_get_nothing(
    client: Client, jo: User, ask: Ask, who: str
) -> None:
    if who == "sso_only":
        SsoOnlyOrganisation.objects.create(organisation="Northshire County Council")
    elif who == "sso_only_other_case":
        SsoOnlyOrganisation.objects.create(organisation="NORTHSHIRE county council")
    elif who == "inactive":
        User.objects.filter(pk=jo.pk).update(is_active=False)
    else:
        jo.set_unusable_password()
        jo.save()

    answer = ask(JO_EMAIL)

    assert answer["Location"] == SENT_PAGE
    assert rows() == []
    assert mail.outbox == []


def test_a_link_made_before_the_organisation_moved_to_single_sign_on_stops_working(
    client: Client, jo: User, ask: Ask
) -> None:
    ask(JO_EMAIL)
    link = reset_path(str(mail.outbox[0].body))
    SsoOnlyOrganisation.objects.create(organisation="Northshire County Council")

    assert choose_password(client, link) == 404
    jo.refresh_from_db()
    assert jo.check_password(OLD_PASSWORD)


def test_a_row_queued_before_the_person_moved_to_single_sign_on_is_not_sent(
    jo: User, clock: time_machine.Traveller
) -> None:
    row_id = password_reset_queue(user=jo, now=NOW)
    assert row_id is not None
    SsoOnlyOrganisation.objects.create(organisation="Northshire County Council")

    assert notification_deliver(notification_id=row_id) == "skipped"
    assert mail.outbox == []


def test_the_link_is_never_logged(
    client: Client, jo: User, ask: Ask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ask(JO_EMAIL)
    link = reset_path(str(mail.outbox[0].body))
    choose_password(client, link)

    token = link.strip("/").split("/")[-1]
    assert all(token not in record.getMessage() for record in caplog.records)


def test_too_many_requests_for_one_email_are_refused_whoever_it_names(
    client: Client, jo: User, ask: Ask
) -> None:
    for email in (JO_EMAIL, "no.one@northshire.gov.uk"):
        for _ in range(3):
            assert ask(email).status_code == 302

        refused = ask(email.upper(), address="198.51.100.9")

        # The same refusal whether or not the address is someone's: it tells nothing.
        assert refused.status_code == 429
        assert refused["Retry-After"] == "3600"
        page = refused.content.decode()
        assert "You have asked for too many links. Wait 60 minutes, then try again." in page
        assert 'class="govuk-error-summary"' in page
    assert len(rows()) == 3
    assert len(mail.outbox) == 3


def test_too_many_requests_from_one_network_address_are_refused(
    client: Client, jo: User, ask: Ask
) -> None:
    for number in range(20):
        assert ask(f"person{number}@northshire.gov.uk").status_code == 302

    refused = ask(JO_EMAIL)
    from_elsewhere = ask(JO_EMAIL, address="198.51.100.9")

    assert refused.status_code == 429
    assert from_elsewhere.status_code == 302
    assert len(rows()) == 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter your email address."),
        ("jo.bloggs", "Enter an email address in the correct format, like name@example.gov.uk."),
    ],
)
def test_a_missing_or_malformed_email_is_a_form_error(
    client: Client, db: None, ask: Ask, typed: str, message: str
) -> None:
    answer = ask(typed)

    assert answer.status_code == 400
    page = answer.content.decode()
    assert f'<a href="#id_email">{message}</a>' in page
    assert rows() == []


def test_a_made_up_link_does_not_work(client: Client, jo: User) -> None:
    for link in (
        "/password-reset/MQ/abc-123/",
        "/password-reset/!!/abc-123/",
        "/password-reset/MQ/new-password/",
    ):
        answer = client.get(link)
        assert answer.status_code == 404
        assert "This link does not work" in answer.content.decode()


def test_choosing_a_password_ends_the_persons_api_tokens(
    client: Client, jo: User, ask: Ask, clock: time_machine.Traveller
) -> None:
    token = ApiToken.objects.create(
        user=jo,
        name="Spreadsheet sync",
        key_digest="0" * 64,
        prefix="aps_0000",
        expires=NOW + dt.timedelta(days=90),
    )
    ask(JO_EMAIL)

    assert choose_password(client, reset_path(str(mail.outbox[0].body))) == 302

    token.refresh_from_db()
    assert token.revoked is not None
