"""The plan's API routes and your own actions (mounted under /api/, docs/api.md)."""

from django.urls import URLPattern, URLResolver, re_path
from rest_framework.routers import DefaultRouter

from actions import apis

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

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^me/actions/?$", apis.MyActionsApi.as_view(), name="api-my-actions"),
    *router.urls,
]
