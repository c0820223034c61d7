"""Who may open a workspace page: signed in and active; the object through the API's selectors.

A page for something the person may not read is a 404, exactly as the API answers, so an
address tells nobody that the object exists.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponse]


def signed_in(view: View) -> View:
    """Sends someone not signed in (or switched off) to the sign-in page, then back."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and user.is_active):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def visible_or_404(queryset: QuerySet[M], pk: int) -> M:
    """The object if the selector lets this person read it; 404 otherwise, whether it exists
    or not."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404("There is no page at this address, or you may not see it.")
    return found
