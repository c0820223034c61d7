"""What tests compare before and after to prove that a refused change changed nothing."""

from typing import Any

from actions.models import Action, ProgressUpdate


def action_state(action: Action) -> tuple[Any, ...]:
    """Everything a status change would touch: the action, its progress and its history."""
    fresh = Action.objects.get(pk=action.pk)
    return (
        fresh.status,
        fresh.rag,
        fresh.completed_on,
        fresh.version,
        fresh.latest_update_id,
        fresh.last_progress_at,
        ProgressUpdate.objects.filter(action=action).count(),
        fresh.history.count(),
    )
