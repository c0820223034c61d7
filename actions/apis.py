"""The REST API of the plan (docs/api.md): one viewset per resource, and your own actions.

Each viewset says where its rows come from (``actions.selectors``) and who may change what
(``actions.permissions``); ``actions.resource_apis.ResourceViewSet`` does the rest. The
escalations of an action or milestone (``{id}/escalations/``) are the engine's:
``notifications.apis``.
"""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from actions import selectors, services
from actions.filters import (
    MAX_ID,
    ActionFilter,
    MeasureFilter,
    MilestoneFilter,
    OutcomeFilter,
    ProgressUpdateFilter,
    ReadingFilter,
    RecommendationFilter,
)
from actions.history import action_history
from actions.input_serializers import (
    ActionInputSerializer,
    BoardInputSerializer,
    BoardMemberInputSerializer,
    MeasureReadingInputSerializer,
    MilestoneInputSerializer,
    OutcomeInputSerializer,
    PlanInputSerializer,
    PlanTypeInputSerializer,
    ProgressUpdateInputSerializer,
    RecommendationInputSerializer,
    SuccessMeasureInputSerializer,
)
from actions.models import (
    Action,
    Board,
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    PlanType,
    Recommendation,
    SuccessMeasure,
)
from actions.pagination import IdsFirstPagination
from actions.permissions import (
    ActionPolicy,
    ReadableByAnyone,
    ReadingPolicy,
    RecommendationPolicy,
    UnderRecommendationPolicy,
    is_admin,
    may_report_progress,
)
from actions.resource_apis import IF_MATCH, ResourceViewSet, expected_version, signed_in, with_etag
from actions.serializers import (
    ActionSerializer,
    BoardMemberSerializer,
    BoardSerializer,
    HistoryEntrySerializer,
    MeasureReadingSerializer,
    MilestoneSerializer,
    OutcomeSerializer,
    PlanSerializer,
    PlanTypeSerializer,
    ProgressUpdateSerializer,
    RecommendationSerializer,
    SuccessMeasureSerializer,
)

ACTION_ORDERING = ["due_date", "reference", "status", "rag", "updated_at"]


class PlanViewSet(ResourceViewSet):
    """Plans with progress counts. Anyone, signed in or not, may read published plans."""

    serializer_class = PlanSerializer
    input_serializer_class = PlanInputSerializer
    permission_classes = [ReadableByAnyone]
    ordering_fields = ["title", "start_date", "end_date", "updated_at"]

    def visible(self) -> QuerySet[Plan]:
        plans = selectors.plans_visible_to(self.request.user)
        if self.action == "list":
            # Counted after paging, for the page's plans only (paginate_queryset).
            return plans.order_by("title", "pk")
        return selectors.plans_with_progress(plans)

    def paginate_queryset(self, queryset: QuerySet[Any]) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        if page is None:
            # Every list is paged (REST_FRAMEWORK's DEFAULT_PAGINATION_CLASS): the counts
            # are set on pages only.
            raise AssertionError("The plan list is always paged.")
        return selectors.plans_attach_progress(list(page))

    def get_object(self) -> Any:
        try:
            return super().get_object()
        except Http404:
            # Anonymous callers get 401 everywhere except published plans.
            if not self.request.user.is_authenticated:
                raise NotAuthenticated() from None
            raise


class PlanTypeViewSet(ResourceViewSet):
    serializer_class = PlanTypeSerializer
    input_serializer_class = PlanTypeInputSerializer
    ordering_fields = ["name"]

    def visible(self) -> QuerySet[PlanType]:
        return selectors.plan_types_visible_to(self.request.user)


PERSON_ID = OpenApiParameter(
    name="person_id",
    type=OpenApiTypes.INT,
    location=OpenApiParameter.PATH,
    description="The id of the person to take off the board.",
)
NO_IF_MATCH = OpenApiParameter(name="If-Match", location=OpenApiParameter.HEADER, exclude=True)
ONLY_ADMINISTRATORS_MANAGE_MEMBERS = "Only plan administrators can add or remove board members."


