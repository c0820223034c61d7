from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = "Action plan delivery service"
admin.site.site_title = "Action plan administration"
admin.site.index_title = "Plans, people and boards"

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Sign-in links for the browsable API (the same session as the admin).
    path("api-auth/", include("rest_framework.urls")),
    # The digests API goes first: actions.urls ends with a catch-all for anything under /api/.
    path("api/", include("digests.urls")),
    path("api/", include("actions.urls")),
    path("plans/", include("plan_pages.urls")),
    path("", include("notifications.urls")),
]

handler400 = "config.views.bad_request"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
