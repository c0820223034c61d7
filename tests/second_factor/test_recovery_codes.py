"""Recovery codes after set-up: the settings page links to them; new ones replace the old."""

import re

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from accounts.second_factor import PROVIDER_MFA_SESSION_KEY, recovery_codes_make
from tests.second_factor.conftest import code_for, person, set_up_app, sign_in

pytestmark = pytest.mark.django_db

CODES_PAGE = "/workspace/settings/second-factor/recovery-codes/"


def signed_in_with_code(client: Client, user: User) -> None:
    device = set_up_app(user)
    sign_in(client, user)
    assert client.post("/sign-in/second-factor/", {"code": code_for(device)}).status_code == 302


def test_your_settings_links_staff_to_their_second_factor(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    signed_in_with_code(client, administrator)

    html = client.get("/workspace/settings/").content.decode()

    assert '<h2 class="govuk-heading-m" id="second-factor">Second factor</h2>' in html
    assert 'href="/workspace/settings/second-factor/"' in html


def test_your_settings_says_nothing_of_it_to_someone_who_does_not_need_one(
    client: Client,
) -> None:
    sign_in(client, person())

    assert 'id="second-factor"' not in client.get("/workspace/settings/").content.decode()


def test_the_second_factor_page_says_how_many_recovery_codes_are_left(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    signed_in_with_code(client, administrator)
    recovery_codes_make(user=administrator)

    html = client.get("/workspace/settings/second-factor/").content.decode()

    assert "10 of 10 left" in html
    assert "Make new recovery codes" in html


def test_new_recovery_codes_replace_the_old_ones(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    signed_in_with_code(client, administrator)
    old = recovery_codes_make(user=administrator)

    made = client.post(CODES_PAGE)
    assert made.status_code == 302 and made["Location"] == CODES_PAGE
    new = re.findall(
        r"<li><code>([a-z2-7]{8})</code></li>", client.get(CODES_PAGE).content.decode()
    )

    assert len(new) == 10 and not set(new) & set(old)
    client.post("/sign-out/")
    sign_in(client, administrator)
    refused = client.post("/sign-in/second-factor/", {"code": old[0]})
    assert "The recovery code is not right" in refused.content.decode()
    clock.shift(2)
    assert client.post("/sign-in/second-factor/", {"code": new[0]}).status_code == 302


def test_recovery_codes_need_an_app_first(client: Client, administrator: User) -> None:
    client.force_login(administrator)
    session = client.session
    session[PROVIDER_MFA_SESSION_KEY] = "Northshire Council"
    session.save()

    response = client.post(CODES_PAGE, follow=True)

    assert "Set up an authenticator app first" in response.content.decode()


def test_someone_signed_in_with_a_recovery_code_keeps_their_session_after_making_new_ones(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    set_up_app(administrator)
    codes = recovery_codes_make(user=administrator)
    sign_in(client, administrator)
    assert client.post("/sign-in/second-factor/", {"code": codes[0]}).status_code == 302

    client.post(CODES_PAGE)

    assert client.get(CODES_PAGE).status_code == 200
    assert client.get("/workspace/plans/").status_code == 200
