"""API tokens in the admin: each person's tokens with when each was last used, and revoking
them; never a secret, never a token made or deleted there."""

import datetime as dt
import re
from collections.abc import Iterator
from html import unescape

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import SignInEvent, SignInRecord, User
from accounts.tokens import create_token
from actions.dates import LONDON
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)
CHANGELIST = "/admin/accounts/apitoken/"


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def officer_client() -> Client:
    client = Client()
    client.force_login(UserFactory.create(name="Olu Officer", is_staff=True))
    return client


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_list_shows_each_token_with_when_it_was_last_used(
    officer_client: Client, clock: time_machine.Traveller
) -> None:
    person = UserFactory.create(name="Sam Owner")
    used, secret = create_token(user=person, name="Monthly returns")
    create_token(user=person, name="Never used")
    clock.move_to(dt.datetime(2026, 12, 3, 14, 5, tzinfo=LONDON))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get("/api/me/").status_code == 200

    html = officer_client.get(CHANGELIST).content.decode()
    text = text_of(html)

    assert secret not in html and used.key_digest not in html
    assert (
        f"Monthly returns Sam Owner {used.prefix} 30 Nov 2026, 10:00 GMT "
        "28 Feb 2027, 10:00 GMT 3 Dec 2026, 14:05 GMT Active" in text
    )
    assert "Never used Sam Owner" in text and "never" in text
    detail = officer_client.get(reverse("admin:accounts_apitoken_change", args=[used.pk]))
    assert detail.status_code == 200
    assert "3 Dec 2026, 14:05 GMT" in text_of(detail.content.decode())
    assert secret not in detail.content.decode()


def test_the_revoke_action_ends_the_tokens_but_a_plan_administrator_cannot_reach_a_superuser(
    officer_client: Client, admin_user: User
) -> None:
    person = UserFactory.create()
    theirs, secret = create_token(user=person, name="Script")
    root_token, _ = create_token(user=admin_user, name="Root's")

    answer = officer_client.post(
        CHANGELIST,
        {"action": "revoke", "_selected_action": [str(theirs.pk), str(root_token.pk)]},
    )

    assert answer.status_code == 302
    theirs.refresh_from_db()
    root_token.refresh_from_db()
    assert theirs.revoked == NOW and theirs.revoked_reason == "revoked by an administrator"
    assert root_token.revoked is None
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get("/api/me/").json()["detail"] == (
        "This API token was revoked on 30 November 2026 (revoked by an administrator)."
    )
    record = SignInRecord.objects.get(event=SignInEvent.TOKEN_REVOKED)
    assert record.user == person
    assert "API tokens revoked: 1." in text_of(officer_client.get(CHANGELIST).content.decode())


def test_tokens_cannot_be_added_changed_or_deleted_in_the_admin(
    officer_client: Client, admin_user: User
) -> None:
    token, _ = create_token(user=UserFactory.create(), name="Script")
    root = Client()
    root.force_login(admin_user)
    for client in (officer_client, root):
        assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
        delete = reverse("admin:accounts_apitoken_delete", args=[token.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        change = reverse("admin:accounts_apitoken_change", args=[token.pk])
        client.post(change, {"name": "Renamed", "expires": "2099-01-01 00:00"})
    token.refresh_from_db()
    assert token.name == "Script"
    assert token.expires == NOW + dt.timedelta(days=90)


def test_the_filter_shows_tokens_by_status(officer_client: Client) -> None:
    person = UserFactory.create()
    create_token(user=person, name="Working one")
    create_token(user=person, name="Short one", max_age=dt.timedelta(seconds=1))
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        active = text_of(officer_client.get(f"{CHANGELIST}?status=active").content.decode())
        expired = text_of(officer_client.get(f"{CHANGELIST}?status=expired").content.decode())
    assert "Working one" in active and "Short one" not in active
    assert "Short one" in expired and "Working one" not in expired
