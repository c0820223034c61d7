"""Pages reached from emails or calendar programs: no password, a signed link instead."""

from django.urls import path

from notifications import calendar, unsubscribe_views, views

urlpatterns = [
    path("update/<str:token>/", views.update_link, name="update-link"),
    path("preferences/<str:token>/", views.preferences_link, name="preferences-link"),
    path("milestone/<str:token>/", views.milestone_link, name="milestone-link"),
    # One-click unsubscribe from reminders (RFC 8058): the List-Unsubscribe header's address.
    path(
        "unsubscribe/<str:token>/",
        unsubscribe_views.unsubscribe_link,
        name="unsubscribe-link",
    ),
    # The calendar feed: a long-lived signed link that calendar programs poll.
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
]
