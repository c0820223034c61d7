"""The floors of ``make bench-api``'s per-person lists: each list as a bare Django view.

Each view answers the same JSON as its API list (50 a page) for the query strings the load
driver sends: the same token look-up, the same rows (the selectors' rules, or the action
floor's rule written out), the same order, the same count and page links, but straight from
``.values()`` into ``JsonResponse``, with no DRF view, filter set, paginator or serializer.
Mounted under ``/bench/floor/`` by benchmarks/floor.py; tests/bench_api checks that each
answers as its API list does.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path

from accounts.models import User
from actions import selectors
from actions.dates import local_today
from actions.models import Action, Milestone
from benchmarks.floor import (
    PAGE_SIZE,
    _date,
    _moment,
    _unauthorised,
    _user,
    action_page,
    page_envelope,
)
from digests.selectors import snapshots_visible_to
from notifications.models import Escalation, Notification
from notifications.selectors import escalations_visible_to


def _page(request: HttpRequest, rows: QuerySet[Any], order: tuple[str, ...]) -> tuple[int, Any]:
    """The count, and the page's rows as a sliced, ordered queryset."""
    number = int(request.GET.get("page", "1"))
    start = (number - 1) * PAGE_SIZE
    return rows.count(), rows.order_by(*order)[start : start + PAGE_SIZE]


def _signed_in(view: Callable[[HttpRequest, User], HttpResponse]) -> Any:
    def answer(request: HttpRequest) -> HttpResponse:
        user = _user(request)
        return _unauthorised() if user is None else view(request, user)

    return answer


@_signed_in
def my_actions(request: HttpRequest, user: User) -> HttpResponse:
    """As the action floor, with the rule of /api/me/actions/: owned or supported."""
    through = Action.supporting_owners.through
    own = (
        Action.objects.filter(owner_id=user.pk)
        .order_by()
        .values("pk")
        .union(through.objects.filter(user_id=user.pk).order_by().values("action_id"))
    )
    return action_page(request, Action.objects.filter(pk__in=own))


PLAN_FIELDS = (
    "id",
    "title",
    "slug",
    "plan_type_id",
    "plan_type__name",
    "local_area",
    "start_date",
    "end_date",
    "status",
    "published",
    "board_id",
    "summary",
    "version",
    "created_at",
    "updated_at",
)


def plans(request: HttpRequest) -> HttpResponse:
    """Public plans signed out; a wrong token is refused as the API refuses it."""
    user: Any = AnonymousUser()
    if "Authorization" in request.headers:
        user = _user(request)
        if user is None:
            return _unauthorised()
    count, page = _page(request, selectors.plans_visible_to(user), ("title", "pk"))
    rows = list(page.values(*PLAN_FIELDS))
    progress = selectors.plans_progress([row["id"] for row in rows], today=local_today())
    results = []
    for row in rows:
        counts = progress[row["id"]]
        results.append(
            {
                "id": row["id"],
                "title": row["title"],
                "slug": row["slug"],
                "plan_type": row["plan_type_id"],
                "plan_type_name": row["plan_type__name"],
                "local_area": row["local_area"],
                "start_date": _date(row["start_date"]),
                "end_date": _date(row["end_date"]),
                "status": row["status"],
                "published": row["published"],
                "board": row["board_id"],
                "summary": row["summary"],
                "progress": {
                    "actions_total": counts["actions_total"],
                    "actions_completed": counts["actions_completed"],
                    "actions_overdue": counts["actions_overdue"],
                    "red": counts["actions_red"],
                    "amber": counts["actions_amber"],
                    "green": counts["actions_green"],
                    "blue": counts["actions_blue"],
                },
                "version": row["version"],
                "created_at": _moment(row["created_at"]),
                "updated_at": _moment(row["updated_at"]),
            }
        )
    return JsonResponse(page_envelope(request, count, results))


def _stamps(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": row["version"],
        "created_at": _moment(row["created_at"]),
        "updated_at": _moment(row["updated_at"]),
    }


@_signed_in
def recommendations(request: HttpRequest, user: User) -> HttpResponse:
    visible = selectors.recommendations_visible_to(user)
    count, page = _page(request, visible, ("plan__title", "number", "pk"))
    results = [
        {
            "id": row["id"],
            "plan": row["plan_id"],
            "number": row["number"],
            "title": row["title"],
            "description": row["description"],
            "lead": row["lead_id"],
            "lead_name": row["lead__name"],
            **_stamps(row),
        }
        for row in page.values(
            "id",
            "plan_id",
            "number",
            "title",
            "description",
            "lead_id",
            "lead__name",
            "version",
            "created_at",
            "updated_at",
        )
    ]
    return JsonResponse(page_envelope(request, count, results))


# Action's Meta.ordering, which orders a milestone's actions in the API's answer.
ACTION_ORDER = ("plan__title", "recommendation__number", "due_date", "reference")


