"""API routes for digest snapshots (mounted under /api/)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import DefaultRouter

from digests.apis import DigestSnapshotViewSet

router = DefaultRouter()
router.trailing_slash = "/?"
router.include_root_view = False
router.register("digests", DigestSnapshotViewSet, basename="digest")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
