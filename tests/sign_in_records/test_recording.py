"""Every way of signing in and out leaves a record: the time, the person (when the email is
theirs), the method, the network address and which door it came through.

Posts come from addresses in the documentation ranges; the throttle counts are dropped before
each test (tests.conftest).
"""

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import login
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client, RequestFactory
from pytest_django import Settings

from accounts.models import SignInEvent, SignInRecord, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory
WRONG = "not-the-password-77"
START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)  # 10:00 GMT, Monday
ADDRESS = "203.0.113.7"

PAGES = [
    pytest.param("/sign-in/", "workspace", id="workspace"),
    pytest.param("/admin/login/?next=/admin/", "admin site", id="admin"),
    pytest.param("/api-auth/login/?next=/api/me/", "browsable API", id="api-auth"),
]


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def person(**fields: Any) -> User:
    fields.setdefault("is_staff", True)
    return UserFactory.create(email=f"jo.{uuid.uuid4().hex[:10]}@northshire.gov.uk", **fields)


def sign_in(page: str, email: str, password: str, **meta: Any) -> Any:
    data = {"username": email, "password": password}
    return Client().post(page, data, REMOTE_ADDR=ADDRESS, **meta)


def token(email: str, password: str, **meta: Any) -> Any:
    data = {"email": email, "password": password}
    return Client().post(
        "/api/auth/token/", data, content_type="application/json", REMOTE_ADDR=ADDRESS, **meta
    )


def records(*events: SignInEvent) -> list[tuple[Any, ...]]:
    rows = SignInRecord.objects.order_by("pk")
    if events:
        rows = rows.filter(event__in=events)
    return list(rows.values_list("event", "user_id", "email", "method", "address", "detail"))


# --- Signing in and out -------------------------------------------------------------------


@pytest.mark.parametrize(("page", "door"), PAGES)
def test_a_password_sign_in_is_recorded_with_the_person_method_address_and_door(
    page: str, door: str
) -> None:
    jo = person()
    answer = sign_in(page, jo.email, PASSWORD)
    assert answer.status_code == 302
    assert records() == [("signed_in", jo.pk, jo.email, "password", ADDRESS, door)]
    assert SignInRecord.objects.get().at == START


def test_a_token_from_the_api_sign_in_is_recorded_as_a_sign_in() -> None:
    jo = person(is_staff=False)
    answer = token(jo.email, PASSWORD)
    assert answer.status_code == 200, answer.content
    assert records(SignInEvent.SIGNED_IN) == [
        ("signed_in", jo.pk, jo.email, "password", ADDRESS, "API token endpoint")
    ]


@pytest.mark.parametrize(("page", "door"), PAGES)
def test_a_wrong_password_is_recorded_as_failed_for_the_person_whose_email_was_typed(
    page: str, door: str
) -> None:
    jo = person()
    answer = sign_in(page, jo.email.upper(), WRONG)
    assert answer.status_code == 200
    assert records() == [("sign_in_failed", jo.pk, jo.email.upper(), "password", ADDRESS, door)]


def test_a_wrong_password_at_the_token_endpoint_is_recorded_as_failed() -> None:
    jo = person()
    assert token(jo.email, WRONG).status_code == 400
    assert records() == [
        ("sign_in_failed", jo.pk, jo.email, "password", ADDRESS, "API token endpoint")
    ]


def test_an_email_that_is_nobodys_is_recorded_as_typed_with_no_person() -> None:
    sign_in("/sign-in/", "nobody@nowhere.example", WRONG)
    assert records() == [
        ("sign_in_failed", None, "nobody@nowhere.example", "password", ADDRESS, "workspace")
    ]


def test_no_record_holds_the_password_that_was_typed() -> None:
    jo = person()
    sign_in("/sign-in/", jo.email, WRONG)
    token(jo.email, WRONG)
    sign_in("/sign-in/", jo.email, PASSWORD)
    assert len(records()) == 3
    for row in records():
        assert not any(WRONG in str(value) or PASSWORD in str(value) for value in row)


@pytest.mark.parametrize(
    ("page", "door"), [("/sign-out/", "workspace"), ("/admin/logout/", "admin site")]
)
def test_signing_out_is_recorded(page: str, door: str) -> None:
    jo = person()
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post("/sign-in/", {"username": jo.email, "password": PASSWORD})
    assert client.post(page).status_code in (200, 302)
    assert "_auth_user_id" not in client.session
    assert records(SignInEvent.SIGNED_OUT) == [
        ("signed_out", jo.pk, jo.email, "password", ADDRESS, door)
    ]


