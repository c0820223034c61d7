"""Staff without a second factor in this session give one before anything else.

After ``OTPMiddleware``: a signed-in plan administrator or superuser whose session has neither
a verified device nor a provider's multi-factor assertion is sent to the code page (which
offers set-up to someone with no app yet) from every page, the admin's included, and comes
back to where they were going afterwards. The API, asked with this session's cookie, answers
403 in JSON instead: a program cannot type a code. Token-authenticated API requests carry no
session and are not this middleware's concern.

Only what is needed to give the factor or to leave stays open: the second-factor pages,
signing out, and the API's public schema and documentation.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.http import urlencode

from accounts.authentication import KEYWORDS as TOKEN_KEYWORDS
from accounts.second_factor import second_factor_missing

# The pages that sign out, and the API's public description, by URL name.
OPEN_VIEWS = frozenset(
    {"workspace:sign-out", "admin:logout", "rest_framework:logout", "api-schema", "api-docs"}
)

API_REFUSAL = (
    "Your account needs a second factor before it can use the API in this session. Sign in "
    "to the workspace in a browser and enter the code from your authenticator app, then try "
    "again. Programs should use an API token instead of a signed-in session."
)

# As config.middleware answers a view that cannot reach the database: the session and the
# person are read here, before any view.
RETRY_AFTER_SECONDS = 30
DATABASE_UNAVAILABLE = (
    "The service cannot reach its database just now, so nothing was saved. Please send the "
    "same request again in a minute."
)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The setting first: with it off (development, the demo) nothing is read here.
        if getattr(settings, "SECOND_FACTOR_FOR_STAFF", False):
            try:
                missing = second_factor_missing(request)
            except (OperationalError, InterfaceError):
                return _database_unavailable(request)
            refusal = _refusal(request) if missing and not _open(request) else None
            if refusal is not None:
                return refusal
        return self.get_response(request)


def _open(request: HttpRequest) -> bool:
    code_page = resolve_url(settings.SECOND_FACTOR_URL)
    if request.path.startswith(code_page) or request.path.startswith(settings.STATIC_URL):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in OPEN_VIEWS


def _token_request(request: HttpRequest) -> bool:
    """An API request that signs in with a token, not the session: the token decides. Any
    other Authorization header falls back to the session, so it does not count."""
    words = request.META.get("HTTP_AUTHORIZATION", "").split()
    return bool(words) and words[0].lower().encode() in TOKEN_KEYWORDS


def _refusal(request: HttpRequest) -> HttpResponse | None:
    if request.path.startswith("/api/"):
        if _token_request(request):
            return None
        return JsonResponse({"detail": API_REFUSAL}, status=403)
    target = resolve_url(settings.SECOND_FACTOR_URL)
    # Only a page someone can open again comes back after the code; a form's POST would
    # arrive there as a GET.
    if request.method in ("GET", "HEAD"):
        target += "?" + urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
    return HttpResponseRedirect(target)


def _database_unavailable(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503)
    else:
        response = HttpResponse(render_to_string("database_unavailable.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
