"""A person's reminder preferences: read them, change them.

Used by the preferences page reached from a reminder and by the API. Escalations to leads and
boards are not preferences: nothing here can switch them off.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from notifications.models import NotificationPreference

# What a person may choose; ``user`` and ``updated_at`` are not theirs to set.
PREFERENCE_FIELDS = (
    "before_due",
    "days_before",
    "on_due_date",
    "overdue",
    "as_supporting_owner",
    "digests",
)


def preference_for(*, user: User) -> NotificationPreference:
    """The person's saved preferences, or the defaults (unsaved) if they never chose."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference if preference is not None else NotificationPreference(user=user)


def preferences_update(*, user: User, fields: Mapping[str, Any]) -> NotificationPreference:
    """Set some of the person's preferences; the others keep their values.

    Refused values raise ``ValidationError`` with messages by field and change nothing.
    Sending the same values again changes nothing (not even ``updated_at``).
    """
    unknown = sorted(set(fields) - set(PREFERENCE_FIELDS))
    if unknown:
        raise ValidationError(
            {name: ["This is not a preference that can be set."] for name in unknown}
        )
    with transaction.atomic():
        # get_or_create copes with two first saves racing (the unique user): the loser reads
        # the winner's row. The row it may create is rolled back if validation fails.
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        before = {name: getattr(preference, name) for name in PREFERENCE_FIELDS}
        for name, value in fields.items():
            setattr(preference, name, value)
        preference.full_clean()
        after = {name: getattr(preference, name) for name in PREFERENCE_FIELDS}
        if after != before:
            preference.save()
    return preference
