"""The per-person lists' rules as they were written before: one OR of EXISTS tests each.

Correct (the parity tests in tests/bench_api compare them with the selectors row for row),
but no index can serve an OR, so at national scale PostgreSQL read every row of the table
for each of them. ``make bench-lists`` times them beside the selectors in the same run, and
``plans_with_progress_everywhere`` is the plan list's count of every plan's actions.
"""

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from actions import selectors
from actions.models import (
    OPEN_STATUSES,
    Action,
    ActionStatus,
    BoardMembership,
    Milestone,
    Plan,
    Rag,
    Recommendation,
)
from digests.models import DigestSnapshot
from notifications.models import Escalation


def _supports(user: Any, action_ref: str) -> Exists:
    through = Action.supporting_owners.through
    return Exists(through.objects.filter(action_id=OuterRef(action_ref), user_id=user.pk))


def _member_of_board(user: Any, board_ref: str) -> Exists:
    return Exists(BoardMembership.objects.filter(board_id=OuterRef(board_ref), user_id=user.pk))


def actions_of(user: Any) -> QuerySet[Action]:
    actions = Action.objects.select_related("owner").prefetch_related("supporting_owners")
    return actions.filter(Q(owner_id=user.pk) | _supports(user, "pk"))


def recommendations_visible_to(user: Any) -> QuerySet[Recommendation]:
    recommendations = Recommendation.objects.select_related("lead")
    if user.is_staff:
        return recommendations
    through = Action.supporting_owners.through
    return recommendations.filter(
        Q(lead_id=user.pk)
        | _member_of_board(user, "plan__board_id")
        | Exists(Action.objects.filter(recommendation_id=OuterRef("pk"), owner_id=user.pk))
        | Exists(through.objects.filter(action__recommendation_id=OuterRef("pk"), user_id=user.pk))
    )


def under_recommendation(user: Any, queryset: QuerySet[Any], prefix: str) -> QuerySet[Any]:
    """Rows under a recommendation (milestones, outcomes, measures, readings)."""
    if user.is_staff:
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}recommendation__lead_id": user.pk})
        | _member_of_board(user, f"{prefix}recommendation__plan__board_id")
    )


def milestones_visible_to(user: Any) -> QuerySet[Milestone]:
    return under_recommendation(user, Milestone.objects.prefetch_related("actions"), "")


def plans_visible_to(user: Any) -> QuerySet[Plan]:
    plans = Plan.objects.select_related("plan_type")
    if user.is_staff:
        return plans
    through = Action.supporting_owners.through
    return plans.filter(
        selectors.plan_is_public()
        | _member_of_board(user, "board_id")
        | Exists(Recommendation.objects.filter(plan_id=OuterRef("pk"), lead_id=user.pk))
        | Exists(Action.objects.filter(plan_id=OuterRef("pk"), owner_id=user.pk))
        | Exists(through.objects.filter(action__plan_id=OuterRef("pk"), user_id=user.pk))
    )


def escalations_visible_to(user: Any) -> QuerySet[Escalation]:
    actions = selectors.actions_visible_to(user).filter(pk=OuterRef("action_id"))
    milestones = milestones_visible_to(user).filter(pk=OuterRef("milestone_id"))
    told = Escalation.told.through.objects.filter(escalation_id=OuterRef("pk"), user_id=user.pk)
    return (
        Escalation.objects.filter(Q(Exists(actions)) | Q(Exists(milestones)) | Q(Exists(told)))
        .prefetch_related("told")
        .order_by("-created_at", "-id")
    )


def snapshots_visible_to(user: Any) -> QuerySet[DigestSnapshot]:
    snapshots = DigestSnapshot.objects.select_related("plan", "board").defer("spreadsheet", "state")
    if user.is_staff:
        return snapshots
    member = BoardMembership.objects.filter(user_id=user.pk)
    return snapshots.filter(
        Q(Exists(member.filter(board_id=OuterRef("board_id"))))
        | Q(Exists(member.filter(board_id=OuterRef("plan__board_id"))))
    )


def plans_with_progress_everywhere(queryset: QuerySet[Plan], *, today: dt.date) -> QuerySet:
    """Every visible plan's actions counted in one aggregate, before the page is cut."""
    return queryset.order_by("title", "pk").annotate(
        actions_total=Count("actions"),
        actions_completed=Count("actions", filter=Q(actions__status=ActionStatus.COMPLETED)),
        actions_red=Count("actions", filter=Q(actions__rag=Rag.RED)),
        actions_amber=Count("actions", filter=Q(actions__rag=Rag.AMBER)),
        actions_green=Count("actions", filter=Q(actions__rag=Rag.GREEN)),
        actions_blue=Count("actions", filter=Q(actions__rag=Rag.BLUE)),
        actions_overdue=Count(
            "actions",
            filter=Q(actions__status__in=OPEN_STATUSES, actions__due_date__lt=today),
        ),
    )
