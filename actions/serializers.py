"""What the API shows: explicit output shapes, read only. They adapt; services decide.

What the API takes is in ``actions.input_serializers``.
"""

from rest_framework import serializers

from accounts.models import User
from actions.dates import local_today
from actions.models import (
    Action,
    Board,
    BoardMembership,
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    PlanType,
    ProgressUpdate,
    Recommendation,
    SuccessMeasure,
)


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "name", "email", "job_title", "organisation"]
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


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(read_only=True, help_text='The field\'s name, e.g. "due_date".')
    # DRF takes declared fields off the class, so this does not replace Field.label.
    label = serializers.CharField(  # type: ignore[assignment]
        read_only=True, help_text='As people say it: "Due date".'
    )
    old = serializers.CharField(read_only=True, help_text='In plain words: "12 February 2027".')
    new = serializers.CharField(read_only=True, help_text='In plain words: "19 February 2027".')


class HistoryEntrySerializer(serializers.Serializer):
    """One entry of an action's history (actions.history.HistoryEntry)."""

    kind = serializers.ChoiceField(
        choices=[
            ("created", "The action was added"),
            ("change", "Fields were changed"),
            ("progress_update", "Progress was reported"),
        ],
        read_only=True,
    )
    at = serializers.DateTimeField(read_only=True)
    by = serializers.IntegerField(source="by.pk", read_only=True, allow_null=True)
    by_name = serializers.CharField(source="by.name", read_only=True, allow_null=True)
    changes = FieldChangeSerializer(many=True, read_only=True)
    progress_update = ProgressUpdateSerializer(read_only=True, allow_null=True)
