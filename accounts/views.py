"""Password sign-in pages: Django's, refusing with 429 and Retry-After past the limits.

Every page that takes a password uses ``SignInForm`` (or a subclass) and answers through
``ThrottledLoginView`` or ``admin_sign_in``, so that all of them share the token endpoint's
counts (``accounts.throttles``).
"""

from django.contrib import admin
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse

from accounts.forms import SignInForm


def _with_wait(response: HttpResponse, form: object) -> HttpResponse:
    """429 and Retry-After for a page whose form refused past the sign-in limits.

    The page itself is the form again, saying how long to wait, so the person can try once
    that time has passed.
    """
    wait = getattr(form, "sign_in_wait", None)
    if wait is not None:
        response.status_code = 429
        response["Retry-After"] = str(wait)
    return response


class ThrottledLoginView(LoginView):
    authentication_form = SignInForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        return _with_wait(super().form_invalid(form), form)


def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The admin's own sign-in page, whose form is ``AdminSignInForm``
    (``admin.site.login_form``, set in ``config.urls``)."""
    response = admin.site.login(request)
    context = getattr(response, "context_data", None) or {}
    return _with_wait(response, context.get("form"))
