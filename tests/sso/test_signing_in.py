"""Signing in through an organisation's OpenID provider: who gets in, who is refused and what
they are told, and what is written down. Every sign-in here goes through a real provider on
loopback (tests.stand_ins.oidc): the token exchange, the provider's keys and its ID tokens are
real."""

from typing import Any

import pytest
from django.test import Client, override_settings

from accounts.models import SignInEvent, SignInRecord, User
from accounts.second_factor import PROVIDER_MFA_SESSION_KEY
from tests.sso.conftest import (
    COUNCIL_DOMAIN,
    NHS_DOMAIN,
    Providers,
    council_person,
    provider_settings,
    signed_in_as,
    through_provider,
)

pytestmark = pytest.mark.django_db

VERIFIED = {"email": f"jo.bloggs@{COUNCIL_DOMAIN}", "email_verified": True}


def refusals() -> list[SignInRecord]:
    return list(SignInRecord.objects.filter(event=SignInEvent.SSO_REFUSED))


def test_a_known_person_signs_in_through_their_council(client: Client, sso: Providers) -> None:
    jo = council_person()
    answer = through_provider(client, sso.council, claims=VERIFIED)
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert signed_in_as(client) == jo
    assert "What needs you" in client.get("/").content.decode()
    # Written by the sign-in records' receiver, named after the provider.
    record = SignInRecord.objects.get(event=SignInEvent.SIGNED_IN)
    assert (record.user, record.method) == (jo, "sso:council")
    assert refusals() == []


def test_the_email_is_matched_whatever_its_case(client: Client, sso: Providers) -> None:
    jo = council_person()
    claims = {"email": f"Jo.Bloggs@{COUNCIL_DOMAIN.upper()}", "email_verified": True}
    assert through_provider(client, sso.council, claims=claims).status_code == 302
    assert signed_in_as(client) == jo


def test_the_sign_in_asks_for_a_code_with_pkce_and_a_nonce(client: Client, sso: Providers) -> None:
    council_person()
    through_provider(client, sso.council, claims=VERIFIED)
    (asked,) = sso.council.seen("authorize")[-1:]
    query = asked["query"]
    assert query["response_type"] == "code" and query["scope"] == "openid email"
    assert query["client_id"] == "workspace"
    assert query["redirect_uri"] == "http://testserver/sign-in/sso/council/callback/"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert len(query["nonce"]) >= 32 and len(query["state"]) >= 32
    (exchange,) = sso.council.seen("token")[-1:]
    assert exchange["redirect_uri"] == query["redirect_uri"]


def test_the_person_comes_back_to_the_page_they_asked_for(client: Client, sso: Providers) -> None:
    council_person()
    start = "/sign-in/sso/council/?next=/workspace/plans/"
    answer = through_provider(client, sso.council, claims=VERIFIED, start=start)
    assert answer["Location"] == "/workspace/plans/"


def test_a_next_address_on_another_site_is_ignored(client: Client, sso: Providers) -> None:
    council_person()
    start = "/sign-in/sso/council/?next=https://evil.example/"
    assert through_provider(client, sso.council, claims=VERIFIED, start=start)["Location"] == "/"


def test_an_nhs_person_signs_in_through_the_nhs_provider(client: Client, sso: Providers) -> None:
    sam = council_person(email=f"sam.jones@{NHS_DOMAIN}", organisation="Northshire NHS Trust")
    claims = {"email": sam.email, "email_verified": True}
    answer = through_provider(client, sso.nhs, slug="nhs", claims=claims)
    assert answer.status_code == 302
    assert signed_in_as(client) == sam
    assert SignInRecord.objects.get(event=SignInEvent.SIGNED_IN).method == "sso:nhs"


def test_an_unknown_person_is_told_who_to_ask_and_no_account_is_made(
    client: Client, sso: Providers
) -> None:
    people = User.objects.count()
    claims = {"email": f"new.starter@{COUNCIL_DOMAIN}", "email_verified": True}
    answer = through_provider(client, sso.council, claims=claims)
    page = answer.content.decode()
    assert answer.status_code == 403
    assert "You do not have an account yet" in page
    assert f"new.starter@{COUNCIL_DOMAIN}" in page
    assert "Ask your plan administrator to add you" in page
    assert User.objects.count() == people
    assert signed_in_as(client) is None
    (record,) = refusals()
    assert record.email == f"new.starter@{COUNCIL_DOMAIN}" and record.user is None
    assert record.method == "sso:council"
    assert record.detail == "no account with this email address"


