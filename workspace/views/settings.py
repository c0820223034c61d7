"""Your settings: reminder preferences, calendar address, API tokens.

The reminder choices are saved by ``notifications.preferences.preferences_update``, the
service behind the signed preferences link and ``PATCH /api/me/preferences/``; its refusals
come back as the form's field messages. After a change: a success banner, then a redirect.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.second_factor import second_factor_missing
from accounts.tokens import token_status
from notifications.links import calendar_url
from notifications.preferences import preference_for, preferences_update
from workspace.access import signed_in
from workspace.api_tokens import api_token_create, api_token_revoke, own_token, token_rows
from workspace.settings_forms import ApiTokenCreateForm, SettingsPreferencesForm

SECOND_FACTOR_FOR_TOKENS = (
    "Sign in with your second factor before you create an API token: sign out, then sign in "
    "again and enter a code from your authenticator app."
)


def _page(
    request: HttpRequest,
    form: SettingsPreferencesForm,
    *,
    token_form: ApiTokenCreateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    person: User = request.user  # type: ignore[assignment]
    context = {
        "form": form,
        "calendar_url": calendar_url(user_id=person.pk, password=person.password),
        "api_tokens": token_rows(user=person),
        "token_form": token_form or ApiTokenCreateForm(),
        "token_max_age_days": settings.API_TOKEN_MAX_AGE_DAYS,
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


@never_cache
@require_POST
@signed_in
def api_token_create_view(request: HttpRequest) -> HttpResponse:
    """Makes a token and shows its secret, once, on the page that answers the form."""
    person: User = request.user  # type: ignore[assignment]
    if second_factor_missing(request):
        messages.error(request, SECOND_FACTOR_FOR_TOKENS)
        return redirect(f"{reverse('workspace:settings')}#api")
    token_form = ApiTokenCreateForm(request.POST)
    if not token_form.is_valid():
        preference = preference_for(user=person)
        form = SettingsPreferencesForm(initial=SettingsPreferencesForm.initial_from(preference))
        return _page(request, form, token_form=token_form, status=400)
    token, secret = api_token_create(
        request=request, user=person, name=token_form.cleaned_data["name"]
    )
    context = {"token": token, "secret": secret, "nav": "settings"}
    return render(request, "workspace/settings_token_created.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first (what stops working), then revokes on the confirming POST."""
    person: User = request.user  # type: ignore[assignment]
    token = own_token(user=person, pk=pk)
    if token is None:
        raise Http404("There is no API token of yours at this address.")
    if request.method != "POST":
        context = {"token": token, "status": token_status(token), "nav": "settings"}
        return render(request, "workspace/settings_token_revoke.html", context)
    if api_token_revoke(request=request, user=person, token=token):
        messages.success(
            request,
            f"The API token “{token.name}” has been revoked. Programs that used it will be "
            "refused from now on.",
        )
    else:
        messages.info(request, f"The API token “{token.name}” had already stopped working.")
    return redirect(f"{reverse('workspace:settings')}#api")
