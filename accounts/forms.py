"""Sign-in forms that take a password, held to the token endpoint's limits on guessing."""

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ImproperlyConfigured, ValidationError

from accounts.throttles import password_sign_in_wait, sign_in_wait_message


class SignInForm(AuthenticationForm):
    """Email and password. Each attempt counts against ``accounts.throttles``' sign-in limits
    before the password is looked at; past them the form refuses without checking it, so even
    the right password is refused while a guessing storm lasts (a success then would tell the
    guesser). ``sign_in_wait`` holds the seconds to wait, for the view's ``Retry-After``.
    """

    sign_in_wait: int | None = None

    def clean(self) -> dict[str, Any]:
        if self.request is None:
            raise ImproperlyConfigured("A sign-in form needs the request to count attempts.")
        # The email as typed, as the token endpoint counts it: one that fails the field's
        # checks is still an attempt.
        email = self["username"].data
        self.sign_in_wait = password_sign_in_wait(self.request, str(email or ""))
        if self.sign_in_wait is not None:
            raise ValidationError(sign_in_wait_message(self.sign_in_wait), code="throttled")
        return super().clean()


class AdminSignInForm(SignInForm, AdminAuthenticationForm):
    """The admin's form (staff only, its own messages) with the same limits."""
