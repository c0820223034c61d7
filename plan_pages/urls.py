"""The public plan on a page: published plans only, no personal data."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
