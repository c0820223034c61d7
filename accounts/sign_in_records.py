"""Writing the sign-in records administrators read in the admin (accounts.models.SignInRecord),
and deleting them once they are older than ``SIGN_IN_RECORDS_KEEP_DAYS``.

Every way in calls ``record_sign_in``: password and single sign-on, the second factor, API
tokens made and revoked, and refusals. A failure to write a record must never stop the person
it describes, so errors are logged, not raised.
"""

import datetime as dt
import ipaddress
import logging
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import SignInEvent, SignInRecord, User

logger = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")

# Expired records go in batches, so that a long backlog never holds one huge transaction.
DELETE_BATCH = 5000


class _Address(SimpleRateThrottle):
    """Only for its ``get_ident``: the address the sign-in limits count, honouring
    ``NUM_PROXIES``, so a record names the same address as the throttle."""

    rate = "1/s"

    def get_cache_key(self, request: Any, view: Any) -> str | None:  # pragma: no cover
        return None


def client_address(request: HttpRequest | None) -> str | None:
    """The client's network address, or None when there is no real one to store."""
    if request is None:
        return None
    try:
        # DRF reads only ``META`` here, which a plain Django request has too.
        raw = _Address().get_ident(cast(Any, request)) or ""
        # A forwarded header can hold anything; only a real address is stored.
        address = ipaddress.ip_address(raw.strip())
    except (ValueError, AttributeError):
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        # "fe80::1%eth0" names the proxy's network card, which the database will not store.
        address = ipaddress.IPv6Address(str(address).split("%", 1)[0])
    return str(address)


def sign_in_place(request: HttpRequest | None) -> str:
    """Which door a sign-in came through, for the record's detail (config.urls' prefixes)."""
    path = str(getattr(request, "path_info", "") or "")
    if not path:
        return ""
    if path.startswith("/admin/"):
        return "admin site"
    if path.startswith("/api-auth/"):
        return "browsable API"
    if path.startswith("/api/"):
        return "API token endpoint"
    return "workspace"


def record_sign_in(
    event: SignInEvent,
    *,
    method: str,
    request: HttpRequest | None = None,
    user: User | None = None,
    email: str = "",
    detail: str = "",
) -> None:
    """Writes one record; never raises (a sign-in must not fail for want of its record)."""
    try:
        if user is not None and not email:
            email = user.email
        # A savepoint: a failed write must not spoil the request's own transaction.
        with transaction.atomic():
            SignInRecord.objects.create(
                event=event,
                method=(method or "")[:60],
                user=user if user is not None and user.pk else None,
                email=(email or "").strip()[:254],
                address=client_address(request),
                detail=(detail or "")[:300],
            )
    except Exception:
        logger.exception("Could not write a sign-in record (%s, %s)", event, method)


def sign_in_records_cutoff(*, now: dt.datetime, keep_days: int) -> dt.datetime:
    """The start of the London day ``keep_days`` before today: records from before it go.

    Counted in London days, not in 24-hour spans, so a record is kept for whole days
    whatever the clocks did in between.
    """
    today = timezone.localtime(now, LONDON).date()
    return dt.datetime.combine(today - dt.timedelta(days=keep_days), dt.time(), tzinfo=LONDON)


def sign_in_records_delete_expired(*, now: dt.datetime, keep_days: int | None = None) -> int:
    """Deletes the records older than the period they are kept for; returns how many."""
    days = settings.SIGN_IN_RECORDS_KEEP_DAYS if keep_days is None else keep_days
    cutoff = sign_in_records_cutoff(now=now, keep_days=days)
    deleted = 0
    while True:
        batch = list(
            SignInRecord.objects.filter(at__lt=cutoff).values_list("pk", flat=True)[:DELETE_BATCH]
        )
        if not batch:
            return deleted
        count, _ = SignInRecord.objects.filter(pk__in=batch).delete()
        deleted += count
