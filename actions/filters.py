"""Query-string filters for the lists (docs/api.md, "Lists").

Every filter validates its value with a form field, so a bad value is a 400 with a message
on the filter's name, never a 500.
"""

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters import fields as filter_fields
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.views import APIView

from actions.dates import local_today
from actions.models import (
    OPEN_STATUSES,
    Action,
    ActionStatus,
    MeasureReading,
    Milestone,
    Outcome,
    ProgressUpdate,
    Rag,
    Recommendation,
    SuccessMeasure,
)

# Ids are bigints: anything larger is refused here rather than by the database.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    field_class = IdField


class CommaSeparatedChoiceField(filter_fields.MultipleChoiceField):
    """Accepts ``?status=a&status=b`` and ``?status=a,b`` alike."""

    def to_python(self, value: Any) -> list[str]:
        values = super().to_python(value)
        return [part.strip() for item in values for part in str(item).split(",") if part.strip()]


class CommaSeparatedChoiceFilter(django_filters.MultipleChoiceFilter):
    """Choices of the row's own column, so no row can repeat: no DISTINCT.

    django-filter adds DISTINCT in case a filter crosses a to-many relation; over every column
    it made PostgreSQL fetch, hash and sort every matching action for the count and again for
    a page of 50 (at national scale about 70 ms and 100 ms for 10,781 rows, against 22 ms and
    1 ms without it: make bench-api).
    """

    field_class = CommaSeparatedChoiceField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class OverdueField(forms.Field):
    """``true`` (before today in London), ``false`` (not overdue) or a date (YYYY-MM-DD)."""

    default_error_messages = {
        "invalid": 'Give a date (YYYY-MM-DD), "true" or "false".',
    }

    def to_python(self, value: Any) -> dt.date | bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


@extend_schema_field(OpenApiTypes.STR)
class OverdueFilter(django_filters.Filter):
    field_class = OverdueField

    def filter(self, qs: QuerySet[Any], value: dt.date | bool | None) -> QuerySet[Any]:
        if value is None:
            return qs
        if value is False:
            return qs.exclude(status__in=OPEN_STATUSES, due_date__lt=local_today())
        on = local_today() if value is True else value
        assert isinstance(on, dt.date)
        return qs.filter(status__in=OPEN_STATUSES, due_date__lt=on)


class ActionFilter(django_filters.FilterSet):
    owner = IdFilter(field_name="owner_id", help_text="Owner's user id.")
    status = CommaSeparatedChoiceFilter(
        choices=ActionStatus.choices, help_text="Repeat or comma-separate for several."
    )
    rag = CommaSeparatedChoiceFilter(
        choices=Rag.choices, help_text="Repeat or comma-separate for several."
    )
    due_before = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", help_text="Due on or before this date."
    )
    due_after = django_filters.DateFilter(
        field_name="due_date", lookup_expr="gte", help_text="Due on or after this date."
    )
    overdue = OverdueFilter(
        help_text='Open actions due before this date; "true" means before today in London.'
    )
    plan = IdFilter(field_name="plan_id")
    recommendation = IdFilter(field_name="recommendation_id")

    class Meta:
        model = Action
        fields: list[str] = []


class RecommendationFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="plan_id")

    class Meta:
        model = Recommendation
        fields: list[str] = []


class UnderRecommendationFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="recommendation__plan_id")
    recommendation = IdFilter(field_name="recommendation_id")


class OutcomeFilter(UnderRecommendationFilter):
    class Meta:
        model = Outcome
        fields: list[str] = []


class MilestoneFilter(UnderRecommendationFilter):
    action = IdFilter(method="filter_action")

    class Meta:
        model = Milestone
        fields: list[str] = []

    def filter_action(self, qs: QuerySet[Milestone], name: str, value: int) -> QuerySet[Milestone]:
        # A subquery, not a join, so that a milestone is listed once.
        return qs.filter(
            pk__in=Milestone.actions.through.objects.filter(action_id=value).values("milestone_id")
        )


class MeasureFilter(UnderRecommendationFilter):
    outcome = IdFilter(field_name="outcome_id")

    class Meta:
        model = SuccessMeasure
        fields: list[str] = []


class ReadingFilter(django_filters.FilterSet):
    measure = IdFilter(field_name="measure_id")
    taken_after = django_filters.DateFilter(field_name="taken_on", lookup_expr="gte")
    taken_before = django_filters.DateFilter(field_name="taken_on", lookup_expr="lte")

    class Meta:
        model = MeasureReading
        fields: list[str] = []


class ProgressUpdateFilter(django_filters.FilterSet):
    action = IdFilter(field_name="action_id")
    plan = IdFilter(field_name="action__plan_id")

    class Meta:
        model = ProgressUpdate
        fields: list[str] = []


class StrictOrderingFilter(OrderingFilter):
    """?ordering= with a 400 for a field it cannot order by, and a stable order for paging.

    DRF's filter drops an unknown field silently, so a typo looks like a bug in the data.
    The id breaks ties (several actions due on one day), so that no row appears on two
    pages or on none.
    """

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        params = request.query_params.get(self.ordering_param)
        if params:
            terms = [term.strip() for term in params.split(",") if term.strip()]
            allowed = [
                name for name, _ in self.get_valid_fields(queryset, view, {"request": request})
            ]
            unknown = [term for term in terms if term.lstrip("-") not in allowed]
            if unknown or not terms:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Cannot order by {', '.join(unknown) or 'nothing'}: choose from "
                            f"{', '.join(allowed)} (put - in front to reverse)."
                        ]
                    }
                )
            ordering: list[str] = terms
        else:
            ordering = [
                t
                for t in self.get_default_ordering(view) or queryset.query.order_by or []
                if isinstance(t, str)
            ]
            if not ordering:
                ordering = [t for t in queryset.model._meta.ordering or [] if isinstance(t, str)]
        if not any(term.lstrip("-") in ("pk", "id") for term in ordering):
            ordering.append("pk")
        return ordering
