"""The identity providers, read from the environment when the settings load.

``SSO_PROVIDERS=council,nhs`` names them; each has ``SSO_<NAME>_ISSUER``, ``_CLIENT_ID``,
``_CLIENT_SECRET``, ``_EMAIL_DOMAINS`` and an optional ``_LABEL`` and
``_EMAILS_ARE_VERIFIED``. A mistake stops the service
at start with one clear sentence, rather than at someone's first sign-in. This module imports
nothing of Django's apps: the settings import it.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

SLUG = re.compile(r"^[a-z][a-z0-9-]{0,29}$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
REQUIRED = ("ISSUER", "CLIENT_ID", "CLIENT_SECRET", "EMAIL_DOMAINS")


@dataclass(frozen=True)
class SsoProvider:
    slug: str  # in addresses and sign-in records: "council"
    label: str  # the organisation, on its button: "Northshire Council"
    issuer: str
    client_id: str
    client_secret: str
    # Addresses this provider may vouch for: a council's provider cannot sign in an NHS email.
    email_domains: tuple[str, ...]
    # Microsoft Entra ID sends no ``email_verified``: its tenant's addresses are the
    # organisation's own accounts. When set, a missing claim is taken as verified (an explicit
    # false still refuses); the email domains still limit whom it may vouch for.
    emails_are_verified: bool = False

    @property
    def button(self) -> str:
        return f"Sign in with {self.label}"

    def allows(self, email: str) -> bool:
        domain = email.rpartition("@")[2].lower()
        return domain in self.email_domains


def is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS


def check_endpoint(name: str, url: str) -> None:
    """Tokens and secrets travel only over HTTPS, except to a provider on this machine."""
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise ImproperlyConfigured(f'{name} "{url}" is not a web address such as https://…')
    if parts.scheme == "http" and not is_loopback(url):
        raise ImproperlyConfigured(
            f'{name} "{url}" must use https (plain http only for a provider on 127.0.0.1).'
        )


def _domains(name: str, raw: str) -> tuple[str, ...]:
    domains = tuple(d.strip().lstrip("@").lower() for d in raw.split(",") if d.strip())
    for domain in domains:
        if not DOMAIN.match(domain):
            raise ImproperlyConfigured(
                f'{name}: "{domain}" is not an email domain such as northshire.gov.uk.'
            )
    if not domains:
        raise ImproperlyConfigured(f"{name} must name at least one email domain.")
    return domains


def _provider(slug: str, environ: Mapping[str, str]) -> SsoProvider:
    prefix = f"SSO_{slug.upper().replace('-', '_')}_"
    optional = ("LABEL", "EMAILS_ARE_VERIFIED")
    value = {name: environ.get(prefix + name, "").strip() for name in (*REQUIRED, *optional)}
    missing = [prefix + name for name in REQUIRED if not value[name]]
    if missing:
        raise ImproperlyConfigured(
            f'Single sign-on provider "{slug}" (in SSO_PROVIDERS) also needs {", ".join(missing)}.'
        )
    issuer = value["ISSUER"].rstrip("/")
    check_endpoint(prefix + "ISSUER", issuer)
    if urlsplit(issuer).query or urlsplit(issuer).fragment:
        raise ImproperlyConfigured(f"{prefix}ISSUER must not have a query or a fragment.")
    return SsoProvider(
        slug=slug,
        label=value["LABEL"] or slug.replace("-", " ").title(),
        issuer=issuer,
        client_id=value["CLIENT_ID"],
        client_secret=value["CLIENT_SECRET"],
        email_domains=_domains(prefix + "EMAIL_DOMAINS", value["EMAIL_DOMAINS"]),
        emails_are_verified=_yes_or_no(
            prefix + "EMAILS_ARE_VERIFIED", value["EMAILS_ARE_VERIFIED"]
        ),
    )


def _yes_or_no(name: str, raw: str) -> bool:
    if raw.lower() in ("", "false", "no", "0"):
        return False
    if raw.lower() in ("true", "yes", "1"):
        return True
    raise ImproperlyConfigured(f'{name} "{raw}" is not true or false.')


def read_providers(environ: Mapping[str, str]) -> tuple[SsoProvider, ...]:
    """Every provider that SSO_PROVIDERS names, checked; none when it is unset (passwords only)."""
    slugs = [s.strip() for s in environ.get("SSO_PROVIDERS", "").split(",") if s.strip()]
    for slug in slugs:
        if not SLUG.match(slug):
            raise ImproperlyConfigured(
                f'SSO_PROVIDERS: "{slug}" is not a short name of lower-case letters, digits '
                "and hyphens, such as council or nhs."
            )
    if len(set(slugs)) != len(slugs):
        raise ImproperlyConfigured("SSO_PROVIDERS names the same provider twice.")
    return tuple(_provider(slug, environ) for slug in slugs)


def form_action_sources(providers: Iterable[SsoProvider]) -> list[str]:
    """The providers' origins, for the Content-Security-Policy's form-action.

    Signing out is a form; when the provider signs the person out too, the browser follows the
    answer's redirect to the provider, and browsers hold such redirects to form-action.
    """
    origins = []
    for provider in providers:
        parts = urlsplit(provider.issuer)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in origins:
            origins.append(origin)
    return origins
