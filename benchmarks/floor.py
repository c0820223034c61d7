"""The floor for ``make bench-api``: the action list and detail as bare Django views (and,
in benchmarks/floor_lists.py, every per-person list).

Each view answers the same JSON as ``/api/actions/`` (list, 50 per page) and
``/api/actions/<id>/`` for the query strings the load driver sends, with the same token
look-up, the same visibility rule, the same filters, the same order and the same count,
but straight from ``.values()`` into ``JsonResponse``: no DRF view, filter set or
serializer. Whatever the API costs above this is the framework's and ours.

Used as the URLconf of ``config.settings.bench`` (everything in ``config.urls`` plus
``/bench/floor/...``); tests/bench_api checks that both answer alike.
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, include, path
from django.utils import timezone
from rest_framework.utils.urls import remove_query_param, replace_query_param

from accounts.models import User
from accounts.tokens import token_for_secret, token_status
from actions.dates import local_today
from actions.models import OPEN_STATUSES, Action
from config.urls import urlpatterns as site_urlpatterns

PAGE_SIZE = 50

FIELDS = (
    "id",
    "plan_id",
    "recommendation_id",
    "outcome_id",
    "reference",
    "title",
    "description",
    "owner_id",
    "owner__name",
    "start_date",
    "due_date",
    "status",
    "rag",
    "completed_on",
    "latest_update_id",
    "last_progress_at",
    "version",
    "created_at",
    "updated_at",
)
# Action's Meta.ordering ("plan" is the plan's own ordering, its title) and the id, as
# StrictOrderingFilter pages it.
ORDER = ("plan__title", "recommendation__number", "due_date", "reference", "pk")


def _user(request: HttpRequest) -> User | None:
    """The token's person, as the API's token sign-in finds them: one query (without noting
    when the token was last used, a write at most once a minute)."""
    words = request.headers.get("Authorization", "").split()
    if len(words) != 2 or words[0] != "Token":
        return None
    token = token_for_secret(words[1])
    if token is None or token_status(token) != "active" or not token.user.is_active:
        return None
    return token.user


def _visible(user: User) -> QuerySet[Action]:
    """The selector's rule written out: all for staff, else a UNION of indexed look-ups."""
    if user.is_staff:
        return Action.objects.all()
    through = Action.supporting_owners.through
    ids = (
        Action.objects.filter(owner_id=user.pk)
        .order_by()
        .values("pk")
        .union(through.objects.filter(user_id=user.pk).order_by().values("action_id"))
        .union(Action.objects.filter(recommendation__lead_id=user.pk).order_by().values("pk"))
        .union(
            Action.objects.filter(plan__board__memberships__user_id=user.pk).order_by().values("pk")
        )
    )
    return Action.objects.filter(pk__in=ids)


def _filtered(actions: QuerySet[Action], params: Any) -> QuerySet[Action]:
    """The filters the driver sends (a subset of ActionFilter), read without validation."""
    if "status" in params:
        actions = actions.filter(status__in=params["status"].split(","))
    if "rag" in params:
        actions = actions.filter(rag__in=params["rag"].split(","))
    if "plan" in params:
        actions = actions.filter(plan_id=int(params["plan"]))
    if params.get("overdue") == "true":
        actions = actions.filter(status__in=OPEN_STATUSES, due_date__lt=local_today())
    elif params.get("overdue") == "false":
        actions = actions.exclude(status__in=OPEN_STATUSES, due_date__lt=local_today())
    return actions


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _moment(value: dt.datetime | None) -> str | None:
    # As DRF's DateTimeField: in the current time zone, "Z" for a zero offset.
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _rows(actions: QuerySet[Action]) -> list[dict[str, Any]]:
    rows = list(actions.values(*FIELDS))
    through = Action.supporting_owners.through
    supporters: dict[int, list[int]] = {row["id"]: [] for row in rows}
    # In the people's own order (name, email), as the API's prefetch gives them.
    for action_id, user_id in (
        through.objects.filter(action_id__in=supporters)
        .order_by("user__name", "user__email")
        .values_list("action_id", "user_id")
    ):
        supporters[action_id].append(user_id)
    today = local_today()
    return [
        {
            "id": row["id"],
            "plan": row["plan_id"],
            "recommendation": row["recommendation_id"],
            "outcome": row["outcome_id"],
            "reference": row["reference"],
            "title": row["title"],
            "description": row["description"],
            "owner": row["owner_id"],
            "owner_name": row["owner__name"],
            "supporting_owners": supporters[row["id"]],
            "start_date": _date(row["start_date"]),
            "due_date": _date(row["due_date"]),
            "status": row["status"],
            "rag": row["rag"],
            "completed_on": _date(row["completed_on"]),
            "is_overdue": row["status"] in OPEN_STATUSES and row["due_date"] < today,
            "latest_update": row["latest_update_id"],
            "last_progress_at": _moment(row["last_progress_at"]),
            "version": row["version"],
            "created_at": _moment(row["created_at"]),
            "updated_at": _moment(row["updated_at"]),
        }
        for row in rows
    ]


def _unauthorised() -> JsonResponse:
    return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)


def action_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user is None:
        return _unauthorised()
    return action_page(request, _visible(user))


def action_page(request: HttpRequest, visible: QuerySet[Action]) -> HttpResponse:
    """A page of these actions, filtered by the query string, as the action list gives it."""
    actions = _filtered(visible, request.GET)
    page = int(request.GET.get("page", "1"))
    count = actions.count()
    start = (page - 1) * PAGE_SIZE
    # The page's ids first, sorted on narrow rows; then those rows (as the API pages).
    page_ids = actions.order_by(*ORDER).values("pk")[start : start + PAGE_SIZE]
    results = _rows(Action.objects.filter(pk__in=page_ids).order_by(*ORDER))
    return JsonResponse(page_envelope(request, count, results))


def page_envelope(request: HttpRequest, count: int, results: list[Any]) -> dict[str, Any]:
    """The count, the page links and the rows, as DRF's page-number pagination gives them."""
    page = int(request.GET.get("page", "1"))
    url = request.build_absolute_uri()
    start = (page - 1) * PAGE_SIZE
    following = replace_query_param(url, "page", page + 1) if start + PAGE_SIZE < count else None
    previous = None
    if page == 2:
        previous = remove_query_param(url, "page")
    elif page > 2:
        previous = replace_query_param(url, "page", page - 1)
    return {"count": count, "next": following, "previous": previous, "results": results}


def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    if user is None:
        return _unauthorised()
    rows = _rows(_visible(user).filter(pk=pk))
    if not rows:
        return JsonResponse({"detail": "No Action matches the given query."}, status=404)
    response = JsonResponse(rows[0])
    response["ETag"] = f'"{rows[0]["version"]}"'
    return response


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/floor/actions/", action_list, name="floor-action-list"),
    path("bench/floor/actions/<int:pk>/", action_detail, name="floor-action-detail"),
    # The per-person lists' floors (by name: that module reads this one's helpers).
    path("bench/floor/", include("benchmarks.floor_lists")),
    *site_urlpatterns,  # type: ignore[list-item]
]
handler400 = "config.views.bad_request"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
