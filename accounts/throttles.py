"""Limits on guessing: password sign-in, and the forms behind signed links in emails.

Password sign-in has one pair of limits, per email address and per network address, whatever
the way in: the token endpoint, the admin's sign-in page and the browsable API's
(``password_sign_in_wait``) all add to the same counts, so a guesser gains nothing by spreading
guesses across them.

Each limit is a sliding window (DRF's ``SimpleRateThrottle``): the attempts of the last
minute are counted, and an attempt over the limit is refused with 429 and ``Retry-After``
until the oldest counted one is a minute old. Nothing is ever locked for good, and nothing
resets a count early: a correct password does not clear the failures an attacker piled up on
an address, and an attacker's own successful sign-ins do not clear theirs.

The counts live in the ``throttle`` cache (Redis when the service has it, so that every
gunicorn worker shares them). If that cache cannot be reached the request is let through
and a warning logged: a Redis outage must not stop sign-ins or progress reports.
"""

import hashlib
import logging
from typing import Any

from django.core.cache import BaseCache, caches
from django.http import HttpRequest
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class SharedRateThrottle(SimpleRateThrottle):
    """A sliding-window limit kept in the ``throttle`` cache, open when that cache is down."""

    @property
    def cache(self) -> BaseCache:  # type: ignore[override]
        return caches["throttle"]

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return bool(super().allow_request(request, view))
        except (RedisError, OSError) as error:
            logger.warning(
                "Throttle %s not applied, its cache is unreachable: %s", self.scope, error
            )
            return True

    def wait(self) -> float | None:
        wait = super().wait()
        # At least a second: "Retry-After: 0" would invite an immediate retry that fails.
        return None if wait is None else max(float(wait), 1.0)


def _digest(value: str) -> str:
    """Keys carry a digest, not the email address or the link itself."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class LoginAddressThrottle(SharedRateThrottle):
    """Sign-in attempts from one network address, whatever email they name."""

    scope = "login-address"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _normalised(email: object) -> str:
    return email.strip().lower() if isinstance(email, str) else ""


def login_email(request: Any) -> str:
    data = getattr(request, "data", None)
    return _normalised(data.get("email") if isinstance(data, dict) else None)


class LoginAccountThrottle(SharedRateThrottle):
    """Sign-in attempts naming one email address, from wherever they come.

    Counted whether or not the address belongs to anyone, so the answers do not tell which
    addresses are accounts. The email is read as the serializer will read it, case and
    surrounding spaces aside, so "Jo@x" and " jo@X " share one count.
    """

    scope = "login-account"

    def __init__(self, email: str | None = None) -> None:
        super().__init__()
        # A sign-in form names it; for the token endpoint it is read from the request body.
        self.email = email

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        email = login_email(request) if self.email is None else _normalised(self.email)
        if not email:
            return None  # nothing to count against; the serializer answers 400
        return self.cache_format % {"scope": self.scope, "ident": _digest(email)}


class _LinkThrottle(SharedRateThrottle):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token


class LinkAddressThrottle(_LinkThrottle):
    """Form posts from one network address with links that do not work (forged, mistyped or
    expired). Posts with working links are not counted here: a council office behind one
    address must not stop its staff reporting progress at the same time."""

    scope = "link-address"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LinkTokenThrottle(_LinkThrottle):
    """Form posts to one signed link, from wherever they come."""

    scope = "link-token"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": _digest(self.token)}


def _wait(throttle: SharedRateThrottle, request: HttpRequest) -> int | None:
    if throttle.allow_request(request, None):
        return None
    return int(-(-(throttle.wait() or 1.0) // 1))


def sign_in_wait_message(seconds: int) -> str:
    return (
        f"Too many sign-in attempts. Wait {seconds} second{'' if seconds == 1 else 's'}, "
        "then try again."
    )


def password_sign_in_wait(request: HttpRequest, email: str) -> int | None:
    """Counts an attempt to sign in as ``email`` with a password; seconds to wait if there
    were too many, or None if the password may be checked now.

    The token endpoint's limits and counts. Both limits count the attempt, as DRF's
    ``check_throttles`` does, even when the other one already refuses it.
    """
    waits = [
        _wait(throttle, request)
        for throttle in (LoginAccountThrottle(email), LoginAddressThrottle())
    ]
    return max((wait for wait in waits if wait is not None), default=None)


def link_post_wait(request: HttpRequest, token: str) -> int | None:
    """Seconds before this signed link's form may be posted again, or None if it may now."""
    return _wait(LinkTokenThrottle(token), request)


def bad_link_wait(request: HttpRequest, token: str) -> int | None:
    """Counts a post with a link that does not work; seconds to wait if there were too many."""
    return _wait(LinkAddressThrottle(token), request)
