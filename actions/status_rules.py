"""The rules of a progress report: which status may follow which, and what each change needs.

``checked_progress`` applies them to the action as it stands (locked by
``actions.services.action_update_status``, which then writes the change) and raises one
``ValidationError`` with every field's messages, in the order the API shows them.
"""

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from actions.dates import local_today
from actions.models import Action, ActionStatus, Rag

# Which status may follow which. Staying on the same status is always allowed (a RAG
# change or a commentary-only update).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ActionStatus.NOT_STARTED: frozenset(
        {
            ActionStatus.IN_PROGRESS,
            ActionStatus.BLOCKED,
            ActionStatus.COMPLETED,
            ActionStatus.CANCELLED,
        }
    ),
    ActionStatus.IN_PROGRESS: frozenset(
        {ActionStatus.BLOCKED, ActionStatus.COMPLETED, ActionStatus.CANCELLED}
    ),
    ActionStatus.BLOCKED: frozenset(
        {ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED, ActionStatus.CANCELLED}
    ),
    # Reopening is allowed, with a reason, when completion turns out to be premature.
    ActionStatus.COMPLETED: frozenset({ActionStatus.IN_PROGRESS}),
    # A cancelled action can be reinstated, with a reason.
    ActionStatus.CANCELLED: frozenset({ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS}),
}

_STATUS_LABELS = dict(ActionStatus.choices)

_NEEDS_REASON: dict[str, str] = {
    ActionStatus.CANCELLED: "Say why the action is being cancelled.",
    ActionStatus.BLOCKED: "Say what is blocking the action.",
}

Errors = dict[str, list[str]]


class Progress(NamedTuple):
    """What the action becomes."""

    status: str
    rag: str
    completed_on: dt.date | None


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_transition(action: Action, new_status: str, errors: Errors) -> None:
    if new_status not in _STATUS_LABELS:
        _add(errors, "status", f'"{new_status}" is not a status.')
    elif new_status != action.status and new_status not in ALLOWED_TRANSITIONS[action.status]:
        _add(
            errors,
            "status",
            f"An action that is {_STATUS_LABELS[action.status].lower()} cannot become "
            f"{_STATUS_LABELS[new_status].lower()}.",
        )


def _check_completion(
    action: Action, rag: str | None, completed_on: dt.date | None, errors: Errors
) -> tuple[str, dt.date | None]:
    """Completing: blue, and a completion date (kept when it is completed already)."""
    new_rag = rag or Rag.BLUE
    if new_rag != Rag.BLUE:
        _add(errors, "rag", "A completed action is rated blue.")
    if action.status == ActionStatus.COMPLETED and completed_on is None:
        completed_on = action.completed_on
    if completed_on is None:
        _add(errors, "completed_on", "Give the date the action was completed.")
    elif completed_on > local_today():
        _add(errors, "completed_on", "The completion date cannot be in the future.")
    elif action.start_date and completed_on < action.start_date:
        _add(errors, "completed_on", "The completion date cannot be before the action started.")
    return new_rag, completed_on


def _check_open_rating(
    action: Action, rag: str | None, completed_on: dt.date | None, errors: Errors
) -> str:
    """Any other status: red, amber or green, and no completion date."""
    if completed_on is not None:
        _add(errors, "completed_on", "Only give a completion date when completing the action.")
    if rag is None and action.rag == Rag.BLUE:
        _add(errors, "rag", "Choose a RAG rating (red, amber or green) for the reopened action.")
    new_rag = rag or action.rag
    if new_rag == Rag.BLUE:
        _add(errors, "rag", "Blue is only for completed actions.")
    elif new_rag not in Rag.values:
        _add(errors, "rag", f'"{new_rag}" is not a RAG rating.')
    return new_rag


def _check_commentary(
    action: Action, new_status: str, new_rag: str, commentary: str, errors: Errors
) -> None:
    if commentary:
        return
    if new_status != action.status and new_status in _NEEDS_REASON:
        _add(errors, "commentary", _NEEDS_REASON[new_status])
    elif action.status == ActionStatus.COMPLETED and new_status != action.status:
        _add(errors, "commentary", "Say why the action is being reopened.")
    elif action.status == ActionStatus.CANCELLED and new_status != action.status:
        _add(errors, "commentary", "Say why the action is being reinstated.")
    elif new_rag in (Rag.RED, Rag.AMBER):
        _add(
            errors,
            "commentary",
            f"Explain what is happening: commentary is required when an action is rated {new_rag}.",
        )
    elif new_status == action.status and new_rag == action.rag:
        _add(
            errors,
            "commentary",
            "Nothing to record: change the status or RAG rating, or add commentary.",
        )


def _evidence_link_errors(links: Sequence[str]) -> list[str]:
    validator = URLValidator(schemes=["http", "https"])
    errors = []
    for index, link in enumerate(links, start=1):
        try:
            validator(link)
        except ValidationError:
            errors.append(f"Evidence link {index} is not a web address (http or https): {link}")
    return errors


def checked_progress(
    action: Action,
    *,
    status: str | None,
    rag: str | None,
    commentary: str,
    evidence_links: Sequence[str],
    completed_on: dt.date | None,
) -> Progress:
    """What a report makes of ``action``; ``status`` and ``rag`` default to its own.

    ``commentary`` is already stripped. Raises ``ValidationError`` if the report breaks a rule.
    """
    new_status = status or action.status
    errors: Errors = {}
    _check_transition(action, new_status, errors)
    if new_status == ActionStatus.COMPLETED:
        new_rag, completed_on = _check_completion(action, rag, completed_on, errors)
    else:
        new_rag = _check_open_rating(action, rag, completed_on, errors)
    _check_commentary(action, new_status, new_rag, commentary, errors)
    link_errors = _evidence_link_errors(evidence_links)
    if link_errors:
        errors["evidence_links"] = link_errors
    if errors:
        raise ValidationError(errors)
    return Progress(new_status, new_rag, completed_on)
