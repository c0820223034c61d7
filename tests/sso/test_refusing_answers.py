"""Answers from a provider that must not sign anyone in: an ID token made for another service,
expired, from another issuer, altered or unsigned, with the wrong nonce; a state this browser
did not start, used twice, or started with another provider; a wrong client secret; a provider
that says no or cannot be reached. Each is refused with a page and a sign-in record."""

import socket
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client, override_settings

from accounts.models import SignInEvent, SignInRecord
from tests.sso.conftest import (
    COUNCIL_DOMAIN,
    Providers,
    council_person,
    provider_settings,
    signed_in_as,
    through_provider,
)

pytestmark = pytest.mark.django_db

VERIFIED = {"email": f"jo.bloggs@{COUNCIL_DOMAIN}", "email_verified": True}


def assert_refused(answer: Any, client: Client, *, status: int, says: str, detail: str) -> None:
    assert answer.status_code == status, answer.content.decode()[:300]
    assert says in answer.content.decode()
    assert signed_in_as(client) is None
    record = SignInRecord.objects.get(event=SignInEvent.SSO_REFUSED)
    assert record.method == "sso:council"
    assert detail in record.detail, record.detail


@pytest.fixture(autouse=True)
def jo(db: None) -> None:
    council_person()


@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        ({"aud": "another-service"}, "audience 'another-service' does not include this service"),
        ({"aud": ["workspace", "another-service"]}, "authorised party None is not this service"),
        ({"azp": "another-service"}, "authorised party 'another-service' is not this service"),
        ({"iss": "http://127.0.0.1:1"}, "issuer 'http://127.0.0.1:1' is not"),
        ({"exp": int(time.time()) - 60}, "Signature has expired"),
        ({"exp": None}, "no expiry or issue time"),
        ({"nonce": "not-the-nonce-we-sent"}, "JWT Nonce verification failed"),
        ({"nonce": None}, "JWT Nonce verification failed"),
    ],
    ids=[
        "another audience",
        "two audiences without azp",
        "another authorised party",
        "another issuer",
        "expired",
        "no expiry",
        "wrong nonce",
        "no nonce",
    ],
)
def test_an_id_token_that_fails_a_check_signs_no_one_in(
    client: Client, sso: Providers, claims: dict[str, Any], detail: str
) -> None:
    answer = through_provider(client, sso.council, claims={**VERIFIED, **claims})
    assert_refused(answer, client, status=400, says="Signing in did not work", detail=detail)


def test_an_id_token_changed_after_signing_is_refused(client: Client, sso: Providers) -> None:
    answer = through_provider(client, sso.council, claims=VERIFIED, tamper="payload")
    assert_refused(
        answer, client, status=400, says="Signing in did not work", detail="verification failed"
    )


def test_an_unsigned_id_token_is_refused(client: Client, sso: Providers) -> None:
    answer = through_provider(client, sso.council, claims=VERIFIED, tamper="alg-none")
    assert_refused(
        answer,
        client,
        status=400,
        says="Signing in did not work",
        detail="Could not find a valid JWKS",
    )


def test_a_token_exchange_with_the_wrong_client_secret_is_refused(
    client: Client, stand_ins: Providers
) -> None:
    stand_ins.council.sign_in_as(VERIFIED)
    with override_settings(**provider_settings(stand_ins, client_secret="not-the-secret")):
        answer = through_provider(client, stand_ins.council)
    assert_refused(answer, client, status=400, says="Signing in did not work", detail="401")


def started(client: Client, stand_in: Any, slug: str = "council") -> str:
    """Start a sign-in and let the provider answer: the callback address it sends back."""
    location = client.get(f"/sign-in/sso/{slug}/")["Location"]
    back = requests.get(location, allow_redirects=False, timeout=5).headers["Location"]
    parts = urlsplit(back)
    return f"{parts.path}?{parts.query}"


def test_an_answer_for_a_sign_in_started_in_another_browser_is_refused(
    client: Client, sso: Providers
) -> None:
    sso.council.sign_in_as(VERIFIED)
    callback = started(Client(), sso.council)
    exchanges = len(sso.council.seen("token"))
    answer = client.get(callback)
    assert_refused(answer, client, status=400, says="Signing in did not work", detail="started")
    # The provider's code was never exchanged.
    assert len(sso.council.seen("token")) == exchanges


def test_an_answer_with_a_state_this_browser_did_not_make_is_refused(
    client: Client, sso: Providers
) -> None:
    sso.council.sign_in_as(VERIFIED)
    callback = started(client, sso.council)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    answer = client.get(callback.replace(state, "x" * len(state)))
    assert_refused(answer, client, status=400, says="Signing in did not work", detail="state")


def test_an_answer_used_twice_signs_in_once(client: Client, sso: Providers) -> None:
    sso.council.sign_in_as(VERIFIED)
    callback = started(client, sso.council)
    assert client.get(callback).status_code == 302
    again = client.get(callback)
    assert again.status_code == 400
    assert "Signing in did not work" in again.content.decode()
    record = SignInRecord.objects.get(event=SignInEvent.SSO_REFUSED)
    assert "state not found" in record.detail


def test_an_answer_for_another_providers_sign_in_is_refused(client: Client, sso: Providers) -> None:
    # Started with the NHS's provider, delivered to the council's callback: a mix-up must not
    # send one provider's code to another provider's token endpoint.
    sso.nhs.sign_in_as(VERIFIED)
    callback = started(client, sso.nhs, slug="nhs")
    exchanges = len(sso.council.seen("token"))
    answer = client.get(callback.replace("/sso/nhs/", "/sso/council/"))
    assert_refused(
        answer, client, status=400, says="Signing in did not work", detail="another provider"
    )
    assert len(sso.council.seen("token")) == exchanges
    # The state is spent: the NHS's own callback refuses it too.
    assert client.get(callback).status_code == 400


def test_a_provider_that_says_no_signs_no_one_in(client: Client, sso: Providers) -> None:
    callback = started(client, sso.council)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    answer = client.get(f"/sign-in/sso/council/callback/?error=access_denied&state={state}")
    assert_refused(answer, client, status=403, says="did not sign you in", detail="access_denied")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_provider_that_cannot_be_reached_gets_a_page_not_an_error(
    client: Client, stand_ins: Providers
) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    with override_settings(**provider_settings(stand_ins, issuer=down)):
        answer = client.get("/sign-in/sso/council/")
    assert answer.status_code == 503 and answer["Retry-After"] == "60"
    page = answer.content.decode()
    assert "Signing in with Northshire Council is not available" in page
    assert "sign in with your email address and password" in page


def test_a_discovery_document_for_another_issuer_is_not_trusted(
    client: Client, stand_ins: Providers
) -> None:
    # The same provider under another name: its document names 127.0.0.1, not localhost.
    renamed = stand_ins.council.issuer.replace("127.0.0.1", "localhost")
    with override_settings(**provider_settings(stand_ins, issuer=renamed)):
        answer = client.get("/sign-in/sso/council/")
    assert answer.status_code == 503


def test_an_unknown_provider_is_not_found(client: Client, sso: Providers) -> None:
    assert client.get("/sign-in/sso/elsewhere/").status_code == 404
    assert client.get("/sign-in/sso/elsewhere/callback/?code=a&state=b").status_code == 404
