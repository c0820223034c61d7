"""Escalations: the ladder of who is told about an overdue action or milestone, and when.

Each plan's ladder is data (``notifications.rules``): the owner on day 0, the accountable
lead some working days later, then the SEND Executive and the Lead Member. Each level is told
once per overdue episode (an ``Escalation`` row with a unique key), recorded with who was
told; a progress update pauses the clock, and completing the action, achieving the milestone
or moving its date resolves it.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from accounts.models import User
from actions.dates import working_days_between
from actions.models import OPEN_STATUSES, Action, BoardMembership, Milestone, PlanStatus
from notifications.due import Due, QueueResult, local_date_of
from notifications.ledger import insert_new, ledger_key, ledger_row, new_row
from notifications.models import Audience, Escalation, ItemType, Notification, NotificationKind
from notifications.rules import PlanRules, overdue_day

logger = logging.getLogger(__name__)


def levels_told(
    *,
    before_day: dt.date | None = None,
    action_ids: Sequence[int] | None = None,
    milestone_ids: Sequence[int] | None = None,
) -> set[tuple[str, int, int]]:
    """(item type, item id, level) told in the current overdue episode of open items (of
    the items given, if any are).

    With ``before_day``, only the levels told for a working day before it. That is the day
    the escalation was for, not the moment it was recorded: an operator queueing another day
    (``--as-of``) records it now, for that day. Each escalation keeps how many working days
    late its item was on its day, and that count is one day's alone.
    """
    told = Escalation.objects.filter(resolved_at__isnull=True)
    if action_ids is not None and milestone_ids is not None:
        told = told.filter(Q(action_id__in=action_ids) | Q(milestone_id__in=milestone_ids))
    return {
        (ItemType.ACTION if action_id else ItemType.MILESTONE, action_id or milestone_id, level)
        for action_id, milestone_id, level, due_date, late in told.filter(
            Q(action__status__in=OPEN_STATUSES, action__due_date=F("due_date"))
            | Q(milestone__achieved_on__isnull=True, milestone__due_date=F("due_date"))
        )
        .order_by()
        .values_list("action_id", "milestone_id", "level", "due_date", "working_days_overdue")
        if before_day is None or late < working_days_between(due_date, before_day)
    }


@dataclass(frozen=True)
class _Overdue:
    item_type: str
    item_id: int
    plan_id: int
    due_date: dt.date
    overdue_day: int  # the ladder's count: paused by updates, 0 on the first late day
    late: int  # working days past the due date, as the emails say it
    owner_id: int | None
    lead_id: int


def _overdue_items(today: dt.date) -> list[_Overdue]:
    """Open, overdue actions and unachieved, overdue milestones of active plans (two queries)."""
    return _overdue_actions(today) + _overdue_milestones(today)


def _overdue_actions(today: dt.date) -> list[_Overdue]:
    items: list[_Overdue] = []
    for action_id, plan_id, due_date, last_progress_at, owner_id, lead_id in (
        Action.objects.filter(
            status__in=OPEN_STATUSES, due_date__lt=today, plan__status=PlanStatus.ACTIVE
        )
        .order_by()
        .values_list(
            "id", "plan_id", "due_date", "last_progress_at", "owner_id", "recommendation__lead_id"
        )
    ):
        day = overdue_day(
            today=today, due_date=due_date, last_update=local_date_of(last_progress_at)
        )
        if day >= 0:
            items.append(
                _Overdue(
                    ItemType.ACTION,
                    action_id,
                    plan_id,
                    due_date,
                    day,
                    working_days_between(due_date, today),
                    owner_id,
                    lead_id,
                )
            )
    return items


def _overdue_milestones(today: dt.date) -> list[_Overdue]:
    items: list[_Overdue] = []
    # A progress update on any of a milestone's actions pauses its clock too.
    for milestone_id, plan_id, due_date, lead_id, last_progress_at in (
        Milestone.objects.filter(
            achieved_on__isnull=True,
            due_date__lt=today,
            recommendation__plan__status=PlanStatus.ACTIVE,
        )
        .order_by()
        .annotate(last_progress_at=Max("actions__last_progress_at"))
        .values_list(
            "id",
            "recommendation__plan_id",
            "due_date",
            "recommendation__lead_id",
            "last_progress_at",
        )
    ):
        day = overdue_day(
            today=today, due_date=due_date, last_update=local_date_of(last_progress_at)
        )
        if day >= 0:
            items.append(
                _Overdue(
                    ItemType.MILESTONE,
                    milestone_id,
                    plan_id,
                    due_date,
                    day,
                    working_days_between(due_date, today),
                    None,  # a milestone has no owner: its lead is told at the owner's level
                    lead_id,
                )
            )
    return items


def escalations_resolve(*, now: dt.datetime) -> int:
    """Close open escalations of items that are done or no longer late against that date."""
    open_ = Escalation.objects.filter(resolved_at__isnull=True)
    done_actions = open_.filter(action__isnull=False).filter(
        ~Q(action__status__in=OPEN_STATUSES) | ~Q(action__due_date=F("due_date"))
    )
    met_milestones = open_.filter(milestone__isnull=False).filter(
        Q(milestone__achieved_on__isnull=False) | ~Q(milestone__due_date=F("due_date"))
    )
    count = 0
    for queryset, why in (
        (done_actions, "The action was completed, cancelled or given a new due date."),
        (met_milestones, "The milestone was achieved or given a new due date."),
    ):
        count += Escalation.objects.filter(
            pk__in=list(queryset.values_list("pk", flat=True))
        ).update(resolved_at=now, resolution=why)
    return count


def _audiences(plan_ids: set[int]) -> dict[tuple[int, str], list[int]]:
    """Active members of each plan's board (its SEND Executive) and other audiences."""
    members: dict[tuple[int, str], list[int]] = defaultdict(list)
    active = BoardMembership.objects.filter(user__is_active=True).order_by("user_id")
    for user_id, plan_id in active.filter(board__plans__in=plan_ids).values_list(
        "user_id", "board__plans"
    ):
        members[(plan_id, Audience.EXECUTIVE)].append(user_id)
    for user_id, audience, plan_id in active.filter(board__audience_plans__in=plan_ids).values_list(
        "user_id", "board__audience", "board__audience_plans"
    ):
        if user_id not in members[(plan_id, audience)]:
            members[(plan_id, audience)].append(user_id)
    return members


