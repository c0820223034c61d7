"""Everything under /api/ (docs/api.md)."""

from django.urls import URLPattern, URLResolver, re_path
from rest_framework.routers import DefaultRouter

from accounts.apis import MeApi, MyActionsApi, PeopleApi, TokenLoginApi
from actions import apis
from notifications.apis import (
    EscalationViewSet,
    MyCalendarApi,
    MyNotificationsApi,
    MyPreferencesApi,
)

# The closing slash is optional: Django's APPEND_SLASH would redirect a POST without it to a
# GET, and the progress report in its body would be lost.
router = DefaultRouter()
router.trailing_slash = "/?"
router.include_root_view = False
router.register("plans", apis.PlanViewSet, basename="plan")
router.register("plan-types", apis.PlanTypeViewSet, basename="plan-type")
router.register("boards", apis.BoardViewSet, basename="board")
router.register("recommendations", apis.RecommendationViewSet, basename="recommendation")
router.register("outcomes", apis.OutcomeViewSet, basename="outcome")
router.register("actions", apis.ActionViewSet, basename="action")
router.register("milestones", apis.MilestoneViewSet, basename="milestone")
router.register("measures", apis.SuccessMeasureViewSet, basename="measure")
router.register("measure-readings", apis.MeasureReadingViewSet, basename="measure-reading")
router.register("progress-updates", apis.ProgressUpdateViewSet, basename="progress-update")
router.register("escalations", EscalationViewSet, basename="escalation")

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^auth/token/?$", TokenLoginApi.as_view(), name="api-token"),
    re_path(r"^me/?$", MeApi.as_view(), name="api-me"),
    re_path(r"^me/actions/?$", MyActionsApi.as_view(), name="api-my-actions"),
    re_path(r"^me/notifications/?$", MyNotificationsApi.as_view(), name="api-my-notifications"),
    re_path(r"^me/preferences/?$", MyPreferencesApi.as_view(), name="api-my-preferences"),
    re_path(r"^me/calendar/?$", MyCalendarApi.as_view(), name="api-my-calendar"),
    re_path(r"^people/?$", PeopleApi.as_view(), name="api-people"),
    *router.urls,
    # Anything else under /api/ answers JSON too, not the site's HTML page.
    re_path(r"^.*$", apis.not_found),
]
