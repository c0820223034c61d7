"""Explicit input and output shapes for the API. They adapt; services decide.

Input serializers reject what they do not take: an unknown field, or a field the API only
shows (``id``, ``version``, an action's ``status``...), is a 400 on that field rather than
being silently ignored.
"""

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django.db.models import QuerySet
from rest_framework import serializers

from accounts.models import User
from actions import selectors
from actions.dates import local_today
from actions.models import (
    Action,
    ActionStatus,
    Board,
    BoardMembership,
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    PlanType,
    ProgressUpdate,
    Rag,
    Recommendation,
    SuccessMeasure,
)

READ_ONLY = "This field is read-only."
UNKNOWN = "Unknown field."
POST_A_PROGRESS_UPDATE = (
    "Status, RAG and completion date change only through a progress update: "
    "POST it to /api/actions/{id}/updates/."
)

# Shown on every TimeStamped row; never taken.
_COMMON_READ_ONLY = frozenset({"id", "version", "created_at", "updated_at"})
# Form posts from the browsable API carry this; it is not a field.
_IGNORED_KEYS = frozenset({"csrfmiddlewaretoken"})


def _active_people(user: Any) -> QuerySet[User]:
    return User.objects.filter(is_active=True)


class RejectUnknownFieldsMixin:
    """A field the serializer does not take is a 400 on that field, never silently ignored."""

    # Fields the API shows but does not take, beyond the common ones, with their message.
    read_only_messages: ClassVar[Mapping[str, str]] = {}
    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        errors: dict[str, Any] = {}
        if isinstance(data, Mapping):
            for key in data:
                if key in self.fields or key in _IGNORED_KEYS:
                    continue
                if key in self.read_only_messages:
                    errors[str(key)] = [self.read_only_messages[key]]
                elif key in _COMMON_READ_ONLY:
                    errors[str(key)] = [READ_ONLY]
                else:
                    errors[str(key)] = [UNKNOWN]
        try:
            value = super().to_internal_value(data)  # type: ignore[misc]
        except serializers.ValidationError as exc:
            if errors and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **errors}) from exc
            raise
        if errors:
            raise serializers.ValidationError(errors)
        return value


class StrictSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    pass


class StrictInputSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """Validates a request body against exactly the fields a write may set."""

    # Related fields limited to the rows the caller can read, so that an id they cannot
    # read answers "does not exist", like a 404 would.
    visible_choices: ClassVar[Mapping[str, Callable[[Any], QuerySet[Any]]]] = {}

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None:
            return fields
        for name, selector in self.visible_choices.items():
            field = fields.get(name)
            if isinstance(field, serializers.ManyRelatedField):
                field.child_relation.queryset = selector(request.user)
            elif isinstance(field, serializers.RelatedField):
                field.queryset = selector(request.user)
        return fields


# --- Output -----------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "name", "email", "job_title", "organisation"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name", "organisation", "job_title", "is_staff"]
        read_only_fields = fields


class PlanTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanType
        fields = ["id", "name", "slug", "description"]
        read_only_fields = fields


class PlanProgressSerializer(serializers.Serializer):
    """Counts of a plan's actions; from annotations (selectors.plans_with_progress)."""

    actions_total = serializers.IntegerField(read_only=True)
    actions_completed = serializers.IntegerField(read_only=True)
    actions_overdue = serializers.IntegerField(read_only=True)
    red = serializers.IntegerField(source="actions_red", read_only=True)
    amber = serializers.IntegerField(source="actions_amber", read_only=True)
    green = serializers.IntegerField(source="actions_green", read_only=True)
    blue = serializers.IntegerField(source="actions_blue", read_only=True)


