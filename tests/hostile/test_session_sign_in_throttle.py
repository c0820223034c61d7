"""Every page that takes a password holds to the token endpoint's limits on guessing: the
admin's sign-in page and the browsable API's answer 429 with Retry-After past them, without
checking the password, and share the token endpoint's counts per email and per address.

The throttle counts are dropped before each test (tests.conftest); each test uses emails of
its own and addresses from the documentation ranges.
"""

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.signals import user_login_failed
from django.test import Client
from pytest_django import Settings

from accounts.models import User
from actions.dates import LONDON
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory
START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
ADMIN = "/admin/login/?next=/admin/"
API_AUTH = "/api-auth/login/?next=/api/me/"
PAGES = [pytest.param(ADMIN, id="admin"), pytest.param(API_AUTH, id="api-auth")]
ATTACKER, OTHER, OWNER = "203.0.113.66", "198.51.100.77", "192.0.2.10"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def passwords_checked() -> Iterator[list[str]]:
    """The emails whose wrong password was checked, from Django's ``user_login_failed``."""
    failed: list[str] = []

    def record(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
        failed.append(credentials["username"])

    user_login_failed.connect(record)
    yield failed
    user_login_failed.disconnect(record)


def person() -> User:
    return UserFactory.create(email=f"jo.{uuid.uuid4().hex[:10]}@northshire.gov.uk", is_staff=True)


def sign_in(page: str, email: str, password: str, address: str) -> Any:
    return Client(REMOTE_ADDR=address).post(page, {"username": email, "password": password})


def token(email: str, password: str, address: str) -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/api/auth/token/", {"email": email, "password": password}, content_type="application/json"
    )


def signed_in(answer: Any) -> bool:
    return "_auth_user_id" in answer.wsgi_request.session


@pytest.mark.parametrize("page", PAGES)
def test_thirty_wrong_passwords_then_the_right_one_is_refused_and_it_works_a_minute_later(
    page: str, clock: time_machine.Traveller, passwords_checked: list[str]
) -> None:
    jo = person()
    answers = [sign_in(page, jo.email, f"guess-{n}", ATTACKER).status_code for n in range(30)]
    assert answers == [200] * 5 + [429] * 25
    # Past the limit the password is not even looked at.
    assert passwords_checked == [jo.email] * 5

    refused = sign_in(page, jo.email, PASSWORD, ATTACKER)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Too many sign-in attempts. Wait 60 seconds, then try again." in refused.text
    assert 'name="password"' in refused.text  # the form again, to try once the time is up
    assert not signed_in(refused)
    # Reading the page is never limited.
    assert Client(REMOTE_ADDR=ATTACKER).get(page).status_code == 200

    clock.shift(dt.timedelta(seconds=61))
    owner = sign_in(page, jo.email, PASSWORD, ATTACKER)
    assert owner.status_code == 302, owner.text
    assert signed_in(owner)


def test_guesses_spread_over_the_token_endpoint_and_both_pages_add_up_per_account(
    clock: time_machine.Traveller,
) -> None:
    jo = person()
    assert token(jo.email, "guess-1", "203.0.113.1").status_code == 400
    assert sign_in(ADMIN, jo.email.upper(), "guess-2", "203.0.113.2").status_code == 200
    assert sign_in(API_AUTH, f" {jo.email} ", "guess-3", "203.0.113.3").status_code == 200
    assert token(jo.email, "guess-4", "203.0.113.4").status_code == 400
    assert sign_in(ADMIN, jo.email, "guess-5", "203.0.113.5").status_code == 200
    # The sixth waits, whichever way it comes in and from wherever.
    assert token(jo.email, PASSWORD, "203.0.113.6").status_code == 429
    assert sign_in(ADMIN, jo.email, PASSWORD, "203.0.113.7").status_code == 429
    assert sign_in(API_AUTH, jo.email, PASSWORD, "203.0.113.8").status_code == 429


def test_guesses_from_one_address_at_many_accounts_add_up_across_the_ways_in(
    clock: time_machine.Traveller,
) -> None:
    emails = [f"guess{n}.{uuid.uuid4().hex[:6]}@northshire.gov.uk" for n in range(20)]
    for n, email in enumerate(emails):
        if n % 3 == 0:
            assert token(email, "password1", ATTACKER).status_code == 400
        else:
            assert (
                sign_in(ADMIN if n % 3 == 1 else API_AUTH, email, "password1", ATTACKER).status_code
                == 200
            )
    jo = person()
    for page in (ADMIN, API_AUTH):
        refused = sign_in(page, jo.email, PASSWORD, ATTACKER)
        assert refused.status_code == 429
        assert not signed_in(refused)
    assert token(jo.email, PASSWORD, ATTACKER).status_code == 429
    # Someone else, from their own address, is not held up by it.
    assert signed_in(sign_in(ADMIN, jo.email, PASSWORD, OWNER))


@pytest.mark.parametrize("page", PAGES)
def test_a_different_address_is_still_limited_per_account(
    page: str, clock: time_machine.Traveller
) -> None:
    jo = person()
    for n in range(5):
        assert sign_in(page, jo.email, f"guess-{n}", ATTACKER).status_code == 200
        clock.shift(dt.timedelta(seconds=5))
    refused = sign_in(page, jo.email, PASSWORD, OTHER)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "35"  # the first guess counts until 10:01:00
    assert not signed_in(refused)


def test_the_sign_in_pages_still_work_when_the_throttle_cache_is_down(
    settings: Settings,
) -> None:
    # A port nothing listens on: every cache call fails to connect.
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        },
    }
    jo = person()
    for _ in range(8):
        assert sign_in(ADMIN, jo.email, "wrong", ATTACKER).status_code == 200
    assert signed_in(sign_in(ADMIN, jo.email, PASSWORD, ATTACKER))
    assert signed_in(sign_in(API_AUTH, jo.email, PASSWORD, ATTACKER))
