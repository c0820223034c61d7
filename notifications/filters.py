"""Query-string filters of the notifications and escalations lists (bad values are a 400)."""

from typing import Any

import django_filters
from django import forms

from actions.filters import IdFilter
from notifications.models import (
    Escalation,
    Notification,
    NotificationKind,
    NotificationStatus,
)


class StrictBooleanField(forms.Field):
    """Only "true" or "false": django-filter's own quietly ignores anything else."""

    default_error_messages = {"invalid": 'Give "true" or "false".'}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "false"):
            return text == "true"
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


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
    open = StrictBooleanFilter(
        field_name="resolved_at", lookup_expr="isnull", label="Still open (true or false)"
    )

    class Meta:
        model = Escalation
        fields: list[str] = []
