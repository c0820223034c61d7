"""The second factor's pages: the code at sign-in, setting up an app, recovery codes.

``accounts.middleware.SecondFactorMiddleware`` sends staff here from any page until their
session has its second factor, with ``?next=`` the page they were going to; each page here
passes it on and ends there, if it is an address on this site.
"""

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SignInEvent
from accounts.second_factor import (
    PROVIDER_MFA_SESSION_KEY,
    RECOVERY_CODE_COUNT,
    app_device_confirm,
    app_device_of,
    app_device_start,
    recovery_codes_left,
    recovery_codes_make,
    second_factor_missing,
    second_factor_required,
    session_has_second_factor,
    session_verified_by,
)
from accounts.sign_in_records import record_sign_in
from workspace.access import signed_in
from workspace.second_factor_forms import FirstCodeForm, SignInCodeForm

# New recovery codes wait here, between the POST that made them and the one page that shows
# them: never in an address, and gone once shown.
NEW_RECOVERY_CODES_SESSION_KEY = "second_factor_new_recovery_codes"
# Below this many recovery codes left, the person is told to make new ones.
FEW_RECOVERY_CODES = 3


def _next(request: HttpRequest) -> str:
    """Where to go afterwards, if it is an address on this site; "" otherwise."""
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else ""


def _onwards(next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}" if next_url else url


def _record_failure(request: HttpRequest, form: SignInCodeForm | FirstCodeForm, what: str) -> None:
    if form.wait_seconds is not None:
        detail = f"{what}: refused unchecked, waiting after wrong codes"
    elif form.wrong:
        detail = f"{what}: wrong code"
    else:
        return
    record_sign_in(
        SignInEvent.SECOND_FACTOR_FAILED,
        method="second factor",
        request=request,
        user=request.user,  # type: ignore[arg-type]
        detail=detail,
    )


def _refused(response: HttpResponse, form: SignInCodeForm | FirstCodeForm) -> HttpResponse:
    """429 and Retry-After while the device makes the person wait, as the sign-in page does."""
    if form.wait_seconds is not None:
        response.status_code = 429
        response["Retry-After"] = str(form.wait_seconds)
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def code_page(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    if not second_factor_missing(request):
        return _onwards(next_url)
    user = request.user
    if app_device_of(user=user) is None:
        return redirect(_with_next("workspace:second-factor-set-up", next_url))
    form = SignInCodeForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST":
        if form.is_valid() and form.device is not None:
            session_verified_by(request, form.device)
            if form.used_recovery_code:
                _recovery_code_used(request)
            return _onwards(next_url)
        _record_failure(request, form, "signing in")
    context = {"form": form, "next": next_url}
    return _refused(render(request, "workspace/second_factor_code.html", context), form)


def _recovery_code_used(request: HttpRequest) -> None:
    left = recovery_codes_left(user=request.user)
    text = f"You used a recovery code. You have {left} left."
    if left <= FEW_RECOVERY_CODES:
        text += " Make new ones on your second factor settings page."
    messages.warning(request, text)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def set_up(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    user = request.user
    if not (second_factor_required(user) or app_device_of(user=user) is not None):
        messages.info(request, "Your account does not need a second factor.")
        return _onwards(next_url)
    # Someone who has an app proves it before setting up another: a password alone must not
    # be enough to replace it.
    if app_device_of(user=user) is not None and not session_has_second_factor(request):
        return redirect(_with_next("workspace:second-factor", next_url))
    device = app_device_start(user=user)
    form = FirstCodeForm(
        request.POST if request.method == "POST" else None, user=user, device=device
    )
    if request.method == "POST":
        if form.is_valid():
            request.session[NEW_RECOVERY_CODES_SESSION_KEY] = app_device_confirm(
                request=request, device=device
            )
            messages.success(request, "Your authenticator app is set up.")
            return redirect(_with_next("workspace:second-factor-recovery-codes", next_url))
        _record_failure(request, form, "setting up an app")
    context = {
        "form": form,
        "next": next_url,
        "qr_code": _qr_code(device),
        "key": _key_in_groups(device),
        "account": user.get_username(),
        "replacing": app_device_of(user=user) is not None,
    }
    return _refused(render(request, "workspace/second_factor_set_up.html", context), form)


def _qr_code(device: TOTPDevice) -> SafeString:
    """The app's set-up address as an inline SVG image: no request to anywhere, no script."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=4, dark="#0b0c0c", light="#ffffff", svgclass="app-qr-code"
    )
    label = "QR code to scan with your authenticator app"
    svg = svg.replace("<svg ", format_html('<svg role="img" aria-label="{}" ', label), 1)
    # segno's own markup, holding no text anyone typed.
    return mark_safe(svg)


def _key_in_groups(device: TOTPDevice) -> str:
    """The key as apps ask for it when typed: base32, in groups of four to read aloud."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@never_cache
@require_http_methods(["GET", "POST"])
@signed_in
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """POST: new codes (the old ones stop working). GET: the new codes, once; a second look
    finds nothing, so nobody can read them later from this browser's history."""
    next_url = _next(request)
    user = request.user
    if request.method == "POST":
        if app_device_of(user=user) is None:
            messages.info(
                request, "Set up an authenticator app first: recovery codes stand in for it."
            )
            return redirect("workspace:second-factor-settings")
        request.session[NEW_RECOVERY_CODES_SESSION_KEY] = recovery_codes_make(user=user)
        return redirect(_with_next("workspace:second-factor-recovery-codes", next_url))
    codes = request.session.pop(NEW_RECOVERY_CODES_SESSION_KEY, None)
    if not codes:
        messages.info(
            request,
            "Recovery codes are shown only once, when they are made. If you have lost yours, "
            "make new ones.",
        )
        return redirect("workspace:second-factor-settings")
    context = {"codes": codes, "next": next_url or reverse("workspace:home"), "nav": "settings"}
    return render(request, "workspace/second_factor_recovery_codes.html", context)


@never_cache
@require_http_methods(["GET", "HEAD"])
@signed_in
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = app_device_of(user=user)
    context = {
        "required": second_factor_required(user),
        "device": device,
        "codes_left": recovery_codes_left(user=user) if device else 0,
        "code_count": RECOVERY_CODE_COUNT,
        "provider": request.session.get(PROVIDER_MFA_SESSION_KEY, ""),
        "nav": "settings",
    }
    return render(request, "workspace/second_factor_settings.html", context)
