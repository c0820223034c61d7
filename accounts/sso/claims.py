"""What an ID token must say before anyone is signed in, and whether it asserts MFA.

mozilla-django-oidc checks the signature (against the provider's published keys), the expiry
and the nonce, but not the audience or the issuer: a token the provider made for another
service, or a token from another provider, would pass. These checks close that gap.
"""

import enum
from collections.abc import Iterable
from typing import Any

from accounts.sso.config import SsoProvider


class Refusal(enum.Enum):
    """Why single sign-on refused someone: the value is the sign-in record's detail."""

    UNKNOWN_PERSON = "no account with this email address"
    INACTIVE = "the account is switched off"
    DOMAIN_NOT_ALLOWED = "the provider may not sign in this email domain"
    EMAIL_NOT_VERIFIED = "the provider has not verified the email address"
    NO_EMAIL = "the ID token has no email address"
    BAD_TOKEN = "the provider's answer failed a check"
    BAD_STATE = "the sign-in was not started here, or was already used"
    PROVIDER_ERROR = "the provider did not sign the person in"
    PROVIDER_UNAVAILABLE = "the provider could not be reached"


def _audiences(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and all(isinstance(a, str) for a in aud):
        return aud
    return []


def id_token_problem(claims: dict[str, Any], *, provider: SsoProvider, now: float) -> str | None:
    """What is wrong with a signed ID token's claims (OpenID Connect Core 3.1.3.7), or None."""
    if str(claims.get("iss", "")).rstrip("/") != provider.issuer:
        return f"issuer {claims.get('iss')!r} is not {provider.issuer!r}"
    audiences = _audiences(claims)
    if provider.client_id not in audiences:
        return f"audience {claims.get('aud')!r} does not include this service"
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != provider.client_id:
        return f"authorised party {azp!r} is not this service"
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        return "no expiry or issue time"
    if exp <= now:
        return "expired"
    return None


def email_verified(claims: dict[str, Any]) -> bool:
    # Some providers send the boolean as a string.
    verified = claims.get("email_verified")
    return verified is True or (isinstance(verified, str) and verified.lower() == "true")


# RFC 8176's methods, by the kind of factor each one is: a sign-in that used two kinds is
# multi-factor even when the provider does not also say "mfa".
KNOWLEDGE = frozenset({"pwd", "pin", "kba"})
POSSESSION = frozenset({"hwk", "swk", "otp", "sms", "tel", "sc"})
INHERENCE = frozenset({"fpt", "face", "iris", "retina", "vbm"})


def asserts_mfa(claims: dict[str, Any]) -> bool:
    """The ID token's ``amr`` says the provider asked for more than one factor."""
    amr = claims.get("amr")
    methods: Iterable[Any] = amr if isinstance(amr, list) else []
    used = {m for m in methods if isinstance(m, str)}
    if "mfa" in used:
        return True
    kinds = [KNOWLEDGE & used, POSSESSION & used, INHERENCE & used]
    return sum(1 for kind in kinds if kind) >= 2
