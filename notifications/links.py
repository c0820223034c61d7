"""Signed links in emails: update one action without a password, change one's preferences.

Links are signed with the SECRET_KEY and carry their creation time, so they expire; an
update link is scoped to one action and one person and works once (``UpdateLinkUse``).
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac

_UPDATE_SALT = "notifications.update-link"
_PREFERENCES_SALT = "notifications.preferences-link"
_MILESTONE_SALT = "notifications.milestone-link"
_CALENDAR_SALT = "notifications.calendar-feed"


class LinkError(Exception):
    """Why a link cannot be used, in words for the person who clicked it."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class UpdateLink:
    action_id: int
    user_id: int
    digest: str


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def update_token(*, action_id: int, user_id: int, notification_id: int) -> str:
    return signing.dumps({"a": action_id, "u": user_id, "n": notification_id}, salt=_UPDATE_SALT)


def update_url(*, action_id: int, user_id: int, notification_id: int) -> str:
    token = update_token(action_id=action_id, user_id=user_id, notification_id=notification_id)
    return absolute(reverse("update-link", args=[token]))


_NOT_VALID = "This link is not valid. Check that you copied the whole link."


def _read_reminder_link(token: str, *, salt: str, keys: str) -> dict[str, int]:
    """The ids a link from a reminder carries, or LinkError (expired, or not one of ours)."""
    max_age = settings.UPDATE_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkError(
            "expired",
            f"This link has expired: links in reminders work for "
            f"{settings.UPDATE_LINK_MAX_AGE_DAYS} days.",
        ) from None
    except signing.BadSignature:
        raise LinkError("invalid", _NOT_VALID) from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in keys):
        raise LinkError("invalid", _NOT_VALID)
    return data


def read_update_token(token: str) -> UpdateLink:
    data = _read_reminder_link(token, salt=_UPDATE_SALT, keys="aun")
    return UpdateLink(
        action_id=data["a"],
        user_id=data["u"],
        digest=hashlib.sha256(token.encode()).hexdigest(),
    )


def preferences_url(*, user_id: int) -> str:
    token = signing.dumps({"u": user_id}, salt=_PREFERENCES_SALT)
    return absolute(reverse("preferences-link", args=[token]))


def read_preferences_token(token: str) -> int:
    max_age = settings.PREFERENCES_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=_PREFERENCES_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkError(
            "expired", "This link has expired. The link in your latest email will work."
        ) from None
    except signing.BadSignature:
        raise LinkError("invalid", _NOT_VALID) from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise LinkError("invalid", _NOT_VALID)
    return int(data["u"])


@dataclass(frozen=True)
class MilestoneLink:
    milestone_id: int
    user_id: int


def milestone_url(*, milestone_id: int, user_id: int, notification_id: int) -> str:
    token = signing.dumps(
        {"m": milestone_id, "u": user_id, "n": notification_id}, salt=_MILESTONE_SALT
    )
    return absolute(reverse("milestone-link", args=[token]))


def read_milestone_token(token: str) -> MilestoneLink:
    """A milestone link works until the milestone is recorded as achieved (once, by nature)."""
    data = _read_reminder_link(token, salt=_MILESTONE_SALT, keys="mun")
    return MilestoneLink(milestone_id=data["m"], user_id=data["u"])


# --- The calendar feed --------------------------------------------------------------------
# A calendar program polls the feed for months, so its link does not expire. It is revoked
# instead: it carries a fingerprint of the person's password hash, so setting a new password
# (or an administrator making it unusable) stops every calendar link given out before.


@dataclass(frozen=True)
class CalendarLink:
    user_id: int
    fingerprint: str


def calendar_fingerprint(*, user_id: int, password: str) -> str:
    return salted_hmac(_CALENDAR_SALT, f"{user_id}:{password}", algorithm="sha256").hexdigest()[:24]


def calendar_token(*, user_id: int, password: str) -> str:
    """The same token for a person until their password changes (no time in it)."""
    fingerprint = calendar_fingerprint(user_id=user_id, password=password)
    return signing.Signer(salt=_CALENDAR_SALT).sign_object({"u": user_id, "k": fingerprint})


def calendar_url(*, user_id: int, password: str) -> str:
    token = calendar_token(user_id=user_id, password=password)
    return absolute(reverse("calendar-feed", args=[token]))


def read_calendar_token(token: str) -> CalendarLink:
    """The person a calendar link was given to, or LinkError if it is not one of ours."""
    try:
        data = signing.Signer(salt=_CALENDAR_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise LinkError("invalid", _NOT_VALID) from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("u"), int)
        or not isinstance(data.get("k"), str)
    ):
        raise LinkError("invalid", _NOT_VALID)
    return CalendarLink(user_id=data["u"], fingerprint=data["k"])


def calendar_link_is_current(link: CalendarLink, *, password: str) -> bool:
    expected = calendar_fingerprint(user_id=link.user_id, password=password)
    return hmac.compare_digest(expected, link.fingerprint)
