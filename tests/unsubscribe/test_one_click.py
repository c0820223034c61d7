"""One-click unsubscribe from reminder emails (RFC 8058), as a mail program and a person use it.

The reminder email names an address in ``List-Unsubscribe`` and says ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click``. A mail program posts that body to the address, with no cookie:
the person's reminders are switched off, and nothing else. Opening the address (a person, a
mail scanner, a link preview) only shows a page with a button; nothing changes until the
button is pressed. A link the service did not make changes nothing.
"""

import datetime as dt
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import resolve

from accounts.models import User
from notifications.delivery import notification_deliver
from notifications.links import read_preferences_token
from notifications.models import Notification, NotificationKind, NotificationPreference
from notifications.services import escalations_queue, reminders_queue
from notifications.unsubscribe import read_unsubscribe_token, unsubscribe_url
from tests.notifications.conftest import TODAY, Clock, SmallPlan, clock, small_plan

__all__ = ["clock", "small_plan"]

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"
TOMORROW = dt.date(2026, 11, 26)
FORM = "application/x-www-form-urlencoded"


def reminder_to(person: User, day: dt.date) -> EmailMultiAlternatives:
    reminders_queue(today=day)
    row = Notification.objects.get(
        recipient=person, kind=NotificationKind.REMINDERS, occurrence=day.isoformat()
    )
    mail.outbox.clear()
    assert notification_deliver(notification_id=row.pk) == "sent"
    [message] = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    return message


def path_of(url: str) -> str:
    return urlsplit(url).path


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def choices(person: User) -> dict[str, object]:
    """Every preference as saved, or None if the person never saved any."""
    saved = NotificationPreference.objects.filter(user=person).values().first()
    if saved is None:
        return {}
    return {k: v for k, v in saved.items() if k not in ("id", "updated_at")}


@pytest.fixture
def link(small_plan: SmallPlan) -> str:
    """The List-Unsubscribe address of the owner's reminder email of today."""
    small_plan.action(due=TODAY)
    message = reminder_to(small_plan.owner, TODAY)
    headers = message.message()
    assert headers["List-Unsubscribe-Post"] == ONE_CLICK
    header = headers["List-Unsubscribe"]
    assert header.startswith("<http") and header.endswith(">")
    return path_of(header[1:-1])


@pytest.fixture
def chosen(small_plan: SmallPlan) -> NotificationPreference:
    """The owner's own choices before unsubscribing: their days, supporting copies off."""
    return NotificationPreference.objects.create(
        user=small_plan.owner, days_before=[5, 1], as_supporting_owner=False, digests=True
    )


def test_the_reminder_email_carries_the_one_click_headers_for_its_recipient(
    small_plan: SmallPlan, link: str
) -> None:
    token = resolve(link).kwargs["token"]
    assert read_unsubscribe_token(token) == small_plan.owner.pk
    assert link == f"/unsubscribe/{token}/"


def test_the_escalation_email_has_no_unsubscribe(small_plan: SmallPlan, clock: Clock) -> None:
    small_plan.milestone(due=dt.date(2026, 11, 20))
    clock.go_to(dt.date(2026, 11, 23))
    escalations_queue(today=dt.date(2026, 11, 23))
    row = Notification.objects.get(recipient=small_plan.lead, kind=NotificationKind.ESCALATION)
    mail.outbox.clear()
    assert notification_deliver(notification_id=row.pk) == "sent"
    headers = mail.outbox[0].message()
    assert headers["List-Unsubscribe"] is None
    assert headers["List-Unsubscribe-Post"] is None


def test_a_mail_programs_one_click_post_switches_reminders_off_and_nothing_else(
    small_plan: SmallPlan, link: str, chosen: NotificationPreference
) -> None:
    before = choices(small_plan.owner)
    # As RFC 8058 has it: a POST with that body, no cookie, no CSRF token.
    client = Client(enforce_csrf_checks=True)

    response = client.post(link, data=ONE_CLICK, content_type=FORM)

    assert response.status_code == 200
    assert not response.cookies, "a one-click answer sets no cookie"
    assert "Location" not in response
    after = choices(small_plan.owner)
    assert {k: after[k] for k in ("before_due", "on_due_date", "overdue")} == dict.fromkeys(
        ("before_due", "on_due_date", "overdue"), False
    )
    unchanged = {
        k: v for k, v in before.items() if k not in ("before_due", "on_due_date", "overdue")
    }
    assert {k: after[k] for k in unchanged} == unchanged


def test_multipart_bodies_work_too(small_plan: SmallPlan, link: str) -> None:
    response = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert choices(small_plan.owner)["overdue"] is False


