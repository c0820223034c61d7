"""Pages reached from email links: update one action, or change one's reminders, no password.

The signed link stands in for signing in, for one thing only: an update link lets the person
it was sent to record one progress update on one action; a preferences link lets them change
their reminders. The views only adapt: the status service and the preference services decide
what may be recorded, exactly as for the API.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.models import User
from accounts.throttles import bad_link_wait, link_post_wait
from actions.exceptions import PreconditionFailed
from actions.models import Action, ActionStatus, Milestone, ProgressUpdate, Rag
from actions.permissions import is_admin, may_report_progress
from actions.services import action_update_status, model_update
from notifications.forms import ActionUpdateForm, MilestoneAchievedForm, PreferencesForm
from notifications.links import (
    LinkError,
    MilestoneLink,
    UpdateLink,
    calendar_url,
    read_milestone_token,
    read_preferences_token,
    read_update_token,
)
from notifications.models import NotificationPreference, UpdateLinkUse
from notifications.preferences import preference_for, preferences_update

_STATUS_LABELS = dict(ActionStatus.choices)
_RAG_LABELS = dict(Rag.choices)


def _problem(
    request: HttpRequest, *, status: int, title: str, message: str, advice: str = ""
) -> HttpResponse:
    """A page that explains why nothing happened and what to do instead."""
    context = {"title": title, "message": message, "advice": advice}
    return render(request, "notifications/link_problem.html", context, status=status)


def _link_error(request: HttpRequest, error: LinkError, *, token: str, advice: str) -> HttpResponse:
    # Posts with links that do not work are limited per address (accounts.throttles).
    if request.method == "POST" and (wait := bad_link_wait(request, token)) is not None:
        return _please_wait(request, wait)
    if error.reason == "expired":
        # Gone: the link existed and worked, and will never work again.
        return _problem(
            request, status=410, title="This link has expired", message=error.message, advice=advice
        )
    # A link whose signature does not check out is an address we never issued, so it gets the
    # answer any unknown address gets: 404. (400 would say the request could be corrected and
    # sent again; and one answer for a mistyped and a forged link tells a forger nothing.)
    return _problem(
        request, status=404, title="This link does not work", message=error.message, advice=advice
    )


def _too_many(request: HttpRequest, token: str) -> HttpResponse | None:
    """A page saying to wait, if this link's form has been posted too often (429)."""
    if request.method != "POST":
        return None
    wait = link_post_wait(request, token)
    return None if wait is None else _please_wait(request, wait)


def _please_wait(request: HttpRequest, wait: int) -> HttpResponse:
    response = _problem(
        request,
        status=429,
        title="Please wait a moment",
        message="This form has been sent too many times in a short while, so it is paused for now.",
        advice=f"Nothing has been changed. Wait {wait} second{'' if wait == 1 else 's'}, "
        "then send it again.",
    )
    response["Retry-After"] = str(wait)
    return response


_UPDATE_ADVICE = (
    "Nothing has been changed. To record an update, use the link in your latest reminder "
    "email, or sign in to the service."
)


# never_cache: the pages show a person's work and the address holds their link; no shared cache
# may keep them.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def update_link(request: HttpRequest, token: str) -> HttpResponse:
    if (paused := _too_many(request, token)) is not None:
        return paused
    try:
        link = read_update_token(token)
    except LinkError as error:
        return _link_error(request, error, token=token, advice=_UPDATE_ADVICE)
    target = _update_link_target(request, link)
    if isinstance(target, HttpResponse):
        return target
    action, person = target
    if request.method in ("GET", "HEAD"):
        form = ActionUpdateForm(
            initial={"status": action.status, "rag": action.rag, "version": action.version}
        )
        return _update_form(request, form, action, person)
    return _post_update(request, link, action, person)


def _update_link_target(
    request: HttpRequest, link: UpdateLink
) -> tuple[Action, User] | HttpResponse:
    """The action a working link is for and the person it was sent to, or the page saying
    why the link can no longer be used."""
    action = (
        Action.objects.select_related(
            "plan", "recommendation", "owner", "latest_update", "latest_update__author"
        )
        .filter(pk=link.action_id)
        .first()
    )
    if action is None:
        return _problem(
            request,
            status=404,
            title="This action no longer exists",
            message="The action this link was for has been removed from the plan, so there is "
            "nothing to update.",
            advice="Nothing has been changed. If you think this is a mistake, tell the plan "
            "administrator.",
        )
    used = UpdateLinkUse.objects.filter(digest=link.digest).first()
    if used is not None:
        return _already_used(request, used, action)
    # Checked when the link is used, not when it was sent: owners change and people leave.
    person = User.objects.filter(pk=link.user_id, is_active=True).first()
    if person is None or not may_report_progress(person, action):
        return _problem(
            request,
            status=403,
            title="You can no longer update this action",
            message=f"This link was sent to you when you could report progress on action "
            f"{action.reference}. That has changed since: you are no longer one of its owners "
            f"or its lead, or your account has been closed.",
            advice="Nothing has been changed. If you should still be updating this action, "
            "ask the plan administrator.",
        )
    return action, person


