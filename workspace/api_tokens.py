"""A person's own API token, as "Your settings" shows it: whether there is one, and revoking it.

Today each person has at most one token (Django REST framework's ``authtoken``), issued by
``POST /api/auth/token/`` with their password. Revoking deletes it, exactly as the admin's
"Sign out of the API" action does, so every program using it is refused from then on; a new
one is issued the next time the person asks the API for one. The key itself is never shown
again here: it signs in as its owner, so it is only ever given out once, by the API.
"""

import datetime as dt
from dataclasses import dataclass

from rest_framework.authtoken.models import Token

from accounts.models import User


@dataclass(frozen=True)
class ApiToken:
    created: dt.datetime


def api_token_of(*, user: User) -> ApiToken | None:
    created = Token.objects.filter(user=user).values_list("created", flat=True).first()
    return ApiToken(created=created) if created is not None else None


def api_token_revoke(*, user: User) -> bool:
    """Delete the person's token; False if they had none (revoking twice is harmless)."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0
