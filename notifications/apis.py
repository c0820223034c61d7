"""The API of the chasing: my notifications, my preferences, escalations of an item.

An action's or milestone's escalations (``GET /api/actions/{id}/escalations/``) are served
here, by the plan's own viewset for that item with one more route: the item is found, and
the answer paged, exactly as on the item's other routes.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.decorators import action as route
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from actions.apis import ActionViewSet, MilestoneViewSet
from actions.resource_apis import signed_in
from notifications.filters import EscalationFilter, NotificationFilter
from notifications.links import calendar_url
from notifications.models import Escalation, Notification, NotificationPreference
from notifications.preferences import preference_for, preferences_update
from notifications.selectors import escalations_visible_to, notifications_of
from notifications.serializers import (
    CalendarLinkSerializer,
    EscalationSerializer,
    NotificationSerializer,
    PreferencesSerializer,
)


class MyNotificationsApi(generics.ListAPIView):
    """The emails sent (or being sent) to you: reminders and escalations, newest first."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[Notification]:
        return notifications_of(self.request.user)


class MyPreferencesApi(APIView):
    """Which reminders you get. Escalations to leads and boards cannot be switched off."""

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request: Request) -> Response:
        return Response(PreferencesSerializer(preference_for(user=signed_in(request))).data)

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def put(self, request: Request) -> Response:
        return self._save(request, partial=False)

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def patch(self, request: Request) -> Response:
        return self._save(request, partial=True)

    def _save(self, request: Request, *, partial: bool) -> Response:
        user = signed_in(request)
        serializer = PreferencesSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if not partial:
            # PUT replaces: what is left out goes back to its default.
            defaults = NotificationPreference()
            for name, field in serializer.fields.items():
                if name not in fields and not field.read_only:
                    fields[name] = getattr(defaults, name)
        preference = preferences_update(user=user, fields=fields)
        return Response(PreferencesSerializer(preference).data)


class MyCalendarApi(APIView):
    """The address of your calendar feed: your due dates and milestones, for a calendar app."""

    @extend_schema(responses=CalendarLinkSerializer)
    def get(self, request: Request) -> Response:
        user = signed_in(request)
        url = calendar_url(user_id=user.pk, password=user.password)
        return Response(CalendarLinkSerializer({"url": url}).data)


class EscalationViewSet(viewsets.ReadOnlyModelViewSet):
    """Escalations of the items you may read; filter by action, milestone, plan or open."""

    serializer_class = EscalationSerializer
    filterset_class = EscalationFilter
    ordering_fields = ["created_at", "level"]

    def get_queryset(self) -> QuerySet[Escalation]:
        return escalations_visible_to(self.request.user)


class ItemEscalations(viewsets.GenericViewSet):
    """``GET {id}/escalations/`` for the items that climb the escalation ladder."""

    @extend_schema(
        responses=EscalationSerializer(many=True),
        description="The item's escalations, newest first: level, who was told, when, "
        "and whether it is resolved.",
    )
    @route(
        detail=True,
        methods=["get"],
        url_path="escalations",
        filter_backends=[],
        serializer_class=EscalationSerializer,
    )
    def escalations(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        queryset = item.escalations.prefetch_related("told").order_by("-created_at", "-id")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(EscalationSerializer(page, many=True).data)


# Only their escalations route is mounted (notifications.api_urls); the rest of an action's
# and a milestone's routes are the plan's (actions.urls).
class ActionEscalationsViewSet(ItemEscalations, ActionViewSet):
    pass


class MilestoneEscalationsViewSet(ItemEscalations, MilestoneViewSet):
    pass
