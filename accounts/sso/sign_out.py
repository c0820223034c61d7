"""Signing out of the provider too, when the person signed in through one that offers it."""

from urllib.parse import urlencode

from django.http import HttpRequest

from accounts.sso import providers
from accounts.sso.views import ID_TOKEN_SESSION_KEY, PROVIDER_SESSION_KEY


def provider_sign_out_url(request: HttpRequest, *, come_back_to: str) -> str | None:
    """Where to send the browser after our own sign-out (RP-Initiated Logout 1.0), or None.

    Read it before signing out: it comes from the session. ``come_back_to`` is the absolute
    address the provider sends the person back to; the provider must know it.
    """
    provider = providers.find(str(request.session.get(PROVIDER_SESSION_KEY, "")))
    if provider is None:
        return None
    try:
        end_session = providers.endpoints(provider).end_session
    except providers.ProviderUnavailable:
        # Our own session still ends; the provider's may outlive it.
        return None
    if not end_session:
        return None
    params = {"client_id": provider.client_id, "post_logout_redirect_uri": come_back_to}
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    if id_token:
        params["id_token_hint"] = str(id_token)
    joiner = "&" if "?" in end_session else "?"
    return f"{end_session}{joiner}{urlencode(params)}"
