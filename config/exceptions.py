"""One place that turns domain errors into JSON answers with field-level messages.

It also answers a request over Django's upload limits (body size, number of fields, query
parameters or files). Django reads the body and query string lazily, so they are refused in
the view, when DRF first reads them, and DRF re-raises what this handler leaves alone. Django
would then answer, with DEBUG on, its HTML debug page, settings and all; and for too many
query parameters DRF itself fails on the way (no renderer was chosen), then so does the debug
page (it reads the query string again), leaving the server's bare plain-text 500.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import HttpResponseBase, JsonResponse
from django.template.defaultfilters import filesizeformat
from rest_framework import status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from actions.exceptions import PreconditionFailed

logger = logging.getLogger(__name__)


def too_much_to_read(exception: Exception) -> JsonResponse | None:
    """413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE, 400 for more fields or files than
    Django reads, each saying the limit; None for any other exception."""
    if isinstance(exception, RequestDataTooBig):
        # No non-breaking space in JSON: "2.5 MB", as a person would type it.
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE).replace("\xa0", " ")
        return JsonResponse(
            {
                "detail": f"The request body is too large: the limit is {limit}. Nothing was "
                "changed. Send less, for example shorter text or fewer items at a time."
            },
            status=413,
        )
    if isinstance(exception, TooManyFieldsSent):
        count = f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}"
        what = "fields or query parameters"
    elif isinstance(exception, TooManyFilesSent):
        count = f"{settings.DATA_UPLOAD_MAX_NUMBER_FILES:,}"
        what = "files"
    else:
        return None
    return JsonResponse(
        {
            "detail": f"The request has more than {count} {what}, which is more than the "
            f"service reads. Nothing was changed. Send fewer {what}."
        },
        status=400,
    )


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponseBase | None:
    if (too_much := too_much_to_read(exc)) is not None:
        # A plain JsonResponse, which DRF passes on as it is: its renderers could be the
        # browsable API's, which would read the refused body again.
        logger.warning("Refused a request over the upload limits: %s", exc)
        return too_much
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
