"""What the sweeps decide: a line of one person's email (``Due``) and a sweep's result.

Also the clock rules every sweep shares: which London day's emails are due at a moment.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Expression, F, OuterRef, Subquery
from django.db.models.functions import TruncDate

from actions.dates import LONDON, is_working_day
from actions.models import Action
from notifications.models import Escalation

# Most urgent first: overdue (longest first), due today, then due soonest; then the updates
# a board meeting asks for.
_REASON_ORDER = {
    "overdue": 0,
    "due_today": 1,
    "due_soon": 2,
    "update_requested": 3,
    "escalated": 0,
}


@dataclass(frozen=True)
class Due:
    """One line of one person's email: an item, why it is due, and their part in it."""

    recipient_id: int
    item_type: str
    item_id: int
    plan_id: int
    reason: str
    days: int
    role: str
    due_date: dt.date
    escalation_level: int = 0
    # An update request: the meeting it is for (``days`` counts working days to its papers).
    meeting_id: int | None = None
    meets_on: dt.date | None = None
    papers_due_on: dt.date | None = None
    # A line the service could not send on its day (it was down), sent with the next day's
    # email: the working day it was due on.
    was_due: dt.date | None = None

    def as_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "type": self.item_type,
            "id": self.item_id,
            "reason": self.reason,
            "days": self.days,
            "role": self.role,
            "due": self.due_date.isoformat(),
        }
        if self.escalation_level:
            item["level"] = self.escalation_level
        if self.meeting_id is not None:
            assert self.meets_on is not None and self.papers_due_on is not None
            item["meeting"] = self.meeting_id
            item["meets_on"] = self.meets_on.isoformat()
            item["papers_due"] = self.papers_due_on.isoformat()
        if self.was_due is not None:
            item["was_due"] = self.was_due.isoformat()
        return item

    def urgency(self) -> tuple[int, int, str, int]:
        days = -self.days if self.reason in ("overdue", "escalated") else self.days
        return (_REASON_ORDER[self.reason], days, self.item_type, self.item_id)


@dataclass
class QueueResult:
    """What a sweep decided (``due``) and which ledger rows it inserted (``queued_ids``)."""

    today: dt.date
    due: list[Due] = field(default_factory=list)
    queued_ids: list[int] = field(default_factory=list)
    recipients: dict[int, str] = field(default_factory=dict)
    escalations: list[Escalation] = field(default_factory=list)
    resolved: int = 0
    # People whose email for the day was already queued and not yet sent, and took this
    # sweep's escalations in it.
    added_to: set[int] = field(default_factory=set)


def local_date_of(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(LONDON).date() if moment is not None else None


def milestone_last_progress() -> Subquery:
    """The latest progress update on any of a milestone's actions (None without one): a
    look-up per milestone read, rather than grouping every action of every milestone."""
    return Subquery(
        Action.objects.filter(milestones=OuterRef("pk"))
        .order_by(F("last_progress_at").desc(nulls_last=True))
        .values("last_progress_at")[:1]
    )


def local_date(moment: str | Expression | Subquery) -> TruncDate:
    """``local_date_of`` in SQL: the London date of a moment, read as a date. The driver
    reads a date several times faster than a moment with its time zone."""
    return TruncDate(moment, tzinfo=LONDON)


def send_time() -> dt.time:
    return dt.time.fromisoformat(settings.NOTIFICATIONS_SEND_TIME)


def sending_day(now: dt.datetime) -> dt.date | None:
    """The London date whose emails are due at ``now``, or None (non-working day, too early)."""
    local = now.astimezone(LONDON)
    if not is_working_day(local.date()) or local.time() < send_time():
        return None
    return local.date()
