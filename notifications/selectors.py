"""Reads of the chasing for the people who may see it: the escalation list.

Each rule is the row's id among a UNION of indexed look-ups, as ``actions.selectors`` writes
visibility: an OR of EXISTS tests made PostgreSQL test every escalation in the table.
"""

from typing import Any

from django.db.models import QuerySet

from actions import selectors
from notifications.models import Escalation, Notification


def escalations_visible_to(user: Any) -> QuerySet[Escalation]:
    """Escalations of the actions and milestones a person may read, and those they were told
    about (a Lead Member told at level 3 can read it), newest first."""
    escalations = Escalation.objects.prefetch_related("told").order_by("-created_at", "-id")
    if not (user.is_authenticated and user.is_active):
        return escalations.none()
    actions = selectors.visible_action_ids(user)
    milestones = selectors.visible_milestone_ids(user)
    if actions is None or milestones is None:
        return escalations
    told = Escalation.told.through.objects.filter(user_id=user.pk)
    ids = (
        Escalation.objects.filter(action_id__in=actions)
        .order_by()
        .values("pk")
        .union(Escalation.objects.filter(milestone_id__in=milestones).order_by().values("pk"))
        .union(told.order_by().values("escalation_id"))
    )
    return escalations.filter(pk__in=ids)


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The emails sent (or being sent) to a person, newest first: their ids lead the ledger's
    unique index, so this is an indexed look-up already."""
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")
