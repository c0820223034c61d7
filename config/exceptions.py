"""One place that turns domain errors into JSON answers with field-level messages."""

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from rest_framework import status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from actions.exceptions import PreconditionFailed

logger = logging.getLogger(__name__)

# How long a client should wait before trying again when the database is unreachable: a
# PostgreSQL restart or fail-over takes seconds to a minute.
RETRY_AFTER_SECONDS = 30
DATABASE_UNAVAILABLE = (
    "The service cannot reach its database just now, so nothing was saved. Please send the "
    "same request again in a minute."
)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = {
                (api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key): value
                for key, value in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        exc = DRFValidationError(detail=detail)
    elif isinstance(exc, PreconditionFailed):
        response = Response(
            {"detail": str(exc), "current_version": exc.current_version},
            status=status.HTTP_412_PRECONDITION_FAILED,
        )
        response["ETag"] = f'"{exc.current_version}"'
        return response
    elif isinstance(exc, (OperationalError, InterfaceError)):
        # The database went away (a restart, a fail-over, a lost connection): nothing was
        # saved, and the same request will work again shortly. A 503 with Retry-After says
        # so; a 500 would say the request itself broke something.
        logger.error("Database unavailable for %s", context.get("request"), exc_info=exc)
        response = Response(
            {"detail": DATABASE_UNAVAILABLE},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    elif isinstance(exc, IntegrityError):
        # A race that validation could not see (two writers at once): say so plainly.
        exc = DRFValidationError(
            detail={
                api_settings.NON_FIELD_ERRORS_KEY: [
                    "This change conflicts with another change made at the same time. "
                    "Reload and try again."
                ]
            }
        )
    return exception_handler(exc, context)
