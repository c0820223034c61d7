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
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from accounts.models import User
from actions.dates import working_days_between
from actions.models import OPEN_STATUSES, Action, BoardMembership, Milestone, PlanStatus
from notifications.due import Due, QueueResult, local_date, milestone_last_progress
from notifications.ledger import insert_columns, insert_ledger, insert_new, new_row
from notifications.models import Audience, Escalation, ItemType, NotificationKind
from notifications.rules import PlanRules, overdue_day

logger = logging.getLogger(__name__)


def levels_told(
    *, before_day: dt.date, action_ids: Sequence[int], milestone_ids: Sequence[int]
) -> set[tuple[str, int, int]]:
    """(item type, item id, level) told in the current overdue episode of the open items
    given, for a working day before ``before_day``.

    That is the day the escalation was for, not the moment it was recorded: an operator
    queueing another day (``--as-of``) records it now, for that day. Each escalation keeps
    how many working days late its item was on its day, and that count is one day's alone.
    """
    told = Escalation.objects.filter(resolved_at__isnull=True).filter(
        Q(action_id__in=action_ids) | Q(milestone_id__in=milestone_ids)
    )
    return {
        (ItemType.ACTION if action_id else ItemType.MILESTONE, action_id or milestone_id, level)
        for action_id, milestone_id, level, due_date, late in told.filter(
            Q(action__status__in=OPEN_STATUSES, action__due_date=F("due_date"))
            | Q(milestone__achieved_on__isnull=True, milestone__due_date=F("due_date"))
        )
        .order_by()
        .values_list("action_id", "milestone_id", "level", "due_date", "working_days_overdue")
        if late < working_days_between(due_date, before_day)
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


def _told_episodes() -> set[tuple[str, int, dt.date, int]]:
    """(item type, item id, due date, level) of every escalation not resolved.

    Matched against an open item's due date, what ``levels_told`` reads for that item,
    without joining every action and milestone: the sweep has just read the items.
    """
    return {
        (ItemType.ACTION if action else ItemType.MILESTONE, action or milestone, due, level)
        for action, milestone, due, level in Escalation.objects.filter(resolved_at__isnull=True)
        .order_by()
        .values_list("action_id", "milestone_id", "due_date", "level")
    }


# An overdue item read for the sweep: id, plan, due date, last update (a London date),
# owner and lead.
_Row = tuple[int, int, dt.date, dt.date | None, int | None, int]


def _overdue_actions(today: dt.date) -> list[_Row]:
    """Open, overdue actions of active plans."""
    return list(
        Action.objects.filter(
            status__in=OPEN_STATUSES, due_date__lt=today, plan__status=PlanStatus.ACTIVE
        )
        .order_by()
        .annotate(updated=local_date("last_progress_at"))
        .values_list("id", "plan_id", "due_date", "updated", "owner_id", "recommendation__lead_id")
    )


def _overdue_milestones(today: dt.date) -> list[_Row]:
    """Unachieved, overdue milestones of active plans; a milestone has no owner: its lead is
    told at the owner's level."""
    # A progress update on any of a milestone's actions pauses its clock too.
    return [
        (milestone_id, plan_id, due_date, updated, None, lead_id)
        for milestone_id, plan_id, due_date, lead_id, updated in (
            Milestone.objects.filter(
                achieved_on__isnull=True,
                due_date__lt=today,
                recommendation__plan__status=PlanStatus.ACTIVE,
            )
            .order_by()
            .annotate(updated=local_date(milestone_last_progress()))
            .values_list(
                "id",
                "recommendation__plan_id",
                "due_date",
                "recommendation__lead_id",
                "updated",
            )
        )
    ]


def escalations_resolve(*, now: dt.datetime) -> int:
    """Close open escalations of items that are done or no longer late against that date."""
    done_action = Action.objects.filter(pk=OuterRef("action_id")).filter(
        ~Q(status__in=OPEN_STATUSES) | ~Q(due_date=OuterRef("due_date"))
    )
    met_milestone = Milestone.objects.filter(pk=OuterRef("milestone_id")).filter(
        Q(achieved_on__isnull=False) | ~Q(due_date=OuterRef("due_date"))
    )
    # One statement for both kinds of item, each closed with its own reason.
    return (
        Escalation.objects.filter(resolved_at__isnull=True)
        .filter(
            (Q(action__isnull=False) & Exists(done_action))
            | (Q(milestone__isnull=False) & Exists(met_milestone))
        )
        .update(
            resolved_at=now,
            resolution=Case(
                When(
                    action__isnull=False,
                    then=Value("The action was completed, cancelled or given a new due date."),
                ),
                default=Value("The milestone was achieved or given a new due date."),
            ),
        )
    )


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


def _new_levels(today: dt.date, rules: PlanRules) -> list[_NewLevel]:
    """The ladder levels each overdue item (an open action, an unachieved milestone of an
    active plan) has reached and nobody has been told of yet.

    Most overdue items were told every level they have reached on an earlier day: an item
    is made only for those with a level to tell.
    """
    told = _told_episodes()
    new: list[_NewLevel] = []
    for item_type, rows in (
        (ItemType.ACTION, _overdue_actions(today)),
        (ItemType.MILESTONE, _overdue_milestones(today)),
    ):
        for item_id, plan_id, due_date, updated, owner_id, lead_id in rows:
            day = overdue_day(today=today, due_date=due_date, last_update=updated)
            if day < 0:
                continue
            item = None
            for step in rules.ladder(plan_id, item_type):
                if step.after_working_days <= day and (
                    (item_type, item_id, due_date, step.level) not in told
                ):
                    if item is None:
                        item = _Overdue(
                            item_type,
                            item_id,
                            plan_id,
                            due_date,
                            day,
                            working_days_between(due_date, today),
                            owner_id,
                            lead_id,
                        )
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
) -> tuple[list[Due], list[tuple[int, int]]]:
    """Each escalation's lines for the people it tells, and who was told of which escalation
    (escalation id, user id)."""
    by_key = {(i.item_id, i.item_type == ItemType.MILESTONE, lvl): (i, a) for i, lvl, a in new}
    lines: list[Due] = []
    told_rows: list[tuple[int, int]] = []
    for escalation in inserted:
        item, audience = by_key[_key(escalation)]
        for user_id in _recipients(escalation, item, audience, who, people):
            told_rows.append((escalation.pk, user_id))
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


