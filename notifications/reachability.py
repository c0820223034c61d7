"""Addresses the email provider said cannot receive mail: marking, clearing and asking.

The mark is on the address, not the person (``UnreachableAddress``, unique whatever its case).
Nothing is sent to a marked address; when a person's address is corrected their emails go to
the new one, which has no mark, so sending resumes without anyone clearing anything. An
administrator clears a mark once the person says the old address works again.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Lower

from accounts.models import User
from actions.dates import LONDON
from notifications.models import UnreachableAddress

# --- Selectors ------------------------------------------------------------------------------


def _normalised(email: str) -> str:
    return email.strip().lower()


def unreachable_address(email: str) -> UnreachableAddress | None:
    """The mark on this address, if there is one (its case does not matter)."""
    if not email.strip():
        return None
    return (
        UnreachableAddress.objects.annotate(address=Lower("email"))
        .filter(address=_normalised(email))
        .first()
    )


def is_unreachable(email: str) -> bool:
    return unreachable_address(email) is not None


def since_text(mark: UnreachableAddress) -> str:
    """The London day the address was found unreachable, as people write it."""
    day = mark.since.astimezone(LONDON).date()
    return f"{day.day} {day:%B %Y}"


def skip_reason(mark: UnreachableAddress) -> str:
    """What a ledger row not sent to a marked address says, for the admin and the API."""
    return (
        f"Address not reachable since {since_text(mark)}: the email provider said "
        f"{mark.email} cannot receive mail. Nothing is sent to it until the person's address "
        "is changed, or an administrator clears it."
    )


def unreachable_since(email_field: str = "email") -> Subquery:
    """An annotation: since when the address in ``email_field`` is unreachable, or None.

    Added to the query that reads the people anyway, so a page pays no extra query for it.
    """
    marks = UnreachableAddress.objects.annotate(address=Lower("email")).filter(
        address=Lower(OuterRef(email_field))
    )
    return Subquery(marks.order_by().values("since")[:1])


def people_unreachable(people: QuerySet[User]) -> list[User]:
    """Those of these people whose address is marked, by name, each with
    ``unreachable_since`` (one query)."""
    return list(
        people.annotate(unreachable_since=unreachable_since())
        .filter(unreachable_since__isnull=False)
        .order_by("name", "email")
    )


# --- Services -------------------------------------------------------------------------------


def address_mark_unreachable(
    *, email: str, since: dt.datetime, reason: str, notification_id: int | None
) -> bool:
    """Marks the address; True if it was not marked before (a second mark changes nothing)."""
    if not email.strip() or unreachable_address(email) is not None:
        return False
    try:
        # A savepoint: two receipts racing for one address meet the unique index, and the
        # loser's transaction must go on (its own row's status is already recorded).
        with transaction.atomic():
            UnreachableAddress.objects.create(
                email=email.strip(),
                since=since,
                reason=reason[:300],
                notification_id=notification_id,
            )
    except IntegrityError:
        return False
    return True


def address_clear(*, email: str, delivered_at: dt.datetime | None = None) -> int:
    """Removes the mark on the address; how many were removed (0 or 1).

    ``delivered_at``: the moment an email to it was delivered; a mark made later than that
    stands (the address worked, then stopped working).
    """
    if not email.strip():
        return 0
    marks = UnreachableAddress.objects.annotate(address=Lower("email")).filter(
        address=_normalised(email)
    )
    if delivered_at is not None:
        marks = marks.filter(since__lt=delivered_at)
    deleted, _ = marks.delete()
    return deleted
