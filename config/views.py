"""Error pages: JSON under /api/ (what an API client can read), Django's pages elsewhere.

DRF answers its own errors in JSON; these cover what happens before or outside a DRF view:
a request that cannot be read (400), an address nothing matches (404) and an unexpected
failure (500, with DEBUG off).
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

from config.exceptions import too_much_to_read


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        if (answer := too_much_to_read(exception)) is not None:
            return answer
        return JsonResponse(
            {"detail": "The request could not be read: it is malformed or too large."},
            status=400,
        )
    return defaults.bad_request(request, exception, **kwargs)


def page_not_found(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "There is nothing at this address."}, status=404)
    return defaults.page_not_found(request, exception, **kwargs)


def server_error(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {
                "detail": "Something went wrong on our side and nothing was saved. "
                "Please try again; if it keeps happening, tell the plan administrator."
            },
            status=500,
        )
    return defaults.server_error(request, **kwargs)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security check: most often a page left open for hours, or a
    browser that blocks cookies. Plain words and what to do, not Django's bare 403."""
    if _is_api(request):
        return JsonResponse(
            {"detail": "The form's security check failed: reload the page and send it again."},
            status=403,
        )
    return render(request, "csrf_failure.html", status=403)
