"""Plan types, boards and plans, and importing a plan from a spreadsheet."""

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.models import User
from actions.admin.base import AuditedAdmin, add_structure_errors
from actions.models import Board, BoardMeeting, BoardMembership, Plan, PlanType, Recommendation
from actions.services import plan_publish_errors
from actions.spreadsheets import MAX_BYTES, ImportResult, plan_import


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


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    extra = 0
    fields = ("number", "title", "lead")
    autocomplete_fields = ("lead",)
    show_change_link = True


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
        add_structure_errors(self, errors)
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
    # notifications.admin adds the plan's reminder rule and escalation ladder after these.
    inlines = (RecommendationInline,)

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
