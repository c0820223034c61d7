"""The home page: an invitation to sign in, or "What needs you" for someone signed in."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from actions.dates import local_today
from actions.selectors import plans_public
from workspace.needs import DUE_SOON_WORKING_DAYS, needs_of


def _public_plans() -> list[dict[str, Any]]:
    return [
        dict(row) for row in plans_public().order_by("title").values("title", "slug", "local_area")
    ]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "workspace/home_signed_out.html", {"plans": _public_plans()})
    needs = needs_of(user=request.user, today=local_today())  # type: ignore[arg-type]
    context = {"needs": needs, "nav": "home", "due_soon_days": DUE_SOON_WORKING_DAYS}
    return render(request, "workspace/home.html", context)


@require_safe
def public_plans(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/public_plans.html", {"plans": _public_plans()})
