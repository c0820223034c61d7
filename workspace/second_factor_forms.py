"""The second factor's forms: a code at sign-in, and the first code from a new app.

Each form checks the code against the person's device in ``clean`` (``accounts.second_factor``,
which holds to django-otp's throttle) and says in plain English what went wrong. After
``is_valid()``: ``device`` is the device that accepted the code; ``wait_seconds`` is set when
the device is making the person wait after wrong codes; ``wrong`` says a code was checked and
refused, for the view's sign-in record.
"""

import re
from typing import Any

from django import forms
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.second_factor import (
    CodeCheck,
    Person,
    code_check,
    is_app_code,
    normalised_code,
    sign_in_code_check,
    wait_in_words,
)
from workspace.settings_forms import GovukBoundField

# What a recovery code could be (django-otp's are 8 letters and digits; the field holds 16).
_RECOVERY_SHAPE = re.compile(r"^[a-z0-9]{1,16}$")

ENTER_A_CODE = "Enter the 6-digit code from your authenticator app, or one of your recovery codes"
NOT_A_CODE = (
    "Enter the 6 digits your authenticator app shows, or a recovery code of 8 letters and numbers"
)
WRONG_APP_CODE = (
    "The code is not right. Enter the code your authenticator app shows now: each one works "
    "for 30 seconds"
)
WRONG_RECOVERY_CODE = (
    "The recovery code is not right, or it has been used already. Each recovery code works once"
)
NO_RECOVERY_CODES = (
    "You have no recovery codes left. Enter the code from your authenticator app, or ask a "
    "superuser to reset your second factor"
)
WRONG_FIRST_CODE = (
    "The code is not right. Check that your app added this service from the QR code or key "
    "on this page, then enter the code it shows now"
)


def too_many_wrong_codes(seconds: int) -> str:
    return (
        f"Too many wrong codes. Wait {wait_in_words(seconds)}, then enter the code your "
        "authenticator app shows at that time"
    )


class _CodeForm(forms.Form):
    bound_field_class = GovukBoundField

    code = forms.CharField(
        max_length=40,
        error_messages={"required": ENTER_A_CODE, "max_length": NOT_A_CODE},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-10",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        ),
    )

    def __init__(self, *args: Any, user: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device: Device | None = None
        self.wait_seconds: int | None = None
        self.wrong = False

    def _take(self, check: CodeCheck, *, wrong_message: str) -> None:
        """The outcome of checking the code, as the form's state and its error."""
        if check.accepted:
            self.device = check.device
            return
        self.wrong = check.checked
        if check.checked:
            # The throttle's first waits are a second or two: only a longer one is news.
            if check.wait_seconds is not None and check.wait_seconds > 2:
                wrong_message += f". Wait {wait_in_words(check.wait_seconds)} before you try again"
            raise forms.ValidationError(wrong_message, code="wrong")
        self.wait_seconds = check.wait_seconds or 1
        raise forms.ValidationError(too_many_wrong_codes(self.wait_seconds), code="throttled")


class SignInCodeForm(_CodeForm):
    """A code from the person's app, or one of their recovery codes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Code"
        self.fields["code"].help_text = (
            "The 6-digit code your authenticator app shows for this service. If you do not "
            "have your app with you, enter one of your recovery codes."
        )

    def clean_code(self) -> str:
        code = normalised_code(self.cleaned_data["code"])
        if not (is_app_code(code) or _RECOVERY_SHAPE.match(code)):
            raise forms.ValidationError(NOT_A_CODE, code="invalid")
        check = sign_in_code_check(user=self.user, typed=code)
        if check is None:
            raise forms.ValidationError(NO_RECOVERY_CODES, code="no_recovery_codes")
        self._take(
            check, wrong_message=WRONG_APP_CODE if is_app_code(code) else WRONG_RECOVERY_CODE
        )
        return code

    @property
    def used_recovery_code(self) -> bool:
        return self.device is not None and not isinstance(self.device, TOTPDevice)


class FirstCodeForm(_CodeForm):
    """The first code from the app being set up: it shows the app has the right key."""

    def __init__(self, *args: Any, device: TOTPDevice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending = device
        self.fields["code"].label = "Code from your app"
        self.fields["code"].help_text = "The 6 digits your app shows for this service."
        self.fields["code"].error_messages["required"] = (
            "Enter the 6-digit code your authenticator app shows"
        )

    def clean_code(self) -> str:
        code = normalised_code(self.cleaned_data["code"])
        if not is_app_code(code):
            raise forms.ValidationError(
                "Enter the 6 digits your authenticator app shows, with nothing else",
                code="invalid",
            )
        self._take(
            code_check(user=self.user, device=self.pending, code=code),
            wrong_message=WRONG_FIRST_CODE,
        )
        return code
