"""Pages reached from emails: no password, a signed link instead."""

from django.urls import path

from notifications import views

urlpatterns = [
    path("update/<str:token>/", views.update_link, name="update-link"),
    path("preferences/<str:token>/", views.preferences_link, name="preferences-link"),
    path("milestone/<str:token>/", views.milestone_link, name="milestone-link"),
]
