"""Choosing a new password through an emailed link: who may, the link, the limits, the change.

The link carries Django's ``default_token_generator`` token: a keyed hash of the person's
current password hash, last sign-in and the time it was made. Nothing about it is stored, it
stops working after ``PASSWORD_RESET_TIMEOUT``, and it stops working once used, because using
it changes the password it was made from (so does any other password change or sign-in).

Only people who could sign in with a password get a link: active, with a usable password, and
not of an organisation that must use single sign-on. Whoever is asked about, the answer the
page gives is the same, so the page does not tell who has an account.
"""

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import User
from accounts.selectors import organisation_must_use_sso
from accounts.throttles import SharedRateThrottle, _digest, _normalised, _wait

logger = logging.getLogger(__name__)


class _ResetThrottle(SharedRateThrottle):
    """Rates from settings read when used, so that a deployment (or a test) may change them."""

    setting = ""

    def get_rate(self) -> str:
        return str(getattr(settings, self.setting))


class PasswordResetEmailThrottle(_ResetThrottle):
    """Links asked for one email address, from wherever: an inbox is not flooded.

    Counted whether or not the address belongs to anyone, so the limit tells nothing.
    """

    scope = "password-reset-email"
    setting = "PASSWORD_RESET_RATE_PER_EMAIL"

    def __init__(self, email: str) -> None:
        super().__init__()
        self.email = _normalised(email)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not self.email:
            return None
        return self.cache_format % {"scope": self.scope, "ident": _digest(self.email)}


class PasswordResetAddressThrottle(_ResetThrottle):
    """Links asked for from one network address, whatever email they name."""

    scope = "password-reset-address"
    setting = "PASSWORD_RESET_RATE_PER_ADDRESS"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def password_reset_wait(request: HttpRequest, email: str) -> int | None:
    """Counts a request for a link to ``email``; seconds to wait if there were too many.

    Both limits count the request, as the sign-in limits do, even when one already refuses.
    """
    waits = [
        _wait(throttle, request)
        for throttle in (PasswordResetEmailThrottle(email), PasswordResetAddressThrottle())
    ]
    return max((wait for wait in waits if wait is not None), default=None)


def password_reset_wait_message(seconds: int) -> str:
    minutes = -(-seconds // 60)
    wait = f"{minutes} minute{'' if minutes == 1 else 's'}"
    return (
        f"You have asked for too many links. Wait {wait}, then try again. If an email with a "
        "link has arrived, use the newest one."
    )


def may_reset_password(user: User) -> bool:
    """Whether this person may choose a password: one they could then sign in with."""
    return (
        user.is_active
        and user.has_usable_password()
        and not organisation_must_use_sso(user.organisation)
    )


def password_reset_recipient(*, email: str) -> User | None:
    """The person a link for ``email`` goes to, or None (no one, or no one who may have one)."""
    email = _normalised(email)
    if not email:
        return None
    user = User.objects.filter(email__iexact=email).first()
    if user is None or not may_reset_password(user):
        return None
    return user


def password_reset_link_parts(user: User) -> tuple[str, str]:
    """The person's id as the link carries it, and a fresh token."""
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


def password_reset_link_lifetime() -> str:
    """How long a link works, in words: "1 hour", "30 minutes"."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'' if hours == 1 else 's'}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def password_reset_link_user(*, uidb64: str, token: str) -> User | None:
    """The person a link was made for, if it still works and they may still use it."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user if may_reset_password(user) else None


def password_reset_complete(*, user: User, password: str) -> None:
    """Sets the new password (already validated by the form).

    Every link made before stops working, the person's other sessions end (their session
    hash changes), and their API tokens are revoked by the signal on password changes.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    logger.info("Password changed through an emailed link for user %s", user.pk)
