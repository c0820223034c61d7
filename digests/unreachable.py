"""People we could not reach: those taking part in a plan whose email address the provider said
cannot receive mail, for the board's weekly digest.

Read once when the snapshot is built and stored in it (``content["unreachable"]``), so the
digest reads the same when it is opened or sent again. A digest of a past day lists the
addresses found unreachable by the end of that day and not cleared since (a cleared mark is
gone); people's names and addresses are read as they are now, as elsewhere in a digest.
"""

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Lower

from accounts.models import User
from actions.dates import LONDON
from actions.models import Action, ActionStatus, BoardMembership, Plan, Recommendation
from digests.selectors import end_of_day
from notifications.models import UnreachableAddress

# Each part a person can take in the plan, in the words the digest uses.
ROLE_WORDS = (
    ("owns", "action owner"),
    ("supports", "supporting owner"),
    ("leads", "accountable lead"),
    ("sits", "board member"),
)


def _since(moment: dt.datetime) -> str:
    day = moment.astimezone(LONDON).date()
    return f"{day.day} {day:%B %Y}"


def people_not_reached(*, plan: Plan, as_of: dt.date, now: dt.datetime) -> list[dict[str, Any]]:
    """Active people taking part in the plan whose address is marked unreachable, by name.

    One query, whatever the size of the plan.
    """
    marks = UnreachableAddress.objects.annotate(address=Lower("email")).filter(
        address=Lower(OuterRef("email"))
    )
    if as_of < now.astimezone(LONDON).date():
        marks = marks.filter(since__lt=end_of_day(as_of))
    person = OuterRef("pk")
    people = (
        User.objects.filter(is_active=True)
        .annotate(
            unreachable_since=Subquery(marks.order_by().values("since")[:1]),
            owns=Exists(
                Action.objects.filter(plan=plan, owner=person).exclude(
                    status=ActionStatus.CANCELLED
                )
            ),
            supports=Exists(
                Action.supporting_owners.through.objects.filter(action__plan=plan, user=person)
            ),
            leads=Exists(Recommendation.objects.filter(plan=plan, lead=person)),
            sits=Exists(
                BoardMembership.objects.filter(
                    Q(board__plans=plan) | Q(board__audience_plans=plan), user=person
                )
            ),
        )
        .filter(unreachable_since__isnull=False)
        .filter(Q(owns=True) | Q(supports=True) | Q(leads=True) | Q(sits=True))
        .order_by("name", "email")
    )
    return [
        {
            "name": someone.name or someone.email,
            "email": someone.email,
            "since": _since(someone.unreachable_since),
            "roles": ", ".join(words for flag, words in ROLE_WORDS if getattr(someone, flag)),
        }
        for someone in people
    ]