def _post_update(
    request: HttpRequest, link: UpdateLink, action: Action, person: User
) -> HttpResponse:
    """Record the posted update, or show the form again with what stopped it."""
    form = ActionUpdateForm(request.POST)
    if not form.is_valid():
        return _update_form(request, form, action, person, status=400)
    try:
        update = _record_update(link=link, action=action, person=person, data=form.cleaned_data)
    except ValidationError as error:
        form.add_service_errors(error)
        return _update_form(request, form, action, person, status=400)
    except PreconditionFailed:
        return _update_conflict(request, action, person)
    except IntegrityError:
        # Another request used the link first (a double click, a second tab): its update
        # stands and this one, rolled back, changed nothing.
        used = UpdateLinkUse.objects.filter(digest=link.digest).first()
        if used is None:
            raise
        return _already_used(request, used, action)
    return render(
        request,
        "notifications/update_done.html",
        {
            "action": action,
            "update": update,
            "status": _STATUS_LABELS[update.status],
            "previous_status": _STATUS_LABELS[update.previous_status],
            "rag": _RAG_LABELS[update.rag],
            "previous_rag": _RAG_LABELS[update.previous_rag],
        },
    )


def _update_conflict(request: HttpRequest, action: Action, person: User) -> HttpResponse:
    """Someone else updated the action first: the form again, on the action as it is now,
    with what the person wrote kept (409)."""
    action.refresh_from_db()
    data = request.POST.copy()
    data["version"] = str(action.version)
    form = ActionUpdateForm(data)
    form.is_valid()
    form.add_error(
        None,
        "Someone else updated this action while you had this page open. Its status "
        "and rating below are now up to date: check them, then send your update again.",
    )
    return _update_form(request, form, action, person, status=409)


def _record_update(
    *, link: UpdateLink, action: Action, person: User, data: dict[str, Any]
) -> ProgressUpdate:
    """The update and the link's use, in one transaction: both are recorded, or neither.

    The link's use is inserted first: its unique digest makes a second request with the same
    link wait for the first and then fail, whatever the timing. A refused update rolls the
    use back, so the link still works for a corrected update.
    """
    with transaction.atomic():
        UpdateLinkUse.objects.create(digest=link.digest, action=action, used_at=timezone.now())
        return action_update_status(
            action=action,
            by=person,
            status=data["status"],
            rag=data["rag"],
            commentary=data["commentary"],
            completed_on=data["completed_on"],
            expected_version=data.get("version"),
        )


def _update_form(
    request: HttpRequest,
    form: ActionUpdateForm,
    action: Action,
    person: User,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "action": action,
        "person": person,
        "status_label": _STATUS_LABELS[action.status],
        "rag_label": _RAG_LABELS[action.rag],
    }
    return render(request, "notifications/update_form.html", context, status=status)


def _already_used(request: HttpRequest, used: UpdateLinkUse, action: Action) -> HttpResponse:
    used_at = timezone.localtime(used.used_at)
    return _problem(
        request,
        status=410,
        title="This link has already been used",
        message=f"It recorded an update to action {action.reference} on "
        f"{used_at:%A} {used_at.day} {used_at:%B %Y} at {used_at:%H:%M}. Each link records "
        f"one update.",
        advice="Nothing has been changed this time. To record another update, use the link in "
        "your next reminder email, or sign in to the service.",
    )


