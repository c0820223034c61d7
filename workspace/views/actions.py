"""An action: its page, its history and the progress update form.

The view only adapts. The action is found through the API's selector (404 for anyone who may
not read it), the form is offered to whoever ``may_report_progress`` lets post to
``/api/actions/{id}/updates/`` (403 for anyone else), and the update is recorded by
``action_update_status`` with the version the page showed, exactly as the API passes
If-Match: a stale update is refused and the page says what changed meanwhile.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import User
from actions.dates import local_today, working_days_between
from actions.exceptions import PreconditionFailed
from actions.history import HistoryEntry, action_history
from actions.models import Action, Milestone
from actions.permissions import may_report_progress
from actions.selectors import (
    actions_visible_to,
    milestones_visible_to,
    plans_visible_to,
    recommendations_visible_to,
)
from actions.services import action_update_status
from notifications.reachability import unreachable_since
from workspace.access import signed_in, visible_or_404
from workspace.action_forms import ActionUpdateForm
from workspace.templatetags.workspace import due_words, overdue_words
from workspace.timeline import action_timeline, changes_meanwhile, escalations_of

SAVED = "Your update has been saved"


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _person(request)
    action = visible_or_404(_page_actions(user), pk)
    may_update = may_report_progress(user, action)
    if request.method == "POST":
        if not may_update:
            return render(
                request, "workspace/action_forbidden.html", {"action": action}, status=403
            )
        return _post_update(request, action)
    form = ActionUpdateForm(initial=ActionUpdateForm.initial_for(action)) if may_update else None
    return _page(request, action, form=form)


def _person(request: HttpRequest) -> User:
    assert isinstance(request.user, User), "signed_in lets only people through"
    return request.user


def _page_actions(user: User) -> QuerySet[Action]:
    """The API's readable actions, with what the page shows in the same query."""
    return (
        actions_visible_to(user)
        .select_related("plan", "recommendation", "outcome", "latest_update__author")
        .annotate(
            # Shown beside the owner's name: their emails are not being sent.
            owner_unreachable_since=unreachable_since("owner__email"),
            may_read_plan=Exists(plans_visible_to(user).filter(pk=OuterRef("plan_id"))),
            may_read_recommendation=Exists(
                recommendations_visible_to(user).filter(pk=OuterRef("recommendation_id"))
            ),
        )
    )


def _post_update(request: HttpRequest, action: Action) -> HttpResponse:
    form = ActionUpdateForm(request.POST)
    if not form.is_valid():
        return _page(request, action, form=form)
    try:
        action_update_status(action=action, by=_person(request), **form.service_arguments())
    except ValidationError as error:
        form.add_service_errors(error)
        return _page(request, action, form=form)
    except PreconditionFailed:
        # Only a version that was sent can be stale.
        seen_version = form.cleaned_data["version"]
        assert seen_version is not None
        return _conflict(request, action, seen_version=seen_version)
    messages.success(request, SAVED)
    return redirect("workspace:action", pk=action.pk)


def _conflict(request: HttpRequest, action: Action, *, seen_version: int) -> HttpResponse:
    """The page as the action is now, the form as the person filled it, based on the current
    version so that sending it again records it (409: their update was not saved)."""
    current = visible_or_404(_page_actions(_person(request)), action.pk)
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = ActionUpdateForm(data)
    return _page(request, current, form=form, seen_version=seen_version, status=409)


def _page(
    request: HttpRequest,
    action: Action,
    *,
    form: ActionUpdateForm | None,
    seen_version: int | None = None,
    status: int = 200,
) -> HttpResponse:
    today = local_today()
    entries = action_history(action=action)
    context: dict[str, Any] = {
        "action": action,
        "form": form,
        "due_note": _due_note(action),
        "milestones": _milestones(_person(request), action),
        "evidence_links": _evidence_links(entries),
        "timeline": action_timeline(entries=entries, escalations=escalations_of(action)),
    }
    if seen_version is not None:
        context["meanwhile"] = changes_meanwhile(
            action=action, seen_version=seen_version, entries=entries, today=today
        )
    return render(request, "workspace/action.html", context, status=status)


def _due_note(action: Action) -> str:
    """ "3 working days overdue" or "Due in 5 working days", while the action is open."""
    if not action.is_open:
        return ""
    today = local_today()
    if action.due_date < today:
        return overdue_words(working_days_between(action.due_date, today))
    return due_words(working_days_between(today, action.due_date))


def _milestones(user: User, action: Action) -> list[Milestone]:
    """The milestones this action counts towards that the person may read (as the API)."""
    readable = milestones_visible_to(user).prefetch_related(None)
    return list(readable.filter(actions=action).order_by("due_date", "pk"))


def _evidence_links(entries: list[HistoryEntry]) -> list[str]:
    """Every evidence link given in a progress update, the newest first, each once."""
    links: dict[str, None] = {}
    for entry in entries:
        if entry.progress_update is not None:
            links.update(dict.fromkeys(entry.progress_update.evidence_links or ()))
    return list(links)
