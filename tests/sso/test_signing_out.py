"""Signing out after single sign-on ends the session here and, since the provider offers it,
sends the browser to the provider's sign-out, which sends it back to the home page."""

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client, override_settings

from accounts.sso import providers
from tests.factories import UserFactory
from tests.sso.conftest import (
    COUNCIL_DOMAIN,
    Providers,
    council_person,
    signed_in_as,
    through_provider,
)

pytestmark = pytest.mark.django_db

VERIFIED = {"email": f"jo.bloggs@{COUNCIL_DOMAIN}", "email_verified": True}


def test_signing_out_ends_the_session_and_the_providers(client: Client, sso: Providers) -> None:
    council_person()
    through_provider(client, sso.council, claims=VERIFIED)
    id_token = client.session["sso_id_token"]

    answer = client.post("/sign-out/")
    assert signed_in_as(client) is None
    assert answer.status_code == 302
    at_provider = urlsplit(answer["Location"])
    assert f"{at_provider.scheme}://{at_provider.netloc}" == sso.council.issuer
    assert at_provider.path == "/endsession"
    query = parse_qs(at_provider.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]
    assert query["id_token_hint"] == [id_token]
    assert query["client_id"] == ["workspace"]

    back = requests.get(answer["Location"], allow_redirects=False, timeout=5)
    assert back.headers["Location"] == "http://testserver/"
    assert sso.council.seen("end_session")[-1]["query"]["id_token_hint"] == id_token
    home = client.get("/").content.decode()
    assert "You have signed out." in home
    assert "What needs you" not in home


def test_signing_out_after_a_password_stays_on_this_site(client: Client, sso: Providers) -> None:
    client.force_login(UserFactory.create())
    answer = client.post("/sign-out/")
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert signed_in_as(client) is None


def test_signing_out_still_works_when_the_provider_is_down(client: Client, sso: Providers) -> None:
    council_person()
    through_provider(client, sso.council, claims=VERIFIED)
    providers.forget_endpoints()
    # The provider is configured somewhere that does not answer now.
    council = providers.find("council")
    assert council is not None
    down = replace(council, issuer="http://127.0.0.1:9")
    with override_settings(SSO_PROVIDERS=(down,)):
        answer = client.post("/sign-out/")
    assert answer["Location"] == "/"
    assert signed_in_as(client) is None
