"""The site's addresses with ``/api/me/calendar/`` routed as actions/urls.py is to route it.

Until that one line lands in actions/urls.py (it is not this feature's file; the patch is in
the report), the API tests use this URLconf.
"""

from django.urls import URLPattern, URLResolver, include, re_path

from notifications.apis import MyCalendarApi

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^api/me/calendar/?$", MyCalendarApi.as_view(), name="api-my-calendar"),
    re_path(r"", include("config.urls")),
]
