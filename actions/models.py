"""The improvement plan: plans, recommendations, outcomes, actions, milestones and measures.

Models hold data, database constraints for what must always hold, and small pure
computations. Changes of status go through ``actions.services``; reads through
``actions.selectors``.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from actions.dates import local_today


class BoardAudience(models.TextChoices):
    EXECUTIVE = "executive", "SEND Executive"
    LEAD_MEMBER = "lead_member", "Lead Member"
    PARENT_CARER_FORUM = "parent_carer_forum", "Parent Carer Forum"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    BLOCKED = "blocked", "Blocked"
    CANCELLED = "cancelled", "Cancelled"


# Statuses that still need work; reminders and overdue checks look only at these.
OPEN_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED)


class Rag(models.TextChoices):
    RED = "red", "Red (off track)"
    AMBER = "amber", "Amber (at risk)"
    GREEN = "green", "Green (on track)"
    BLUE = "blue", "Blue (complete)"


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", "Higher is better"
    LOWER_IS_BETTER = "lower", "Lower is better"


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Incremented on every write; the API's ETag, so a stale write gets 412.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        super().save(*args, **kwargs)


class PlanType(TimeStamped):
    """WSOA, strategic plan, priority action plan, ...: data, so a new kind needs no code."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Every month (the first week)"


