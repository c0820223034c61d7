"""Actions and their progress: a status or RAG change only through the status service."""

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.models import User
from actions.admin.base import AuditedAdmin, add_structure_errors
from actions.dates import local_today
from actions.exceptions import PreconditionFailed
from actions.models import OPEN_STATUSES, Action, ActionStatus, ProgressUpdate, Rag
from actions.services import action_update_status, structure_errors

STATUS_HELP = (
    'Status, RAG rating and completion date change only through "Record a progress '
    'update" (the link below) or the API, so that every change is recorded with its reason.'
)


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("overdue", "Overdue"),
            ("this_week", "Due this week"),
            ("next_30_days", "Due in the next 30 days"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = local_today()
        open_actions = queryset.filter(status__in=OPEN_STATUSES)
        if self.value() == "overdue":
            return open_actions.filter(due_date__lt=today)
        if self.value() == "this_week":
            sunday = today + dt.timedelta(days=6 - today.weekday())
            return open_actions.filter(due_date__gte=today, due_date__lte=sunday)
        if self.value() == "next_30_days":
            return open_actions.filter(
                due_date__gte=today, due_date__lte=today + dt.timedelta(days=30)
            )
        return queryset


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = (
            "recommendation",
            "outcome",
            "reference",
            "title",
            "description",
            "owner",
            "supporting_owners",
            "start_date",
            "due_date",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        recommendation = cleaned.get("recommendation")
        outcome = cleaned.get("outcome")
        if recommendation is not None:
            # The plan follows the recommendation, so that references stay unique per plan.
            self.instance.plan = recommendation.plan
            add_structure_errors(self, structure_errors(self.instance))
            if outcome is not None and outcome.recommendation_id != recommendation.pk:
                self.add_error("outcome", "This outcome belongs to a different recommendation.")
        return cleaned

    def _get_validation_exclusions(self) -> set[str]:
        exclusions = set(super()._get_validation_exclusions())  # type: ignore[misc]
        if self.instance.plan_id is not None:
            # Check "reference unique in plan" here, not as an IntegrityError on save.
            exclusions.discard("plan")
        return exclusions


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    extra = 0
    fields = ("created_at", "author", "status", "rag", "commentary", "completed_on")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "progress updates (newest first)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProgressForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=[("", "Blue if completed, otherwise unchanged"), *Rag.choices],
        required=False,
    )
    commentary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        required=False,
        help_text="Required for red or amber, blocking, cancelling, reopening or reinstating.",
    )
    evidence_links = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        required=False,
        help_text="Web addresses of evidence, one a line.",
    )
    completed_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Only when completing the action.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


PROGRESS_TEMPLATE = """{% extends "admin/base_site.html" %}
{% block breadcrumbs %}<div class="breadcrumbs">
<a href="{% url 'admin:index' %}">Home</a> &rsaquo;
<a href="{% url 'admin:actions_action_changelist' %}">Actions</a> &rsaquo;
<a href="{{ change_url }}">{{ action.reference }}</a> &rsaquo; Record a progress update
</div>{% endblock %}
{% block content %}
<p>Now: <strong>{{ action.get_status_display }}</strong>, {{ action.get_rag_display }}.
Due {{ action.due_date }}.</p>
<form method="post" novalidate>{% csrf_token %}
{% if form.non_field_errors %}<p class="errornote">{{ form.non_field_errors|join:" " }}</p>
{% endif %}
<fieldset class="module aligned">{{ form.as_div }}</fieldset>
<div class="submit-row"><input type="submit" class="default" value="Record update"></div>
</form>
{% endblock %}"""


@admin.register(Action)
class ActionAdmin(AuditedAdmin):
    form = ActionForm
    list_display = ("reference", "title", "owner", "due_date", "status", "rag", "plan")
    list_filter = (
        "status",
        "rag",
        DueFilter,
        "plan",
        ("due_date", admin.DateFieldListFilter),
        ("owner", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("reference", "title", "owner__name", "owner__email")
    list_select_related = ("owner", "plan")
    date_hierarchy = "due_date"
    autocomplete_fields = ("recommendation", "outcome", "owner", "supporting_owners")
    readonly_fields = (
        "plan",
        "status",
        "rag",
        "completed_on",
        "last_progress_at",
        "record_progress_link",
    )
    fieldsets = (
        (None, {"fields": ("recommendation", "plan", "outcome", "reference", "title")}),
        ("Description", {"fields": ("description",)}),
        ("People", {"fields": ("owner", "supporting_owners")}),
        ("Dates", {"fields": ("start_date", "due_date")}),
        (
            "Progress",
            {
                "fields": (
                    "status",
                    "rag",
                    "completed_on",
                    "last_progress_at",
                    "record_progress_link",
                ),
                "description": STATUS_HELP,
            },
        ),
    )
    inlines = (ProgressUpdateInline,)

    @admin.display(description="progress")
    def record_progress_link(self, obj: Action) -> str:
        if obj.pk is None:
            return "Save the action first; it starts as not started and green."
        url = reverse("admin:actions_action_progress", args=[obj.pk])
        return format_html('<a class="button" href="{}">Record a progress update</a>', url)

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.progress_view)
        return [
            path("<path:object_id>/progress/", view, name="actions_action_progress"),
            *super().get_urls(),
        ]

    def progress_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        action = self.get_object(request, unquote(object_id))
        if action is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, action):
            raise PermissionDenied
        change_url = reverse("admin:actions_action_change", args=[action.pk])
        if request.method == "POST":
            form = ProgressForm(request.POST)
            if form.is_valid() and self._record_progress(request, action, form):
                self.message_user(request, f"Progress on {action.reference} recorded.")
                return HttpResponseRedirect(change_url)
        else:
            form = ProgressForm(
                initial={
                    "status": action.status,
                    "rag": "" if action.rag == Rag.BLUE else action.rag,
                    "version": action.version,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Record a progress update: {action}",
            "opts": self.opts,
            "action": action,
            "form": form,
            "change_url": change_url,
        }
        template = engines["django"].from_string(PROGRESS_TEMPLATE)
        return TemplateResponse(request, template, context)  # type: ignore[arg-type]

    def _record_progress(self, request: HttpRequest, action: Action, form: ProgressForm) -> bool:
        data = form.cleaned_data
        links = [line.strip() for line in data["evidence_links"].splitlines() if line.strip()]
        try:
            action_update_status(
                action=action,
                by=cast(User, request.user),
                status=data["status"],
                rag=data["rag"] or None,
                commentary=data["commentary"],
                evidence_links=links,
                completed_on=data["completed_on"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return False
        except PreconditionFailed as exc:
            form.add_error(None, str(exc))
            return False
        return True


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    """Read only: updates are added through the status service and never changed."""

    list_display = ("action", "author", "created_at", "status", "rag", "completed_on")
    list_filter = ("status", "rag", "action__plan")
    search_fields = ("action__reference", "action__title", "author__name", "commentary")
    list_select_related = ("action", "author")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
