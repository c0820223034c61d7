"""The links an email carries to the update form, and what using one may change.

``link_to`` signs a link for one action and one person, as a reminder does; ``snapshot`` is
everything a link could change (the action, its audit record and the link uses), so that a
refusal can be shown to change nothing; ``AMBER_UPDATE`` is a good update to post.
"""

import datetime as dt
from typing import Any

from django.urls import reverse

from accounts.models import User
from actions.models import Action, ActionStatus, Rag
from notifications.links import update_token
from notifications.models import UpdateLinkUse
from tests.snapshots import action_state

# 10:00 in London (GMT) on Wednesday 25 November 2026.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 25)


def link_to(action: Action, person: User, notification_id: int = 1) -> str:
    token = update_token(action_id=action.pk, user_id=person.pk, notification_id=notification_id)
    return reverse("update-link", args=[token])


def snapshot(action: Action) -> tuple[Any, ...]:
    """Everything a link could change about an action, its record and the links."""
    return (*action_state(action), UpdateLinkUse.objects.count())


AMBER_UPDATE = {
    "status": ActionStatus.IN_PROGRESS,
    "rag": Rag.AMBER,
    "commentary": "One psychologist starts in January; the second post is out to advert again.",
    "completed_on": "",
}
