"""A person's API tokens as "Your settings" shows them, and making and revoking them there.

The tokens themselves are ``accounts.tokens``'; this adapts them for the page. A secret is shown
once, on the page that answers the form that made it, and never again: only its digest is kept.
"""

import datetime as dt
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone

from accounts.models import ApiToken, SignInEvent, User
from accounts.sign_in_records import record_sign_in
from accounts.tokens import (
    REVOKED_BY_OWNER,
    TokenStatus,
    create_token,
    revoke_token,
    token_status,
    tokens_of,
)

# Tokens that ended longer ago than this are left off the list: they only crowd it.
ENDED_SHOWN_FOR = dt.timedelta(days=30)

STATUS_TAGS: dict[TokenStatus, tuple[str, str]] = {
    "active": ("Active", "govuk-tag--green"),
    "expired": ("Expired", "govuk-tag--grey"),
    "revoked": ("Revoked", "govuk-tag--red"),
}


@dataclass(frozen=True)
class TokenRow:
    token: ApiToken
    status: TokenStatus

    @property
    def status_label(self) -> str:
        return STATUS_TAGS[self.status][0]

    @property
    def status_class(self) -> str:
        return STATUS_TAGS[self.status][1]

    @property
    def active(self) -> bool:
        return self.status == "active"


def token_rows(*, user: User) -> list[TokenRow]:
    now = timezone.now()
    tokens = tokens_of(user, ended_since=now - ENDED_SHOWN_FOR)
    return [TokenRow(token=token, status=token_status(token, now=now)) for token in tokens]


def own_token(*, user: User, pk: int) -> ApiToken | None:
    """One of the person's tokens; None for anyone else's (the page then answers 404)."""
    return tokens_of(user).filter(pk=pk).first()


def api_token_create(*, request: HttpRequest, user: User, name: str) -> tuple[ApiToken, str]:
    token, secret = create_token(user=user, name=name)
    record_sign_in(
        SignInEvent.TOKEN_CREATED, method="api token", request=request, user=user, detail=token.name
    )
    return token, secret


def api_token_revoke(*, request: HttpRequest, user: User, token: ApiToken) -> bool:
    """Revoke one of the person's tokens; False if it had already ended."""
    revoked = revoke_token(token, reason=REVOKED_BY_OWNER)
    if revoked:
        record_sign_in(
            SignInEvent.TOKEN_REVOKED,
            method="api token",
            request=request,
            user=user,
            detail=token.name,
        )
    return revoked
