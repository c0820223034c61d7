"""Guessing is slowed, never a lock-out: token sign-in and the signed-link forms answer 429
with Retry-After past their limits, and the limits lift by themselves a minute later.

The counts are kept in the ``throttle`` cache: Redis when REDIS_URL is set (as in CI), shared
with every other run on that Redis, so each test uses addresses and emails of its own and
drops its counts afterwards.
"""

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client
from pytest_django import Settings

from accounts.models import User
from accounts.throttles import LinkAddressThrottle, LinkTokenThrottle, LoginAddressThrottle, _digest
from actions.dates import LONDON
from notifications.links import preferences_url
from notifications.models import NotificationPreference
from tests.factories import UserFactory
from tests.hostile.conftest import account_key, throttle_key

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory
START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def keys() -> Iterator[list[str]]:
    """Throttle keys a test fills; dropped before and after it."""
    used: list[str] = []
    yield used
    caches["throttle"].delete_many(used)


# The three documentation ranges (RFC 5737): addresses no real client has.
_ADDRESSES = [
    f"{prefix}.{host}"
    for prefix in ("192.0.2", "198.51.100", "203.0.113")
    for host in range(1, 255)
]
_handed_out: set[str] = set()


def fresh_address(keys: list[str]) -> str:
    """A documentation address not yet handed out in this run, with no count yet: two
    addresses of one test (an attacker's and a colleague's) are never the same."""
    unused = [address for address in _ADDRESSES if address not in _handed_out]
    if not unused:
        _handed_out.clear()
        unused = _ADDRESSES
    address = unused[uuid.uuid4().int % len(unused)]
    _handed_out.add(address)
    own = [
        throttle_key(throttle, address) for throttle in (LoginAddressThrottle, LinkAddressThrottle)
    ]
    caches["throttle"].delete_many(own)
    keys.extend(own)
    return address


def person(keys: list[str]) -> User:
    user = UserFactory.create(email=f"jo.{uuid.uuid4().hex[:10]}@northshire.gov.uk")
    keys.append(account_key(user.email))
    return user


def sign_in(email: str, password: str, address: str, forwarded_for: str = "") -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/api/auth/token/",
        {"email": email, "password": password},
        content_type="application/json",
        headers={"X-Forwarded-For": forwarded_for} if forwarded_for else None,
    )


def test_a_wrong_password_storm_on_one_account_is_slowed_and_the_owner_gets_in_a_minute_later(
    clock: time_machine.Traveller, keys: list[str]
) -> None:
    jo = person(keys)
    # Five wrong guesses a minute, from as many addresses as the attacker likes.
    for guess in range(5):
        answer = sign_in(jo.email, f"guess-{guess}", fresh_address(keys))
        assert answer.status_code == 400, answer.content
        clock.shift(dt.timedelta(seconds=5))
    refused = sign_in(jo.email.upper(), "guess-5", fresh_address(keys))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "35"  # the first guess counts until 10:01:00
    assert refused.json() == {
        "detail": "Too many sign-in attempts. Wait 35 seconds, then try again."
    }
    # Even the right password is refused while the storm is on: a 200 would tell the attacker.
    owner_now = sign_in(jo.email, PASSWORD, fresh_address(keys))
    assert owner_now.status_code == 429

    clock.shift(dt.timedelta(seconds=36))
    owner_later = sign_in(jo.email, PASSWORD, fresh_address(keys))
    assert owner_later.status_code == 200, owner_later.content
    assert owner_later.json()["token"].startswith("apt_")


def test_the_storm_goes_on_for_an_hour_and_the_owner_still_gets_in_once_it_pauses(
    clock: time_machine.Traveller, keys: list[str]
) -> None:
    jo = person(keys)
    attacker = fresh_address(keys)
    for _ in range(60):
        for _ in range(5):
            sign_in(jo.email, "password1", attacker)
        clock.shift(dt.timedelta(minutes=1))
    # Nothing builds up: a minute after the last guess the account is as open as ever.
    assert sign_in(jo.email, PASSWORD, fresh_address(keys)).status_code == 200


