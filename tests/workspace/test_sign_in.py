"""Signing in to the workspace with email and password, held to the API's limits on guessing,
and signing out."""

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from actions.dates import LONDON
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory
START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def person(**fields: object) -> User:
    return UserFactory.create(email=f"jo.{uuid.uuid4().hex[:10]}@northshire.gov.uk", **fields)


def post(client: Client, email: str, password: str, path: str = "/sign-in/"):  # type: ignore[no-untyped-def]
    return client.post(path, {"username": email, "password": password})


def test_the_sign_in_page_asks_for_an_email_address_and_a_password(client: Client) -> None:
    html = client.get("/sign-in/").content.decode()
    assert (
        '<label class="govuk-label govuk-label--s" for="id_username">Email address</label>' in html
    )
    assert 'autocomplete="current-password"' in html
    assert "csrfmiddlewaretoken" in html


def test_the_right_password_signs_in_and_opens_what_needs_you(client: Client) -> None:
    jo = person()
    response = post(client, jo.email, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert "What needs you" in client.get("/").content.decode()


def test_a_wrong_password_says_so_in_the_error_summary_and_signs_nobody_in(
    client: Client,
) -> None:
    jo = person()
    response = post(client, jo.email, "not the password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter the email address and password of an active account" in html
    assert "<title>Error: Sign in" in html
    assert "What needs you" not in client.get("/").content.decode()


def test_an_account_that_is_switched_off_cannot_sign_in(client: Client) -> None:
    jo = person(is_active=False)
    response = post(client, jo.email, PASSWORD)
    assert response.status_code == 200
    assert "What needs you" not in client.get("/").content.decode()


def test_a_page_that_needs_signing_in_comes_back_after_it(client: Client) -> None:
    jo = person()
    response = client.get("/workspace/plans/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/workspace/plans/"
    response = client.post(
        "/sign-in/", {"username": jo.email, "password": PASSWORD, "next": "/workspace/plans/"}
    )
    assert response["Location"] == "/workspace/plans/"


def test_it_never_sends_a_person_to_another_site_after_signing_in(client: Client) -> None:
    jo = person()
    response = client.post(
        "/sign-in/",
        {"username": jo.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_guessing_is_refused_past_the_limit_even_with_the_right_password(
    clock: time_machine.Traveller,
) -> None:
    jo = person()
    client = Client(REMOTE_ADDR="203.0.113.5")
    answers = [post(client, jo.email, f"guess {n}").status_code for n in range(5)]
    assert answers == [200] * 5
    refused = post(client, jo.email, PASSWORD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "Too many sign-in attempts" in refused.content.decode()
    assert "What needs you" not in client.get("/").content.decode()
    # A minute after the storm stops, the real person signs in.
    clock.shift(dt.timedelta(seconds=61))
    assert post(Client(REMOTE_ADDR="192.0.2.10"), jo.email, PASSWORD).status_code == 302


def test_guesses_through_the_api_count_against_the_sign_in_page(client: Client) -> None:
    jo = person()
    for n in range(5):
        client.post(
            "/api/auth/token/",
            {"email": jo.email, "password": f"guess {n}"},
            content_type="application/json",
        )
    assert post(Client(), jo.email, PASSWORD).status_code == 429


def test_signing_out_takes_a_form_post_and_says_so(client: Client) -> None:
    jo = person()
    client.force_login(jo)
    assert client.get("/sign-out/").status_code == 405
    response = client.post("/sign-out/", follow=True)
    html = response.content.decode()
    assert "You have signed out." in html
    assert "Sign in" in html and "What needs you" not in html