def _emails(lines: list[Due], people: dict[int, str]) -> list[tuple[int, str, list[Any]]]:
    """One email per person told (id, address, items), one line per item at the highest
    level reached (a sweep catching up may reach several levels at once)."""
    by_person: dict[int, list[Due]] = defaultdict(list)
    for line in highest_levels(lines):
        by_person[line.recipient_id].append(line)
    return [
        (
            person,
            people[person],
            [line.as_item() for line in sorted(person_lines, key=Due.urgency)],
        )
        for person, person_lines in by_person.items()
    ]


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
    if not dry_run:
        result.resolved = escalations_resolve(now=now)
    new = _new_levels(today, rules)
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

    # Inside a caller's transaction no savepoint is needed: nothing here is caught and
    # retried, so an error undoes the caller's whole transaction, as it should.
    with transaction.atomic(savepoint=False):
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
            insert_columns(
                Escalation.told.through,
                each={
                    "escalation_id": [escalation_id for escalation_id, _ in told_rows],
                    "user_id": [user_id for _, user_id in told_rows],
                },
                same={},
            )
    return result


def escalation_emails_insert(result: QueueResult, *, now: dt.datetime) -> list[int]:
    """Escalation emails of their own: one ledger row per person told, for the lines given."""
    # Only the sweep that inserted these escalations gets here, so the batch's first
    # escalation names it: another sweep later the same day makes a row of its own.
    batch = min(e.pk for e in result.escalations)
    return insert_ledger(
        _emails(result.due, result.recipients),
        kind=NotificationKind.ESCALATION,
        subject_key="escalations",
        occurrence=f"{result.today.isoformat()}/{batch}",
        now=now,
    )


def escalations_queue(
    *, today: dt.date, now: dt.datetime | None = None, dry_run: bool = False
) -> QueueResult:
    """Climb the ladder and tell each new level once, in an escalation email of its own.

    Each person told gets one email per sweep listing everything newly escalated to them.
    The scheduled sweep puts them in the day's one email instead (``notifications.day``).
    """
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        result = escalations_record(today=today, now=now, dry_run=dry_run)
        if not dry_run and result.due:
            result.queued_ids = escalation_emails_insert(result, now=now)
    return result
