"""Ways to sign in, shown on the sign-in page beside email and password.

Password sign-in is always there. Another method (single sign-on through an organisation's
identity provider) registers itself here when its app is configured, and the page offers it
as a button; the workspace never has to know which methods exist.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SignInMethod:
    label: str  # "Sign in with Northshire Council"
    url: str  # where the button goes: the method's own start page


_methods: list[SignInMethod] = []


def register_sign_in_method(method: SignInMethod) -> None:
    if method not in _methods:
        _methods.append(method)


def other_sign_in_methods() -> list[SignInMethod]:
    return list(_methods)
