"""Links from the admin's change pages to the same object's page in the workspace.

The admin shows "View on site" on a change page when its ModelAdmin's ``view_on_site`` is
a callable giving the address. The workspace sits above ``actions`` and ``digests`` in the
layers: their models and admin classes must not know the workspace's addresses, so the
workspace sets the links itself on the registered admin classes when it starts.
"""

from collections.abc import Callable

from django.contrib import admin
from django.db.models import Model
from django.urls import reverse

from actions.models import Action, Plan, Recommendation
from digests.models import DigestSnapshot

# Each model with a workspace page, and the name of that page's route.
WORKSPACE_PAGES: dict[type[Model], str] = {
    Plan: "workspace:plan",
    Recommendation: "workspace:recommendation",
    Action: "workspace:action",
    DigestSnapshot: "workspace:digest",
}


def _page_of(route: str) -> Callable[[Model], str]:
    def url(obj: Model) -> str:
        return reverse(route, args=[obj.pk])

    return url


def link_admin_to_workspace(site: admin.AdminSite = admin.site) -> None:
    """Give each registered admin class of a model with a workspace page its "View on site"
    link. A model not registered with ``site`` is left alone."""
    for model, route in WORKSPACE_PAGES.items():
        model_admin = site._registry.get(model)
        if model_admin is not None:
            # An instance attribute: the admin calls it with the object, not as a method.
            model_admin.view_on_site = _page_of(route)  # type: ignore[misc]
