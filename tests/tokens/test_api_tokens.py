"""API tokens through the API: made by name with a password, listed without secrets, revoked
by the program using one, and refused with a sentence saying why once they have ended."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import ApiToken, SignInEvent, SignInRecord, User
from accounts.tokens import create_token, digest_of
from actions.dates import LONDON
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)
PASSWORD = "correct horse battery"
TOKEN = "/api/auth/token/"
TOKENS = "/api/auth/tokens/"


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def person() -> User:
    return UserFactory.create(email="jo.bloggs@example.gov.uk", name="Jo Bloggs")


def signed_in(secret: str, keyword: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {secret}")
    return client


def sign_in(email: str, **extra: Any) -> Any:
    return APIClient().post(TOKEN, {"email": email, "password": PASSWORD, **extra}, format="json")


# --- Making tokens ------------------------------------------------------------------------


def test_each_sign_in_makes_a_new_named_token_that_expires_in_90_days(person: User) -> None:
    first = sign_in("Jo.Bloggs@example.gov.uk", name="Monthly returns")
    second = sign_in("jo.bloggs@example.gov.uk")

    assert first.status_code == second.status_code == 200
    assert first.json()["name"] == "Monthly returns"
    assert second.json()["name"] == "API token 30 November 2026"
    assert first.json()["expires"] == "2027-02-28T10:00:00Z"
    assert first.json()["token"].startswith("apt_")
    assert first.json()["token"] != second.json()["token"]
    for answer in (first, second):
        assert signed_in(answer.json()["token"]).get("/api/me/").json()["id"] == person.pk
    # Only digests are kept.
    stored = set(ApiToken.objects.values_list("key_digest", flat=True))
    assert stored == {digest_of(first.json()["token"]), digest_of(second.json()["token"])}
    assert first.json()["token"] not in stored
    record = SignInRecord.objects.filter(event=SignInEvent.TOKEN_CREATED).first()
    assert record is not None and (record.user, record.method) == (person, "api token")


def test_the_lifetime_is_a_setting(person: User, settings: Any) -> None:
    settings.API_TOKEN_MAX_AGE_DAYS = 7
    assert sign_in(person.email).json()["expires"] == "2026-12-07T10:00:00Z"


def test_a_name_that_is_too_long_is_refused_with_a_message_and_no_token(person: User) -> None:
    answer = sign_in(person.email, name="x" * 101)

    assert answer.status_code == 400
    assert answer.json() == {"name": ["Give a name of at most 100 characters."]}
    assert not ApiToken.objects.exists()


def test_an_administrator_needing_a_second_factor_gets_no_token_for_a_password_alone(
    settings: Any,
) -> None:
    settings.SECOND_FACTOR_FOR_STAFF = True
    administrator = UserFactory.create(is_staff=True)

    answer = sign_in(administrator.email)

    assert answer.status_code == 403
    assert "create one on your settings page" in answer.json()["detail"]
    assert "second factor" in answer.json()["detail"]
    assert not ApiToken.objects.exists()
    # A wrong password says nothing about who is an administrator.
    wrong = APIClient().post(
        TOKEN, {"email": administrator.email, "password": "wrong"}, format="json"
    )
    assert wrong.status_code == 400


# --- Refusing tokens that have ended -------------------------------------------------------


def test_an_expired_token_gets_401_saying_it_expired_and_what_to_do(
    person: User, clock: time_machine.Traveller
) -> None:
    _, secret = create_token(user=person, name="Script")
    clock.move_to(NOW + dt.timedelta(days=90, seconds=-1))
    assert signed_in(secret).get("/api/me/").status_code == 200

    clock.move_to(NOW + dt.timedelta(days=90))
    answer = signed_in(secret).get("/api/me/")

    assert answer.status_code == 401
    assert answer.json() == {
        "detail": "This API token has expired. Create a new one on your settings page."
    }
    assert answer["WWW-Authenticate"] == "Token"


def test_a_revoked_token_gets_401_saying_when_and_why(
    person: User, clock: time_machine.Traveller
) -> None:
    _, secret = create_token(user=person)
    clock.move_to(dt.datetime(2026, 12, 4, 23, 30, tzinfo=LONDON))
    person.set_password("a new and better password")
    person.save()
    clock.move_to(NOW + dt.timedelta(days=10))

    answer = signed_in(secret).get("/api/actions/")

    assert answer.status_code == 401
    assert answer.json() == {
        "detail": "This API token was revoked on 4 December 2026 (the password was changed)."
    }


@pytest.mark.parametrize(
    "header",
    ["Token apt_not-a-real-token", "Bearer 0123456789abcdef", "Token"],
)
def test_an_unknown_or_malformed_token_gets_401_and_no_hint_of_anyone(header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    answer = client.get("/api/me/")

    assert answer.status_code == 401
    assert answer.json()["detail"] in {
        "This API token is not recognised. Check it was copied in full, or create a new one "
        "on your settings page.",
        'Send the token as "Authorization: Token <token>", with nothing else.',
    }


def test_bearer_works_as_well_as_token(person: User) -> None:
    _, secret = create_token(user=person)
    assert signed_in(secret, "Bearer").get("/api/me/").json()["id"] == person.pk


def test_a_token_of_someone_switched_off_is_refused(person: User) -> None:
    _, secret = create_token(user=person)
    # Without the signals (a bulk update): the check at sign-in still holds.
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert signed_in(secret).get("/api/me/").status_code == 401


# --- Revoking and listing -------------------------------------------------------------------


def test_delete_revokes_the_token_it_was_sent_with_and_no_other(person: User) -> None:
    _, secret = create_token(user=person, name="Script")
    _, other = create_token(user=person, name="Dashboard")

    answer = signed_in(secret).delete(TOKEN)

    assert answer.status_code == 204
    again = signed_in(secret).get("/api/me/")
    assert again.status_code == 401
    assert again.json()["detail"] == (
        "This API token was revoked on 30 November 2026 (revoked by its owner)."
    )
    assert signed_in(other).get("/api/me/").status_code == 200
    record = SignInRecord.objects.get(event=SignInEvent.TOKEN_REVOKED)
    assert (record.user, record.detail) == (person, "Script")


def test_delete_without_a_token_is_refused(person: User) -> None:
    assert APIClient().delete(TOKEN).status_code == 401
    session = APIClient()
    session.force_login(person)
    answer = session.delete(TOKEN)
    assert answer.status_code == 400
    assert "not signed in with an API token" in answer.json()["non_field_errors"][0]


def test_the_list_has_ones_own_tokens_with_their_status_and_no_secrets(
    person: User, clock: time_machine.Traveller
) -> None:
    _, secret = create_token(user=person, name="Script")
    old, _ = create_token(user=person, name="Old", max_age=dt.timedelta(days=1))
    create_token(user=UserFactory.create(), name="Someone else's")
    clock.move_to(NOW + dt.timedelta(days=2))

    answer = signed_in(secret).get(TOKENS)

    assert answer.status_code == 200
    rows = answer.json()["results"]
    # Newest first (made at the same moment here: the later one first).
    assert [(row["name"], row["status"]) for row in rows] == [
        ("Old", "expired"),
        ("Script", "active"),
    ]
    assert secret not in answer.content.decode()
    assert "key_digest" not in rows[0] and "token" not in rows[0]
    assert {row["prefix"] for row in rows} == {secret[:10], old.prefix}


# --- Last used, cheaply ---------------------------------------------------------------------


def test_last_used_is_written_at_most_once_a_minute(
    person: User, clock: time_machine.Traveller
) -> None:
    token, secret = create_token(user=person)
    client = signed_in(secret)
    client.get("/api/me/")
    token.refresh_from_db()
    assert token.last_used == NOW

    clock.move_to(NOW + dt.timedelta(seconds=59))
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/me/")
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used == NOW

    clock.move_to(NOW + dt.timedelta(minutes=2))
    client.get("/api/me/")
    token.refresh_from_db()
    assert token.last_used == NOW + dt.timedelta(minutes=2)


# --- The schema -----------------------------------------------------------------------------


def test_the_schema_documents_making_listing_and_revoking_tokens() -> None:
    schema = APIClient().get("/api/schema/?format=json").json()
    token = schema["paths"]["/api/auth/token/"]
    assert set(token["post"]["responses"]) >= {"200", "400", "403", "429"}
    body = token["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    login = schema["components"]["schemas"][body.split("/")[-1]]
    assert set(login["properties"]) == {"email", "password", "name"}
    assert set(token["delete"]["responses"]) >= {"204", "401"}
    assert "/api/auth/tokens/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