class _Audiences:
    """Who each ladder level tells about an item: its owner, its lead, or a board's members."""

    def __init__(self, plan_ids: set[int]) -> None:
        self.members = _audiences(plan_ids)

    def told(self, item: _Overdue, audience: str) -> list[int]:
        if audience == Audience.OWNER:
            return [item.owner_id or item.lead_id]
        if audience == Audience.ACCOUNTABLE_LEAD:
            return [item.lead_id]
        return self.members.get((item.plan_id, audience), [])

    def fallback(self, item: _Overdue) -> list[int]:
        # Nobody left to tell at this level (an owner or lead who has left, a plan without a
        # Lead Member board): the lead, else the plan's board, so the step is never silent.
        return [item.lead_id, *self.members.get((item.plan_id, Audience.EXECUTIVE), [])]


# An overdue item, a ladder level it has reached and not yet told, and that level's audience.
_NewLevel = tuple[_Overdue, int, str]


def _new_levels(overdue: list[_Overdue], rules: PlanRules) -> list[_NewLevel]:
    """The ladder levels each overdue item has reached and nobody has been told of yet."""
    told_before = levels_told()
    new: list[_NewLevel] = []
    for item in overdue:
        for step in rules.ladder(item.plan_id, item.item_type):
            if step.after_working_days <= item.overdue_day and (
                (item.item_type, item.item_id, step.level) not in told_before
            ):
                new.append((item, step.level, step.audience))
    # Natural-key order: sweeps racing meet on the same first row and never deadlock.
    new.sort(key=lambda n: (n[0].item_type, n[0].item_id, n[1]))
    return new


def _planned(new: list[_NewLevel], now: dt.datetime) -> list[Escalation]:
    return [
        new_row(
            Escalation,
            plan_id=item.plan_id,
            action_id=item.item_id if item.item_type == ItemType.ACTION else None,
            milestone_id=item.item_id if item.item_type == ItemType.MILESTONE else None,
            due_date=item.due_date,
            level=level,
            audience=audience,
            working_days_overdue=item.late,
            created_at=now,
        )
        for item, level, audience in new
    ]


def _key(escalation: Escalation) -> tuple[int, bool, int]:
    item_id = escalation.action_id or escalation.milestone_id
    assert item_id is not None
    return (item_id, escalation.milestone_id is not None, escalation.level)


def _recipients(
    escalation: Escalation, item: _Overdue, audience: str, who: _Audiences, people: dict[int, str]
) -> list[int]:
    """The active people this level tells; the fallback when none of them is active."""
    recipients = [user_id for user_id in who.told(item, audience) if user_id in people]
    if recipients:
        return recipients
    lead, *board = who.fallback(item)
    recipients = [lead] if lead in people else [u for u in board if u in people]
    logger.warning(
        "Nobody active to tell at level %s (%s) of %s %s; told %s instead",
        escalation.level,
        audience,
        item.item_type,
        item.item_id,
        recipients or "nobody",
    )
    return recipients


