"""The public plan on a page: published plans only, no personal data."""

from django.urls import URLPattern, URLResolver, path

from plan_pages import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<slug:slug>/", views.plan_page, name="plan-page"),
    path("<slug:slug>.csv", views.plan_download_csv, name="plan-page-csv"),
    path("<slug:slug>.xlsx", views.plan_download_xlsx, name="plan-page-xlsx"),
]
