"""An action's address under /api/, and a check that a refused write left the action as it
was, for the API behaviour tests."""

from actions.models import Action


def action_url(action: Action, suffix: str = "") -> str:
    return f"/api/actions/{action.pk}/{suffix}"


def assert_unchanged(action: Action) -> None:
    fresh = Action.objects.get(pk=action.pk)
    assert (fresh.title, fresh.description, fresh.due_date, fresh.status, fresh.version) == (
        action.title,
        action.description,
        action.due_date,
        action.status,
        action.version,
    )
