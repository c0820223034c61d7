"""Signing in to the API with a token: ``Authorization: Token <secret>`` (or ``Bearer``).

A token that has ended is refused with 401 and a sentence saying why (expired, or revoked
when and why), so that whoever runs the program knows what to do rather than guessing.
"""

from typing import Any

from django.utils import formats, timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts.models import ApiToken, User
from accounts.tokens import note_token_used, token_for_secret, token_status

KEYWORDS = (b"token", b"bearer")

INVALID = (
    "This API token is not recognised. Check it was copied in full, or create a new one on "
    "your settings page."
)
MALFORMED = 'Send the token as "Authorization: Token <token>", with nothing else.'
EXPIRED = "This API token has expired. Create a new one on your settings page."
INACTIVE = "This account can no longer sign in."


def revoked_message(token: ApiToken) -> str:
    assert token.revoked is not None
    day = formats.date_format(timezone.localtime(token.revoked), "j F Y")
    reason = f" ({token.revoked_reason})" if token.revoked_reason else ""
    return f"This API token was revoked on {day}{reason}."


class ApiTokenAuthentication(BaseAuthentication):
    """Looks the token up by its digest (one query with its person), then checks it works."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() not in KEYWORDS:
            # Not ours (no header, or another scheme): let the other ways of signing in try.
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(MALFORMED)
        try:
            secret = words[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(INVALID) from None
        return self.authenticate_credentials(secret)

    def authenticate_credentials(self, secret: str) -> tuple[User, ApiToken]:
        token = token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID)
        status = token_status(token)
        if status == "revoked":
            raise exceptions.AuthenticationFailed(revoked_message(token))
        if status == "expired":
            raise exceptions.AuthenticationFailed(EXPIRED)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(INACTIVE)
        note_token_used(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes refusals 401 (with WWW-Authenticate), not 403.
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """How the schema (and Swagger UI's "Authorize") describes signing in with a token."""

    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                'An API token, sent as "Token <token>" (or "Bearer <token>"). Create one on '
                "your settings page, or with POST /api/auth/token/. A token works until it "
                "expires or is revoked."
            ),
        }
