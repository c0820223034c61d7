"""API tokens: made with a name, shown once, ended by their expiry or by revoking.

The secret is handed to the person once, when the token is made; only its SHA-256 digest is
stored, with its first characters to tell tokens apart in lists. A secret is long and random,
so a plain digest is enough: there is nothing for a slow hash to protect. Every secret starts
with ``apt_`` so that one pasted somewhere it should not be (a chat, a repository) is easy to
recognise and to scan for.

Revoking never deletes: the row stays, with when and why, so that a program still using the
token is told what happened (``accounts.authentication``) and administrators can read it.
"""

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Literal

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import ApiToken, SignInEvent, User
from accounts.sign_in_records import record_sign_in

SECRET_PREFIX = "apt_"
# Characters of the secret kept to tell tokens apart: the marker and six random ones.
SHOWN_PREFIX_LENGTH = len(SECRET_PREFIX) + 6
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100

# Why a token was revoked, as the refusal and the lists say it ("revoked on 4 May (...)").
REVOKED_BY_OWNER = "revoked by its owner"
REVOKED_BY_ADMINISTRATOR = "revoked by an administrator"
REVOKED_PASSWORD_CHANGED = "the password was changed"
REVOKED_DEACTIVATED = "the account was switched off"
REVOKED_SSO_ONLY = "the organisation now signs in only with single sign-on"

# last_used is written at most this often per token, so that a busy program does not turn
# every read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def default_max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)


def default_name(*, now: dt.datetime | None = None) -> str:
    day = timezone.localtime(now or timezone.now())
    return f"API token {day.day} {day:%B %Y}"


def create_token(
    *, user: User, name: str = "", max_age: dt.timedelta | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its secret, which is not kept and cannot be shown again."""
    now = timezone.now()
    secret = SECRET_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user,
        name=(name.strip() or default_name(now=now))[:NAME_MAX_LENGTH],
        key_digest=digest_of(secret),
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        created=now,
        expires=now + (max_age if max_age is not None else default_max_age()),
    )
    return token, secret


def _working(queryset: QuerySet[ApiToken], *, now: dt.datetime) -> QuerySet[ApiToken]:
    return queryset.filter(revoked__isnull=True, expires__gt=now)


def revoke_tokens(tokens: QuerySet[ApiToken], *, reason: str) -> int:
    """Revoke those of ``tokens`` that still work; how many. Ended ones keep their story."""
    now = timezone.now()
    return _working(tokens, now=now).update(revoked=now, revoked_reason=reason[:200])


def revoke_token(token: ApiToken, *, reason: str) -> bool:
    """Revoke one token; False if it had already ended (revoking twice is harmless)."""
    revoked = revoke_tokens(ApiToken.objects.filter(pk=token.pk), reason=reason) == 1
    token.refresh_from_db(fields=["revoked", "revoked_reason"])
    return revoked


def revoke_tokens_of(
    users: Iterable[User] | QuerySet[User],
    *,
    reason: str,
    request: HttpRequest | None = None,
    among: QuerySet[ApiToken] | None = None,
) -> int:
    """Revoke the working tokens of these people (only those ``among`` some, if given), with a
    sign-in record for each person who had one; how many were revoked."""
    tokens = (ApiToken.objects.all() if among is None else among).filter(user__in=users)
    working = _working(tokens, now=timezone.now())
    total = 0
    for user in User.objects.filter(pk__in=working.values("user_id")):
        revoked = revoke_tokens(tokens.filter(user=user), reason=reason)
        if revoked:
            record_sign_in(
                SignInEvent.TOKEN_REVOKED,
                method="api token",
                request=request,
                user=user,
                detail=f"{revoked} {'token' if revoked == 1 else 'tokens'}: {reason}",
            )
        total += revoked
    return total


def tokens_of(user: User, *, ended_since: dt.datetime | None = None) -> QuerySet[ApiToken]:
    """The person's tokens, newest first; with ``ended_since``, those that still work and
    those that ended after it (an old list of dead tokens helps nobody)."""
    tokens = ApiToken.objects.filter(user=user)
    if ended_since is not None:
        tokens = tokens.filter(
            Q(revoked__isnull=True, expires__gt=ended_since) | Q(revoked__gt=ended_since)
        )
    return tokens.order_by("-created", "-pk")


TokenStatus = Literal["active", "expired", "revoked"]


def token_status(token: ApiToken, *, now: dt.datetime | None = None) -> TokenStatus:
    """ "active", "expired" or "revoked" (revoked wins: it is what someone did)."""
    if token.revoked is not None:
        return "revoked"
    if token.expires <= (now or timezone.now()):
        return "expired"
    return "active"


def token_for_secret(secret: str) -> ApiToken | None:
    """The token with this secret and its person, in one query, whatever its state."""
    return ApiToken.objects.select_related("user").filter(key_digest=digest_of(secret)).first()


def note_token_used(token: ApiToken, *, now: dt.datetime | None = None) -> None:
    """Record that the token was used now, at most once a ``LAST_USED_RESOLUTION``.

    The conditional UPDATE writes nothing when another request already recorded a recent use.
    """
    now = now or timezone.now()
    if token.last_used is not None and now - token.last_used < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used__isnull=True) | Q(last_used__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used=now)
    token.last_used = now
