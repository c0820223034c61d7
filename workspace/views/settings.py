"""Your settings: reminder preferences, calendar address, API token.

The reminder choices are saved by ``notifications.preferences.preferences_update``, the
service behind the signed preferences link and ``PATCH /api/me/preferences/``; its refusals
come back as the form's field messages. After a change: a success banner, then a redirect.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from notifications.links import calendar_url
from notifications.preferences import preference_for, preferences_update
from workspace.access import signed_in
from workspace.api_tokens import api_token_of, api_token_revoke
from workspace.settings_forms import SettingsPreferencesForm


def _page(
    request: HttpRequest, form: SettingsPreferencesForm, *, status: int = 200
) -> HttpResponse:
    person: User = request.user  # type: ignore[assignment]
    context = {
        "form": form,
        "calendar_url": calendar_url(user_id=person.pk, password=person.password),
        "api_token": api_token_of(user=person),
        "nav": "settings",
    }
    return render(request, "workspace/settings.html", context, status=status)


# never_cache: the page holds the person's calendar address, which works without a password.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def settings_page(request: HttpRequest) -> HttpResponse:
    person: User = request.user  # type: ignore[assignment]
    if request.method != "POST":
        preference = preference_for(user=person)
        initial = SettingsPreferencesForm.initial_from(preference)
        return _page(request, SettingsPreferencesForm(initial=initial))
    form = SettingsPreferencesForm(request.POST)
    if form.is_valid():
        try:
            preferences_update(user=person, fields=form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Your reminder choices have been saved.")
            return redirect("workspace:settings")
    return _page(request, form, status=400)


@require_POST
@signed_in
def revoke_api_token(request: HttpRequest) -> HttpResponse:
    if api_token_revoke(user=request.user):  # type: ignore[arg-type]
        messages.success(
            request,
            "You have signed out of the API: your token no longer works. Programs that used "
            "it need a new one.",
        )
    else:
        messages.info(request, "You had no API token, so there was nothing to revoke.")
    return redirect("workspace:settings")
