"""The sign-in pages' buttons: one for each configured provider."""

from urllib.parse import urlencode

from django.urls import reverse

from accounts.sso import providers


def sign_in_buttons(next_url: str = "") -> list[tuple[str, str]]:
    """(label, address) for each provider; ``next_url`` (already checked) is carried along."""
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return [
        (provider.button, reverse("sso:start", args=[provider.slug]) + query)
        for provider in providers.configured()
    ]