_PREFERENCES_ADVICE = "Nothing has been changed. The link in your latest reminder email will work."


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences_link(request: HttpRequest, token: str) -> HttpResponse:
    if (paused := _too_many(request, token)) is not None:
        return paused
    try:
        user_id = read_preferences_token(token)
    except LinkError as error:
        return _link_error(request, error, token=token, advice=_PREFERENCES_ADVICE)
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        return _problem(
            request,
            status=404,
            title="This link does not work",
            message="The account this link was for no longer exists.",
            advice="Nothing has been changed.",
        )
    if not person.is_active:
        return _problem(
            request,
            status=403,
            title="Your account has been closed",
            message="People whose account is closed get no reminders, so there is nothing "
            "to choose.",
            advice="Nothing has been changed. If you should still get reminders, ask the plan "
            "administrator.",
        )

    if request.method in ("GET", "HEAD"):
        preference = preference_for(user=person)
        form = PreferencesForm(initial=PreferencesForm.initial_from(preference))
        return _preferences_form(request, form, person)

    form = PreferencesForm(request.POST)
    if form.is_valid():
        try:
            preference = preferences_update(user=person, fields=form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return render(
                request,
                "notifications/preferences_done.html",
                {"person": person, "choices": _saved_choices(preference)},
            )
    return _preferences_form(request, form, person, status=400)


def _saved_choices(preference: NotificationPreference) -> list[tuple[str, str]]:
    """Each choice as the person would say it, for the confirmation page."""
    labels = {name: str(field.label) for name, field in PreferencesForm.base_fields.items()}
    days = preference.days_before

    def on_off(name: str) -> tuple[str, str]:
        return labels[name], "On" if getattr(preference, name) else "Off"

    if days is None:
        which = "The plan's choice"
    elif days:
        numbers = [str(day) for day in sorted(days, reverse=True)]
        listed = " and ".join(
            [", ".join(numbers[:-1]), numbers[-1]] if len(numbers) > 1 else numbers
        )
        which = f"{listed} working day{'' if numbers == ['1'] else 's'} before"
    else:
        which = "None"
    return [
        on_off("before_due"),
        (labels["days_before"], which),
        on_off("on_due_date"),
        on_off("overdue"),
        on_off("as_supporting_owner"),
        on_off("digests"),
    ]


def _preferences_form(
    request: HttpRequest, form: PreferencesForm, person: User, *, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "person": person,
        "calendar_url": calendar_url(user_id=person.pk, password=person.password),
    }
    return render(request, "notifications/preferences_form.html", context, status=status)


_MILESTONE_ADVICE = (
    "Nothing has been changed. To record the milestone as achieved, use the link in your "
    "latest reminder email, or ask the plan administrator."
)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def milestone_link(request: HttpRequest, token: str) -> HttpResponse:
    """Record that a milestone was achieved: its accountable lead, from a reminder."""
    if (paused := _too_many(request, token)) is not None:
        return paused
    try:
        link = read_milestone_token(token)
    except LinkError as error:
        return _link_error(request, error, token=token, advice=_MILESTONE_ADVICE)
    target = _milestone_link_target(request, link)
    if isinstance(target, HttpResponse):
        return target
    milestone, person = target
    if request.method in ("GET", "HEAD"):
        form = MilestoneAchievedForm(initial={"version": milestone.version})
        return _milestone_form(request, form, milestone, person)
    return _post_milestone(request, milestone, person)


def _milestone_link_target(
    request: HttpRequest, link: MilestoneLink
) -> tuple[Milestone, User] | HttpResponse:
    """The milestone a working link is for and its lead, or the page saying why the link can
    no longer be used."""
    milestone = (
        Milestone.objects.select_related("recommendation__plan", "recommendation__lead")
        .filter(pk=link.milestone_id)
        .first()
    )
    if milestone is None:
        return _problem(
            request,
            status=404,
            title="This milestone is no longer in the plan",
            message="The milestone this link was for has been removed.",
            advice="Nothing has been changed.",
        )
    if milestone.achieved_on is not None:
        return _already_achieved(request, milestone)
    person = User.objects.filter(pk=link.user_id, is_active=True).first()
    if person is None or not (is_admin(person) or milestone.recommendation.lead_id == person.pk):
        return _problem(
            request,
            status=403,
            title="You can no longer update this milestone",
            message="This link was sent to you as the milestone's accountable lead. That has "
            "changed since: someone else leads the recommendation, or your account has been "
            "closed.",
            advice="Nothing has been changed. If you should still be updating this milestone, "
            "ask the plan administrator.",
        )
    return milestone, person


def _post_milestone(request: HttpRequest, milestone: Milestone, person: User) -> HttpResponse:
    """Record the posted date, or show the form again with what stopped it."""
    form = MilestoneAchievedForm(request.POST)
    if not form.is_valid():
        return _milestone_form(request, form, milestone, person, status=400)
    try:
        milestone = model_update(
            instance=milestone,
            by=person,
            fields={"achieved_on": form.cleaned_data["achieved_on"]},
            expected_version=form.cleaned_data.get("version"),
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return _milestone_form(request, form, milestone, person, status=400)
    except PreconditionFailed:
        return _milestone_conflict(request, form, milestone, person)
    return render(request, "notifications/milestone_done.html", {"milestone": milestone})


def _milestone_conflict(
    request: HttpRequest, form: MilestoneAchievedForm, milestone: Milestone, person: User
) -> HttpResponse:
    """Someone else changed the milestone first: done if they recorded it as achieved, else
    the form again on the milestone as it is now (409)."""
    milestone.refresh_from_db()
    if milestone.achieved_on is not None:
        return _already_achieved(request, milestone)
    data = request.POST.copy()
    data["version"] = str(milestone.version)
    form = MilestoneAchievedForm(data)
    form.is_valid()
    # After the form is built again: an error added to the old one would never be shown.
    form.add_error(
        None,
        "Someone else changed this milestone while you had this page open. Check it "
        "below, then send the date again.",
    )
    return _milestone_form(request, form, milestone, person, status=409)


def _already_achieved(request: HttpRequest, milestone: Milestone) -> HttpResponse:
    # Achieved is achieved: the link has done its work, by this person or another.
    assert milestone.achieved_on is not None
    day = milestone.achieved_on
    return _problem(
        request,
        status=410,
        title="This milestone is already recorded as achieved",
        message=f"It was achieved on {day:%A} {day.day} {day:%B %Y}.",
        advice="Nothing has been changed. If that date is wrong, ask the plan administrator.",
    )


def _milestone_form(
    request: HttpRequest,
    form: MilestoneAchievedForm,
    milestone: Milestone,
    person: User,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "milestone": milestone, "person": person}
    return render(request, "notifications/milestone_form.html", context, status=status)