def test_one_address_trying_many_accounts_is_slowed_and_a_made_up_forwarded_for_does_not_help(
    clock: time_machine.Traveller, keys: list[str]
) -> None:
    attacker, colleague = fresh_address(keys), fresh_address(keys)
    emails = [f"guess{n}.{uuid.uuid4().hex[:6]}@northshire.gov.uk" for n in range(21)]
    keys.extend(account_key(email) for email in emails)
    for email in emails[:20]:
        assert sign_in(email, "password1", attacker).status_code == 400
    refused = sign_in(emails[20], "password1", attacker, forwarded_for="10.9.8.7")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 60
    # Someone else, from their own address, is not held up by it.
    jo = person(keys)
    assert sign_in(jo.email, PASSWORD, colleague).status_code == 200


def test_a_success_does_not_clear_the_count_of_failures_before_it(
    clock: time_machine.Traveller, keys: list[str]
) -> None:
    attacker = fresh_address(keys)
    own = person(keys)  # the attacker's own, real account
    others = [f"x{n}.{uuid.uuid4().hex[:6]}@northshire.gov.uk" for n in range(19)]
    keys.extend(account_key(email) for email in others)
    for email in others:
        sign_in(email, "password1", attacker)
    assert sign_in(own.email, PASSWORD, attacker).status_code == 200
    assert sign_in(others[0], "password2", attacker).status_code == 429


def test_sign_in_still_works_when_the_throttle_cache_is_down(
    settings: Settings, keys: list[str]
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
    jo = UserFactory.create(email=f"jo.{uuid.uuid4().hex[:10]}@northshire.gov.uk")
    for _ in range(8):
        assert sign_in(jo.email, "wrong", "198.51.100.1").status_code == 400
    assert sign_in(jo.email, PASSWORD, "198.51.100.1").status_code == 200


# --- The signed-link forms ----------------------------------------------------------------

PREFERENCES = {
    "before_due": "on",
    "days_before": "5, 1",
    "on_due_date": "on",
    "overdue": "on",
    "as_supporting_owner": "on",
    "digests": "on",
}


def link_path(user: User, keys: list[str]) -> str:
    path = urlsplit(preferences_url(user_id=user.pk)).path
    token = path.rstrip("/").rsplit("/", 1)[-1]
    keys.append(throttle_key(LinkTokenThrottle, _digest(token)))
    return path


def test_one_links_form_sent_over_and_over_gets_a_page_saying_to_wait_and_changes_nothing(
    clock: time_machine.Traveller, keys: list[str]
) -> None:
    jo = person(keys)
    path = link_path(jo, keys)
    page = Client(REMOTE_ADDR=fresh_address(keys))
    for _ in range(10):
        assert page.post(path, {**PREFERENCES, "days_before": "x"}).status_code == 400
    paused = page.post(path, PREFERENCES)
    assert paused.status_code == 429
    assert paused["Retry-After"] == "60"
    assert paused["Content-Type"].startswith("text/html")
    text = paused.content.decode()
    assert "<h1>Please wait a moment</h1>" in text or "Please wait a moment" in text
    assert "Nothing has been changed. Wait 60 seconds, then send it again." in text
    assert not NotificationPreference.objects.filter(user=jo).exists()
    # From another address too: the limit is the link's.
    other = Client(REMOTE_ADDR=fresh_address(keys))
    assert other.post(path, PREFERENCES).status_code == 429
    # Reading the page is never limited.
    assert page.get(path).status_code == 200

    clock.shift(dt.timedelta(seconds=61))
    saved = page.post(path, PREFERENCES)
    assert saved.status_code == 200, saved.content
    assert NotificationPreference.objects.get(user=jo).days_before == [5, 1]


def test_forged_links_from_one_address_are_slowed_but_its_working_links_still_work(
    clock: time_machine.Traveller, keys: list[str]
) -> None:
    page = Client(REMOTE_ADDR=fresh_address(keys))
    for n in range(30):
        forged = f"/preferences/{uuid.uuid4().hex}:{n}/"
        keys.append(throttle_key(LinkTokenThrottle, _digest(forged.split("/")[2])))
        assert page.post(forged, PREFERENCES).status_code == 404
    forged = "/preferences/made-up-link/"
    keys.append(throttle_key(LinkTokenThrottle, _digest("made-up-link")))
    paused = page.post(forged, PREFERENCES)
    assert paused.status_code == 429
    assert paused["Retry-After"] == "60"
    # A colleague in the same office (same address) with a real link is not held up.
    jo = person(keys)
    assert page.post(link_path(jo, keys), PREFERENCES).status_code == 200
