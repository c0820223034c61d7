"""The chasing: reminder rules, the escalation ladder, escalations, preferences and the ledger.

Rules and the ladder are data: one default row set (``plan`` empty) and, per plan, rows that
replace the defaults. Everything sent goes through ``Notification``, the ledger, whose
unique natural key means that a second sweep, a redelivered task or a re-run cannot send the
same thing twice (docs/notifications.md).
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Lower
from simple_history.models import HistoricalRecords

from actions.models import Action, Milestone, Plan


def _validate_days_before(value: Any) -> None:
    if not isinstance(value, list) or not all(
        isinstance(day, int) and not isinstance(day, bool) for day in value
    ):
        raise ValidationError("Give whole numbers of working days, for example [10, 3].")
    if any(day < 1 or day > 60 for day in value):
        raise ValidationError("Each reminder is between 1 and 60 working days before the due date.")
    if len(set(value)) != len(value):
        raise ValidationError("Each number of days appears once.")
    if len(value) > 10:
        raise ValidationError("Give at most 10 numbers of days.")


NO_DAYS_GIVEN = "Give a list such as [10, 3], or [] for no reminders before the due date."


def default_days_before() -> list[int]:
    return [10, 3]


class ReminderRule(models.Model):
    """When owners and leads are reminded. The row without a plan is the default."""

    plan = models.OneToOneField(
        Plan,
        on_delete=models.CASCADE,
        related_name="reminder_rule",
        null=True,
        blank=True,
        help_text="Leave empty for the default that every plan without its own rule uses.",
    )
    days_before = models.JSONField(
        "working days before the due date",
        default=default_days_before,
        blank=True,
        validators=[_validate_days_before],
        help_text="A list such as [10, 3]: a reminder that many working days before. [] for "
        "none before the due date.",
    )
    on_due_date = models.BooleanField("remind on the due date", default=True)
    overdue_every = models.PositiveSmallIntegerField(
        "overdue nudge every (working days)",
        default=5,
        help_text="Overdue items are nudged on their first late working day, then every this "
        "many working days without an update. 0 turns the nudges off.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            # NULLs are distinct in a unique index on ``plan``; 0 stands for "no plan", so
            # this keeps the default to one row (the one-to-one keeps one per plan).
            models.UniqueConstraint(
                Coalesce("plan", Value(0)),
                name="one_default_reminder_rule",
                violation_error_message="There is already a default reminder rule: change it "
                "instead, or choose a plan.",
            ),
            models.CheckConstraint(
                condition=Q(overdue_every__lte=60),
                name="overdue_every_at_most_60",
                violation_error_message="Nudge at most every 60 working days.",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminders for {self.plan}" if self.plan_id else "Default reminders"

    def clean(self) -> None:
        if self.days_before is None:
            raise ValidationError({"days_before": NO_DAYS_GIVEN})


class ItemType(models.TextChoices):
    ACTION = "action", "Action"
    MILESTONE = "milestone", "Milestone"


class Audience(models.TextChoices):
    OWNER = "owner", "The action's owner"
    ACCOUNTABLE_LEAD = "accountable_lead", "The recommendation's accountable lead"
    EXECUTIVE = "executive", "The SEND Executive (the plan's board)"
    LEAD_MEMBER = "lead_member", "The Lead Member"


class EscalationStep(models.Model):
    """One rung of the ladder: after so many working days overdue, tell this audience.

    The rows without a plan are the default ladder. A plan with any rows of its own for an
    item type uses only those for that type.
    """

    plan = models.ForeignKey(
        Plan,
        on_delete=models.CASCADE,
        related_name="escalation_steps",
        null=True,
        blank=True,
        help_text="Leave empty for the default ladder.",
    )
    item_type = models.CharField(max_length=10, choices=ItemType.choices)
    level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    after_working_days = models.PositiveSmallIntegerField(
        help_text="Working days overdue before this level is told; 0 is the first late day.",
        validators=[MaxValueValidator(250)],
    )
    audience = models.CharField(max_length=20, choices=Audience.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "item_type", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["item_type", "level"],
                condition=Q(plan__isnull=True),
                name="default_escalation_level_once",
                violation_error_message="The default ladder already has this level.",
            ),
            models.UniqueConstraint(
                fields=["plan", "item_type", "level"],
                condition=Q(plan__isnull=False),
                name="plan_escalation_level_once",
                violation_error_message="This plan's ladder already has this level.",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1),
                name="escalation_level_from_1",
                violation_error_message="Levels are numbered from 1.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_item_type_display()} level {self.level}: "
            f"{self.get_audience_display()} after {self.after_working_days} working days"
        )


class Escalation(models.Model):
    """One level of the ladder told about one overdue episode of one item.

    The episode is the due date the item was late against: moving the due date starts a new
    episode, and so does reopening a completed action; within one, each level is told once
    (the unique constraint).
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="escalations")
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="escalations", null=True, blank=True
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="escalations", null=True, blank=True
    )
    due_date = models.DateField(help_text="The due date the item was overdue against.")
    level = models.PositiveSmallIntegerField()
    audience = models.CharField(max_length=20, choices=Audience.choices)
    working_days_overdue = models.PositiveSmallIntegerField()
    told = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="escalations_received", blank=True
    )
    created_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__isnull=False, milestone__isnull=True)
                | Q(action__isnull=True, milestone__isnull=False),
                name="escalation_of_one_item",
            ),
            # Once per episode while it is open: an action completed and then reopened, still
            # late, is a new episode and climbs the ladder again.
            models.UniqueConstraint(
                fields=["action", "due_date", "level"],
                condition=Q(action__isnull=False, resolved_at__isnull=True),
                name="action_level_told_once_per_episode",
            ),
            models.UniqueConstraint(
                fields=["milestone", "due_date", "level"],
                condition=Q(milestone__isnull=False, resolved_at__isnull=True),
                name="milestone_level_told_once_per_episode",
            ),
        ]
        indexes = [
            models.Index(
                fields=["resolved_at"], name="open_escalations", condition=Q(resolved_at=None)
            ),
        ]

    def __str__(self) -> str:
        item = self.action or self.milestone
        return f"Level {self.level} ({self.get_audience_display()}) on {item}"

    @property
    def item_type(self) -> str:
        return ItemType.ACTION if self.action_id else ItemType.MILESTONE

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class NotificationPreference(models.Model):
    """What reminders a person wants. Escalations to leads and boards cannot be switched off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    before_due = models.BooleanField("reminders before the due date", default=True)
    days_before = models.JSONField(
        "which working days before",
        null=True,
        blank=True,
        validators=[_validate_days_before],
        help_text="Empty: the plan's choice (usually 10 and 3 working days before).",
    )
    on_due_date = models.BooleanField("a reminder on the due date", default=True)
    overdue = models.BooleanField("nudges when overdue", default=True)
    as_supporting_owner = models.BooleanField(
        "copies of reminders for actions I support", default=True
    )
    digests = models.BooleanField("weekly digests", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Preferences of {self.user}"


class NotificationKind(models.TextChoices):
    REMINDERS = "reminders", "Daily reminders"
    ESCALATION = "escalation", "Escalation"
    # One per board member per plan and period, built from a stored digest snapshot.
    DIGEST = "digest", "Weekly board digest"
    BRIEFING = "briefing", "Lead Member briefing"
    SUMMARY = "summary", "Parent Carer Forum summary"
    # Sent at once when asked for, never batched: the link inside works for a short time.
    PASSWORD_RESET = "password_reset", "Password reset"


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Nothing to send by the time it was delivered: the person left, or every item was done.
    SKIPPED = "skipped", "Not needed"


class DeliveryStatus(models.TextChoices):
    """What the email provider reported after accepting a row (GOV.UK Notify's receipts)."""

    DELIVERED = "delivered", "Delivered"
    # The address does not exist or the inbox refuses mail: sending again will not help.
    PERMANENT_FAILURE = "permanent_failure", "Not delivered: address not reachable"
    # The inbox was full or the server refused for a while; the provider has given up.
    TEMPORARY_FAILURE = "temporary_failure", "Not delivered: inbox unavailable"
    TECHNICAL_FAILURE = "technical_failure", "Not delivered: the provider's own fault"


class Notification(models.Model):
    """The ledger: one row per (recipient, kind, subject, occurrence), sent at most once.

    ``items`` holds what the sweep decided (each action or milestone, why, and the
    recipient's part in it); the delivery task renders it once into ``subject`` and the
    bodies, which stay as the record of what was sent.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    subject_key = models.CharField(max_length=80)
    occurrence = models.CharField(max_length=80)
    items = models.JSONField(default=list)
    to_email = models.EmailField(blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The provider's own id for the email it accepted (GOV.UK Notify's notification id).
    provider_id = models.CharField(max_length=100, blank=True)
    delivery_status = models.CharField(max_length=20, choices=DeliveryStatus.choices, blank=True)
    delivery_status_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_key", "occurrence"],
                name="notification_sent_once",
            ),
            models.CheckConstraint(
                condition=Q(status__in=NotificationStatus.values), name="notification_status"
            ),
        ]
        indexes = [
            # The dispatch and reconcile sweeps look only at unfinished rows.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="unfinished_notifications",
                condition=Q(status__in=["queued", "sending"]),
            ),
            # Each delivery receipt finds its row by the provider's id.
            models.Index(
                fields=["provider_id"],
                name="notification_provider_id",
                condition=~Q(provider_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} ({self.occurrence})"


class UpdateLinkUse(models.Model):
    """A signed update link that has been used: each link records one progress update."""

    digest = models.CharField(max_length=64, unique=True)
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Link for {self.action_id} used at {self.used_at:%Y-%m-%d %H:%M}"


class UnreachableAddress(models.Model):
    """An email address the provider said cannot receive mail: nothing more is sent to it.

    Keyed by the address, not the person: when their address is corrected, sending resumes.
    """

    email = models.EmailField()
    since = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-since"]
        verbose_name = "address we could not reach"
        verbose_name_plural = "addresses we could not reach"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="unreachable_address_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.email
