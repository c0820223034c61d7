"""A view that cannot reach the database says so in words, and that it is worth trying again.

PostgreSQL restarts and fail-overs take seconds to a minute. Without this, a person who opens
the update link from a reminder at that moment gets the generic "server error" page, as if the
link were broken, and an API client a 500 that says its request broke something. DRF's views
re-raise what ``config.exceptions`` does not handle, so this one place answers for both: JSON
under /api/, a plain page elsewhere.
"""

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# How long a client should wait before trying again: a PostgreSQL restart or fail-over takes
# seconds to a minute.
RETRY_AFTER_SECONDS = 30
DATABASE_UNAVAILABLE = (
    "The service cannot reach its database just now, so nothing was saved. Please send the "
    "same request again in a minute."
)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("Database unavailable for %s", request.path, exc_info=exception)
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503)
        else:
            # No request context: its processors could need the database that is not there.
            body = render_to_string("database_unavailable.html")
            response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
