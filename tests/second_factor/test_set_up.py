"""Setting up an app: a QR code drawn on the page and the key typed out; the first real code
confirms it and shows ten recovery codes once; a password alone cannot replace an app."""

import re

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SignInEvent, SignInRecord, User
from tests.second_factor.conftest import (
    code_for,
    code_from_key,
    key_on_page,
    person,
    set_up_app,
    sign_in,
)

pytestmark = pytest.mark.django_db

SET_UP = "/sign-in/second-factor/set-up/"


def recovery_codes_on(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", html)


def test_the_set_up_page_draws_the_qr_code_in_the_page_and_types_out_the_key(
    client: Client, administrator: User
) -> None:
    sign_in(client, administrator)

    response = client.get(SET_UP)

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    device = TOTPDevice.objects.get(user=administrator)
    assert not device.confirmed
    # An SVG image with a name, inside the page: no image fetched from anywhere.
    assert re.search(
        r'<svg role="img" aria-label="QR code to scan with your authenticator app"', html
    )
    assert "<path" in html and "<img" not in html
    assert key_on_page(html) == device.bin_key
    assert administrator.email in html
    assert "Time-based, 6 digits, every 30 seconds" in html


def test_reloading_the_page_keeps_the_same_key(client: Client, administrator: User) -> None:
    sign_in(client, administrator)

    first = key_on_page(client.get(SET_UP).content.decode())
    second = key_on_page(client.get(SET_UP).content.decode())

    assert first == second
    assert TOTPDevice.objects.filter(user=administrator).count() == 1


def test_a_code_made_from_the_typed_key_sets_the_app_up_and_shows_recovery_codes_once(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    sign_in(client, administrator, next_url="/workspace/plans/")
    client.get("/workspace/plans/")
    page = client.get(f"{SET_UP}?next=/workspace/plans/").content.decode()
    key = key_on_page(page)

    answered = client.post(SET_UP, {"code": code_from_key(key), "next": "/workspace/plans/"})

    assert answered.status_code == 302
    assert answered["Location"] == (
        "/workspace/settings/second-factor/recovery-codes/?next=%2Fworkspace%2Fplans%2F"
    )
    shown = client.get(answered["Location"])
    html = shown.content.decode()
    codes = recovery_codes_on(html)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "Your authenticator app is set up." in html
    assert "This is the only time these codes are shown" in html
    assert 'href="/workspace/plans/"' in html
    assert shown["Cache-Control"].startswith("max-age=0")
    assert sorted(
        StaticToken.objects.filter(device__user=administrator).values_list("token", flat=True)
    ) == sorted(codes)
    assert TOTPDevice.objects.get(user=administrator).confirmed
    # The session has its second factor now.
    assert client.get("/workspace/plans/").status_code == 200

    again = client.get("/workspace/settings/second-factor/recovery-codes/", follow=True)
    assert recovery_codes_on(again.content.decode()) == []
    assert "Recovery codes are shown only once" in again.content.decode()


def test_a_wrong_first_code_says_what_to_check_and_is_recorded(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    sign_in(client, administrator)
    key = key_on_page(client.get(SET_UP).content.decode())
    wrong = f"{(int(code_from_key(key)) + 1) % 1_000_000:06d}"

    response = client.post(SET_UP, {"code": wrong})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Set up your authenticator app" in html
    assert "Check that your app added this service from the QR code or key on this page" in html
    assert key_on_page(html) == key  # the same key, to try again
    assert not TOTPDevice.objects.get(user=administrator).confirmed
    record = SignInRecord.objects.get(event=SignInEvent.SECOND_FACTOR_FAILED)
    assert record.detail == "setting up an app: wrong code"
    assert record.user == administrator


def test_a_first_code_that_is_not_six_digits_is_refused_plainly(
    client: Client, administrator: User
) -> None:
    sign_in(client, administrator)
    client.get(SET_UP)

    html = client.post(SET_UP, {"code": "12345"}).content.decode()

    assert "Enter the 6 digits your authenticator app shows, with nothing else" in html


def test_a_password_alone_cannot_replace_an_app_that_is_set_up(
    client: Client, administrator: User
) -> None:
    device = set_up_app(administrator)
    sign_in(client, administrator)

    response = client.get(f"{SET_UP}?next=/admin/")

    assert response["Location"] == "/sign-in/second-factor/?next=%2Fadmin%2F"
    assert list(TOTPDevice.objects.filter(user=administrator)) == [device]


def test_after_the_code_someone_can_replace_their_app_and_the_old_one_stops_working(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    old = set_up_app(administrator)
    sign_in(client, administrator)
    client.post("/sign-in/second-factor/", {"code": code_for(old)})
    html = client.get(SET_UP).content.decode()
    assert "this app replaces the one you use now" in html
    clock.shift(30)

    answered = client.post(SET_UP, {"code": code_from_key(key_on_page(html))})

    assert answered.status_code == 302
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert TOTPDevice.objects.get(user=administrator).confirmed


def test_someone_who_needs_no_second_factor_is_not_asked_to_set_one_up(client: Client) -> None:
    officer = person()
    sign_in(client, officer)

    response = client.get(SET_UP, follow=True)

    assert response.redirect_chain[-1][0] == "/"
    assert "Your account does not need a second factor." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()