@_signed_in
def milestones(request: HttpRequest, user: User) -> HttpResponse:
    visible = selectors.milestones_visible_to(user)
    order = ("recommendation__plan__title", "recommendation__number", "due_date", "pk")
    count, page = _page(request, visible, order)
    rows = list(
        page.values(
            "id",
            "recommendation_id",
            "title",
            "due_date",
            "achieved_on",
            "version",
            "created_at",
            "updated_at",
        )
    )
    linked: dict[int, list[int]] = {row["id"]: [] for row in rows}
    through = Milestone.actions.through
    for milestone_id, action_id in (
        through.objects.filter(milestone_id__in=linked)
        .order_by(*(f"action__{term}" for term in ACTION_ORDER))
        .values_list("milestone_id", "action_id")
    ):
        linked[milestone_id].append(action_id)
    today = local_today()
    results = [
        {
            "id": row["id"],
            "recommendation": row["recommendation_id"],
            "title": row["title"],
            "due_date": _date(row["due_date"]),
            "achieved_on": _date(row["achieved_on"]),
            "actions": linked[row["id"]],
            "is_overdue": row["achieved_on"] is None and row["due_date"] < today,
            **_stamps(row),
        }
        for row in rows
    ]
    return JsonResponse(page_envelope(request, count, results))


ESCALATION_FIELDS = (
    "id",
    "action_id",
    "milestone_id",
    "plan_id",
    "due_date",
    "level",
    "audience",
    "working_days_overdue",
    "created_at",
    "resolved_at",
    "resolution",
)


@_signed_in
def escalations(request: HttpRequest, user: User) -> HttpResponse:
    count, page = _page(request, escalations_visible_to(user), ("-created_at", "-id"))
    rows = list(page.values(*ESCALATION_FIELDS))
    told: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
    for escalation_id, person_id, name in (
        Escalation.told.through.objects.filter(escalation_id__in=told)
        .order_by("user__name", "user__email")
        .values_list("escalation_id", "user_id", "user__name")
    ):
        told[escalation_id].append({"id": person_id, "name": name})
    results = [
        {
            "id": row["id"],
            "item_type": "action" if row["action_id"] else "milestone",
            "action": row["action_id"],
            "milestone": row["milestone_id"],
            "plan": row["plan_id"],
            "due_date": _date(row["due_date"]),
            "level": row["level"],
            "audience": row["audience"],
            "working_days_overdue": row["working_days_overdue"],
            "told": told[row["id"]],
            "created_at": _moment(row["created_at"]),
            "is_open": row["resolved_at"] is None,
            "resolved_at": _moment(row["resolved_at"]),
            "resolution": row["resolution"],
        }
        for row in rows
    ]
    return JsonResponse(page_envelope(request, count, results))


# The keys of a ledger line the API shows (NotificationItemSerializer), in its order.
ITEM_KEYS = (
    "type",
    "id",
    "reason",
    "days",
    "role",
    "due",
    "level",
    "meeting",
    "meets_on",
    "papers_due",
)


@_signed_in
def notifications(request: HttpRequest, user: User) -> HttpResponse:
    mine = Notification.objects.filter(recipient_id=user.pk)
    count, page = _page(request, mine, ("-created_at", "-id"))
    results = [
        {
            "id": row["id"],
            "kind": row["kind"],
            "occurrence": row["occurrence"],
            "subject": row["subject"],
            "items": [
                {key: item[key] for key in ITEM_KEYS if key in item} for item in row["items"]
            ],
            "status": row["status"],
            "attempts": row["attempts"],
            "last_error": row["last_error"],
            "to_email": row["to_email"],
            "created_at": _moment(row["created_at"]),
            "sent_at": _moment(row["sent_at"]),
        }
        for row in page.values(
            "id",
            "kind",
            "occurrence",
            "subject",
            "items",
            "status",
            "attempts",
            "last_error",
            "to_email",
            "created_at",
            "sent_at",
        )
    ]
    return JsonResponse(page_envelope(request, count, results))


@_signed_in
def digests(request: HttpRequest, user: User) -> HttpResponse:
    count, page = _page(request, snapshots_visible_to(user), ("-as_of", "-id"))
    results = [
        {
            "id": row["id"],
            "plan": row["plan_id"],
            "plan_title": row["plan__title"],
            "board": row["board_id"],
            "board_name": row["board__name"],
            "audience": row["audience"],
            "period": row["period"],
            "as_of": _date(row["as_of"]),
            "created_at": _moment(row["created_at"]),
            "queued_at": _moment(row["queued_at"]),
            "recipients": [person["id"] for person in row["recipients"]],
        }
        for row in page.values(
            "id",
            "plan_id",
            "plan__title",
            "board_id",
            "board__name",
            "audience",
            "period",
            "as_of",
            "created_at",
            "queued_at",
            "recipients",
        )
    ]
    return JsonResponse(page_envelope(request, count, results))


urlpatterns: list[URLPattern] = [
    path("me/actions/", my_actions, name="floor-my-actions"),
    path("plans/", plans, name="floor-plans"),
    path("recommendations/", recommendations, name="floor-recommendations"),
    path("milestones/", milestones, name="floor-milestones"),
    path("escalations/", escalations, name="floor-escalations"),
    path("me/notifications/", notifications, name="floor-notifications"),
    path("digests/", digests, name="floor-digests"),
]
