"""The API of the chasing (mounted under /api/): your notifications, preferences and calendar
feed, and escalations. The signed-link pages reached from emails are ``notifications.urls``.
"""

from typing import Any

from django.urls import URLPattern, URLResolver, re_path
from rest_framework.routers import DefaultRouter, Route

from notifications.apis import (
    ActionEscalationsViewSet,
    EscalationViewSet,
    MilestoneEscalationsViewSet,
    MyCalendarApi,
    MyNotificationsApi,
    MyPreferencesApi,
)
from notifications.callbacks import NotifyReceiptsApi


class ItemEscalationsRouter(DefaultRouter):
    """Mounts only the ``{id}/escalations/`` route of each viewset registered."""

    include_root_view = False

    def get_routes(self, viewset: Any) -> list[Route]:
        return [r for r in super().get_routes(viewset) if r.name == "{basename}-escalations"]


# The closing slash is optional, as everywhere under /api/ (actions.urls says why).
router = DefaultRouter()
router.trailing_slash = "/?"
router.include_root_view = False
router.register("escalations", EscalationViewSet, basename="escalation")

items = ItemEscalationsRouter()
items.trailing_slash = "/?"
items.register("actions", ActionEscalationsViewSet, basename="action")
items.register("milestones", MilestoneEscalationsViewSet, basename="milestone")

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^me/notifications/?$", MyNotificationsApi.as_view(), name="api-my-notifications"),
    re_path(r"^me/preferences/?$", MyPreferencesApi.as_view(), name="api-my-preferences"),
    re_path(r"^me/calendar/?$", MyCalendarApi.as_view(), name="api-my-calendar"),
    # GOV.UK Notify's delivery receipts: its own bearer token, no session.
    re_path(r"^notify/receipts/?$", NotifyReceiptsApi.as_view(), name="api-notify-receipts"),
    *items.urls,
    *router.urls,
]
