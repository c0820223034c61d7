"""The authentication backend for a provider's answer: mozilla-django-oidc's, per provider.

The library's backend reads one provider from settings; here the callback view hands over the
provider on the request (``SsoAttempt``), and the backend says why it refused on the same
object, so that the page and the sign-in record can say it too. It only ever finds a person:
``create_user`` is never reached.
"""

import time
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.models import User
from accounts.sso import providers
from accounts.sso.claims import Refusal, email_verified, id_token_problem
from accounts.sso.config import SsoProvider

# What a wrong answer from the provider raises on its way through the library: a refused
# exchange, a signature, kid, algorithm or nonce that does not check out, an expired token,
# an answer that is not JSON or lacks a field.
ANSWER_ERRORS = (
    SuspiciousOperation,
    jwt.PyJWTError,
    requests.RequestException,
    ValueError,
    KeyError,
    TypeError,
)


@dataclass
class SsoAttempt:
    """One answer from a provider, on its way through the callback: who, and why not."""

    provider: SsoProvider
    refusal: Refusal | None = None
    detail: str = ""
    email: str = ""
    user: User | None = None
    claims: dict[str, Any] = field(default_factory=dict)
    id_token: str = ""

    def refuse(self, refusal: Refusal, detail: str = "") -> None:
        self.refusal = refusal
        self.detail = f"{refusal.value}: {detail}" if detail else refusal.value


def callback_url(request: HttpRequest, provider: SsoProvider) -> str:
    return request.build_absolute_uri(reverse("sso:callback", args=[provider.slug]))


class SsoBackend(OIDCAuthenticationBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not the library's __init__: it would read a single provider's endpoints from settings.
        self.UserModel = get_user_model()

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        nonce: str | None = None,
        code_verifier: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        attempt = getattr(request, "sso_attempt", None)
        # Password sign-ins reach every backend too: answer only the callback's call.
        if request is None or not isinstance(attempt, SsoAttempt) or nonce is None:
            return None
        self.request = request
        claims = self._verified_claims(request, attempt, nonce, code_verifier)
        if claims is None:
            return None
        return self._person(attempt, claims)

    def _verified_claims(
        self,
        request: HttpRequest,
        attempt: SsoAttempt,
        nonce: str,
        code_verifier: str | None,
    ) -> dict[str, Any] | None:
        provider = attempt.provider
        try:
            found = providers.endpoints(provider)
        except providers.ProviderUnavailable as error:
            attempt.refuse(Refusal.PROVIDER_UNAVAILABLE, str(error))
            return None
        # The library's methods read these attributes.
        self.OIDC_OP_TOKEN_ENDPOINT = found.token
        self.OIDC_OP_JWKS_ENDPOINT = found.jwks
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        exchange = {
            "client_id": provider.client_id,
            "client_secret": provider.client_secret,
            "grant_type": "authorization_code",
            "code": request.GET.get("code", ""),
            "redirect_uri": callback_url(request, provider),
        }
        if code_verifier is not None:
            exchange["code_verifier"] = code_verifier
        try:
            answer = self.get_token(exchange)
            attempt.id_token = str(answer.get("id_token") or "")
            if not attempt.id_token:
                raise SuspiciousOperation("no ID token")
            # The signature against the provider's keys, the expiry and the nonce.
            claims: dict[str, Any] = self.verify_token(attempt.id_token, nonce=nonce)
        except ANSWER_ERRORS as error:
            attempt.refuse(Refusal.BAD_TOKEN, f"{type(error).__name__}: {error}"[:200])
            return None
        problem = id_token_problem(claims, provider=provider, now=time.time())
        if problem:
            attempt.refuse(Refusal.BAD_TOKEN, problem)
            return None
        attempt.claims = claims
        return claims

    def _person(self, attempt: SsoAttempt, claims: dict[str, Any]) -> User | None:
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            attempt.refuse(Refusal.NO_EMAIL)
            return None
        attempt.email = email.strip().lower()
        trusted = attempt.provider.emails_are_verified and "email_verified" not in claims
        if not (email_verified(claims) or trusted):
            attempt.refuse(Refusal.EMAIL_NOT_VERIFIED)
            return None
        if not attempt.provider.allows(attempt.email):
            attempt.refuse(Refusal.DOMAIN_NOT_ALLOWED)
            return None
        person = User.objects.filter(email__iexact=attempt.email).first()
        if person is None:
            attempt.refuse(Refusal.UNKNOWN_PERSON)
            return None
        attempt.user = person
        if not person.is_active:
            attempt.refuse(Refusal.INACTIVE)
            return None
        return person

    # The password backend answers for permissions; this one only signs people in.
    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_user(self, user_id: Any) -> User | None:
        # ModelBackend's: an account switched off after signing in is signed out.
        user = super(OIDCAuthenticationBackend, self).get_user(user_id)
        return user if isinstance(user, User) else None
