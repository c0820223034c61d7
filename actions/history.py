"""An action's history in plain words: its progress updates and every audited change.

The audit trail is django-simple-history's: every save of an action writes a historical
record (who, when, every field, the supporting owners at that moment). A change is the
difference between a record and the one before it. Progress updates are entries of their
own, with their commentary, so the record that a progress update wrote is not repeated as a
change. One edit can write several records (the row, then each change to the supporting
owners): records by the same person moments apart are read as one change.

``action_history`` reads a fixed number of queries however long the history is.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from accounts.models import User
from actions.models import Action, ActionStatus, Outcome, ProgressUpdate, Rag, Recommendation

# The reason ``actions.services.action_update_status`` gives the record it writes.
PROGRESS_UPDATE_REASON = "Progress update"

CREATED = "created"
CHANGE = "change"
PROGRESS = "progress_update"

# The fields a person sets, in the order a change lists them. The plan follows the
# recommendation, and the version, dates of the row and latest update follow every save.
TRACKED: dict[str, str] = {
    "title": "Title",
    "reference": "Reference",
    "description": "Description",
    "recommendation": "Recommendation",
    "outcome": "Outcome",
    "owner": "Owner",
    "supporting_owners": "Supporting owners",
    "start_date": "Start date",
    "due_date": "Due date",
    "status": "Status",
    "rag": "RAG rating",
    "completed_on": "Completed on",
}
_FOREIGN_KEYS = {"recommendation", "outcome", "owner"}

# Records of one edit are written within milliseconds of each other.
_ONE_EDIT = dt.timedelta(seconds=2)

NOT_SET = "Not set"
NOBODY = "Nobody"
GONE = "(since deleted)"


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    kind: str  # CREATED, CHANGE or PROGRESS
    at: dt.datetime
    by: User | None
    changes: tuple[FieldChange, ...] = ()
    progress_update: ProgressUpdate | None = None


Snapshot = dict[str, Any]


@dataclass
class _Edit:
    """Consecutive records that make one edit."""

    records: list[Any]
    before: Snapshot | None
    after: Snapshot = field(default_factory=dict)


@dataclass(frozen=True)
class _Names:
    people: Mapping[int, str]
    recommendations: Mapping[int, str]
    outcomes: Mapping[int, str]


def action_history(*, action: Action) -> list[HistoryEntry]:
    """Everything that happened to the action, newest first."""
    records = list(action.history.select_related("history_user").order_by("history_id"))
    snapshots = _snapshots(records)
    edits = _edits(records, snapshots)
    updates = list(ProgressUpdate.objects.filter(action_id=action.pk).select_related("author"))
    names = _names(snapshots.values())
    entries = [entry for edit in edits if (entry := _edit_entry(edit, names)) is not None]
    entries += [_update_entry(update) for update in updates]
    # Newest first; at the same moment, the later-written entry first.
    return [entry for _, entry in sorted(enumerate(entries), key=_newest_first)]


def _newest_first(item: tuple[int, HistoryEntry]) -> tuple[float, int]:
    order, entry = item
    return (-entry.at.timestamp(), -order)


def _snapshots(records: list[Any]) -> dict[int, Snapshot]:
    """Each record's values of the tracked fields, supporting owners as a set of ids."""
    if not records:
        return {}
    through = records[0]._meta.get_field("historicalaction_supporting_owners").related_model
    supporting: dict[int, set[int]] = {record.history_id: set() for record in records}
    for history_id, user_id in through.objects.filter(history_id__in=list(supporting)).values_list(
        "history_id", "user_id"
    ):
        supporting[history_id].add(user_id)
    snapshots: dict[int, Snapshot] = {}
    for record in records:
        values = {
            name: getattr(record, f"{name}_id" if name in _FOREIGN_KEYS else name)
            for name in TRACKED
            if name != "supporting_owners"
        }
        values["supporting_owners"] = frozenset(supporting[record.history_id])
        snapshots[record.history_id] = values
    return snapshots


def _same_edit(edit: _Edit, record: Any) -> bool:
    last = edit.records[-1]
    return (
        record.history_type == "~"
        and record.history_user_id == last.history_user_id
        and record.history_change_reason == last.history_change_reason
        and record.history_date - last.history_date <= _ONE_EDIT
    )


def _edits(records: list[Any], snapshots: Mapping[int, Snapshot]) -> list[_Edit]:
    edits: list[_Edit] = []
    previous: Snapshot | None = None
    for record in records:
        if edits and _same_edit(edits[-1], record):
            edits[-1].records.append(record)
        else:
            edits.append(_Edit(records=[record], before=previous))
        previous = edits[-1].after = snapshots[record.history_id]
    return edits


def _names(snapshots: Iterable[Snapshot]) -> _Names:
    """The names of every person, recommendation and outcome the records point to."""
    people: set[int] = set()
    recommendations: set[int] = set()
    outcomes: set[int] = set()
    for values in snapshots:
        people.update(values["supporting_owners"])
        people.add(values["owner"])
        recommendations.add(values["recommendation"])
        outcomes.add(values["outcome"])
    return _Names(
        people=dict(User.objects.filter(pk__in=people - {None}).values_list("pk", "name")),
        recommendations={
            pk: f"{number}. {title}"
            for pk, number, title in Recommendation.objects.filter(
                pk__in=recommendations - {None}
            ).values_list("pk", "number", "title")
        },
        outcomes=dict(Outcome.objects.filter(pk__in=outcomes - {None}).values_list("pk", "title")),
    )


def _edit_entry(edit: _Edit, names: _Names) -> HistoryEntry | None:
    first = edit.records[0]
    if first.history_change_reason == PROGRESS_UPDATE_REASON:
        return None  # the progress update is its own entry
    if first.history_type == "+" or edit.before is None:
        return HistoryEntry(kind=CREATED, at=first.history_date, by=first.history_user)
    changes = tuple(
        FieldChange(
            field=name,
            label=label,
            old=_plain(name, edit.before[name], names),
            new=_plain(name, edit.after[name], names),
        )
        for name, label in TRACKED.items()
        if edit.before[name] != edit.after[name]
    )
    if not changes:
        return None
    return HistoryEntry(kind=CHANGE, at=first.history_date, by=first.history_user, changes=changes)


def _update_entry(update: ProgressUpdate) -> HistoryEntry:
    before = {
        "status": update.previous_status,
        "rag": update.previous_rag,
        "completed_on": None,
    }
    after = {"status": update.status, "rag": update.rag, "completed_on": update.completed_on}
    changes = tuple(
        FieldChange(
            field=name,
            label=TRACKED[name],
            old=_plain(name, before[name]),
            new=_plain(name, after[name]),
        )
        for name in after
        if before[name] != after[name]
    )
    return HistoryEntry(
        kind=PROGRESS,
        at=update.created_at,
        by=update.author,
        changes=changes,
        progress_update=update,
    )


def _plain(name: str, value: Any, names: _Names | None = None) -> str:
    """A value as a person would say it: names, not ids; 19 February 2027, not 2027-02-19."""
    if name == "supporting_owners":
        assert names is not None
        listed = sorted(names.people.get(pk, GONE) for pk in value)
        return ", ".join(listed) or NOBODY
    if value is None or value == "":
        return NOT_SET
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    if name == "status":
        return str(ActionStatus(value).label)
    if name == "rag":
        return str(Rag(value).label)
    if name in _FOREIGN_KEYS:
        assert names is not None
        known = {
            "owner": names.people,
            "recommendation": names.recommendations,
            "outcome": names.outcomes,
        }[name]
        return known.get(value, GONE)
    return str(value)
