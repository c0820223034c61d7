"""An action's history as the page shows it: the API's history and the escalation ladder.

Progress updates and changes to the action's fields come from ``actions.history.
action_history``, the reading behind ``GET /api/actions/{id}/history/``, so the page and the
API tell the same story. Escalations (``notifications.models.Escalation``) add when each
level was told and when it was resolved. Times are London's.

``changes_meanwhile`` says what someone else changed after the version a person's form was
based on, in a sentence each, for a stale update.
"""

import datetime as dt
from dataclasses import dataclass

from actions.dates import LONDON
from actions.history import (
    CHANGE,
    CREATED,
    PROGRESS,
    PROGRESS_UPDATE_REASON,
    FieldChange,
    HistoryEntry,
)
from actions.models import Action
from notifications.models import Escalation

ESCALATED = "escalated"
RESOLVED = "resolved"

# Values too long to repeat in a sentence: the change is named, not quoted.
_NOT_QUOTED = {"description"}


@dataclass(frozen=True)
class TimelineItem:
    kind: str  # CREATED, CHANGE, PROGRESS, ESCALATED or RESOLVED
    title: str
    at: dt.datetime  # London time
    by: str = ""
    changes: tuple[FieldChange, ...] = ()
    commentary: str = ""
    evidence_links: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class Meanwhile:
    """One change made since the person's copy: a sentence, and the field it touches."""

    sentence: str
    anchor: str  # where on the page the person can set it again


def person(user: object | None) -> str:
    """A person's name; nothing for a change nobody signed (an import, a data migration)."""
    if user is None:
        return ""
    return str(getattr(user, "name", "") or getattr(user, "email", ""))


def escalations_of(action: Action) -> list[Escalation]:
    """The action's escalations with who was told (two queries however many)."""
    return list(
        Escalation.objects.filter(action_id=action.pk)
        .prefetch_related("told")
        .order_by("created_at", "pk")
    )


def _entry_item(entry: HistoryEntry) -> TimelineItem:
    at = entry.at.astimezone(LONDON)
    by = person(entry.by)
    if entry.kind == PROGRESS:
        update = entry.progress_update
        assert update is not None
        return TimelineItem(
            kind=PROGRESS,
            title="Progress update",
            at=at,
            by=by,
            changes=entry.changes,
            commentary=update.commentary,
            evidence_links=tuple(update.evidence_links or ()),
        )
    if entry.kind == CREATED:
        return TimelineItem(kind=CREATED, title="Action added to the plan", at=at, by=by)
    one = len(entry.changes) == 1
    title = f"{entry.changes[0].label} changed" if one else "Details changed"
    return TimelineItem(kind=CHANGE, title=title, at=at, by=by, changes=entry.changes)


def _told(escalation: Escalation) -> str:
    names = sorted(person(user) for user in escalation.told.all())
    return ", ".join(names) or "nobody (no one was found to tell)"


def _escalation_items(escalation: Escalation) -> list[TimelineItem]:
    days = escalation.working_days_overdue
    raised = TimelineItem(
        kind=ESCALATED,
        title=f"Escalated to level {escalation.level}: {escalation.get_audience_display()}",
        at=escalation.created_at.astimezone(LONDON),
        detail=(
            f"Told: {_told(escalation)}. The action was {days} working "
            f"day{'' if days == 1 else 's'} overdue against its due date of "
            f"{escalation.due_date.day} {escalation.due_date:%B %Y}."
        ),
    )
    if escalation.resolved_at is None:
        return [raised]
    resolved = TimelineItem(
        kind=RESOLVED,
        title=f"Escalation level {escalation.level} resolved",
        at=escalation.resolved_at.astimezone(LONDON),
        detail=escalation.resolution or "",
    )
    return [raised, resolved]


def action_timeline(
    *, entries: list[HistoryEntry], escalations: list[Escalation]
) -> list[TimelineItem]:
    """Everything in one list, newest first; at the same moment, the later-written first."""
    items = [_entry_item(entry) for entry in reversed(entries)]
    for escalation in escalations:
        items += _escalation_items(escalation)
    ordered = sorted(enumerate(items), key=lambda pair: (pair[1].at, pair[0]), reverse=True)
    return [item for _, item in ordered]


def _label(change: FieldChange) -> str:
    if change.field == "completed_on":
        return "the completion date"
    first, _, rest = change.label.partition(" ")
    # "the status", "the due date", but "the RAG rating".
    word = first if first.isupper() else first.lower()
    return f"the {word}{' ' + rest if rest else ''}"


def _when(at: dt.datetime, today: dt.date) -> str:
    local = at.astimezone(LONDON)
    if local.date() == today:
        return f"at {local:%H:%M}"
    return f"at {local:%H:%M} on {local.day} {local:%B %Y}"


def _change_words(change: FieldChange) -> str:
    if change.field in _NOT_QUOTED:
        return _label(change)
    return f"{_label(change)} from {change.old} to {change.new}"


_FORM_FIELDS = {"status": "status", "rag": "rag", "completed_on": "completed_on_day"}


def _meanwhile(entry: HistoryEntry, today: dt.date) -> Meanwhile:
    who = person(entry.by) or "Someone"
    when = _when(entry.at, today)
    if not entry.changes:
        return Meanwhile(f"{who} added a progress update {when}", "history")
    said = [_change_words(change) for change in entry.changes]
    words = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"
    anchors = [_FORM_FIELDS[c.field] for c in entry.changes if c.field in _FORM_FIELDS]
    return Meanwhile(f"{who} changed {words} {when}", anchors[0] if anchors else "summary")


def changes_meanwhile(
    *, action: Action, seen_version: int | None, entries: list[HistoryEntry], today: dt.date
) -> list[Meanwhile]:
    """What was done to the action after ``seen_version``, oldest first.

    The audit records carry the action's version: a change is "meanwhile" if one of the
    records it was read from has a later version than the person's copy (one query).
    """
    if seen_version is None:
        return []
    later = action.history.filter(version__gt=seen_version).values_list(
        "history_date", "latest_update_id", "history_change_reason"
    )
    moments: set[dt.datetime] = set()
    updates: set[int] = set()
    for moment, update_id, reason in later:
        # Every record repeats the latest update; only a progress update's own record is it.
        if reason == PROGRESS_UPDATE_REASON:
            updates.add(update_id)
        else:
            moments.add(moment)
    meanwhile = [
        entry
        for entry in entries
        if (entry.kind == CHANGE and entry.at in moments)
        or (
            entry.kind == PROGRESS
            and entry.progress_update is not None
            and entry.progress_update.pk in updates
        )
    ]
    return [_meanwhile(entry, today) for entry in reversed(meanwhile)]
