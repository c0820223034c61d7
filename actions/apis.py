"""The REST API of the plan (docs/api.md). Views adapt HTTP to selectors and services.

Reads come from ``actions.selectors`` (a row a person cannot read is never found: 404);
writes are checked against ``actions.permissions`` (403 for a refused write, 400 for a field
a role may not change) and made by ``actions.services``, which validate and raise the
errors that ``config.exceptions`` turns into 400 and 412 answers.
"""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
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
    TimeStamped,
)
from actions.pagination import IdsFirstPagination
from actions.permissions import (
    ALL_FIELDS,
    NOT_YOURS,
    ActionPolicy,
    Policy,
    ReadableByAnyone,
    ReadingPolicy,
    RecommendationPolicy,
    UnderRecommendationPolicy,
    is_admin,
    may_report_progress,
)
from actions.serializers import (
    ActionInputSerializer,
    ActionSerializer,
    BoardInputSerializer,
    BoardMemberInputSerializer,
    BoardMemberSerializer,
    BoardSerializer,
    HistoryEntrySerializer,
    MeasureReadingInputSerializer,
    MeasureReadingSerializer,
    MilestoneInputSerializer,
    MilestoneSerializer,
    OutcomeInputSerializer,
    OutcomeSerializer,
    PlanInputSerializer,
    PlanSerializer,
    PlanTypeInputSerializer,
    PlanTypeSerializer,
    ProgressUpdateInputSerializer,
    ProgressUpdateSerializer,
    RecommendationInputSerializer,
    RecommendationSerializer,
    SuccessMeasureInputSerializer,
    SuccessMeasureSerializer,
)
from notifications.serializers import EscalationSerializer

IF_MATCH = OpenApiParameter(
    name="If-Match",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description='The ETag (version) you last read, e.g. "3": a stale write answers 412.',
)

ACTION_ORDERING = ["due_date", "reference", "status", "rag", "updated_at"]


def expected_version(request: Request, instance: models.Model) -> int | None:
    """The version in ``If-Match``: None for none or ``*``; unreadable never matches."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    versions: list[int] = []
    for tag in header.split(","):
        tag = tag.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        tag = tag.strip().strip('"')
        if tag.isdigit() and len(tag) < 19:
            versions.append(int(tag))
    current = getattr(instance, "version", None)
    if current in versions:
        # Still checked under the row lock by the service.
        return current
    return versions[0] if versions else -1


def signed_in(request: Request) -> User:
    """The person making a write; the permission classes have already refused anyone else."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def with_etag(response: Response, instance: models.Model) -> Response:
    if isinstance(instance, TimeStamped):
        response["ETag"] = f'"{instance.version}"'
    return response


def _differs(instance: models.Model, name: str, value: Any) -> bool:
    field = instance._meta.get_field(name)
    if field.many_to_many:
        current = {row.pk for row in getattr(instance, name).all()}
        return current != {getattr(item, "pk", item) for item in value}
    return bool(getattr(instance, name) != value)


class InputOutputSchema(AutoSchema):
    """Documents the input serializer as the request body and the output one as the answer."""

    def get_request_serializer(self) -> Any:
        input_class = getattr(self.view, "input_serializer_class", None)
        if input_class is not None and self.method in ("POST", "PUT", "PATCH"):
            return input_class()
        return super().get_request_serializer()

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self.method in ("PUT", "PATCH", "DELETE"):
            parameters.append(IF_MATCH)
        return parameters


class ResourceViewSet(viewsets.ModelViewSet):
    """List, read, create, change and delete; who may do which is in ``policy``."""

    input_serializer_class: type[serializers.ModelSerializer]
    serializer_class: type[serializers.Serializer]
    policy: Policy = Policy()
    schema = InputOutputSchema()

    def visible(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        return self.visible()

    def respond(self, instance: models.Model, status_code: int = status.HTTP_200_OK) -> Response:
        # Read back through the selector, so the answer has the same shape as a GET.
        fresh = self.get_queryset().filter(pk=instance.pk).first() or instance
        response = Response(self.get_serializer(fresh).data, status=status_code)
        return with_etag(response, fresh)

    def validated(self, instance: models.Model | None, *, partial: bool) -> dict[str, Any]:
        serializer = self.input_serializer_class(
            instance,
            data=self.request.data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create_row(self, fields: Mapping[str, Any]) -> models.Model:
        model = self.input_serializer_class.Meta.model
        return services.model_create(model=model, by=signed_in(self.request), fields=fields)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        return with_etag(Response(self.get_serializer(instance).data), instance)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not self.policy.may_create_any(request.user):
            raise PermissionDenied(self.policy.refused_create)
        fields = self.validated(None, partial=False)
        if not self.policy.may_create(request.user, fields):
            raise PermissionDenied(self.policy.refused_create_here)
        instance = self.create_row(fields)
        return self.respond(instance, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        changeable = self.policy.changeable_fields(request.user, instance)
        if not changeable:
            raise PermissionDenied("You may not change this.")
        fields = self.validated(instance, partial=kwargs.get("partial", False))
        changes = {name: value for name, value in fields.items() if _differs(instance, name, value)}
        errors: dict[str, list[str]] = {}
        if changeable != ALL_FIELDS:
            errors = {name: [NOT_YOURS] for name in changes if name not in changeable}
        errors.update(self.policy.field_errors(request.user, instance, changes))
        if errors:
            raise DRFValidationError(errors)
        # Only what differs is written: a value repeated from a copy read earlier must not
        # undo someone else's change, least of all to a field this role may not change.
        updated = services.model_update(
            instance=instance,
            by=signed_in(request),
            fields=changes,
            expected_version=expected_version(request, instance),
        )
        return self.respond(updated)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        if not self.policy.may_delete(request.user, instance):
            raise PermissionDenied("You may not delete this.")
        services.model_delete(
            instance=instance,
            by=signed_in(request),
            expected_version=expected_version(request, instance),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LadderItemViewSet(ResourceViewSet):
    """Items that climb the escalation ladder (actions, milestones): ``GET {id}/escalations/``."""

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


class PlanViewSet(ResourceViewSet):
    """Plans with progress counts. Anyone, signed in or not, may read published plans."""

    serializer_class = PlanSerializer
    input_serializer_class = PlanInputSerializer
    permission_classes = [ReadableByAnyone]
    ordering_fields = ["title", "start_date", "end_date", "updated_at"]

    def visible(self) -> QuerySet[Plan]:
        return selectors.plans_with_progress(selectors.plans_visible_to(self.request.user))

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


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
def not_found(request: Request) -> Response:
    raise NotFound("There is nothing at this address.")