def _told(
    inserted: Sequence[Escalation],
    new: list[_NewLevel],
    who: _Audiences,
    people: dict[int, str],
) -> tuple[list[Due], list[Any]]:
    """Each escalation's lines for the people it tells, and the rows recording who was told."""
    by_key = {(i.item_id, i.item_type == ItemType.MILESTONE, lvl): (i, a) for i, lvl, a in new}
    lines: list[Due] = []
    # Rows of the through model of Escalation.told, a class the type stubs make up and no
    # annotation can name.
    told_rows: list[Any] = []
    for escalation in inserted:
        item, audience = by_key[_key(escalation)]
        for user_id in _recipients(escalation, item, audience, who, people):
            told_rows.append(
                new_row(Escalation.told.through, escalation_id=escalation.pk, user_id=user_id)
            )
            lines.append(
                Due(
                    user_id,
                    item.item_type,
                    item.item_id,
                    item.plan_id,
                    "escalated",
                    item.late,
                    audience,
                    item.due_date,
                    escalation_level=escalation.level,
                )
            )
    return lines, told_rows


def highest_levels(lines: list[Due]) -> list[Due]:
    """One line per person and item: the highest level that told them (a sweep catching up
    may reach several levels at once)."""
    highest: dict[tuple[int, str, int], Due] = {}
    for line in lines:
        key = (line.recipient_id, line.item_type, line.item_id)
        if key not in highest or line.escalation_level > highest[key].escalation_level:
            highest[key] = line
    return list(highest.values())


def _ledger_rows(
    lines: list[Due], people: dict[int, str], *, today: dt.date, batch: int, now: dt.datetime
) -> list[Notification]:
    """One email per person told, one line per item at the highest level reached (a sweep
    catching up may reach several levels at once)."""
    by_person: dict[int, list[Due]] = defaultdict(list)
    for line in highest_levels(lines):
        by_person[line.recipient_id].append(line)
    rows = [
        ledger_row(
            recipient_id=person,
            email=people[person],
            kind=NotificationKind.ESCALATION,
            subject_key="escalations",
            occurrence=f"{today.isoformat()}/{batch}",
            items=[line.as_item() for line in sorted(person_lines, key=Due.urgency)],
            now=now,
        )
        for person, person_lines in by_person.items()
    ]
    rows.sort(key=ledger_key)
    return rows


def escalations_record(
    *, today: dt.date, now: dt.datetime | None = None, dry_run: bool = False
) -> QueueResult:
    """Climb the ladder for every overdue item: record each new level once, with who is told.

    The lines for the people told come back in ``due``; the caller puts them in an email
    (``escalations_queue``, or the day's one email in ``notifications.day``) inside the same
    transaction, so a level is never recorded without its email. Escalations cannot be
    switched off in preferences.
    """
    now = now or timezone.now()
    result = QueueResult(today=today)
    rules = PlanRules()
    overdue = _overdue_items(today)
    if not dry_run:
        result.resolved = escalations_resolve(now=now)
    new = _new_levels(overdue, rules)
    if not new:
        return result

    who = _Audiences({item.plan_id for item, _, _ in new})
    planned = _planned(new, now)
    everyone = {
        user_id
        for item, _, audience in new
        for user_id in [*who.told(item, audience), *who.fallback(item)]
    }
    people = dict(User.objects.filter(id__in=everyone, is_active=True).values_list("id", "email"))

    with transaction.atomic():
        if dry_run:
            inserted = planned
        else:
            ids = insert_new(Escalation, planned)
            if not ids:
                return result  # a sweep running at the same time told these levels first
            inserted = list(Escalation.objects.filter(pk__in=ids))
        lines, told_rows = _told(inserted, new, who, people)
        result.escalations = inserted
        result.due = lines
        result.recipients = people
        if not dry_run:
            Escalation.told.through.objects.bulk_create(told_rows, ignore_conflicts=True)
    return result


def escalation_rows(result: QueueResult, *, now: dt.datetime) -> list[Notification]:
    """Escalation emails of their own: one per person told, for the lines given."""
    # Only the sweep that inserted these escalations gets here, so the batch's first
    # escalation names it: another sweep later the same day makes a row of its own.
    batch = min(e.pk for e in result.escalations)
    return _ledger_rows(result.due, result.recipients, today=result.today, batch=batch, now=now)


def escalations_queue(
    *, today: dt.date, now: dt.datetime | None = None, dry_run: bool = False
) -> QueueResult:
    """Climb the ladder and tell each new level once, in an escalation email of its own.

    Each person told gets one email per sweep listing everything newly escalated to them.
    The scheduled sweep puts them in the day's one email instead (``notifications.day``).
    """
    now = now or timezone.now()
    with transaction.atomic():
        result = escalations_record(today=today, now=now, dry_run=dry_run)
        if not dry_run and result.due:
            result.queued_ids = insert_new(Notification, escalation_rows(result, now=now))
    return result
