"""The configured providers at run time, and what each one's discovery document says.

The discovery document (``<issuer>/.well-known/openid-configuration``) is fetched on first use,
not at start: a provider that is down must not stop the service, or passwords with it. It is
kept for ``SSO_DISCOVERY_CACHE_SECONDS`` (a provider changes its endpoints rarely and its
keys are fetched afresh for every sign-in anyway).
"""

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from accounts.sso.config import SsoProvider, check_endpoint

logger = logging.getLogger(__name__)


class ProviderUnavailable(Exception):
    """The provider could not be reached, or answered something that is not a provider's."""


@dataclass(frozen=True)
class Endpoints:
    issuer: str
    authorization: str
    token: str
    jwks: str
    end_session: str | None


def configured() -> tuple[SsoProvider, ...]:
    return tuple(getattr(settings, "SSO_PROVIDERS", ()))


def find(slug: str) -> SsoProvider | None:
    return next((p for p in configured() if p.slug == slug), None)


_cache: dict[str, tuple[float, Endpoints]] = {}
_lock = threading.Lock()


def _read(provider: SsoProvider, document: dict[str, Any]) -> Endpoints:
    # OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer it was
    # fetched for, or its keys could vouch for another provider's tokens.
    if str(document.get("issuer", "")).rstrip("/") != provider.issuer:
        raise ProviderUnavailable(
            f"its discovery document names the issuer {document.get('issuer')!r}"
        )
    urls = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"):
        url = document.get(name)
        if url is None and name == "end_session_endpoint":
            continue
        if not isinstance(url, str):
            raise ProviderUnavailable(f"its discovery document has no {name}")
        try:
            check_endpoint(name, url)
        except ImproperlyConfigured as error:
            raise ProviderUnavailable(str(error)) from None
        urls[name] = url
    return Endpoints(
        issuer=provider.issuer,
        authorization=urls["authorization_endpoint"],
        token=urls["token_endpoint"],
        jwks=urls["jwks_uri"],
        end_session=urls.get("end_session_endpoint"),
    )


def endpoints(provider: SsoProvider) -> Endpoints:
    """The provider's endpoints, from its discovery document (fetched at most once a while)."""
    now = time.monotonic()
    key = f"{provider.issuer}|{provider.client_id}"
    with _lock:
        cached = _cache.get(key)
    if cached and now - cached[0] < settings.SSO_DISCOVERY_CACHE_SECONDS:
        return cached[1]
    url = f"{provider.issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict):
            raise ValueError("not a JSON object")
    except (requests.RequestException, ValueError) as error:
        logger.warning("Single sign-on: %s's discovery document: %s", provider.slug, error)
        raise ProviderUnavailable(str(error)) from error
    found = _read(provider, document)
    with _lock:
        _cache[key] = (now, found)
    return found


def forget_endpoints() -> None:
    """For tests that start a provider afresh: the next sign-in fetches the document again."""
    with _lock:
        _cache.clear()
