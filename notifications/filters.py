"""Query-string filters of the notifications and escalations lists (bad values are a 400)."""

import django_filters

from actions.filters import IdFilter
from notifications.models import (
    Escalation,
    Notification,
    NotificationKind,
    NotificationStatus,
)


class NotificationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices)
    status = django_filters.ChoiceFilter(choices=NotificationStatus.choices)

    class Meta:
        model = Notification
        fields: list[str] = []


class EscalationFilter(django_filters.FilterSet):
    action = IdFilter(field_name="action_id")
    milestone = IdFilter(field_name="milestone_id")
    plan = IdFilter(field_name="plan_id")
    level = django_filters.NumberFilter(field_name="level", min_value=1, max_value=100)
    open = django_filters.BooleanFilter(
        field_name="resolved_at", lookup_expr="isnull", label="Still open (true or false)"
    )

    class Meta:
        model = Escalation
        fields: list[str] = []
