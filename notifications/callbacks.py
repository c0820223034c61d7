"""GOV.UK Notify's door into the service: ``POST /api/notify/receipts/``, one receipt a request.

Notify signs each callback with the bearer token set in its "Callbacks" page; ours is
``NOTIFY_CALLBACK_TOKEN``. The token is compared in constant time (``hmac.compare_digest``),
and with no token set the door is shut: every request gets 401. No session, no CSRF, no
throttle: nothing but the token gets in, and Notify sends at most one receipt per email
(plus its retries).

Answers: 200 for a receipt of an email we sent (recorded now, or already); 404 for an email we
have no record of; 400 for a body that is not a receipt; 401 for a missing or wrong token;
413 for a body over the upload limit. Notify retries a failed callback every 5 minutes, 5 times
at most, so the 404 is not an endless loop: it is what lets a receipt that overtook our own
record of the send land on a retry.
"""

import hmac
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.parsers import SafeJSONParser
from notifications.receipts import Outcome, ReceiptInvalid, receipt_from, receipt_record

logger = logging.getLogger(__name__)


def token_matches(given: str, expected: str) -> bool:
    """Constant time whatever the token given, so its characters cannot be guessed one by one.

    Compared as bytes: ``compare_digest`` refuses a ``str`` with characters outside ASCII,
    which a caller could otherwise send to turn a 401 into a 500.
    """
    return hmac.compare_digest(given.encode(), expected.encode())


class NotifyCallbackAuthentication(BaseAuthentication):
    """The bearer token Notify sends with each callback; nothing else is accepted."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, str]:
        expected = settings.NOTIFY_CALLBACK_TOKEN
        if not expected:
            raise AuthenticationFailed(
                "Delivery receipts are not accepted: the service has no callback token set."
            )
        scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not token_matches(given.strip(), expected):
            raise AuthenticationFailed(
                "Give the callback token in the header Authorization: Bearer <token>."
            )
        return AnonymousUser(), "notify-callback"

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 with this challenge rather than 403.
        return 'Bearer realm="delivery receipts"'


class NotifyReceiptsApi(APIView):
    """Notify's delivery receipts (one per email it accepted)."""

    authentication_classes = [NotifyCallbackAuthentication]
    permission_classes = [AllowAny]
    parser_classes = [SafeJSONParser]
    throttle_classes: list[Any] = []

    # Notify's door, not one for the API's users: left out of the published schema.
    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        try:
            receipt = receipt_from(request.data)
        except ReceiptInvalid as error:
            raise ValidationError(error.errors) from None
        result = receipt_record(receipt=receipt, now=timezone.now())
        if result.outcome == Outcome.UNKNOWN:
            return Response(
                {"detail": "No email sent by this service has this id or reference."},
                status=404,
            )
        return Response({"status": result.outcome.value})
