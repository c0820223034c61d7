"""Writing the sign-in records administrators read in the admin (accounts.models.SignInRecord).

Every way in calls ``record_sign_in``: password and single sign-on, the second factor, API
tokens made and revoked, and refusals. A failure to write a record must never stop the person
it describes, so errors are logged, not raised.
"""

import ipaddress
import logging
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import SignInEvent, SignInRecord, User

logger = logging.getLogger(__name__)


class _Address(SimpleRateThrottle):
    """Only for its ``get_ident``: the client's address, honouring ``NUM_PROXIES``."""

    rate = "1/s"

    def get_cache_key(self, request: Any, view: Any) -> str | None:  # pragma: no cover
        return None


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    address = _Address().get_ident(request) or ""
    try:
        # A forwarded header can hold anything; only a real address is stored.
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def record_sign_in(
    event: SignInEvent,
    *,
    method: str,
    request: HttpRequest | None = None,
    user: User | None = None,
    email: str = "",
    detail: str = "",
) -> None:
    if user is not None and not email:
        email = user.email
    try:
        # A savepoint: a failed write must not spoil the request's own transaction.
        with transaction.atomic():
            SignInRecord.objects.create(
                event=event,
                method=method[:60],
                user=user if user is not None and user.pk else None,
                email=(email or "")[:254],
                address=client_address(request),
                detail=detail[:300],
            )
    except Exception:
        logger.exception("Could not write a sign-in record (%s, %s)", event, method)
