from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.forms import AdminSignInForm
from accounts.views import ThrottledLoginView, admin_sign_in
from common.apis import not_found

admin.site.site_header = "Action plan delivery service"
admin.site.site_title = "Action plan administration"
admin.site.index_title = "Plans, people and boards"
# Every page that takes a password shares the token endpoint's limits on guessing.
admin.site.login_form = AdminSignInForm

urlpatterns = [
    # Before the admin's and DRF's own sign-in pages, which would not answer 429.
    path("admin/login/", admin_sign_in, name="admin-sign-in"),
    # The admin's sign-in page links here ("Forgotten your login credentials?"): the workspace's
    # reset, the one way to choose a new password.
    path(
        "admin/password-reset/",
        RedirectView.as_view(pattern_name="workspace:password-reset"),
        name="admin_password_reset",
    ),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI with its start-up script as a file of its own (/api/docs/?script), not inline.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs.html"),
        name="api-docs",
    ),
    # Sign-in links for the browsable API (the same session as the admin).
    path(
        "api-auth/login/",
        ThrottledLoginView.as_view(template_name="rest_framework/login.html"),
        name="api-sign-in",
    ),
    path("api-auth/", include("rest_framework.urls")),
    # Each app's API, under /api/.
    path("api/", include("accounts.urls")),
    path("api/", include("actions.urls")),
    path("api/", include("notifications.api_urls")),
    path("api/", include("digests.urls")),
    # The last /api/ route: anything else under /api/ answers JSON, not the site's HTML page.
    re_path(r"^api/.*$", not_found),
    path("plans/", include("plan_pages.urls")),
    path("", include("notifications.urls")),
    # Single sign-on: /sign-in/sso/<provider>/ and its callback.
    path("", include("accounts.sso.urls")),
    # The workspace: the home page, signing in, and the signed-in pages.
    path("", include("workspace.urls")),
]

handler400 = "config.views.bad_request"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
