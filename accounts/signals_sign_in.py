"""Sign-in records written without the sign-in code asking: Django's signals, and a
middleware for the answers Django sends no signal for.

Every password page (the workspace's, the admin's, the browsable API's) and single sign-on end
in Django's ``login()``, ``authenticate()`` or ``logout()``, whose signals are recorded here.
Two outcomes have no signal: a refusal for too many attempts (the password is not even
checked) and a token from the API's token endpoint (which signs in without ``login()``).
``SignInAnswerMiddleware`` records those from the answer.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest, HttpResponse

from accounts.models import SignInEvent, User
from accounts.sign_in_records import record_sign_in, sign_in_place
from accounts.throttles import login_email

logger = logging.getLogger(__name__)

PASSWORD = "password"

# The pages that take a password (config.urls, workspace.urls), by view name.
PASSWORD_PAGES = frozenset({"workspace:sign-in", "admin-sign-in", "api-sign-in"})
TOKEN_ENDPOINT = "api-token"
# The session remembers how it began, for the record of its end.
SESSION_METHOD_KEY = "sign_in_method"


def _method(request: Any) -> str:
    """Single sign-on names itself (``request.sign_in_method = "sso:<slug>"``) before login."""
    return str(getattr(request, "sign_in_method", None) or PASSWORD)


def _person(email: str) -> User | None:
    """The account an email names, so that failed attempts show on the person's records."""
    if not email:
        return None
    try:
        return User.objects.filter(email__iexact=email.strip()).first()
    except Exception:  # the record is still worth writing without the link
        logger.exception("Could not look up the person for a sign-in record")
        return None


def signed_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    method = _method(request)
    session = getattr(request, "session", None)
    if session is not None:
        # Kept for the sign-out's record, which then names how the session began.
        session[SESSION_METHOD_KEY] = method
    record_sign_in(
        SignInEvent.SIGNED_IN,
        method=method,
        request=request,
        user=user,
        detail=sign_in_place(request),
    )


def sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # Django has already masked the password in ``credentials``; only the email is read.
    email = str(credentials.get("username") or credentials.get("email") or "")[:254]
    record_sign_in(
        SignInEvent.SIGN_IN_FAILED,
        method=_method(request),
        request=request,
        user=_person(email),
        email=email,
        detail=sign_in_place(request),
    )


def signed_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is None:  # nobody was signed in
        return
    session = getattr(request, "session", None)
    method = session.get(SESSION_METHOD_KEY) if session is not None else None
    record_sign_in(
        SignInEvent.SIGNED_OUT,
        method=str(method or "session"),
        request=request,
        user=user,
        detail=sign_in_place(request),
    )


def _typed_email(request: HttpRequest, response: HttpResponse, view_name: str) -> str:
    if view_name == TOKEN_ENDPOINT:
        # DRF parsed the JSON body; its request rides on the response.
        drf_request = (getattr(response, "renderer_context", None) or {}).get("request")
        try:
            return login_email(drf_request) if drf_request is not None else ""
        except Exception:  # a body that is not JSON: the attempt is still recorded
            return ""
    return str(request.POST.get("username") or "").strip()


def _record_answer(request: HttpRequest, response: HttpResponse) -> None:
    match = request.resolver_match
    view_name = match.view_name if match is not None else ""
    if view_name not in PASSWORD_PAGES and view_name != TOKEN_ENDPOINT:
        return
    if response.status_code == 429:
        email = _typed_email(request, response, view_name)
        record_sign_in(
            SignInEvent.SIGN_IN_FAILED,
            method=PASSWORD,
            request=request,
            user=_person(email),
            email=email,
            detail=f"{sign_in_place(request)}: too many attempts",
        )
    elif view_name == TOKEN_ENDPOINT and response.status_code == 200:
        # A 200 means the password matched the active account with this email.
        email = _typed_email(request, response, view_name)
        record_sign_in(
            SignInEvent.SIGNED_IN,
            method=PASSWORD,
            request=request,
            user=_person(email),
            email=email,
            detail=sign_in_place(request),
        )


class SignInAnswerMiddleware:
    """Records refusals for too many attempts, and sign-ins at the API's token endpoint."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method == "POST" and response.status_code in (200, 429):
            try:
                _record_answer(request, response)
            except Exception:  # the answer goes out whatever happens to its record
                logger.exception("Could not record the answer to %s", request.path)
        return response


def connect() -> None:
    """Called once from ``AccountsConfig.ready``."""
    user_logged_in.connect(signed_in, dispatch_uid="accounts.sign_in_records.signed_in")
    user_login_failed.connect(sign_in_failed, dispatch_uid="accounts.sign_in_records.failed")
    user_logged_out.connect(signed_out, dispatch_uid="accounts.sign_in_records.signed_out")
