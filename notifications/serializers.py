"""What the API shows of the ledger, escalations and preferences (explicit fields)."""

from typing import Any

from rest_framework import serializers

from accounts.models import User
from notifications.models import Escalation, Notification, NotificationPreference


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "name"]
        read_only_fields = fields


class NotificationItemSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["action", "milestone"])
    id = serializers.IntegerField()
    reason = serializers.ChoiceField(
        choices=["due_soon", "due_today", "overdue", "escalated", "update_requested"]
    )
    days = serializers.IntegerField(
        help_text="Working days before the due date, or overdue; for an update request, "
        "working days before the papers deadline."
    )
    role = serializers.CharField(help_text="Your part in the item: owner, supporting, lead, ...")
    due = serializers.DateField()
    level = serializers.IntegerField(required=False, help_text="Escalation level, if escalated.")
    meeting = serializers.IntegerField(
        required=False, help_text="The board meeting an update is requested for."
    )
    meets_on = serializers.DateField(required=False, help_text="When that meeting is.")
    papers_due = serializers.DateField(
        required=False, help_text="The meeting's papers deadline: the update is due by then."
    )


class NotificationSerializer(serializers.ModelSerializer):
    items = NotificationItemSerializer(many=True, read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "occurrence",
            "subject",
            "items",
            "status",
            "attempts",
            "last_error",
            "to_email",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


class EscalationSerializer(serializers.ModelSerializer):
    item_type = serializers.CharField(read_only=True)
    told = PersonSerializer(many=True, read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "item_type",
            "action",
            "milestone",
            "plan",
            "due_date",
            "level",
            "audience",
            "working_days_overdue",
            "told",
            "created_at",
            "is_open",
            "resolved_at",
            "resolution",
        ]
        read_only_fields = fields


class PreferencesSerializer(serializers.ModelSerializer):
    days_before = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=60),
        allow_null=True,
        allow_empty=False,
        required=False,
        max_length=10,
        error_messages={
            "empty": "Give at least one number of days, or null for the plan's choice.",
            "max_length": "Give at most 10 numbers of days.",
        },
        help_text="Working days before the due date, e.g. [10, 3]; null for the plan's choice.",
    )

    class Meta:
        model = NotificationPreference
        fields = [
            "before_due",
            "days_before",
            "on_due_date",
            "overdue",
            "as_supporting_owner",
            "digests",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        # Null for someone who has never saved a choice: the schema says so.
        extra_kwargs = {"updated_at": {"allow_null": True}}

    def to_internal_value(self, data: Any) -> Any:
        # Refused, not ignored (docs/api.md): a name that is not a preference, or one the
        # service keeps itself.
        names = set(data) if isinstance(data, dict) else set()
        errors = {name: ["There is no such preference."] for name in names - set(self.fields)}
        errors.update(
            {
                name: ["This is set by the service and cannot be changed."]
                for name in names & set(self.fields)
                if self.fields[name].read_only
            }
        )
        if errors:
            raise serializers.ValidationError(dict(sorted(errors.items())))
        return super().to_internal_value(data)


class CalendarLinkSerializer(serializers.Serializer):
    url = serializers.URLField(
        read_only=True,
        help_text="Your calendar feed (iCalendar): subscribe to it in your calendar program. "
        "Keep it to yourself; it stops working when your password changes.",
    )
