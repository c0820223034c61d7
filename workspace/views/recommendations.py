"""A recommendation: its page, a measure's new reading and a milestone marked achieved.

The views only adapt. Everything is found through the API's selectors (404 for anyone who may
not read it); a reading is offered to whoever the API's readings endpoint lets add one, and
recorded by ``reading_record``; a milestone is marked achieved by whoever the API lets change
its ``achieved_on``, through ``model_update`` with the version the page showed, as the API
passes If-Match. Anyone else posting anyway gets 403. A refused form comes back on the page
with the service's messages (400); a recorded one redirects with a success banner.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from actions.dates import local_today
from actions.exceptions import PreconditionFailed
from actions.models import Milestone, SuccessMeasure
from actions.selectors import measures_visible_to, milestones_visible_to
from actions.services import model_update, reading_record
from workspace.access import signed_in, visible_or_404
from workspace.charts import day_words, figure
from workspace.recommendation_forms import MilestoneAchievedForm, PageForm, ReadingForm
from workspace.recommendation_page import (
    RecommendationPage,
    may_mark_achieved,
    may_record_reading,
    recommendation_of,
    recommendation_page,
)

CONFLICT = (
    "Someone else changed this milestone while you had this page open. Check it, then "
    "send the date again."
)


def _person(request: HttpRequest) -> User:
    assert isinstance(request.user, User), "signed_in lets only people through"
    return request.user


@require_safe
@signed_in
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


@require_POST
@signed_in
def reading_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _person(request)
    measures = measures_visible_to(user).select_related("recommendation")
    measure: SuccessMeasure = visible_or_404(measures, pk)
    if not may_record_reading(user, measure):
        return _forbidden(
            request,
            measure.recommendation_id,
            heading="You cannot record readings of this measure",
            who="Readings are recorded by the recommendation's lead and plan administrators.",
        )
    form = ReadingForm(request.POST, prefix=f"measure-{measure.pk}")
    if form.is_valid():
        try:
            reading = reading_record(measure=measure, by=user, **form.service_arguments())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Reading recorded for {measure.name}: {figure(reading.value, measure.unit)} "
                f"on {day_words(reading.taken_on)}.",
            )
            return _back(measure.recommendation_id, f"measure-{measure.pk}")
    return _page(request, measure.recommendation_id, failed=("measure", measure.pk, form))


@require_POST
@signed_in
def milestone_achieved(request: HttpRequest, pk: int) -> HttpResponse:
    user = _person(request)
    milestones = milestones_visible_to(user).prefetch_related(None).select_related("recommendation")
    milestone: Milestone = visible_or_404(milestones, pk)
    if not may_mark_achieved(user, milestone):
        return _forbidden(
            request,
            milestone.recommendation_id,
            heading="You cannot mark this milestone as achieved",
            who="Milestones are marked as achieved by the recommendation's lead and plan "
            "administrators.",
        )
    form = MilestoneAchievedForm(request.POST, prefix=f"milestone-{milestone.pk}")
    if form.is_valid():
        achieved_on = form.cleaned_data["achieved_on"]
        # Only what differs is written, as the API does: a second click changes nothing.
        changes = {"achieved_on": achieved_on} if milestone.achieved_on != achieved_on else {}
        try:
            model_update(
                instance=milestone,
                by=user,
                fields=changes,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except PreconditionFailed:
            milestone.refresh_from_db()
            if milestone.achieved_on is not None:
                messages.info(
                    request,
                    f"Someone else marked {milestone.title} as achieved on "
                    f"{day_words(milestone.achieved_on)} meanwhile, so nothing was changed.",
                )
                return _back(milestone.recommendation_id, f"milestone-{milestone.pk}")
            form = _after_conflict(request, milestone)
        else:
            messages.success(
                request, f"{milestone.title} is marked as achieved on {day_words(achieved_on)}."
            )
            return _back(milestone.recommendation_id, f"milestone-{milestone.pk}")
    return _page(request, milestone.recommendation_id, failed=("milestone", milestone.pk, form))


def _after_conflict(request: HttpRequest, milestone: Milestone) -> MilestoneAchievedForm:
    """The form again on the milestone as it is now, saying why nothing was recorded."""
    data = request.POST.copy()
    data[f"milestone-{milestone.pk}-version"] = str(milestone.version)
    form = MilestoneAchievedForm(data, prefix=f"milestone-{milestone.pk}")
    form.is_valid()
    form.add_error(None, CONFLICT)
    return form


def _forbidden(
    request: HttpRequest, recommendation_id: int, *, heading: str, who: str
) -> HttpResponse:
    """A form the page never offered this person, posted anyway: 403, and who may."""
    context = {"heading": heading, "who": who, "recommendation_id": recommendation_id}
    return render(request, "workspace/recommendation_forbidden.html", context, status=403)


def _back(recommendation_id: int, fragment: str) -> HttpResponse:
    return redirect(reverse("workspace:recommendation", args=[recommendation_id]) + f"#{fragment}")


def _page(
    request: HttpRequest, pk: int, *, failed: tuple[str, int, PageForm] | None = None
) -> HttpResponse:
    """The page, with a form that was refused (and its messages) where it was sent from."""
    user = _person(request)
    page = recommendation_page(
        user=user,
        recommendation=recommendation_of(user, pk),
        query=request.GET,
        today=local_today(),
        now=timezone.now(),
    )
    _attach_forms(page, failed)
    errors = list(page.actions.filter_errors)
    if failed is not None:
        errors += failed[2].error_links()
    context: dict[str, Any] = {"page": page, "errors": errors, "nav": "plans"}
    return render(request, "workspace/recommendation.html", context, status=400 if errors else 200)


def _attach_forms(page: RecommendationPage, failed: tuple[str, int, PageForm] | None) -> None:
    """A form for each milestone or measure the person may change: the refused one as sent."""
    kind, failed_pk, failed_form = failed or ("", 0, None)
    for row in page.milestones:
        milestone = row.milestone
        if kind == "milestone" and milestone.pk == failed_pk:
            row.form = failed_form
        elif row.may_mark_achieved and milestone.achieved_on is None:
            row.form = MilestoneAchievedForm(
                prefix=f"milestone-{milestone.pk}",
                initial={"achieved_on": page.today, "version": milestone.version},
            )
    for measure_row in page.measures:
        if not measure_row.may_record:
            continue
        pk = measure_row.measure.pk
        if kind == "measure" and pk == failed_pk:
            measure_row.form = failed_form
        else:
            measure_row.form = ReadingForm(prefix=f"measure-{pk}")
