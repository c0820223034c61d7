"""The second factor for staff: whether this session has one, and what counts as one.

A session has its second factor when django-otp verified a device in it (a time-based code or
a recovery code), or when the person signed in through an identity provider that asserted
multi-factor authentication (``amr`` in the ID token), recorded by ``record_provider_mfa``.
"""

from django.http import HttpRequest

# Set on the session by single sign-on when the provider's ID token says it asked for more
# than a password: the value names the provider.
PROVIDER_MFA_SESSION_KEY = "second_factor_by_provider"


def record_provider_mfa(request: HttpRequest, *, provider: str) -> None:
    request.session[PROVIDER_MFA_SESSION_KEY] = provider


def second_factor_required(user: object) -> bool:
    """Plan administrators and superusers need a second factor when the setting asks for it."""
    from django.conf import settings

    if not getattr(settings, "SECOND_FACTOR_FOR_STAFF", False):
        return False
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))