def test_after_unsubscribing_no_reminder_is_queued_but_the_lead_is_still_escalated_to(
    small_plan: SmallPlan, link: str, clock: Clock
) -> None:
    Client().post(link, data=ONE_CLICK, content_type=FORM)
    small_plan.action(due=TOMORROW)
    small_plan.milestone(due=dt.date(2026, 11, 20))

    clock.go_to(TOMORROW)
    reminders_queue(today=TOMORROW)

    assert not Notification.objects.filter(
        recipient=small_plan.owner, kind=NotificationKind.REMINDERS, occurrence=TOMORROW.isoformat()
    ).exists()
    # Escalations are not reminders: unsubscribing from reminders leaves them alone.
    assert escalations_queue(today=TOMORROW).queued_ids


def test_posting_again_changes_nothing(small_plan: SmallPlan, link: str) -> None:
    client = Client()
    assert client.post(link, data=ONE_CLICK, content_type=FORM).status_code == 200
    saved = NotificationPreference.objects.get(user=small_plan.owner).updated_at

    assert client.post(link, data=ONE_CLICK, content_type=FORM).status_code == 200
    assert NotificationPreference.objects.get(user=small_plan.owner).updated_at == saved


def test_opening_the_link_shows_a_button_and_changes_nothing(
    small_plan: SmallPlan, link: str
) -> None:
    client = Client()

    response = client.get(link)
    head = client.head(link)

    assert response.status_code == head.status_code == 200
    assert not NotificationPreference.objects.filter(user=small_plan.owner).exists()
    html = response.content.decode()
    page = text_of(html)
    assert "<h1>Stop your reminder emails</h1>" in html
    assert "Escalations cannot be switched off." in page
    form = html[html.index("<form") : html.index("</form>")]
    assert 'method="post"' in form and "action=" not in form  # posts to the same address
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in form
    [preferences] = re.findall(r'href="([^"]*/preferences/[^"]+)"', html)
    assert read_preferences_token(resolve(path_of(preferences)).kwargs["token"]) == (
        small_plan.owner.pk
    )


def test_the_pages_button_switches_reminders_off_and_says_what_happened(
    small_plan: SmallPlan, link: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    html = client.get(link).content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]+)">', html))

    response = client.post(link, fields)

    assert response.status_code == 200
    done = text_of(response.content.decode())
    assert "Your reminder emails are stopped" in done
    assert "Escalations cannot be switched off." in done
    assert choices(small_plan.owner)["before_due"] is False
    # Opened again, the page says they are off and offers no button.
    again = client.get(link).content.decode()
    assert "Your reminders are already switched off" in again
    assert "<form" not in again


def test_a_post_without_the_one_click_body_changes_nothing(
    small_plan: SmallPlan, link: str
) -> None:
    for body in ("", "List-Unsubscribe=Yes", "unsubscribe=One-Click"):
        response = Client().post(link, data=body, content_type=FORM)
        assert response.status_code == 400, body
        assert "Your reminders have not been changed" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=small_plan.owner).exists()


def test_a_link_the_service_did_not_make_changes_nothing(small_plan: SmallPlan, link: str) -> None:
    token = resolve(link).kwargs["token"]
    others = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature altered
        signing.Signer(salt="notifications.unsubscribe-link").sign_object({"u": "1"}),
        signing.Signer(salt="notifications.preferences-link").sign_object(
            {"u": small_plan.owner.pk}
        ),
        signing.Signer(salt="notifications.unsubscribe-link", key="another-key").sign_object(
            {"u": small_plan.owner.pk}
        ),
        "not-a-token",
    ]
    for forged in others:
        response = Client().post(f"/unsubscribe/{forged}/", data=ONE_CLICK, content_type=FORM)
        assert response.status_code == 404, forged
        assert "This link does not work" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=small_plan.owner).exists()


def test_a_closed_account_gets_a_page_saying_so(small_plan: SmallPlan) -> None:
    small_plan.owner.is_active = False
    small_plan.owner.save()
    url = path_of(unsubscribe_url(user_id=small_plan.owner.pk))

    assert Client().get(url).status_code == 403
    assert Client().post(url, data=ONE_CLICK, content_type=FORM).status_code == 403
    assert not NotificationPreference.objects.filter(user=small_plan.owner).exists()


def test_the_link_of_an_account_that_is_gone_does_not_work(db: None) -> None:
    url = path_of(unsubscribe_url(user_id=987654))
    assert Client().post(url, data=ONE_CLICK, content_type=FORM).status_code == 404
