"""Single sign-on's addresses: one start and one callback for each provider."""

from django.urls import URLPattern, URLResolver, path

from accounts.sso import views

app_name = "sso"

urlpatterns: list[URLPattern | URLResolver] = [
    path("sign-in/sso/<slug:provider>/", views.start, name="start"),
    path("sign-in/sso/<slug:provider>/callback/", views.callback, name="callback"),
]
