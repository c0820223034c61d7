"""The public plan on a page and its downloads: anyone may read them, no sign-in.

Only public plans are found (``actions.selectors.plan_is_public``: published and not a draft,
the same rule as the API's for people who are not signed in); anything else is the site's
plain 404, so an address tells nobody whether an unpublished plan exists.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.views.decorators.http import require_safe

from plan_pages.exports import plan_csv, plan_xlsx
from plan_pages.selectors import PublicPlan, public_plan

# Short, so that a plan taken down (unpublished) leaves shared caches within a minute;
# long enough that a link shared widely does not read the database on every view.
CACHE_SECONDS = 60

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _published(slug: str) -> PublicPlan:
    plan = public_plan(slug=slug)
    if plan is None:
        raise Http404("No published plan has this address.")
    return plan


def _public(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Anyone may cache it, briefly; a browser asking again gets 304 when nothing changed."""
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    # An ETag of the content itself: row dates miss deletions, the bytes miss nothing.
    set_response_etag(response)
    return get_conditional_response(request, etag=response["ETag"], response=response) or response


@require_safe
def plan_page(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _published(slug)
    return _public(request, render(request, "plan_pages/plan.html", {"plan": plan}))


@require_safe
def plan_download_csv(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _published(slug)
    # A byte-order mark, so that Excel reads the file as UTF-8 (names such as "Ysgol").
    response = HttpResponse("\ufeff" + plan_csv(plan), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{plan.slug}.csv"'
    return _public(request, response)


@require_safe
def plan_download_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _published(slug)
    response = HttpResponse(plan_xlsx(plan), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{plan.slug}.xlsx"'
    return _public(request, response)
