"""Recommendations, outcomes, milestones and success measures: a plan's structure."""

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User
from actions.admin.base import AuditedAdmin, add_structure_errors
from actions.models import (
    Action,
    MeasureReading,
    Milestone,
    Outcome,
    Recommendation,
    SuccessMeasure,
)
from actions.services import structure_errors


class RecommendationForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ("plan", "number", "title", "description", "lead")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("plan") is not None:
            self.instance.plan = cleaned["plan"]
            add_structure_errors(self, structure_errors(self.instance))
        return cleaned


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ("recommendation", "number", "title", "description")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("recommendation") is not None:
            self.instance.recommendation = cleaned["recommendation"]
            add_structure_errors(self, structure_errors(self.instance))
        return cleaned


class OutcomeInline(admin.TabularInline):
    model = Outcome
    extra = 0
    fields = ("number", "title", "description")


class MilestoneInlineForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ("title", "due_date", "achieved_on", "actions")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Inline, the recommendation being edited (or added) on the same page; on the
        # milestone's own page, the one chosen there (see MilestoneForm).
        recommendation = getattr(self.fields.get("recommendation"), "parent_instance", None)
        if recommendation is None:
            recommendation = getattr(self.instance, "recommendation", None)
        linked = cleaned.get("actions")
        if recommendation is not None and linked is not None:
            self.instance.recommendation = recommendation
            add_structure_errors(self, structure_errors(self.instance, linked_actions=linked))
        return cleaned


class MilestoneInline(admin.TabularInline):
    model = Milestone
    form = MilestoneInlineForm
    extra = 0
    fields = ("title", "due_date", "achieved_on", "actions")
    autocomplete_fields = ("actions",)
    show_change_link = True


class SuccessMeasureInline(admin.TabularInline):
    model = SuccessMeasure
    extra = 0
    fields = ("name", "unit", "baseline", "target", "target_date", "direction")
    show_change_link = True


class ActionSummaryInline(admin.TabularInline):
    """The recommendation's actions at a glance; each is edited on its own page."""

    model = Action
    extra = 0
    fields = ("reference", "title", "owner", "due_date", "status", "rag")
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    verbose_name_plural = "actions (open one to edit it)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Action]:
        return super().get_queryset(request).select_related("owner")


@admin.register(Recommendation)
class RecommendationAdmin(AuditedAdmin):
    form = RecommendationForm
    list_display = ("__str__", "plan", "lead")
    list_filter = ("plan",)
    search_fields = ("title", "plan__title", "lead__name", "lead__email")
    list_select_related = ("plan", "lead")
    autocomplete_fields = ("plan", "lead")
    fields = ("plan", "number", "title", "description", "lead")
    inlines = (OutcomeInline, ActionSummaryInline, MilestoneInline, SuccessMeasureInline)


@admin.register(Outcome)
class OutcomeAdmin(AuditedAdmin):
    form = OutcomeForm
    list_display = ("title", "number", "recommendation")
    list_filter = ("recommendation__plan",)
    search_fields = ("title", "recommendation__title")
    list_select_related = ("recommendation",)
    autocomplete_fields = ("recommendation",)
    fields = ("recommendation", "number", "title", "description")


class MilestoneForm(MilestoneInlineForm):
    class Meta:
        model = Milestone
        fields = ("recommendation", "title", "due_date", "achieved_on", "actions")

    def clean(self) -> dict[str, Any]:
        recommendation = self.cleaned_data.get("recommendation")
        if recommendation is not None:
            self.instance.recommendation = recommendation
        return super().clean()


@admin.register(Milestone)
class MilestoneAdmin(AuditedAdmin):
    form = MilestoneForm
    list_display = ("title", "recommendation", "due_date", "achieved_on")
    list_filter = ("recommendation__plan", "achieved_on")
    search_fields = ("title", "recommendation__title")
    list_select_related = ("recommendation",)
    date_hierarchy = "due_date"
    autocomplete_fields = ("recommendation", "actions")


class MeasureReadingInline(admin.TabularInline):
    model = MeasureReading
    extra = 1
    fields = ("taken_on", "value", "note", "recorded_by")
    autocomplete_fields = ("recorded_by",)


class SuccessMeasureForm(forms.ModelForm):
    class Meta:
        model = SuccessMeasure
        fields = (
            "recommendation",
            "outcome",
            "name",
            "unit",
            "baseline",
            "baseline_date",
            "target",
            "target_date",
            "direction",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        recommendation = cleaned.get("recommendation")
        outcome = cleaned.get("outcome")
        if (
            recommendation is not None
            and outcome is not None
            and outcome.recommendation_id != recommendation.pk
        ):
            self.add_error("outcome", "This outcome belongs to a different recommendation.")
        return cleaned


@admin.register(SuccessMeasure)
class SuccessMeasureAdmin(AuditedAdmin):
    form = SuccessMeasureForm
    list_display = ("name", "recommendation", "unit", "baseline", "target", "target_date")
    list_filter = ("recommendation__plan", "direction")
    search_fields = ("name", "recommendation__title")
    list_select_related = ("recommendation",)
    autocomplete_fields = ("recommendation", "outcome")
    inlines = (MeasureReadingInline,)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        readings = formset.save(commit=False)
        for reading in readings:
            if isinstance(reading, MeasureReading) and reading.recorded_by_id is None:
                reading.recorded_by = cast(User, request.user)
            reading.save()
        for removed in formset.deleted_objects:
            removed.delete()
        formset.save_m2m()
