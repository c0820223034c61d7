"""The admin site for plan administrators: plans, boards, actions, milestones and measures.

The admin only adapts: a status or RAG change of an action goes through
``actions.services.action_update_status`` (the "Record a progress update" page), never
through the action's change form, and progress updates cannot be changed or deleted here.
Forms validate the models' constraints, so a save that breaks one shows the message beside
the form instead of failing in the database.
"""

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User
from actions.dates import local_today
from actions.exceptions import PreconditionFailed
from actions.models import (
    OPEN_STATUSES,
    Action,
    ActionStatus,
    Board,
    BoardMeeting,
    BoardMembership,
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    PlanType,
    ProgressUpdate,
    Rag,
    Recommendation,
    SuccessMeasure,
)
from actions.services import action_update_status, plan_publish_errors, structure_errors
from actions.spreadsheets import MAX_BYTES, ImportResult, plan_import
from notifications.models import EscalationStep, ReminderRule

STATUS_HELP = (
    'Status, RAG rating and completion date change only through "Record a progress '
    'update" (the link below) or the API, so that every change is recorded with its reason.'
)


# --- Plan types and boards ---------------------------------------------------------------


class AuditedAdmin(SimpleHistoryAdmin):
    """History to read, never to restore.

    SIMPLE_HISTORY_REVERT_DISABLED only hides the revert button; a posted old version would
    still be saved, past the status service, the structure rules and the version check.
    """

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(PlanType)
class PlanTypeAdmin(AuditedAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class BoardMembershipInline(admin.TabularInline):
    model = BoardMembership
    extra = 1
    autocomplete_fields = ("user",)
    fields = ("user", "role", "joined_on")


class BoardMeetingInline(admin.TabularInline):
    """Meeting dates and papers deadlines: owners are asked for updates ahead of each."""

    model = BoardMeeting
    extra = 1
    fields = ("meets_on", "papers_due_on")
    ordering = ("-meets_on",)


@admin.register(Board)
class BoardAdmin(AuditedAdmin):
    list_display = ("name", "audience", "cadence", "member_count")
    list_filter = ("audience", "cadence")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "audience", "cadence", "update_request_working_days")
    inlines = (BoardMembershipInline, BoardMeetingInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Board]:
        return super().get_queryset(request).annotate(member_total=Count("memberships"))

    @admin.display(description="members", ordering="member_total")
    def member_count(self, obj: Board) -> int:
        return int(getattr(obj, "member_total", 0))


# --- Plans and recommendations -----------------------------------------------------------


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    extra = 0
    fields = ("number", "title", "lead")
    autocomplete_fields = ("lead",)
    show_change_link = True


class ReminderRuleInline(admin.StackedInline):
    """This plan's own reminders; without one, the default rule applies."""

    model = ReminderRule
    extra = 0
    max_num = 1
    verbose_name = "reminder rule of this plan (instead of the default)"
    verbose_name_plural = "reminder rule of this plan (instead of the default)"
    fields = ("days_before", "on_due_date", "overdue_every")


class EscalationStepFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        # Two new rows for one level would reach the database's constraint as a 500.
        super().clean()
        seen: set[tuple[str, int]] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            key = (data.get("item_type"), data.get("level"))
            if key in seen:
                form.add_error("level", "This plan's ladder already has this level.")
            seen.add(key)


class EscalationStepInline(admin.TabularInline):
    """This plan's own ladder; a plan without steps for an item type uses the default ladder."""

    model = EscalationStep
    formset = EscalationStepFormSet
    extra = 0
    verbose_name = "escalation step of this plan (instead of the default ladder)"
    verbose_name_plural = "escalation steps of this plan (instead of the default ladder)"
    fields = ("item_type", "level", "after_working_days", "audience")


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = (
            "title",
            "slug",
            "plan_type",
            "local_area",
            "summary",
            "start_date",
            "end_date",
            "status",
            "published",
            "board",
            "other_boards",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        errors = plan_publish_errors(
            status=cleaned.get("status", self.instance.status),
            published=cleaned.get("published", self.instance.published),
            changed=self.changed_data,
        )
        _add_structure_errors(self, errors)
        return cleaned


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    form = PlanForm
    list_display = (
        "title",
        "plan_type",
        "local_area",
        "status",
        "published",
        "board",
        "start_date",
        "end_date",
    )
    list_filter = ("status", "published", "plan_type", "board")
    search_fields = ("title", "slug", "local_area")
    list_select_related = ("plan_type", "board")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("board",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "plan_type", "local_area", "summary")}),
        (
            "Delivery",
            {
                "fields": (
                    "start_date",
                    "end_date",
                    "status",
                    "published",
                    "board",
                    "other_boards",
                )
            },
        ),
    )
    filter_horizontal = ("other_boards",)
    inlines = (RecommendationInline, ReminderRuleInline, EscalationStepInline)

    # A spreadsheet import ("Import a spreadsheet" on the list of plans) -----------------

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="actions_plan_import"), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        self.change_list_template = engines["django"].from_string(  # type: ignore[assignment]
            PLAN_CHANGELIST_TEMPLATE
        )
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        # Importing adds a plan's rows: the same right as adding a plan by hand.
        if not self.has_add_permission(request):
            raise PermissionDenied
        result: ImportResult | None = None
        if request.method == "POST":
            form = PlanImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                plan = form.cleaned_data["plan"]
                result = plan_import(
                    data=upload.read(),
                    by=cast(User, request.user),
                    filename=upload.name,
                    plan_slug=plan.slug if plan is not None else None,
                    dry_run=request.POST.get("mode") != "import",
                )
                if result.ok and not result.dry_run and result.plan is not None:
                    self.message_user(request, result.summary())
                    return HttpResponseRedirect(
                        reverse("admin:actions_plan_change", args=[result.plan.pk])
                    )
        else:
            form = PlanImportForm()
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a plan from a spreadsheet",
            "opts": self.opts,
            "form": form,
            "result": result,
        }
        template = engines["django"].from_string(PLAN_IMPORT_TEMPLATE)
        return TemplateResponse(request, template, context)  # type: ignore[arg-type]


