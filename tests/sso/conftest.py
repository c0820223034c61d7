"""Single sign-on against two real OpenID providers on loopback: a council's and its NHS
partner's (``tests.stand_ins.oidc``), configured as the environment would configure them."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.test.client import Client as DjangoClient

from accounts.models import User
from accounts.sso import providers
from accounts.sso.config import SsoProvider, form_action_sources
from tests.factories import UserFactory
from tests.stand_ins.oidc import OidcStandIn

COUNCIL_DOMAIN = "northshire.gov.uk"
NHS_DOMAIN = "nhs.net"
SECRET = "a-client-secret-for-tests"


@dataclass
class Providers:
    council: OidcStandIn
    nhs: OidcStandIn


@pytest.fixture(scope="module")
def stand_ins() -> Iterator[Providers]:
    with (
        OidcStandIn.running(client_id="workspace", client_secret=SECRET) as council,
        OidcStandIn.running(client_id="workspace-nhs", client_secret=SECRET) as nhs,
    ):
        yield Providers(council=council, nhs=nhs)


def provider_settings(found: Providers, **council: Any) -> dict[str, Any]:
    """The settings that SSO_PROVIDERS=council,nhs and their variables would make."""
    configured = (
        SsoProvider(
            slug="council",
            label="Northshire Council",
            issuer=found.council.issuer,
            client_id="workspace",
            client_secret=SECRET,
            email_domains=(COUNCIL_DOMAIN,),
        ),
        SsoProvider(
            slug="nhs",
            label="Northshire NHS",
            issuer=found.nhs.issuer,
            client_id="workspace-nhs",
            client_secret=SECRET,
            email_domains=(NHS_DOMAIN,),
        ),
    )
    if council:
        configured = (SsoProvider(**{**configured[0].__dict__, **council}), configured[1])
    policy = {**settings.CONTENT_SECURITY_POLICY}
    policy["DIRECTIVES"] = {
        **policy["DIRECTIVES"],
        "form-action": ["'self'", *form_action_sources(configured)],
    }
    return {"SSO_PROVIDERS": configured, "CONTENT_SECURITY_POLICY": policy}


@pytest.fixture
def sso(stand_ins: Providers) -> Iterator[Providers]:
    """Both providers configured; each test starts with a plain verified sign-in."""
    providers.forget_endpoints()
    stand_ins.council.sign_in_as({})
    stand_ins.nhs.sign_in_as({})
    with override_settings(**provider_settings(stand_ins)):
        yield stand_ins
    providers.forget_endpoints()


def council_person(**fields: Any) -> User:
    fields.setdefault("email", f"jo.bloggs@{COUNCIL_DOMAIN}")
    fields.setdefault("name", "Jo Bloggs")
    return UserFactory.create(**fields)


def through_provider(
    client: DjangoClient,
    stand_in: OidcStandIn,
    *,
    slug: str = "council",
    claims: dict[str, Any] | None = None,
    tamper: str | None = None,
    start: str = "",
) -> Any:
    """Press the provider's button and come back: the answer of our callback.

    The browser's part (following the redirects) is played here; the provider and the token
    exchange, from the service to the provider, are real HTTP on loopback.
    """
    if claims is not None or tamper is not None:
        stand_in.sign_in_as(claims, tamper=tamper)
    started = client.get(start or f"/sign-in/sso/{slug}/")
    assert started.status_code == 302, started.content.decode()[:500]
    assert started["Location"].startswith(f"{stand_in.issuer}/authorize?")
    back = requests.get(started["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert callback.netloc == "testserver", back.headers["Location"]
    return client.get(f"{callback.path}?{callback.query}")


def signed_in_as(client: Client) -> User | None:
    """Whom the browser's session signs in (None: nobody)."""
    user_id = client.session.get(SESSION_KEY)
    return User.objects.filter(pk=user_id).first() if user_id else None
