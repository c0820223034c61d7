"""Plans: the list a person takes part in, one plan's page, its action list as a
spreadsheet, and one stored digest read again as a page."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.models import User
from actions.dates import local_today
from actions.models import Plan
from actions.selectors import plans_visible_to, plans_with_progress
from digests.chart import chart_alt_text
from digests.content import long_date
from digests.emails import TEMPLATE_OF_AUDIENCE, chart_table
from digests.selectors import snapshots_visible_to
from digests.spreadsheet import action_list_xlsx
from workspace.access import signed_in, visible_or_404
from workspace.plan_charts import CHART_HEIGHT, CHART_WIDTH, LABEL_Y, rag_columns
from workspace.plan_page import plan_actions_xlsx_data, plan_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_safe
@signed_in
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = plans_with_progress(plans_visible_to(request.user), today=local_today())
    return render(request, "workspace/plan_list.html", {"plans": plans, "nav": "plans"})


def _plan(request: HttpRequest, pk: int) -> Plan:
    # The board comes with the plan: the digest's reads ask for it.
    return visible_or_404(plans_visible_to(request.user).select_related("board"), pk)


@require_safe
@signed_in
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person: User = request.user  # type: ignore[assignment]  # @signed_in: never anonymous
    plan = _plan(request, pk)
    page = plan_page(
        user=person,
        plan=plan,
        now=timezone.now(),
        today=local_today(),
        page=request.GET.get("page"),
    )
    return render(request, "workspace/plan_detail.html", {"page": page, "nav": "plans"})


@require_safe
@signed_in
def plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The actions of the plan this person may read, with the digest's spreadsheet's columns."""
    person: User = request.user  # type: ignore[assignment]  # @signed_in: never anonymous
    plan = _plan(request, pk)
    now, today = timezone.now(), local_today()
    data = plan_actions_xlsx_data(user=person, plan=plan, now=now, today=today)
    response = HttpResponse(
        action_list_xlsx(data=data, title=plan.title, made_at=now), content_type=XLSX
    )
    # The slug and the date only: no person's name in the file's name.
    response["Content-Disposition"] = (
        f'attachment; filename="{plan.slug}-actions-{today.isoformat()}.xlsx"'
    )
    return response


@require_safe
@signed_in
def digest_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The spreadsheet that went with a digest, as it was made: the link that stands in for the
    attachment where email cannot carry one (GOV.UK Notify)."""
    found = visible_or_404(snapshots_visible_to(request.user), pk)
    spreadsheet = (
        type(found).objects.filter(pk=found.pk).values_list("spreadsheet", flat=True).first()
    )
    if not spreadsheet:
        raise Http404("This digest has no spreadsheet.")
    response = HttpResponse(bytes(spreadsheet), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="{found.plan.slug}-actions-{found.period}.xlsx"'
    )
    return response


@require_safe
@signed_in
def digest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = visible_or_404(snapshots_visible_to(request.user), pk)
    content = snapshot.content
    points = content.get("chart", [])
    context = {
        "snapshot": snapshot,
        "content": content,
        "as_of_text": content.get("as_of_text") or long_date(snapshot.as_of),
        "kind": TEMPLATE_OF_AUDIENCE.get(snapshot.audience, "digest"),
        "chart_rows": chart_table(points),
        "chart_alt": chart_alt_text(points),
        "chart_columns": rag_columns(points),
        "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT,
        "chart_label_y": LABEL_Y,
        "plan_visible": plans_visible_to(request.user).filter(pk=snapshot.plan_id).exists(),
        "has_spreadsheet": type(snapshot)
        .objects.filter(pk=snapshot.pk)
        .exclude(spreadsheet=None)
        .exclude(spreadsheet=b"")
        .exists(),
        "nav": "plans",
    }
    return render(request, "workspace/digest_detail.html", context)