def test_signing_out_when_nobody_was_signed_in_records_nothing() -> None:
    assert Client(REMOTE_ADDR=ADDRESS).post("/sign-out/").status_code == 302
    assert records() == []


def test_single_sign_on_names_its_method_for_the_sign_in_and_the_sign_out() -> None:
    jo = person()
    request = RequestFactory().get("/sign-in/sso/northshire/callback/", REMOTE_ADDR=ADDRESS)
    request.session = SessionStore()
    request.sign_in_method = "sso:northshire"  # type: ignore[attr-defined]
    login(request, jo, backend=django_settings.AUTHENTICATION_BACKENDS[0])
    request.session.save()
    client = Client(REMOTE_ADDR=ADDRESS)
    client.cookies["sessionid"] = request.session.session_key or ""
    assert client.post("/sign-out/").status_code == 302
    assert records() == [
        ("signed_in", jo.pk, jo.email, "sso:northshire", ADDRESS, "workspace"),
        ("signed_out", jo.pk, jo.email, "sso:northshire", ADDRESS, "workspace"),
    ]


# --- Too many attempts --------------------------------------------------------------------


@pytest.mark.parametrize(("page", "door"), PAGES)
def test_an_attempt_refused_for_too_many_is_recorded_as_failed(page: str, door: str) -> None:
    jo = person()
    answers = [sign_in(page, jo.email, f"guess-{n}").status_code for n in range(6)]
    assert answers == [200] * 5 + [429]
    assert records()[-1] == (
        "sign_in_failed",
        jo.pk,
        jo.email,
        "password",
        ADDRESS,
        f"{door}: too many attempts",
    )
    assert len(records()) == 6


def test_a_token_request_refused_for_too_many_is_recorded_as_failed() -> None:
    jo = person()
    answers = [token(jo.email, f"guess-{n}").status_code for n in range(6)]
    assert answers == [400] * 5 + [429]
    assert records()[-1] == (
        "sign_in_failed",
        jo.pk,
        jo.email,
        "password",
        ADDRESS,
        "API token endpoint: too many attempts",
    )


# --- Network addresses --------------------------------------------------------------------


def test_a_forwarded_address_is_ignored_without_proxies_in_front() -> None:
    jo = person()
    sign_in("/sign-in/", jo.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert records()[0][4] == ADDRESS


def test_the_address_the_proxy_saw_is_recorded_behind_one_proxy(settings: Settings) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    jo = person()
    # The client may make up the first entry; the proxy appends what it saw.
    sign_in("/sign-in/", jo.email, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.1")
    sign_in("/sign-in/", jo.email, WRONG, HTTP_X_FORWARDED_FOR="2001:db8::5")
    assert [row[4] for row in records()] == ["198.51.100.1", "2001:db8::5"]


@pytest.mark.parametrize(
    "forwarded", ["not-an-address", "198.51.100.1:443", "", "999.1.1.1", "fe80::1%eth0"]
)
def test_a_forwarded_value_that_is_no_address_is_stored_as_none_and_the_sign_in_works(
    settings: Settings, forwarded: str
) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    jo = person()
    answer = sign_in("/sign-in/", jo.email, PASSWORD, HTTP_X_FORWARDED_FOR=forwarded)
    assert answer.status_code == 302
    assert "_auth_user_id" in answer.wsgi_request.session
    expected = "fe80::1" if forwarded == "fe80::1%eth0" else None
    assert records() == [("signed_in", jo.pk, jo.email, "password", expected, "workspace")]


# --- A record that cannot be written -------------------------------------------------------


def test_a_record_that_cannot_be_written_does_not_stop_the_sign_in(
    caplog: pytest.LogCaptureFixture,
) -> None:
    jo = person()
    # The test's transaction puts the table back afterwards.
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {SignInRecord._meta.db_table}")
    client = Client(REMOTE_ADDR=ADDRESS)
    with caplog.at_level(logging.ERROR, logger="accounts.sign_in_records"):
        answer = client.post("/sign-in/", {"username": jo.email, "password": PASSWORD})
        failed = sign_in("/sign-in/", jo.email, WRONG)
    assert answer.status_code == 302
    assert "_auth_user_id" in answer.wsgi_request.session
    assert "What needs you" in client.get("/").content.decode()
    assert failed.status_code == 200
    assert "Enter the email address and password" in failed.content.decode()
    assert [r.getMessage() for r in caplog.records] == [
        "Could not write a sign-in record (signed_in, password)",
        "Could not write a sign-in record (sign_in_failed, password)",
    ]
