"""One place that turns domain errors into JSON answers with field-level messages."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from actions.exceptions import PreconditionFailed


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
