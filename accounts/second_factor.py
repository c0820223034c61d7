"""The second factor for staff: whether this session has one, and what counts as one.

A session has its second factor when django-otp verified a device in it (a time-based code or
a recovery code), or when the person signed in through an identity provider that asserted
multi-factor authentication (``amr`` in the ID token), recorded by ``record_provider_mfa``.

Each person has at most one confirmed authenticator app (a ``TOTPDevice``) and one set of
single-use recovery codes (a ``StaticDevice``). django-otp throttles both: each wrong code
doubles the wait before the device checks another.
"""

import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# Set on the session by single sign-on when the provider's ID token says it asked for more
# than a password: the value names the provider.
PROVIDER_MFA_SESSION_KEY = "second_factor_by_provider"

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

# Six digits from an app; anything else typed is taken for a recovery code. Spaces and hyphens
# are what people add when they copy a code, so they do not count.
_APP_CODE = re.compile(r"^\d{6}$")
_TYPING = re.compile(r"[\s-]+")

Person = AbstractBaseUser | AnonymousUser


def record_provider_mfa(request: HttpRequest, *, provider: str) -> None:
    request.session[PROVIDER_MFA_SESSION_KEY] = provider


def second_factor_required(user: object) -> bool:
    """Plan administrators and superusers need a second factor when the setting asks for it."""
    if not getattr(settings, "SECOND_FACTOR_FOR_STAFF", False):
        return False
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def session_has_second_factor(request: HttpRequest) -> bool:
    """A device verified in this session (``OTPMiddleware``), or a provider that asserted MFA."""
    if request.session.get(PROVIDER_MFA_SESSION_KEY):
        return True
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def second_factor_missing(request: HttpRequest) -> bool:
    """Signed in, needs a second factor, and this session has not given one."""
    user = request.user
    if not (user.is_authenticated and user.is_active):
        return False
    return second_factor_required(user) and not session_has_second_factor(request)


# --- Devices -------------------------------------------------------------------------------


def app_device_of(*, user: Person) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they set one up."""
    found: TOTPDevice | None = (
        TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("-pk").first()
    )
    return found


def app_device_start(*, user: Person) -> TOTPDevice:
    """The app being set up: one unconfirmed device, the same on each visit until confirmed,
    so that reloading the page does not change the QR code someone is scanning."""
    pending: TOTPDevice | None = (
        TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-pk").first()
    )
    if pending is not None:
        return pending
    created: TOTPDevice = TOTPDevice.objects.create(
        user_id=user.pk, name=APP_DEVICE_NAME, confirmed=False
    )
    return created


def recovery_codes_left(*, user: Person) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def recovery_codes_make(*, user: Person) -> list[str]:
    """Ten new single-use codes; any earlier ones stop working. Shown once: the admin has no
    page that shows them (``accounts.admin_second_factor``).

    The device itself stays, so a session that a recovery code verified keeps its second
    factor when the person makes new codes.
    """
    with transaction.atomic():
        device, _ = StaticDevice.objects.select_for_update().get_or_create(
            user_id=user.pk, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def second_factor_reset(*, user: Person) -> bool:
    """Forget the person's app and recovery codes: they set the factor up again at their next
    sign-in, and a session that one of them verified loses its second factor. False if they
    had none."""
    with transaction.atomic():
        apps, _ = TOTPDevice.objects.filter(user_id=user.pk).delete()
        codes, _ = StaticDevice.objects.filter(user_id=user.pk).delete()
    return bool(apps or codes)


# --- Checking a code -------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    """What became of a code: the device it verified, or that it was wrong; and how long to
    wait before another (``checked`` is False when the device was still waiting and did not
    look at this one)."""

    device: Device | None = None
    wait_seconds: int | None = None
    checked: bool = True

    @property
    def accepted(self) -> bool:
        return self.device is not None


def normalised_code(typed: str) -> str:
    return _TYPING.sub("", typed or "").lower()


def is_app_code(code: str) -> bool:
    return bool(_APP_CODE.match(code))


def wait_before_next_try(device: Device) -> int | None:
    """Seconds until the device checks another code, or None if it would check one now."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (data or {}).get("locked_until")
    if locked_until is None:
        return 1
    return max(1, math.ceil((locked_until - timezone.now()).total_seconds()))


def code_check(*, user: Person, device: Device, code: str) -> CodeCheck:
    """Checks ``code`` against one device, holding to its throttle.

    A device still waiting after wrong codes does not look at the code at all, so the right
    code is refused too until the wait is over: otherwise guessing fast would still work.
    """
    wait = wait_before_next_try(device)
    if wait is not None:
        return CodeCheck(wait_seconds=wait, checked=False)
    # verify_token locks the device's row, so two guesses at once cannot both be checked.
    verified = verify_token(user, device.persistent_id, code)
    if verified is not None:
        return CodeCheck(device=verified)
    device.refresh_from_db()
    return CodeCheck(wait_seconds=wait_before_next_try(device))


def sign_in_code_check(*, user: Person, typed: str) -> CodeCheck | None:
    """A code typed at sign-in: six digits go to the app, anything else to the recovery codes.

    None when the person has nothing that could check it (no recovery codes left, say).
    """
    code = normalised_code(typed)
    device: Device | None
    if is_app_code(code):
        device = app_device_of(user=user)
    else:
        device = StaticDevice.objects.filter(user_id=user.pk, confirmed=True).first()
    if device is None:
        return None
    return code_check(user=user, device=device, code=code)


def app_device_confirm(*, request: HttpRequest, device: TOTPDevice) -> list[str]:
    """The first right code from a new app: it becomes the person's only app, this session
    has its second factor, and they get new recovery codes (returned, to show once)."""
    user = request.user
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
        codes = recovery_codes_make(user=user)
    session_verified_by(request, device)
    return codes


def session_verified_by(request: HttpRequest, device: Device) -> None:
    """This session has its second factor. A new session key, as at sign-in: the old key,
    which had less, must not gain what this one has."""
    request.session.cycle_key()
    otp_login(request, device)


def wait_in_words(seconds: int) -> str:
    """The wait in words ("30 seconds", "4 minutes", "2 hours"), rounded up to be enough."""
    for size, unit, below in (
        (1, "second", 91),
        (60, "minute", 91 * 60),
        (3600, "hour", 48 * 3600),
    ):
        if seconds < below:
            count = math.ceil(seconds / size)
            return f"{count} {unit}{'' if count == 1 else 's'}"
    days = math.ceil(seconds / 86400)
    return f"{days} days"
