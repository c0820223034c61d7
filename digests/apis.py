"""Read-only API of digest snapshots: what each board was told, for the people who may read it."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from actions.filters import IdFilter
from actions.models import BoardAudience
from digests.models import DigestSnapshot
from digests.selectors import snapshots_visible_to


class SnapshotFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="plan_id")
    board = IdFilter(field_name="board_id")
    audience = django_filters.ChoiceFilter(choices=BoardAudience.choices)
    period = django_filters.CharFilter(field_name="period")

    class Meta:
        model = DigestSnapshot
        fields: list[str] = []


class SnapshotSerializer(serializers.ModelSerializer):
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    board_name = serializers.CharField(source="board.name", read_only=True)
    recipients = serializers.SerializerMethodField(
        help_text="The ids of the people it was sent to (their addresses are not shown)."
    )

    class Meta:
        model = DigestSnapshot
        fields = [
            "id",
            "plan",
            "plan_title",
            "board",
            "board_name",
            "audience",
            "period",
            "as_of",
            "created_at",
            "queued_at",
            "recipients",
        ]
        read_only_fields = fields

    def get_recipients(self, snapshot: DigestSnapshot) -> list[int]:
        return [person["id"] for person in snapshot.recipients]


class SnapshotDetailSerializer(SnapshotSerializer):
    content = serializers.JSONField(read_only=True, help_text="Everything the email says.")

    class Meta(SnapshotSerializer.Meta):
        fields = [*SnapshotSerializer.Meta.fields, "content"]
        read_only_fields = fields


class DigestSnapshotViewSet(viewsets.ReadOnlyModelViewSet):
    """Digests, briefings and summaries as stored: newest first; filter by plan or board."""

    filterset_class = SnapshotFilter
    ordering_fields = ["as_of", "created_at"]

    def get_queryset(self) -> QuerySet[DigestSnapshot]:
        snapshots = snapshots_visible_to(self.request.user).order_by("-as_of", "-id")
        if self.action == "list":
            # A list shows no content: one plan's weekly digests can be large.
            return snapshots.defer("content")
        return snapshots

    def get_serializer_class(self) -> Any:
        return SnapshotDetailSerializer if self.action == "retrieve" else SnapshotSerializer
