"""The two addresses of each provider: the start (a redirect to the provider) and the callback.

The start keeps a random state, nonce and PKCE verifier in the session, as mozilla-django-oidc
does, and notes which provider the state was for; the callback is the library's view, which
checks the state and asks the backend (``accounts.sso.backend``) about the provider's answer.
Every refusal is a page that says what happened and what to do, and a sign-in record.
"""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.crypto import get_random_string
from django.views.decorators.http import require_GET
from mozilla_django_oidc.utils import (
    add_state_and_verifier_and_nonce_to_session,
    generate_code_challenge,
)
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, get_next_url

from accounts.models import SignInEvent
from accounts.second_factor import record_provider_mfa
from accounts.sign_in_records import record_sign_in
from accounts.sso import providers
from accounts.sso.backend import SsoAttempt, callback_url
from accounts.sso.claims import Refusal, asserts_mfa
from accounts.sso.config import SsoProvider

# What signing out needs to sign the person out of the provider too (accounts.sso.sign_out).
PROVIDER_SESSION_KEY = "sso_provider"
ID_TOKEN_SESSION_KEY = "sso_id_token"


def _provider(slug: str) -> SsoProvider:
    found = providers.find(slug)
    if found is None:
        raise Http404("No such sign-in provider.")
    return found


# Each refusal's page heading and status; the template says the rest.
PAGES: dict[Refusal, tuple[int, str]] = {
    Refusal.UNKNOWN_PERSON: (403, "You do not have an account yet"),
    Refusal.INACTIVE: (403, "Your account is switched off"),
    Refusal.DOMAIN_NOT_ALLOWED: (403, "You cannot sign in with {label} using this email address"),
    Refusal.EMAIL_NOT_VERIFIED: (403, "{label} has not confirmed your email address"),
    Refusal.NO_EMAIL: (403, "{label} did not tell us your email address"),
    Refusal.BAD_TOKEN: (400, "Signing in did not work"),
    Refusal.BAD_STATE: (400, "Signing in did not work"),
    Refusal.PROVIDER_ERROR: (403, "You were not signed in"),
    Refusal.PROVIDER_UNAVAILABLE: (503, "Signing in with {label} is not available"),
}


def refused_page(
    request: HttpRequest, provider: SsoProvider, refusal: Refusal, *, email: str = ""
) -> HttpResponse:
    status, heading = PAGES[refusal]
    context = {
        "heading": heading.format(label=provider.label),
        "kind": refusal.name.lower(),
        "provider": provider,
        "email": email,
        "domains": provider.email_domains,
        "help_email": settings.SSO_HELP_EMAIL,
    }
    response = render(request, "accounts/sso_refused.html", context, status=status)
    if status == 503:
        response["Retry-After"] = "60"
    return response


@require_GET
def start(request: HttpRequest, provider: str) -> HttpResponse:
    """Send the browser to the provider, with a fresh state, nonce and PKCE challenge."""
    found = _provider(provider)
    try:
        endpoints = providers.endpoints(found)
    except providers.ProviderUnavailable:
        return refused_page(request, found, Refusal.PROVIDER_UNAVAILABLE)
    state = get_random_string(settings.OIDC_STATE_SIZE)
    verifier = get_random_string(64)
    params = {
        "response_type": "code",
        "scope": settings.OIDC_RP_SCOPES,
        "client_id": found.client_id,
        "redirect_uri": callback_url(request, found),
        "state": state,
        "nonce": get_random_string(settings.OIDC_NONCE_SIZE),
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    add_state_and_verifier_and_nonce_to_session(request, state, params, verifier)
    # Which provider this state is for: an answer arriving at another provider's callback
    # is refused (a mix-up would send one provider's code to another).
    request.session["oidc_states"][state]["provider"] = found.slug
    request.session["oidc_login_next"] = get_next_url(request, "next")
    request.session.modified = True
    joiner = "&" if "?" in endpoints.authorization else "?"
    return HttpResponseRedirect(f"{endpoints.authorization}{joiner}{urlencode(params)}")


class CallbackView(OIDCAuthenticationCallbackView):
    """The library's callback (state, then the backend), refusing with a page, not a redirect."""

    attempt: SsoAttempt

    def get(self, request: HttpRequest, provider: str) -> HttpResponse:  # type: ignore[override]
        self.attempt = SsoAttempt(provider=_provider(provider))
        request.sso_attempt = self.attempt  # type: ignore[attr-defined]
        state = request.GET.get("state", "")
        states = request.session.get("oidc_states")
        entry = states.get(state) if isinstance(states, dict) else None
        if isinstance(entry, dict) and entry.get("provider") != self.attempt.provider.slug:
            del request.session["oidc_states"][state]
            request.session.modified = True
            self.attempt.refuse(Refusal.BAD_STATE, "started with another provider")
            return self.login_failure()
        if request.GET.get("error"):
            self.attempt.refuse(Refusal.PROVIDER_ERROR, request.GET["error"][:60])
        try:
            response: HttpResponse = super().get(request)
        except SuspiciousOperation as error:
            # A state this browser's session did not start, or one already used.
            self.attempt.refuse(Refusal.BAD_STATE, str(error))
            return self.login_failure()
        return response

    def login_failure(self) -> HttpResponse:
        attempt = self.attempt
        if attempt.refusal is None:
            attempt.refuse(Refusal.BAD_STATE, "no sign-in was started in this browser")
        record_sign_in(
            SignInEvent.SSO_REFUSED,
            method=f"sso:{attempt.provider.slug}",
            request=self.request,
            user=attempt.user,
            email=attempt.email,
            detail=attempt.detail,
        )
        assert attempt.refusal is not None
        return refused_page(self.request, attempt.provider, attempt.refusal, email=attempt.email)

    def login_success(self) -> HttpResponse:
        slug = self.attempt.provider.slug
        # The sign-in record's method (written when Django's login() signals).
        self.request.sign_in_method = f"sso:{slug}"  # type: ignore[attr-defined]
        response: HttpResponse = super().login_success()
        session: Any = self.request.session
        session[PROVIDER_SESSION_KEY] = slug
        session[ID_TOKEN_SESSION_KEY] = self.attempt.id_token
        if asserts_mfa(self.attempt.claims):
            record_provider_mfa(self.request, provider=slug)
        return response


callback = CallbackView.as_view()
