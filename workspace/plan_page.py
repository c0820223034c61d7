"""A plan's page in the workspace: the board's "plan on a page", read once per request.

The figures come from the digest's reads and sums (``digests.selectors.plan_data`` and
``digests.content``), so the page and the weekly digest can never disagree about how many
actions are overdue or which escalations are open. ``plan_data`` reads the plan with one
query per table, so the page costs the same number of queries for 5 actions or 400.

Who sees which rows is decided by the API's selectors, not here. Everyone the plan is visible
to sees its overall figures (as ``GET /api/plans/<id>/`` gives them). The recommendations,
milestones, escalations and owed updates listed are those of the rows the selectors let the
person read: all of them for an administrator or a member of the plan's board, the parts they
work on for a lead or an owner, none for someone reading a published plan they take no part
in. Nothing here names an action or a person they could not look up through the API.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from accounts.models import User
from actions.models import OPEN_STATUSES, Action, Plan
from actions.selectors import (
    actions_visible_to,
    milestones_visible_to,
    recommendations_visible_to,
)
from digests.content import (
    awaiting_updates,
    escalations_by_level,
    headline,
    milestones_ahead,
)
from digests.selectors import PlanData, plan_data, snapshots_visible_to
from notifications.reachability import people_unreachable
from workspace.plan_charts import Segment, rag_bar

# Digests listed per page of the archive (a weekly digest is about 50 a year).
ARCHIVE_PAGE_SIZE = 20


@dataclass(frozen=True)
class RecommendationRow:
    pk: int
    number: int
    title: str
    lead: str
    figures: dict[str, Any]  # digests.content.headline of the recommendation's actions
    bar: list[Segment]


@dataclass
class PlanPage:
    plan: Plan
    today: dt.date
    whole_plan: bool  # every recommendation, action and milestone of it is the person's to read
    headline: dict[str, Any]
    bar: list[Segment]
    recommendations: list[RecommendationRow] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    awaiting: dict[str, Any] | None = None
    archive: Page | None = None
    # Owners of the open actions shown whose email address the provider could not reach.
    unreachable: list[User] = field(default_factory=list)


@dataclass(frozen=True)
class Visible:
    """The ids of the plan's rows the API lets this person read."""

    recommendations: set[int]
    actions: set[int]
    milestones: set[int]

    def covers(self, data: PlanData) -> bool:
        return (
            {r["id"] for r in data.recommendations} <= self.recommendations
            and {a["id"] for a in data.actions} <= self.actions
            and {m["id"] for m in data.milestones} <= self.milestones
        )


def _ids(queryset: QuerySet[Any]) -> set[int]:
    # prefetch_related(None): the selectors prefetch for serializers; ids need none of it.
    return set(queryset.prefetch_related(None).values_list("pk", flat=True))


def visible_in(plan: Plan, *, user: User) -> Visible:
    """What of the plan the API's selectors let this person read (three queries)."""
    return Visible(
        recommendations=_ids(recommendations_visible_to(user).filter(plan_id=plan.pk)),
        actions=_ids(actions_visible_to(user).filter(plan_id=plan.pk)),
        milestones=_ids(milestones_visible_to(user).filter(recommendation__plan_id=plan.pk)),
    )


def cut_to(data: PlanData, visible: Visible) -> PlanData:
    """The plan's data with only the actions and milestones the person may read, and the
    escalations and owed updates of those."""
    actions, milestones = visible.actions, visible.milestones
    return replace(
        data,
        actions=[a for a in data.actions if a["id"] in actions],
        milestones=[m for m in data.milestones if m["id"] in milestones],
        escalations=[
            e
            for e in data.escalations
            if e["action_id"] in actions or e["milestone_id"] in milestones
        ],
        awaiting=[a for a in data.awaiting if a["id"] in actions],
    )


def recommendation_rows(data: PlanData, *, visible: set[int]) -> list[RecommendationRow]:
    """The figures of each recommendation in ``visible``, summed by the digest's own
    ``headline`` over all its actions and milestones."""
    actions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    milestones: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for action in data.actions:
        actions[action["recommendation__number"]].append(action)
    for milestone in data.milestones:
        milestones[milestone["recommendation__number"]].append(milestone)
    rows = []
    for recommendation in data.recommendations:
        if recommendation["id"] not in visible:
            continue
        number = recommendation["number"]
        figures = headline(replace(data, actions=actions[number], milestones=milestones[number]))
        rows.append(
            RecommendationRow(
                pk=recommendation["id"],
                number=number,
                title=recommendation["title"],
                lead=recommendation["lead__name"] or "",
                figures=figures,
                bar=rag_bar(figures),
            )
        )
    return rows


def _with_links(data: PlanData, seen: PlanData) -> tuple[list[dict[str, Any]], Any]:
    """The milestones ahead and the owed updates, each with the id its link needs."""
    recommendation_ids = {r["number"]: r["id"] for r in data.recommendations}
    milestones = [
        {**m, "recommendation_id": recommendation_ids.get(m["recommendation"])}
        for m in milestones_ahead(seen)
    ]
    awaiting = awaiting_updates(seen)
    if awaiting is not None:
        # A reference is unique within its plan.
        action_ids = {a["reference"]: a["id"] for a in seen.actions}
        awaiting["actions"] = [
            {**a, "pk": action_ids.get(a["reference"])} for a in awaiting["actions"]
        ]
    return milestones, awaiting


def digest_archive(*, user: User, plan: Plan, page: str | None) -> Page:
    """The plan's stored digests this person may read, newest first (two queries)."""
    snapshots = (
        snapshots_visible_to(user)
        .filter(plan=plan)
        .defer("content", "recipients")
        .order_by("-as_of", "-id")
    )
    return Paginator(snapshots, ARCHIVE_PAGE_SIZE).get_page(page)


def plan_page(
    *, user: User, plan: Plan, now: dt.datetime, today: dt.date, page: str | None
) -> PlanPage:
    """Everything the plan's page shows, for this person, on ``today`` (London)."""
    data = plan_data(plan=plan, as_of=today, now=now)
    visible = visible_in(plan, user=user)
    seen = cut_to(data, visible)
    overall = headline(data)
    milestones, awaiting = _with_links(data, seen)
    return PlanPage(
        plan=plan,
        today=today,
        whole_plan=visible.covers(data),
        headline=overall,
        bar=rag_bar(overall),
        recommendations=recommendation_rows(data, visible=visible.recommendations),
        escalations=escalations_by_level(seen),
        milestones=milestones,
        awaiting=awaiting,
        archive=digest_archive(user=user, plan=plan, page=page),
        unreachable=owners_unreachable(seen),
    )


def owners_unreachable(seen: PlanData) -> list[User]:
    """The owners of the open actions the person sees whose address is marked (one query)."""
    open_ids = [a["id"] for a in seen.actions if a["status"] in OPEN_STATUSES]
    if not open_ids:
        return []
    owners = Action.objects.filter(pk__in=open_ids).values("owner_id")
    return people_unreachable(User.objects.filter(pk__in=owners))


def plan_actions_xlsx_data(*, user: User, plan: Plan, now: dt.datetime, today: dt.date) -> PlanData:
    """The plan's data with the actions this person may read: what the XLSX lists."""
    data = plan_data(plan=plan, as_of=today, now=now)
    return cut_to(data, visible_in(plan, user=user))