PLAN_CHANGELIST_TEMPLATE = """{% extends "admin/change_list.html" %}
{% block object-tools-items %}
<li><a href="{% url 'admin:actions_plan_import' %}">Import a spreadsheet</a></li>
{{ block.super }}
{% endblock %}"""


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet (XLSX or CSV)",
        help_text=(
            "One row per action: recommendation, outcome, action reference, title, owner "
            "email, start, due, status, RAG, milestone (and the optional columns in "
            "docs/spreadsheets.md). Dates as date cells or DD/MM/YYYY."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    plan = forms.ModelChoiceField(
        label="Into plan",
        queryset=Plan.objects.filter(recommendations__isnull=True).order_by("title"),
        required=False,
        empty_label='The plan named in the file\'s "plan slug" row (created if new)',
        help_text="Only plans without recommendations are listed: an import never changes "
        "an existing plan's actions.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(
                f"The file is too large (at most {MAX_BYTES // 1024 // 1024} MB): a plan fits "
                "in a few thousand rows."
            )
        return upload


PLAN_IMPORT_TEMPLATE = """{% extends "admin/base_site.html" %}
{% block breadcrumbs %}<div class="breadcrumbs">
<a href="{% url 'admin:index' %}">Home</a> &rsaquo;
<a href="{% url 'admin:actions_plan_changelist' %}">Plans</a> &rsaquo; Import a spreadsheet
</div>{% endblock %}
{% block content %}
{% if result and result.problems %}
<div class="errornote" role="alert" id="problems-summary">
<h2>{{ result.summary }}</h2>
</div>
<table id="problems">
<caption>Problems in {{ result.filename }}, in the order of the rows</caption>
<thead><tr><th scope="col">Row</th><th scope="col">Column</th><th scope="col">Problem</th>
</tr></thead>
<tbody>{% for problem in result.problems %}
<tr><td>{% if problem.row %}{{ problem.row }}{% else %}(whole file){% endif %}</td>
<td>{{ problem.column }}</td><td>{{ problem.message }}</td></tr>{% endfor %}
</tbody></table>
{% elif result %}
<div role="status" id="check-result"><p><strong>{{ result.summary }}</strong></p>
<p>Nothing has been saved yet: choose the file again and press "Import".</p></div>
{% endif %}
<p>Check a file first: "Check only" lists every problem with its row and column and saves
nothing. "Import" saves the whole file, or nothing if it has a problem. The format is
described in docs/spreadsheets.md; <code>manage.py export_plan</code> writes a plan in it.</p>
<form method="post" enctype="multipart/form-data" novalidate>{% csrf_token %}
{% if form.non_field_errors %}<p class="errornote">{{ form.non_field_errors|join:" " }}</p>
{% endif %}
<fieldset class="module aligned"><legend class="visually-hidden">Spreadsheet to import</legend>
{{ form.as_div }}</fieldset>
<div class="submit-row">
<button type="submit" name="mode" value="check" class="default">Check only (saves nothing)</button>
<button type="submit" name="mode" value="import">Import</button>
</div>
</form>
{% endblock %}"""


def _add_structure_errors(form: forms.ModelForm, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class RecommendationForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ("plan", "number", "title", "description", "lead")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("plan") is not None:
            self.instance.plan = cleaned["plan"]
            _add_structure_errors(self, structure_errors(self.instance))
        return cleaned


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ("recommendation", "number", "title", "description")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("recommendation") is not None:
            self.instance.recommendation = cleaned["recommendation"]
            _add_structure_errors(self, structure_errors(self.instance))
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
            _add_structure_errors(self, structure_errors(self.instance, linked_actions=linked))
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


# --- Actions and their progress ----------------------------------------------------------


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
            _add_structure_errors(self, structure_errors(self.instance))
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


# --- Milestones and measures -------------------------------------------------------------


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
