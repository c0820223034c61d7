"""One-click unsubscribe from reminder emails (RFC 8058), through the person's preferences.

Each reminder email carries ``List-Unsubscribe: <https://.../unsubscribe/<token>/>`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``. A mail program that offers
"unsubscribe" posts ``List-Unsubscribe=One-Click`` to that address, without cookies; the
service then switches the person's reminders off (before, on and after the due date) and
nothing else. Escalations and digests are not reminders and stay as they are.

The link does not expire: a mail program sends it from whichever message the person has open,
perhaps an old one, and all it can do is switch reminders off. It is signed, so only a link
the service made works.
"""

from django.core import signing
from django.urls import reverse

from accounts.models import User
from notifications.links import LinkError, absolute
from notifications.models import NotificationPreference
from notifications.preferences import preferences_update

_SALT = "notifications.unsubscribe-link"
# The one body RFC 8058 defines for a one-click request.
ONE_CLICK = ("List-Unsubscribe", "One-Click")
# What "unsubscribe" switches off: every reminder, no other preference.
REMINDER_FIELDS = ("before_due", "on_due_date", "overdue")

_NOT_VALID = "This link is not valid. Check that you copied the whole link."


def unsubscribe_token(*, user_id: int) -> str:
    return signing.Signer(salt=_SALT).sign_object({"u": user_id})


def unsubscribe_url(*, user_id: int) -> str:
    return absolute(reverse("unsubscribe-link", args=[unsubscribe_token(user_id=user_id)]))


def read_unsubscribe_token(token: str) -> int:
    """The person an unsubscribe link was made for, or LinkError if it is not one of ours."""
    try:
        data = signing.Signer(salt=_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise LinkError("invalid", _NOT_VALID) from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise LinkError("invalid", _NOT_VALID)
    return int(data["u"])


def unsubscribe_headers(*, user_id: int) -> dict[str, str]:
    """The headers of a reminder email that let a mail program unsubscribe in one click.

    Through GOV.UK Notify, which builds its own headers, the same address goes as the
    email's ``one_click_unsubscribe_url``.
    """
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user_id=user_id)}>",
        "List-Unsubscribe-Post": "=".join(ONE_CLICK),
    }


def reminders_are_off(preference: NotificationPreference) -> bool:
    return not any(getattr(preference, name) for name in REMINDER_FIELDS)


def reminders_switch_off(*, user: User) -> NotificationPreference:
    """Switches every reminder off; the other preferences keep their values. Doing it again
    changes nothing."""
    return preferences_update(user=user, fields=dict.fromkeys(REMINDER_FIELDS, False))
