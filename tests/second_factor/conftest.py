"""The second factor switched on, a pinned clock, staff to sign in as, and real codes.

Codes are made as an authenticator app makes them: TOTP (RFC 6238) from the device's key at
the pinned time, with django-otp's ``totp``.
"""

import datetime as dt
import re
import uuid
from base64 import b32decode
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from accounts.models import User
from actions.dates import LONDON
from tests.factories import UserFactory

PASSWORD = "correct horse battery"  # tests.factories.UserFactory
# A Wednesday morning in London; TOTP counts steps of 30 seconds from the Unix epoch.
START = dt.datetime(2026, 12, 2, 9, 30, 5, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def second_factor_on(settings: Settings) -> None:
    settings.SECOND_FACTOR_FOR_STAFF = True


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def person(**fields: object) -> User:
    return UserFactory.create(email=f"sam.{uuid.uuid4().hex[:10]}@northshire.gov.uk", **fields)


@pytest.fixture
def administrator(db: None) -> User:
    return person(is_staff=True)


def code_from_key(key: bytes) -> str:
    """What an app shows now for this key (30-second steps, 6 digits)."""
    return f"{totp(key, step=30, t0=0, digits=6):06d}"


def code_for(device: TOTPDevice) -> str:
    return code_from_key(device.bin_key)


def key_on_page(html: str) -> bytes:
    """The key as the set-up page shows it for typing (base32 in groups of four)."""
    match = re.search(r"<code[^>]*>([A-Z2-7 ]+)</code>", html)
    assert match, "the set-up page shows no key to type"
    return b32decode(match.group(1).replace(" ", ""))


def sign_in(client: Client, user: User, *, next_url: str = "") -> str:
    """Email and password on the workspace's sign-in page; the address it sends on to."""
    data = {"username": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post("/sign-in/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    return str(response["Location"])


def set_up_app(user: User) -> TOTPDevice:
    """An app the person set up earlier (confirmed)."""
    device: TOTPDevice = TOTPDevice.objects.create(user=user, name="Authenticator app")
    return device
