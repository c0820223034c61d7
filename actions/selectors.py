"""Reads of the plan: what each person may see, as querysets the API can filter and page.

Visibility follows docs/api.md ("Who reads what"). Every rule is the row's id among a UNION
of indexed look-ups (one per way a person can be connected to it), an ``Exists`` subquery or
a foreign-key condition, never a join through a many-to-many relation, so that a row is
never listed twice however many ways a person is connected to it. A UNION rather than an OR
of EXISTS tests: no index serves an OR, and at national scale the OR read whole tables
(docs/performance.md, "Lists for every person").
"""

import datetime as dt
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.models import User
from actions.dates import local_today
from actions.models import (
    OPEN_STATUSES,
    Action,
    ActionStatus,
    Board,
    BoardMembership,
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    PlanStatus,
    PlanType,
    ProgressUpdate,
    Rag,
    Recommendation,
    SuccessMeasure,
)

AnyUser = User | AnonymousUser


def _signed_in(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _is_admin(user: AnyUser) -> bool:
    return _signed_in(user) and bool(user.is_staff)


def _id(user: AnyUser) -> int:
    assert user.pk is not None, "only for people who are signed in"
    return int(user.pk)


def _member_of_board(user: AnyUser, board_ref: str) -> Exists:
    return Exists(BoardMembership.objects.filter(board_id=OuterRef(board_ref), user_id=_id(user)))


def plans_with_progress(queryset: QuerySet[Plan], *, today: dt.date | None = None) -> QuerySet:
    """Annotate each plan with counts of its actions: total, completed, by RAG, overdue.

    The aggregate reads the actions of every plan in ``queryset`` before any page is cut: for
    one plan, or a person's few. A list of plans counts its page's only
    (``plans_attach_progress``).
    """
    today = today or local_today()
    # An aggregate drops Meta.ordering, and pages need a stable order: say it again.
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


PROGRESS_FIELDS = (
    "actions_total",
    "actions_completed",
    "actions_red",
    "actions_amber",
    "actions_green",
    "actions_blue",
    "actions_overdue",
)


def plans_progress(plan_ids: list[int], *, today: dt.date) -> dict[int, dict[str, int]]:
    """The counts ``plans_with_progress`` annotates, for these plans only, in one query.

    Aggregating before paging counted all 60,000 actions of the national data set for every
    page of the plan list, whatever its size. Here only the page's plans' actions are
    counted, by plan, status and RAG (a few hundred groups, summed below), which the index
    ``action_plan_progress`` serves alone.
    """
    counts = {plan_id: dict.fromkeys(PROGRESS_FIELDS, 0) for plan_id in plan_ids}
    groups = (
        Action.objects.filter(plan_id__in=plan_ids)
        .order_by()
        .values_list("plan_id", "status", "rag")
        .annotate(number=Count("*"), late=Count("due_date", filter=Q(due_date__lt=today)))
    )
    for plan_id, status, rag, number, late in groups:
        found = counts[plan_id]
        found["actions_total"] += number
        if rag in Rag.values:
            found[f"actions_{rag}"] += number
        if status == ActionStatus.COMPLETED:
            found["actions_completed"] += number
        if status in OPEN_STATUSES:
            found["actions_overdue"] += late
    return counts


def plans_attach_progress(plans: list[Plan], *, today: dt.date | None = None) -> list[Plan]:
    """Set on a page of plans the counts ``plans_with_progress`` annotates (plans_progress)."""
    counts = plans_progress([plan.pk for plan in plans], today=today or local_today())
    for plan in plans:
        for name, value in counts[plan.pk].items():
            setattr(plan, name, value)
    return plans


# A published plan is public once it is under way: a draft is never shown, even if it was
# marked published (the plan services refuse that, but rows older than the rule may have it).
PUBLISHABLE_STATUSES = (PlanStatus.ACTIVE, PlanStatus.CLOSED)


def plan_is_public() -> Q:
    """The one rule of what the public sees: the API signed out and the public plan pages."""
    return Q(published=True, status__in=PUBLISHABLE_STATUSES)


def plans_public() -> QuerySet[Plan]:
    return Plan.objects.filter(plan_is_public())


def plans_visible_to(user: AnyUser) -> QuerySet[Plan]:
    plans = Plan.objects.select_related("plan_type")
    if not _signed_in(user):
        return plans.filter(plan_is_public())
    if _is_admin(user):
        return plans
    return plans.filter(plan_is_public() | _takes_part_in_plan(user))


def _takes_part_in_plan(user: AnyUser) -> Q:
    """A member of the plan's board, a lead of one of its recommendations, or an owner or
    supporting owner of one of its actions: the plan's id among a UNION of indexed look-ups
    (see ``_visible_action_ids`` for why not an OR of EXISTS tests)."""
    through = Action.supporting_owners.through
    by = _id(user)
    plan_ids = (
        Plan.objects.filter(board__memberships__user_id=by)
        .order_by()
        .values("pk")
        .union(Recommendation.objects.filter(lead_id=by).order_by().values("plan_id"))
        .union(Action.objects.filter(owner_id=by).order_by().values("plan_id"))
        .union(through.objects.filter(user_id=by).order_by().values("action__plan_id"))
    )
    return Q(pk__in=plan_ids)


def colleagues_of(user: User) -> Q:
    """The people someone works with, as a condition on people (accounts.selectors).

    Everyone who takes part in a plan they take part in (board members, leads, owners and
    supporting owners), and the other members of their boards. A plan that is merely
    public does not count: the public page names nobody, and neither does reading it.
    """
    plans = Plan.objects.filter(_takes_part_in_plan(user)).values("pk")
    through = Action.supporting_owners.through
    # order_by(): SQLite refuses an ORDER BY (a model's Meta.ordering) inside a UNION.
    people = (
        BoardMembership.objects.filter(
            Q(board__plans__in=plans)
            | Q(board_id__in=BoardMembership.objects.filter(user_id=_id(user)).values("board_id"))
        )
        .order_by()
        .values("user_id")
        .union(Recommendation.objects.filter(plan_id__in=plans).order_by().values("lead_id"))
        .union(Action.objects.filter(plan_id__in=plans).order_by().values("owner_id"))
        .union(through.objects.filter(action__plan_id__in=plans).order_by().values("user_id"))
    )
    return Q(pk__in=people)


def plan_types_visible_to(user: AnyUser) -> QuerySet[PlanType]:
    if not _signed_in(user):
        return PlanType.objects.none()
    return PlanType.objects.all()


def boards_visible_to(user: AnyUser) -> QuerySet[Board]:
    boards = Board.objects.prefetch_related("memberships__user")
    if _is_admin(user):
        return boards
    if not _signed_in(user):
        return boards.none()
    return boards.filter(_member_of_board(user, "pk"))


def board_members_of(board: Board) -> QuerySet[BoardMembership]:
    return (
        BoardMembership.objects.filter(board=board)
        .select_related("user")
        .order_by("user__name", "pk")
    )


def recommendations_visible_to(user: AnyUser) -> QuerySet[Recommendation]:
    recommendations = Recommendation.objects.select_related("lead")
    if _is_admin(user):
        return recommendations
    if not _signed_in(user):
        return recommendations.none()
    through = Action.supporting_owners.through
    by = _id(user)
    ids = (
        _governed_recommendation_ids(user)
        .union(Action.objects.filter(owner_id=by).order_by().values("recommendation_id"))
        .union(through.objects.filter(user_id=by).order_by().values("action__recommendation_id"))
    )
    return recommendations.filter(pk__in=ids)


def _governed_recommendation_ids(user: AnyUser) -> QuerySet[Any]:
    """Ids of the recommendations a person leads or their board governs: two indexed look-ups."""
    by = _id(user)
    return (
        Recommendation.objects.filter(lead_id=by)
        .order_by()
        .values("pk")
        .union(
            Recommendation.objects.filter(plan__board__memberships__user_id=by)
            .order_by()
            .values("pk")
        )
    )


def _under_recommendation(user: AnyUser, queryset: QuerySet[Any], prefix: str) -> QuerySet[Any]:
    """Rows under a recommendation: its lead and the board members of its plan read them."""
    if _is_admin(user):
        return queryset
    if not _signed_in(user):
        return queryset.none()
    return queryset.filter(**{f"{prefix}recommendation_id__in": _governed_recommendation_ids(user)})


def outcomes_visible_to(user: AnyUser) -> QuerySet[Outcome]:
    return _under_recommendation(user, Outcome.objects.all(), "")


def milestones_visible_to(user: AnyUser) -> QuerySet[Milestone]:
    milestones = Milestone.objects.prefetch_related("actions")
    return _under_recommendation(user, milestones, "")


def measures_visible_to(user: AnyUser) -> QuerySet[SuccessMeasure]:
    return _under_recommendation(user, SuccessMeasure.objects.all(), "")


def readings_visible_to(user: AnyUser) -> QuerySet[MeasureReading]:
    return _under_recommendation(user, MeasureReading.objects.all(), "measure__")


def _own_action_ids(user: AnyUser) -> QuerySet[Any]:
    """Ids of the actions a person owns or supports: two indexed look-ups."""
    through = Action.supporting_owners.through
    by = _id(user)
    # order_by(): SQLite refuses an ORDER BY (Action's Meta.ordering) inside a UNION.
    return (
        Action.objects.filter(owner_id=by)
        .order_by()
        .values("pk")
        .union(through.objects.filter(user_id=by).order_by().values("action_id"))
    )


def _visible_action_ids(user: AnyUser) -> QuerySet[Any]:
    """Ids of the actions a person may read: owned, supported, led, or governed by their board.

    A UNION of four indexed look-ups rather than one OR of EXISTS tests: the database cannot
    use an index for an OR, so at national scale (95,000 progress updates) the OR form read
    every row (about 590 ms for one page of updates, against 86 ms for this one).
    """
    by = _id(user)
    return (
        _own_action_ids(user)
        .union(Action.objects.filter(recommendation__lead_id=by).order_by().values("pk"))
        .union(Action.objects.filter(plan__board__memberships__user_id=by).order_by().values("pk"))
    )


def visible_action_ids(user: AnyUser) -> QuerySet[Any] | None:
    """Ids of the actions a person may read, for a rule on rows that point at actions; None
    for an administrator, who reads them all."""
    if _is_admin(user):
        return None
    if not _signed_in(user):
        return Action.objects.none().values("pk")
    return _visible_action_ids(user)


def visible_milestone_ids(user: AnyUser) -> QuerySet[Any] | None:
    """As ``visible_action_ids``, for milestones."""
    if _is_admin(user):
        return None
    if not _signed_in(user):
        return Milestone.objects.none().values("pk")
    return Milestone.objects.filter(
        recommendation_id__in=_governed_recommendation_ids(user)
    ).values("pk")


def actions_visible_to(user: AnyUser) -> QuerySet[Action]:
    actions = Action.objects.select_related("owner").prefetch_related("supporting_owners")
    if _is_admin(user):
        return actions
    if not _signed_in(user):
        return actions.none()
    return actions.filter(pk__in=_visible_action_ids(user))


def actions_of(user: AnyUser) -> QuerySet[Action]:
    """The person's own actions: as owner or as supporting owner.

    The same UNION of indexed look-ups as ``actions_visible_to``: written as "owner, or
    EXISTS a supporting owner", PostgreSQL read all 60,000 actions of the national data set,
    expected half of them to match, and compiled the count and the page with its JIT
    (docs/performance.md, "Lists for every person").
    """
    actions = Action.objects.select_related("owner").prefetch_related("supporting_owners")
    if not _signed_in(user):
        return actions.none()
    return actions.filter(pk__in=_own_action_ids(user))


def progress_updates_visible_to(user: AnyUser) -> QuerySet[ProgressUpdate]:
    updates = ProgressUpdate.objects.select_related("author")
    if _is_admin(user):
        return updates
    if not _signed_in(user):
        return updates.none()
    return updates.filter(action_id__in=_visible_action_ids(user))


def progress_updates_of(action: Action) -> QuerySet[ProgressUpdate]:
    """An action's history, newest first."""
    return ProgressUpdate.objects.filter(action=action).select_related("author")


def leads_any_recommendation(user: AnyUser) -> bool:
    return _signed_in(user) and Recommendation.objects.filter(lead_id=user.pk).exists()
