"""Ways to sign in, shown on the sign-in page beside email and password.

Password sign-in is always there. Single sign-on offers one button per identity provider
configured in the settings (read from ``accounts.sso``, a layer below, each time the page is
drawn); any other method registers itself here when its app starts, and the page offers it
as a button too.
"""

from dataclasses import dataclass

from accounts.sso.buttons import sign_in_buttons


@dataclass(frozen=True)
class SignInMethod:
    label: str  # "Sign in with Northshire Council"
    url: str  # where the button goes: the method's own start page


_methods: list[SignInMethod] = []


def register_sign_in_method(method: SignInMethod) -> None:
    if method not in _methods:
        _methods.append(method)


def other_sign_in_methods(next_url: str = "") -> list[SignInMethod]:
    """Every other way in; ``next_url`` (already checked as safe) is where each one returns."""
    providers = [SignInMethod(label=label, url=url) for label, url in sign_in_buttons(next_url)]
    return providers + list(_methods)
