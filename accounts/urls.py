"""The API's signing in and tokens, "me" and the people directory (mounted under /api/)."""

from django.urls import URLPattern, URLResolver, re_path

from accounts.apis import MeApi, MyTokensApi, PeopleApi, TokenApi

# The closing slash is optional, as everywhere under /api/ (actions.urls says why).
urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^auth/token/?$", TokenApi.as_view(), name="api-token"),
    re_path(r"^auth/tokens/?$", MyTokensApi.as_view(), name="api-tokens"),
    re_path(r"^me/?$", MeApi.as_view(), name="api-me"),
    re_path(r"^people/?$", PeopleApi.as_view(), name="api-people"),
]
