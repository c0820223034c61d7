"""Forgotten your password? Ask for a link by email, follow it, choose a new password.

The request page gives the same answer whoever is named, so it does not tell who has an
account; only a person who could sign in with a password gets an email (a row in the
notification ledger, delivered at once). The link's token is moved from the address into the
session on first use, as Django's own reset view does, so it is not left in the browser's
history or sent onwards in a Referer header.
"""

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from accounts.password_reset import (
    password_reset_complete,
    password_reset_link_lifetime,
    password_reset_link_user,
    password_reset_recipient,
)
from notifications.password_reset_email import password_reset_queue
from workspace.password_reset_forms import NewPasswordForm, PasswordResetRequestForm

# The session key holding a link's token between the link and the form it leads to.
_TOKEN_KEY = "password_reset_token"
# The address the link's token is replaced with once it is in the session.
NEW_PASSWORD = "new-password"


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_request(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = PasswordResetRequestForm(data, request=request)
    if request.method == "POST":
        if not form.is_valid():
            status = 429 if form.wait is not None else 400
            response = render(request, "workspace/password_reset_request.html", {"form": form})
            response.status_code = status
            if form.wait is not None:
                response["Retry-After"] = str(form.wait)
            return response
        with transaction.atomic():
            user = password_reset_recipient(email=form.cleaned_data["email"])
            if user is not None:
                password_reset_queue(user=user, now=timezone.now())
        return redirect("workspace:password-reset-sent")
    return render(request, "workspace/password_reset_request.html", {"form": form})


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    context = {"lifetime": password_reset_link_lifetime()}
    return render(request, "workspace/password_reset_sent.html", context)


@never_cache
@sensitive_variables("token")
def password_reset_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The emailed link: checked, then its token kept in the session and left out of the
    address the person goes on to."""
    if password_reset_link_user(uidb64=uidb64, token=token) is None:
        return _link_does_not_work(request)
    request.session[_TOKEN_KEY] = token
    return redirect("workspace:password-reset-new", uidb64=uidb64)


@never_cache
@sensitive_post_parameters("new_password", "confirm_password")
@require_http_methods(["GET", "POST"])
def password_reset_new(request: HttpRequest, uidb64: str) -> HttpResponse:
    token = str(request.session.get(_TOKEN_KEY, ""))
    user = password_reset_link_user(uidb64=uidb64, token=token) if token else None
    if user is None:
        return _link_does_not_work(request)
    data = request.POST if request.method == "POST" else None
    form = NewPasswordForm(data, user=user)
    if request.method == "POST":
        if form.is_valid():
            password_reset_complete(user=user, password=form.cleaned_data["new_password"])
            del request.session[_TOKEN_KEY]
            return redirect("workspace:password-reset-done")
        return render(
            request,
            "workspace/password_reset_new.html",
            {"form": form, "email": user.email},
            status=400,
        )
    return render(request, "workspace/password_reset_new.html", {"form": form, "email": user.email})


def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/password_reset_done.html")


def _link_does_not_work(request: HttpRequest) -> HttpResponse:
    request.session.pop(_TOKEN_KEY, None)
    context = {"lifetime": password_reset_link_lifetime()}
    return render(request, "workspace/password_reset_link_problem.html", context, status=404)