class PlanSerializer(serializers.ModelSerializer):
    """Public: published plans are shown to anyone, so no personal data here."""

    plan_type_name = serializers.CharField(source="plan_type.name", read_only=True)
    progress = PlanProgressSerializer(source="*", read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "title",
            "slug",
            "plan_type",
            "plan_type_name",
            "local_area",
            "start_date",
            "end_date",
            "status",
            "published",
            "board",
            "summary",
            "progress",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BoardMemberSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="user.id", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = BoardMembership
        fields = ["id", "name", "email", "role", "joined_on"]
        read_only_fields = fields


class BoardSerializer(serializers.ModelSerializer):
    members = BoardMemberSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Board
        fields = [
            "id",
            "name",
            "slug",
            "audience",
            "members",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RecommendationSerializer(serializers.ModelSerializer):
    lead_name = serializers.CharField(source="lead.name", read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "plan",
            "number",
            "title",
            "description",
            "lead",
            "lead_name",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = [
            "id",
            "recommendation",
            "number",
            "title",
            "description",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    supporting_owners: serializers.PrimaryKeyRelatedField[User] = (
        serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    )
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "plan",
            "recommendation",
            "outcome",
            "reference",
            "title",
            "description",
            "owner",
            "owner_name",
            "supporting_owners",
            "start_date",
            "due_date",
            "status",
            "rag",
            "completed_on",
            "is_overdue",
            "latest_update",
            "last_progress_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_overdue(self, action: Action) -> bool:
        return action.is_overdue(on=local_today())


class MilestoneSerializer(serializers.ModelSerializer):
    actions: serializers.PrimaryKeyRelatedField[Action] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "recommendation",
            "title",
            "due_date",
            "achieved_on",
            "actions",
            "is_overdue",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_overdue(self, milestone: Milestone) -> bool:
        return milestone.is_overdue(on=local_today())


class SuccessMeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = SuccessMeasure
        fields = [
            "id",
            "recommendation",
            "outcome",
            "name",
            "unit",
            "baseline",
            "baseline_date",
            "target",
            "target_date",
            "direction",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MeasureReadingSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeasureReading
        fields = [
            "id",
            "measure",
            "taken_on",
            "value",
            "note",
            "recorded_by",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.name", read_only=True)
    evidence_links = serializers.ListField(child=serializers.URLField(), read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "action",
            "author",
            "author_name",
            "created_at",
            "previous_status",
            "status",
            "previous_rag",
            "rag",
            "commentary",
            "evidence_links",
            "completed_on",
        ]
        read_only_fields = fields


# --- Input ------------------------------------------------------------------------------


class PlanInputSerializer(StrictInputSerializer):
    read_only_messages = {"plan_type_name": READ_ONLY, "progress": READ_ONLY}

    class Meta:
        model = Plan
        fields = [
            "title",
            "slug",
            "plan_type",
            "local_area",
            "start_date",
            "end_date",
            "status",
            "published",
            "board",
            "summary",
        ]
        # Database constraints are checked by the services, with messages per field.
        validators: list[Any] = []


class PlanTypeInputSerializer(StrictInputSerializer):
    class Meta:
        model = PlanType
        fields = ["name", "slug", "description"]
        validators: list[Any] = []


class BoardInputSerializer(StrictInputSerializer):
    read_only_messages = {"members": "Members are managed in the admin."}

    class Meta:
        model = Board
        fields = ["name", "slug", "audience"]
        validators: list[Any] = []


class RecommendationInputSerializer(StrictInputSerializer):
    read_only_messages = {"lead_name": READ_ONLY}
    visible_choices = {"plan": selectors.plans_visible_to, "lead": _active_people}

    class Meta:
        model = Recommendation
        fields = ["plan", "number", "title", "description", "lead"]
        validators: list[Any] = []


class OutcomeInputSerializer(StrictInputSerializer):
    visible_choices = {"recommendation": selectors.recommendations_visible_to}

    class Meta:
        model = Outcome
        fields = ["recommendation", "number", "title", "description"]
        validators: list[Any] = []


class ActionInputSerializer(StrictInputSerializer):
    read_only_messages = {
        "status": POST_A_PROGRESS_UPDATE,
        "rag": POST_A_PROGRESS_UPDATE,
        "completed_on": POST_A_PROGRESS_UPDATE,
        "plan": "The plan is the recommendation's plan: change the recommendation instead.",
        "owner_name": READ_ONLY,
        "is_overdue": READ_ONLY,
        "latest_update": POST_A_PROGRESS_UPDATE,
        "last_progress_at": POST_A_PROGRESS_UPDATE,
    }
    visible_choices = {
        "recommendation": selectors.recommendations_visible_to,
        "outcome": selectors.outcomes_visible_to,
        "owner": _active_people,
        "supporting_owners": _active_people,
    }

    class Meta:
        model = Action
        fields = [
            "recommendation",
            "outcome",
            "reference",
            "title",
            "description",
            "owner",
            "supporting_owners",
            "start_date",
            "due_date",
        ]
        validators: list[Any] = []


class MilestoneInputSerializer(StrictInputSerializer):
    read_only_messages = {"is_overdue": READ_ONLY}
    visible_choices = {
        "recommendation": selectors.recommendations_visible_to,
        "actions": selectors.actions_visible_to,
    }

    class Meta:
        model = Milestone
        fields = ["recommendation", "title", "due_date", "achieved_on", "actions"]
        validators: list[Any] = []


class SuccessMeasureInputSerializer(StrictInputSerializer):
    visible_choices = {
        "recommendation": selectors.recommendations_visible_to,
        "outcome": selectors.outcomes_visible_to,
    }

    class Meta:
        model = SuccessMeasure
        fields = [
            "recommendation",
            "outcome",
            "name",
            "unit",
            "baseline",
            "baseline_date",
            "target",
            "target_date",
            "direction",
        ]
        validators: list[Any] = []


class MeasureReadingInputSerializer(StrictInputSerializer):
    read_only_messages = {"recorded_by": "Readings are recorded by whoever sends them."}
    visible_choices = {"measure": selectors.measures_visible_to}

    class Meta:
        model = MeasureReading
        fields = ["measure", "taken_on", "value", "note"]
        validators: list[Any] = []


class ProgressUpdateInputSerializer(StrictSerializer):
    """A progress report; the rules live in ``actions.services.action_update_status``."""

    read_only_messages = {
        "author": "The author is whoever sends the update.",
        "previous_status": READ_ONLY,
        "previous_rag": READ_ONLY,
        "action": "The action is the one in the address.",
    }

    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    rag = serializers.ChoiceField(choices=Rag.choices, required=False)
    commentary = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    evidence_links = serializers.ListField(
        child=serializers.CharField(max_length=2_000), required=False, max_length=50
    )
    completed_on = serializers.DateField(required=False, allow_null=True)