class Board(TimeStamped):
    """A governance audience (SEND Executive, Lead Member, Parent Carer Forum) and its members."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=80, unique=True)
    audience = models.CharField(max_length=30, choices=BoardAudience.choices)
    members: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="BoardMembership",
        related_name="boards",
        blank=True,
    )
    cadence = models.CharField(
        max_length=12,
        choices=Cadence.choices,
        default=Cadence.WEEKLY,
        help_text="How often this board's members get the digest, briefing or summary.",
    )
    update_request_working_days = models.PositiveSmallIntegerField(
        default=5,
        validators=[MaxValueValidator(60)],
        help_text=(
            "How many working days before a meeting's papers deadline owners are asked for "
            "an update."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BoardMeeting(TimeStamped):
    """A meeting of a board and the deadline for its papers (owners' updates are due by then)."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="meetings")
    meets_on = models.DateField()
    papers_due_on = models.DateField(help_text="Updates and papers are due by this date.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["board", "meets_on"]
        constraints = [
            models.UniqueConstraint(fields=["board", "meets_on"], name="board_meets_once_a_day"),
            models.CheckConstraint(
                condition=Q(papers_due_on__lte=F("meets_on")), name="papers_due_by_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board} on {self.meets_on:%d %B %Y}"


class BoardMembership(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_memberships"
    )
    role = models.CharField(max_length=120, blank=True, help_text="For example: chair.")
    joined_on = models.DateField(default=dt.date.today)
    history = HistoricalRecords()

    class Meta:
        ordering = ["board", "user__name"]
        constraints = [
            models.UniqueConstraint(fields=["board", "user"], name="board_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.board}"


class Plan(TimeStamped):
    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=80, unique=True)
    plan_type = models.ForeignKey(PlanType, on_delete=models.PROTECT, related_name="plans")
    local_area = models.CharField(max_length=150)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    published = models.BooleanField(
        default=False, help_text="Published plans appear on the public plan on a page."
    )
    board = models.ForeignKey(
        Board,
        on_delete=models.PROTECT,
        related_name="plans",
        null=True,
        blank=True,
        help_text="The board that governs this plan (usually the SEND Executive).",
    )
    other_boards = models.ManyToManyField(
        Board,
        related_name="audience_plans",
        blank=True,
        help_text="Other audiences of this plan, such as the Lead Member and the Parent Carer "
        "Forum: they receive its briefings and its top-level escalations.",
    )
    summary = models.TextField(blank=True)
    history = HistoricalRecords(m2m_fields=[other_boards])

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="plan_ends_after_it_starts",
                violation_error_message="A plan cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Recommendation(TimeStamped):
    """A priority or area for improvement, with ONE accountable lead."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_recommendations"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="recommendation_number_unique_in_plan",
                violation_error_message="This plan already has a recommendation with that number.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="recommendation_number_from_1",
                violation_error_message="Recommendations are numbered from 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Outcome(TimeStamped):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="outcomes"
    )
    number = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "number"],
                name="outcome_number_unique_in_recommendation",
                violation_error_message=(
                    "This recommendation already has an outcome with that number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="outcome_number_from_1",
                violation_error_message="Outcomes are numbered from 1.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Action(TimeStamped):
    # `plan` repeats recommendation.plan so that the database can keep references unique
    # within a plan; services set it from the recommendation.
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="actions"
    )
    outcome = models.ForeignKey(
        Outcome, on_delete=models.SET_NULL, related_name="actions", null=True, blank=True
    )
    reference = models.CharField(max_length=20, help_text='For example "2.3".')
    title = models.CharField(max_length=400)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_actions"
    )
    supporting_owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="supported_actions", blank=True
    )
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    rag = models.CharField("RAG", max_length=5, choices=Rag.choices, default=Rag.GREEN)
    completed_on = models.DateField(null=True, blank=True)
    latest_update = models.ForeignKey(
        "ProgressUpdate",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    last_progress_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(m2m_fields=[supporting_owners])

    class Meta:
        ordering = ["plan", "recommendation__number", "due_date", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "reference"],
                name="action_reference_unique_in_plan",
                violation_error_message="This plan already has an action with that reference.",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(due_date__gte=F("start_date")),
                name="action_due_not_before_start",
                violation_error_message="The due date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.COMPLETED) | Q(completed_on__isnull=False),
                name="action_completed_has_date",
                violation_error_message="A completed action needs a completion date.",
            ),
            models.CheckConstraint(
                condition=Q(status=ActionStatus.COMPLETED, rag=Rag.BLUE)
                | (~Q(status=ActionStatus.COMPLETED) & ~Q(rag=Rag.BLUE)),
                name="action_blue_iff_completed",
                violation_error_message="Blue is the RAG rating of completed actions only.",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["status", "due_date"]),
            # The plan list's counts of a page's plans, from the index alone
            # (selectors.plans_attach_progress).
            models.Index(fields=["plan", "status", "rag", "due_date"], name="action_plan_progress"),
            # An administrator's count of ?rag= and ?status=&rag= over every plan.
            models.Index(fields=["rag", "status"], name="action_rag_status"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, *, on: dt.date) -> bool:
        return self.is_open and self.due_date < on


class Milestone(TimeStamped):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(max_length=300)
    due_date = models.DateField()
    achieved_on = models.DateField(null=True, blank=True)
    actions = models.ManyToManyField(Action, related_name="milestones", blank=True)
    history = HistoricalRecords(m2m_fields=[actions])

    class Meta:
        ordering = ["recommendation", "due_date"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # A future "achieved" date would stop the chasing of a milestone not yet met.
        if self.achieved_on is not None and self.achieved_on > local_today():
            raise ValidationError(
                {
                    "achieved_on": "A milestone cannot be achieved in the future: record the "
                    "date on or after the day it is achieved."
                }
            )

    def is_overdue(self, *, on: dt.date) -> bool:
        return self.achieved_on is None and self.due_date < on


class SuccessMeasure(TimeStamped):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="measures"
    )
    outcome = models.ForeignKey(
        Outcome, on_delete=models.SET_NULL, related_name="measures", null=True, blank=True
    )
    name = models.CharField(max_length=300)
    unit = models.CharField(max_length=40, help_text='For example "%" or "days".')
    baseline = models.DecimalField(max_digits=12, decimal_places=2)
    baseline_date = models.DateField(null=True, blank=True)
    target = models.DecimalField(max_digits=12, decimal_places=2)
    target_date = models.DateField()
    direction = models.CharField(
        max_length=6, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_date__isnull=True) | Q(target_date__gte=F("baseline_date")),
                name="measure_target_not_before_baseline",
                violation_error_message="The target date cannot be before the baseline date.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MeasureReading(TimeStamped):
    measure = models.ForeignKey(SuccessMeasure, on_delete=models.CASCADE, related_name="readings")
    taken_on = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "taken_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "taken_on"],
                name="one_reading_per_measure_per_day",
                violation_error_message="This measure already has a reading on that date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.value} on {self.taken_on}"

    def clean(self) -> None:
        if self.taken_on is not None and self.taken_on > local_today():
            raise ValidationError(
                {"taken_on": "A reading cannot be dated in the future: use the day it was taken."}
            )


class ProgressUpdate(models.Model):
    """Append-only record of a progress report: status/RAG change, commentary, evidence."""

    # PROTECT: reported progress is the record an inspector reads, so an action (or a plan)
    # with progress against it is cancelled or closed, never deleted.
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_updates"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    previous_status = models.CharField(max_length=12, choices=ActionStatus.choices)
    status = models.CharField(max_length=12, choices=ActionStatus.choices)
    previous_rag = models.CharField(max_length=5, choices=Rag.choices)
    rag = models.CharField(max_length=5, choices=Rag.choices)
    commentary = models.TextField(blank=True)
    evidence_links = models.JSONField(default=list, blank=True)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Update to {self.action_id} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: the history an inspector reads must never be rewritten.
        if not self._state.adding:
            raise ValueError("Progress updates are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    @property
    def changed_status(self) -> bool:
        return self.previous_status != self.status

    @property
    def changed_rag(self) -> bool:
        return self.previous_rag != self.rag
