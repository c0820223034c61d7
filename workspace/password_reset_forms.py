"""The forms of "Forgotten your password?": the email to send a link to, and the new password.

The rules are the services' (``accounts.password_reset``) and the password validators'
(``AUTH_PASSWORD_VALIDATORS``); these forms say in plain English what is wrong.
"""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.models import User
from accounts.password_reset import password_reset_wait, password_reset_wait_message


class PasswordResetRequestForm(forms.Form):
    """The email address to send a link to. Each valid request counts against the limits
    per email address and per network address before anything is looked up."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk.",
        },
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.wait: int | None = None

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        self.wait = password_reset_wait(self.request, email)
        if self.wait is not None:
            raise ValidationError(password_reset_wait_message(self.wait), code="throttled")
        return email


class NewPasswordForm(forms.Form):
    """The new password, typed twice, held to every password validator for this person."""

    new_password = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a new password."},
    )
    confirm_password = forms.CharField(
        label="Type the new password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the new password again."},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_new_password(self) -> str:
        password = str(self.cleaned_data["new_password"])
        password_validation.validate_password(password, self.user)
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password"), cleaned.get("confirm_password")
        if first and second and first != second:
            self.add_error(
                "confirm_password", "The passwords do not match. Type the same new password twice."
            )
        return cleaned

    @staticmethod
    def help_texts() -> list[str]:
        return password_validation.password_validators_help_texts()