def test_the_page_for_an_unknown_person_names_the_help_address_when_set(
    client: Client, sso: Providers, settings: Any
) -> None:
    settings.SSO_HELP_EMAIL = "send.team@northshire.gov.uk"
    claims = {"email": f"new.starter@{COUNCIL_DOMAIN}", "email_verified": True}
    page = through_provider(client, sso.council, claims=claims).content.decode()
    assert 'href="mailto:send.team@northshire.gov.uk"' in page


def test_a_switched_off_account_is_refused(client: Client, sso: Providers) -> None:
    jo = council_person(is_active=False)
    answer = through_provider(client, sso.council, claims=VERIFIED)
    assert answer.status_code == 403
    assert "Your account is switched off" in answer.content.decode()
    assert signed_in_as(client) is None
    (record,) = refusals()
    assert record.user == jo and record.detail == "the account is switched off"


@pytest.mark.parametrize(
    "verified", [False, "false", None], ids=["false", "the string false", "missing"]
)
def test_an_email_the_provider_has_not_verified_is_refused(
    client: Client, sso: Providers, verified: object
) -> None:
    council_person()
    answer = through_provider(client, sso.council, claims={**VERIFIED, "email_verified": verified})
    assert answer.status_code == 403
    assert "has not confirmed your email address" in answer.content.decode()
    assert signed_in_as(client) is None
    assert refusals()[0].detail == "the provider has not verified the email address"


def test_an_id_token_without_an_email_is_refused(client: Client, sso: Providers) -> None:
    answer = through_provider(client, sso.council, claims={"email": None})
    assert answer.status_code == 403
    assert "did not tell us your email address" in answer.content.decode()
    assert signed_in_as(client) is None


def test_a_provider_cannot_sign_in_another_organisations_people(
    client: Client, sso: Providers
) -> None:
    # The council's provider vouching for an NHS address: only the NHS's may.
    sam = council_person(email=f"sam.jones@{NHS_DOMAIN}")
    answer = through_provider(
        client, sso.council, claims={"email": sam.email, "email_verified": True}
    )
    page = answer.content.decode()
    assert answer.status_code == 403
    assert "You cannot sign in with Northshire Council using this email address" in page
    assert f"@{COUNCIL_DOMAIN}" in page
    assert signed_in_as(client) is None
    assert refusals()[0].detail == "the provider may not sign in this email domain"


def test_a_refusal_says_nothing_of_a_password_and_offers_the_way_back(
    client: Client, sso: Providers
) -> None:
    page = through_provider(
        client, sso.council, claims={"email": f"x@{COUNCIL_DOMAIN}", "email_verified": True}
    ).content.decode()
    assert 'href="/sign-in/"' in page and "Go back to sign in" in page


@pytest.mark.parametrize(
    ("amr", "counts"),
    [
        (["pwd", "mfa"], True),
        (["pwd", "otp"], True),
        (["hwk", "pin"], True),
        (["pwd"], False),
        (None, False),
    ],
)
def test_a_sign_in_the_provider_says_used_several_factors_counts_as_the_second_factor(
    client: Client, sso: Providers, amr: list[str] | None, counts: bool
) -> None:
    council_person(is_staff=True)
    through_provider(client, sso.council, claims={**VERIFIED, "amr": amr})
    assert signed_in_as(client) is not None
    assert (client.session.get(PROVIDER_MFA_SESSION_KEY) == "council") is counts


def test_a_provider_trusted_for_its_emails_signs_in_without_the_claim_but_not_against_it(
    client: Client, sso: Providers
) -> None:
    """For a provider set with EMAILS_ARE_VERIFIED (Entra ID sends no email_verified): a
    missing claim is enough, an explicit false still refuses, the domains still apply."""
    jo = council_person()
    trusted = provider_settings(sso, emails_are_verified=True)
    with override_settings(**trusted):
        refused = through_provider(
            client, sso.council, claims={**VERIFIED, "email_verified": False}
        )
        assert refused.status_code == 403 and signed_in_as(client) is None
        answer = through_provider(client, sso.council, claims={**VERIFIED, "email_verified": None})
        assert answer.status_code == 302
        assert signed_in_as(client) == jo