class BoardViewSet(ResourceViewSet):
    serializer_class = BoardSerializer
    input_serializer_class = BoardInputSerializer
    ordering_fields = ["name", "updated_at"]

    def visible(self) -> QuerySet[Board]:
        return selectors.boards_visible_to(self.request.user)

    @extend_schema(
        methods=["GET"],
        responses=BoardMemberSerializer(many=True),
        description="The board's members, by name.",
    )
    @extend_schema(
        methods=["POST"],
        request=BoardMemberInputSerializer,
        responses={201: BoardMemberSerializer},
        description=(
            "Add a person to the board (administrators). The membership's history records "
            "who added them and when."
        ),
    )
    @route(
        detail=True,
        methods=["get", "post"],
        url_path="members",
        filter_backends=[],
        serializer_class=BoardMemberSerializer,
    )
    def members(self, request: Request, pk: str | None = None) -> Response:
        board = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.board_members_of(board))
            return self.get_paginated_response(BoardMemberSerializer(page, many=True).data)
        if not is_admin(request.user):
            raise PermissionDenied(ONLY_ADMINISTRATORS_MANAGE_MEMBERS)
        serializer = BoardMemberInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.board_member_add(
            board=board, by=signed_in(request), **serializer.validated_data
        )
        return Response(BoardMemberSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        # A membership has no version of its own: nothing to match.
        parameters=[PERSON_ID, NO_IF_MATCH],
        request=None,
        responses={204: None},
        description=(
            "Take a person off the board (administrators). The membership's history keeps "
            "who removed them and when."
        ),
    )
    @route(
        detail=True,
        methods=["delete"],
        url_path=r"members/(?P<person_id>[0-9]+)",
        filter_backends=[],
    )
    def member(self, request: Request, pk: str | None = None, person_id: str = "") -> Response:
        board = self.get_object()
        if not is_admin(request.user):
            raise PermissionDenied(ONLY_ADMINISTRATORS_MANAGE_MEMBERS)
        membership = None
        if len(person_id) <= len(str(MAX_ID)) and int(person_id) <= MAX_ID:
            membership = board.memberships.filter(user_id=int(person_id)).first()
        if membership is None:
            raise NotFound("This person is not a member of this board.")
        services.board_member_remove(membership=membership, by=signed_in(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecommendationViewSet(ResourceViewSet):
    serializer_class = RecommendationSerializer
    input_serializer_class = RecommendationInputSerializer
    policy = RecommendationPolicy()
    filterset_class = RecommendationFilter
    ordering_fields = ["number", "title", "updated_at"]

    def visible(self) -> QuerySet[Recommendation]:
        return selectors.recommendations_visible_to(self.request.user)


class OutcomeViewSet(ResourceViewSet):
    serializer_class = OutcomeSerializer
    input_serializer_class = OutcomeInputSerializer
    policy = UnderRecommendationPolicy()
    filterset_class = OutcomeFilter
    ordering_fields = ["number", "title", "updated_at"]

    def visible(self) -> QuerySet[Outcome]:
        return selectors.outcomes_visible_to(self.request.user)


class LadderItemViewSet(ResourceViewSet):
    """Items that climb the escalation ladder (actions, milestones): ``GET {id}/escalations/``."""

    # That route is the engine's (notifications.apis.ItemEscalations); this docstring is the
    # description the API's documentation gives these items.


class MilestoneViewSet(LadderItemViewSet):
    serializer_class = MilestoneSerializer
    input_serializer_class = MilestoneInputSerializer
    policy = UnderRecommendationPolicy()
    filterset_class = MilestoneFilter
    ordering_fields = ["due_date", "achieved_on", "title", "updated_at"]

    def visible(self) -> QuerySet[Milestone]:
        return selectors.milestones_visible_to(self.request.user)


class SuccessMeasureViewSet(ResourceViewSet):
    serializer_class = SuccessMeasureSerializer
    input_serializer_class = SuccessMeasureInputSerializer
    policy = UnderRecommendationPolicy()
    filterset_class = MeasureFilter
    ordering_fields = ["name", "target_date", "updated_at"]

    def visible(self) -> QuerySet[SuccessMeasure]:
        return selectors.measures_visible_to(self.request.user)


class MeasureReadingViewSet(ResourceViewSet):
    serializer_class = MeasureReadingSerializer
    input_serializer_class = MeasureReadingInputSerializer
    policy = ReadingPolicy()
    filterset_class = ReadingFilter
    ordering_fields = ["taken_on", "value", "updated_at"]

    def visible(self) -> QuerySet[MeasureReading]:
        return selectors.readings_visible_to(self.request.user)

    def create_row(self, fields: Mapping[str, Any]) -> models.Model:
        return services.reading_record(by=signed_in(self.request), **fields)


@extend_schema_view(
    list=extend_schema(description="Actions you may read, with the filters in docs/api.md."),
)
class ActionViewSet(LadderItemViewSet):
    serializer_class = ActionSerializer
    input_serializer_class = ActionInputSerializer
    policy = ActionPolicy()
    filterset_class = ActionFilter
    ordering_fields = ACTION_ORDERING
    pagination_class = IdsFirstPagination

    def visible(self) -> QuerySet[Action]:
        return selectors.actions_visible_to(self.request.user)

    @extend_schema(
        methods=["GET"],
        responses=ProgressUpdateSerializer(many=True),
        description=(
            "The action's progress updates, newest first. Its whole history (changes to "
            "its fields too) is at /api/actions/{id}/history/."
        ),
    )
    @extend_schema(
        methods=["POST"],
        request=ProgressUpdateInputSerializer,
        responses={201: ProgressUpdateSerializer},
        parameters=[IF_MATCH],
        description=(
            "Report progress: the one way to change status, RAG and completion date. "
            "The ETag of the answer is the action's new version."
        ),
    )
    @route(
        detail=True,
        methods=["get", "post"],
        url_path="updates",
        filter_backends=[],
        serializer_class=ProgressUpdateSerializer,
    )
    def updates(self, request: Request, pk: str | None = None) -> Response:
        action = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.progress_updates_of(action))
            data = ProgressUpdateSerializer(page, many=True).data
            return with_etag(self.get_paginated_response(data), action)
        if not may_report_progress(request.user, action):
            raise PermissionDenied("You may not report progress on this action.")
        serializer = ProgressUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        update = services.action_update_status(
            action=action,
            by=signed_in(request),
            expected_version=expected_version(request, action),
            **serializer.validated_data,
        )
        response = Response(ProgressUpdateSerializer(update).data, status=status.HTTP_201_CREATED)
        return with_etag(response, action)

    @extend_schema(
        responses=HistoryEntrySerializer(many=True),
        description=(
            "Everything that happened to the action, newest first: when it was added, every "
            "change to its fields (who, when, each field's old and new value in plain "
            "words) and every progress update."
        ),
    )
    @route(
        detail=True,
        methods=["get"],
        url_path="history",
        filter_backends=[],
        serializer_class=HistoryEntrySerializer,
    )
    def history(self, request: Request, pk: str | None = None) -> Response:
        action = self.get_object()
        # The paginator takes any sequence, not only a queryset.
        entries: Any = action_history(action=action)
        page = self.paginate_queryset(entries)
        data = HistoryEntrySerializer(page, many=True).data
        return with_etag(self.get_paginated_response(data), action)


class ProgressUpdateViewSet(viewsets.ReadOnlyModelViewSet):
    """Progress reports on the actions you may read. Append-only: report through an action."""

    serializer_class = ProgressUpdateSerializer
    filterset_class = ProgressUpdateFilter
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.progress_updates_visible_to(self.request.user)


class MyActionsApi(generics.ListAPIView):
    """Your actions, as owner or supporting owner, with the filters of ``/api/actions/``."""

    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    ordering_fields = ACTION_ORDERING
    # Paged as /api/actions/ is: the same rows cost the same.
    pagination_class = IdsFirstPagination

    def get_queryset(self) -> QuerySet[Action]:
        return selectors.actions_of(self.request.user)
