"""Organisations whose people must sign in through single sign-on: their right password is
refused on every password page and the API's token endpoint, with a message that says what to
do; a wrong password is refused as any wrong password is; single sign-on still lets them in."""

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import SignInEvent, SignInRecord, SsoOnlyOrganisation, User
from tests.sso.conftest import (
    COUNCIL_DOMAIN,
    Providers,
    council_person,
    signed_in_as,
    through_provider,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory
USE_SSO = "Your organisation signs in through single sign-on, not a password"


@pytest.fixture
def jo(db: None) -> User:
    SsoOnlyOrganisation.objects.create(organisation="northshire county council")
    # Matched whatever the case and the spaces around it.
    return council_person(organisation=" Northshire County Council", is_staff=True)


def sign_in(client: Client, path: str, email: str, password: str) -> Any:
    return client.post(path, {"username": email, "password": password})


@pytest.mark.parametrize("path", ["/sign-in/", "/admin/login/", "/api-auth/login/"])
def test_their_right_password_is_refused_with_a_message_saying_what_to_do(
    client: Client, sso: Providers, jo: User, path: str
) -> None:
    answer = sign_in(client, path, jo.email, PASSWORD)
    assert answer.status_code == 200
    page = answer.content.decode().replace("&#x27;", "'")
    assert USE_SSO in page
    assert "organisation's sign-in button" in page
    assert signed_in_as(client) is None
    record = SignInRecord.objects.filter(event=SignInEvent.SIGN_IN_FAILED).latest("at")
    assert record.user == jo and "single sign-on" in record.detail


def test_the_workspace_page_shows_it_in_the_error_summary(
    client: Client, sso: Providers, jo: User
) -> None:
    page = sign_in(client, "/sign-in/", jo.email, PASSWORD).content.decode()
    summary = page.split('class="govuk-error-summary', 1)[1].split("</div>", 2)[0]
    assert USE_SSO in summary
    # The buttons are on the same page.
    assert "Sign in with Northshire Council" in page


def test_their_wrong_password_is_refused_like_anyone_elses(
    client: Client, sso: Providers, jo: User
) -> None:
    page = sign_in(client, "/sign-in/", jo.email, "not the password").content.decode()
    assert USE_SSO not in page
    assert "one or both are wrong" in page


def test_the_api_refuses_them_a_token_and_says_why(
    api_client: APIClient, sso: Providers, jo: User
) -> None:
    answer = api_client.post(
        "/api/auth/token/", {"email": jo.email, "password": PASSWORD}, format="json"
    )
    assert answer.status_code == 400
    assert USE_SSO in answer.content.decode()


def test_without_a_provider_they_are_told_to_ask_their_administrator(
    client: Client, jo: User, settings: Any
) -> None:
    settings.SSO_PROVIDERS = ()
    page = sign_in(client, "/sign-in/", jo.email, PASSWORD).content.decode()
    assert "single sign-on, which is not set up on this service yet" in page
    assert signed_in_as(client) is None


def test_they_sign_in_through_their_organisation(client: Client, sso: Providers, jo: User) -> None:
    claims = {"email": jo.email, "email_verified": True}
    assert through_provider(client, sso.council, claims=claims).status_code == 302
    assert signed_in_as(client) == jo


def test_people_of_other_organisations_still_use_passwords(
    client: Client, sso: Providers, jo: User
) -> None:
    other = council_person(email=f"sam@{COUNCIL_DOMAIN}", organisation="Northshire Schools")
    assert sign_in(client, "/sign-in/", other.email, PASSWORD).status_code == 302
    assert signed_in_as(client) == other
