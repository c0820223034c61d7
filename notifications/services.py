"""The engine: decide what is due, put it in the ledger once, deliver each row once.

Sweeps are set-based: a constant number of queries whatever the size of the plan, reading
only the items that are due (on the reminder days, today, or overdue). Ledger rows are
inserted with ``ON CONFLICT DO NOTHING`` on their natural key, so two sweeps racing, a re-run
or a redelivered task add nothing; only rows this call inserted are handed back to be
delivered (after commit).
"""

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from actions.dates import (
    LONDON,
    add_working_days,
    is_working_day,
    working_day_number,
    working_days_between,
)
from actions.meetings import awaiting_update_filter, request_days, updates_since
from actions.models import (
    OPEN_STATUSES,
    Action,
    BoardMeeting,
    BoardMembership,
    Milestone,
    PlanStatus,
)
from notifications.models import (
    Audience,
    Escalation,
    ItemType,
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationStatus,
)
from notifications.rules import PlanRules, due_dates_for, overdue_day, reminder_reason

logger = logging.getLogger(__name__)

# Most urgent first: overdue (longest first), due today, then due soonest; then the updates
# a board meeting asks for.
_REASON_ORDER = {
    "overdue": 0,
    "due_today": 1,
    "due_soon": 2,
    "update_requested": 3,
    "escalated": 0,
}


@dataclass(frozen=True)
class Due:
    """One line of one person's email: an item, why it is due, and their part in it."""

    recipient_id: int
    item_type: str
    item_id: int
    plan_id: int
    reason: str
    days: int
    role: str
    due_date: dt.date
    escalation_level: int = 0
    # An update request: the meeting it is for (``days`` counts working days to its papers).
    meeting_id: int | None = None
    meets_on: dt.date | None = None
    papers_due_on: dt.date | None = None

    def as_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "type": self.item_type,
            "id": self.item_id,
            "reason": self.reason,
            "days": self.days,
            "role": self.role,
            "due": self.due_date.isoformat(),
        }
        if self.escalation_level:
            item["level"] = self.escalation_level
        if self.meeting_id is not None:
            assert self.meets_on is not None and self.papers_due_on is not None
            item["meeting"] = self.meeting_id
            item["meets_on"] = self.meets_on.isoformat()
            item["papers_due"] = self.papers_due_on.isoformat()
        return item

    def urgency(self) -> tuple[int, int, str, int]:
        days = -self.days if self.reason in ("overdue", "escalated") else self.days
        return (_REASON_ORDER[self.reason], days, self.item_type, self.item_id)


@dataclass
class QueueResult:
    """What a sweep decided (``due``) and which ledger rows it inserted (``queued_ids``)."""

    today: dt.date
    due: list[Due] = field(default_factory=list)
    queued_ids: list[int] = field(default_factory=list)
    recipients: dict[int, str] = field(default_factory=dict)
    escalations: list[Escalation] = field(default_factory=list)
    resolved: int = 0


def local_date_of(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(LONDON).date() if moment is not None else None


def send_time() -> dt.time:
    return dt.time.fromisoformat(settings.NOTIFICATIONS_SEND_TIME)


def sending_day(now: dt.datetime) -> dt.date | None:
    """The London date whose emails are due at ``now``, or None (non-working day, too early)."""
    local = now.astimezone(LONDON)
    if not is_working_day(local.date()) or local.time() < send_time():
        return None
    return local.date()


# --- Reminders ----------------------------------------------------------------------------


class _Line(NamedTuple):
    recipient_id: int
    item_type: str
    item_id: int
    plan_id: int
    due_date: dt.date
    updated: dt.date | None
    role: str
    owner_id: int | None
    lead_id: int


def _levels_told(
    *,
    before: dt.datetime | None = None,
    action_ids: Sequence[int] | None = None,
    milestone_ids: Sequence[int] | None = None,
) -> set[tuple[str, int, int]]:
    """(item type, item id, level) told in the current overdue episode of open items (of
    the items given, if any are)."""
    told = Escalation.objects.filter(resolved_at__isnull=True)
    if before is not None:
        told = told.filter(created_at__lt=before)
    if action_ids is not None and milestone_ids is not None:
        told = told.filter(Q(action_id__in=action_ids) | Q(milestone_id__in=milestone_ids))
    return {
        (ItemType.ACTION if action_id else ItemType.MILESTONE, action_id or milestone_id, level)
        for action_id, milestone_id, level in told.filter(
            Q(action__status__in=OPEN_STATUSES, action__due_date=F("due_date"))
            | Q(milestone__achieved_on__isnull=True, milestone__due_date=F("due_date"))
        )
        .order_by()
        .values_list("action_id", "milestone_id", "level")
    }


def _with_ids(queryset: QuerySet[Any], column: str, ids: Iterable[int]) -> QuerySet[Any]:
    """``column IN ids``; on PostgreSQL as one array parameter (``= ANY``), not one
    placeholder per id, which the driver would parse and quote one by one."""
    ids = sorted(set(ids))
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{column}__in": ids})
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    name = connection.ops.quote_name(queryset.model._meta.get_field(column).column)
    return queryset.extra(where=[f"{table}.{name} = ANY(%s)"], params=[ids])


def _nudge_dates(
    today: dt.date, earliest: dt.date, rules: PlanRules
) -> tuple[list[dt.date], list[dt.date]]:
    """Past dates whose items may be nudged today, for every rule's interval.

    Due dates from which a nudge falls today (the first late working day, then every N
    working days), and dates of a last update N, 2N, ... working days ago. The sweep reads
    only items on these dates, so its cost follows what is due, not what is stored.
    """
    everies = {rule.overdue_every for rule in rules.all_rules() if rule.overdue_every > 0}
    late_days: set[int] = set()
    quiet_days: set[int] = set()
    span = working_days_between(earliest, today) + 1
    for every in everies:
        late_days.update(range(1, span + 1, every))
        quiet_days.update(range(every, span + 1, every))

    late, quiet = [], []
    earliest = max(earliest, dt.date(1900, 1, 1))  # before that, a typo that is never "due"
    number_today = working_day_number(today)
    day = today - dt.timedelta(days=1)
    while day >= earliest:
        # A weekend or holiday counts as the working day before it.
        count = number_today - working_day_number(day)
        if count in late_days:
            late.append(day)
        if count in quiet_days:
            quiet.append(day)
        day -= dt.timedelta(days=1)
    return late, quiet


def _candidate_due_dates(
    today: dt.date, rules: PlanRules, extra_days: Iterable[int]
) -> set[dt.date]:
    ahead = {0} | {day for rule in rules.all_rules() for day in rule.days_before} | set(extra_days)
    return {date for days in ahead for date in due_dates_for(today, days)}


# --- Update requests before board meetings ------------------------------------------------

# A board asks at most this many working days before its papers deadline (the model's limit).
_MAX_REQUEST_WORKING_DAYS = 60


@dataclass(frozen=True)
class UpdateRequest:
    """An owner asked today for an update on an action, before their plan's board meeting."""

    owner_id: int
    action_id: int
    plan_id: int
    due_date: dt.date
    meeting_id: int
    meets_on: dt.date
    papers_due_on: dt.date
    days: int  # working days until the papers deadline: 0 on the deadline day


def update_requests_due(*, today: dt.date) -> list[UpdateRequest]:
    """Owners whose plan's board asks them today for an update before its meeting.

    Each board's current meeting (``actions.meetings``) asks on two days: the first day of
    its window, and its papers deadline day; an owner who has updated since the previous
    meeting is not asked. Two queries (the meetings, then the actions) whatever the size of
    the plans: one when no board asks today.
    """
    horizon = add_working_days(today, _MAX_REQUEST_WORKING_DAYS + 1)
    previous = (
        BoardMeeting.objects.filter(
            board_id=OuterRef("board_id"), meets_on__lt=OuterRef("meets_on")
        )
        .order_by("-meets_on")
        .values("meets_on")[:1]
    )
    meetings = (
        BoardMeeting.objects.filter(meets_on__gte=today, papers_due_on__lt=horizon)
        .annotate(previous_meets_on=Subquery(previous))
        .order_by("board_id", "meets_on")
        .values_list(
            "id",
            "board_id",
            "meets_on",
            "papers_due_on",
            "board__update_request_working_days",
            "previous_meets_on",
        )
    )
    seen: set[int] = set()
    asking: dict[int, tuple[int, dt.date, dt.date, dt.date | None, int]] = {}
    for meeting_id, board_id, meets_on, papers_due_on, working_days, previous_on in meetings:
        if board_id in seen:
            continue
        days = request_days(
            meets_on=meets_on, papers_due_on=papers_due_on, working_days=working_days
        )
        if days.opens_on > today:
            continue  # not open yet; a later meeting of the board may be (papers due sooner)
        seen.add(board_id)  # the soonest open meeting is the board's current one
        if today in (days.opens_on, days.deadline_on):
            to_deadline = working_days_between(today, days.deadline_on)
            asking[board_id] = (meeting_id, meets_on, papers_due_on, previous_on, to_deadline)
    if not asking:
        return []

    # The previous meeting is the same for every plan of a board, so the test is in SQL; a
    # board's first meeting counts updates since each plan's start, tested below.
    condition = Q()
    for board_id, (_, _, _, previous_on, _) in asking.items():
        if previous_on is None:
            condition |= Q(plan__board_id=board_id)
        else:
            since = updates_since(previous_meets_on=previous_on, plan_start=today)
            condition |= Q(plan__board_id=board_id) & awaiting_update_filter(since)
    requests = []
    for action_id, plan_id, owner_id, due_date, last_progress_at, board_id, plan_start in (
        Action.objects.filter(condition, status__in=OPEN_STATUSES, plan__status=PlanStatus.ACTIVE)
        .order_by()
        .values_list(
            "id",
            "plan_id",
            "owner_id",
            "due_date",
            "last_progress_at",
            "plan__board_id",
            "plan__start_date",
        )
    ):
        meeting_id, meets_on, papers_due_on, previous_on, to_deadline = asking[board_id]
        since = updates_since(previous_meets_on=previous_on, plan_start=plan_start)
        if last_progress_at is not None and last_progress_at >= since:
            continue
        requests.append(
            UpdateRequest(
                owner_id,
                action_id,
                plan_id,
                due_date,
                meeting_id,
                meets_on,
                papers_due_on,
                to_deadline,
            )
        )
    return requests


def _wants_update_requests(person: dict[str, Any]) -> bool:
    """Update requests come with the reminders: someone who switched every reminder off
    (before, on and after the due date) gets none."""
    return any(
        person[f"notification_preference__{name}"] is not False
        for name in ("before_due", "on_due_date", "overdue")
    )


def reminders_due(*, today: dt.date) -> tuple[list[Due], dict[int, str]]:
    """Every reminder due on ``today`` (a working day), and the recipients' addresses.

    Ten queries at most: rules, ladders, preferences' own days, actions, supporting owners,
    milestones, levels already escalated, board meetings and the actions owing them an update
    (``update_requests_due``), and the recipients with their preferences.

    An overdue nudge is left out on the day the ladder escalates the same item to the same
    person: the escalation email says it, and they get one email about it, not two.
    """
    rules = PlanRules()
    own_days = {
        day
        for days in NotificationPreference.objects.exclude(days_before=None).values_list(
            "days_before", flat=True
        )
        for day in (days or [])
    }
    dates = _candidate_due_dates(today, rules, own_days)
    open_actions = Action.objects.filter(status__in=OPEN_STATUSES, plan__status=PlanStatus.ACTIVE)
    open_milestones = Milestone.objects.filter(
        achieved_on__isnull=True, recommendation__plan__status=PlanStatus.ACTIVE
    )
    earliest = min(
        (
            day
            for day in (
                open_actions.filter(due_date__lt=today).aggregate(day=Min("due_date"))["day"],
                open_milestones.filter(due_date__lt=today).aggregate(day=Min("due_date"))["day"],
            )
            if day is not None
        ),
        default=today,
    )
    nudge_dates, quiet_dates = _nudge_dates(today, earliest, rules)
    # Only what can be due today: the reminder days ahead, and the late items whose nudge
    # falls today (counted from the due date, or from the last update).
    in_window = Q(due_date__in=sorted(dates)) | Q(
        Q(due_date__lt=today)
        & (Q(due_date__in=nudge_dates) | Q(last_progress_at__date__in=quiet_dates))
    )

    actions = list(
        open_actions.filter(in_window)
        .order_by()
        .values_list(
            "id", "plan_id", "owner_id", "due_date", "last_progress_at", "recommendation__lead_id"
        )
    )
    supporters: dict[int, list[int]] = defaultdict(list)
    through = Action.supporting_owners.through
    for action_id, user_id in (
        _with_ids(through.objects.all(), "action_id", [row[0] for row in actions])
        .order_by()
        .values_list("action_id", "user_id")
    ):
        supporters[action_id].append(user_id)
    milestones = list(
        open_milestones.order_by()
        # An update on any of a milestone's actions counts as an update on the milestone.
        .annotate(last_progress_at=Max("actions__last_progress_at"))
        .filter(in_window)
        .values_list(
            "id",
            "recommendation__plan_id",
            "recommendation__lead_id",
            "due_date",
            "last_progress_at",
        )
    )

    def ladder_steps_today(line: "_Line") -> list[int]:
        """Levels of the ladder that would tell this person about this item today."""
        day = overdue_day(today=today, due_date=line.due_date, last_update=line.updated)
        levels = []
        for step in rules.ladder(line.plan_id, line.item_type):
            if step.after_working_days != day:
                continue
            if (
                step.audience == Audience.ACCOUNTABLE_LEAD and line.recipient_id == line.lead_id
            ) or (
                step.audience == Audience.OWNER
                and line.recipient_id == (line.owner_id or line.lead_id)
            ):
                levels.append(step.level)
        return levels

    lines: list[_Line] = []
    for action_id, plan_id, owner_id, due_date, last_progress_at, lead_id in actions:
        updated = local_date_of(last_progress_at)
        for user_id, role in [(owner_id, "owner")] + [
            (user_id, "supporting")
            for user_id in supporters.get(action_id, ())
            if user_id != owner_id
        ]:
            lines.append(
                _Line(
                    user_id,
                    ItemType.ACTION,
                    action_id,
                    plan_id,
                    due_date,
                    updated,
                    role,
                    owner_id,
                    lead_id,
                )
            )
    for milestone_id, plan_id, lead_id, due_date, last_progress_at in milestones:
        updated = local_date_of(last_progress_at)
        lines.append(
            _Line(
                lead_id,
                ItemType.MILESTONE,
                milestone_id,
                plan_id,
                due_date,
                updated,
                "lead",
                None,
                lead_id,
            )
        )

    requests = update_requests_due(today=today)
    people = {
        row["id"]: row
        for row in _with_ids(
            User.objects.filter(is_active=True),
            "id",
            {line.recipient_id for line in lines} | {r.owner_id for r in requests},
        ).values(
            "id",
            "email",
            "notification_preference__before_due",
            "notification_preference__days_before",
            "notification_preference__on_due_date",
            "notification_preference__overdue",
            "notification_preference__as_supporting_owner",
        )
    }

    due: list[Due] = []
    escalated_today: list[tuple[Due, list[int]]] = []
    for line in lines:
        recipient_id, item_type, item_id, plan_id, due_date, updated, role = line[:7]
        person = people.get(recipient_id)
        if person is None:
            continue  # deactivated: nobody to remind
        rule = rules.rule(plan_id)
        days_before = person["notification_preference__days_before"]
        if days_before is None:
            days_before = rule.days_before
        if person["notification_preference__before_due"] is False:
            days_before = ()
        if role == "supporting" and person["notification_preference__as_supporting_owner"] is False:
            continue
        reason = reminder_reason(
            today=today,
            due_date=due_date,
            last_update=updated,
            days_before=days_before,
            on_due_date=rule.on_due_date
            and person["notification_preference__on_due_date"] is not False,
            overdue_every=rule.overdue_every
            if person["notification_preference__overdue"] is not False
            else 0,
        )
        if reason is None:
            continue
        line_due = Due(
            recipient_id, item_type, item_id, plan_id, reason[0], reason[1], role, due_date
        )
        levels = ladder_steps_today(line) if reason[0] == "overdue" else []
        if levels:
            escalated_today.append((line_due, levels))
        else:
            due.append(line_due)

    # A nudge on the day the ladder tells the same person about the item is left out: the
    # escalation email is the nudge. Unless that level was told before today (the clock
    # paused and came back), when no escalation email comes today. One told today, by
    # whichever sweep ran first, is today's email.
    if escalated_today:
        start_of_today = dt.datetime.combine(today, dt.time(0), tzinfo=LONDON)
        told = _levels_told(
            before=start_of_today,
            action_ids=[d.item_id for d, _ in escalated_today if d.item_type == ItemType.ACTION],
            milestone_ids=[
                d.item_id for d, _ in escalated_today if d.item_type == ItemType.MILESTONE
            ],
        )
        for line_due, levels in escalated_today:
            if all((line_due.item_type, line_due.item_id, level) in told for level in levels):
                due.append(line_due)

    # After the due dates, in the same email: the updates a board meeting asks for. An action
    # due today and asked for keeps both lines: one is about its date, one about the meeting.
    for request in requests:
        person = people.get(request.owner_id)
        if person is None or not _wants_update_requests(person):
            continue
        due.append(
            Due(
                request.owner_id,
                ItemType.ACTION,
                request.action_id,
                request.plan_id,
                "update_requested",
                request.days,
                "owner",
                request.due_date,
                meeting_id=request.meeting_id,
                meets_on=request.meets_on,
                papers_due_on=request.papers_due_on,
            )
        )
    return due, {person_id: person["email"] for person_id, person in people.items()}


def reminders_queue(
    *, today: dt.date, now: dt.datetime | None = None, dry_run: bool = False
) -> QueueResult:
    """Decide today's reminders and insert one ledger row per person (unless ``dry_run``)."""
    due, emails = reminders_due(today=today)
    result = QueueResult(today=today, due=due, recipients=emails)
    if dry_run or not due:
        return result
    by_person: dict[int, list[Due]] = defaultdict(list)
    for line in due:
        by_person[line.recipient_id].append(line)
    now = now or timezone.now()
    rows = [
        _ledger_row(
            recipient_id=person,
            email=emails[person],
            kind=NotificationKind.REMINDERS,
            subject_key="daily",
            occurrence=today.isoformat(),
            items=[line.as_item() for line in sorted(lines, key=Due.urgency)],
            now=now,
        )
        for person, lines in by_person.items()
    ]
    rows.sort(key=_ledger_key)  # natural-key order: racing sweeps never deadlock
    with transaction.atomic():
        result.queued_ids = insert_new(Notification, rows)
    return result


# --- Escalations --------------------------------------------------------------------------


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
                    None,
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


def escalations_queue(
    *, today: dt.date, now: dt.datetime | None = None, dry_run: bool = False
) -> QueueResult:
    """Climb the ladder for every overdue item; tell each new level once, in the ledger.

    Each person told gets one email per sweep listing everything newly escalated to them.
    Escalations cannot be switched off in preferences.
    """
    now = now or timezone.now()
    result = QueueResult(today=today)
    rules = PlanRules()
    overdue = _overdue_items(today)
    if not dry_run:
        result.resolved = escalations_resolve(now=now)
    told_before = _levels_told()
    new: list[tuple[_Overdue, int, str]] = []
    for item in overdue:
        for step in rules.ladder(item.plan_id, item.item_type):
            if step.after_working_days <= item.overdue_day and (
                (item.item_type, item.item_id, step.level) not in told_before
            ):
                new.append((item, step.level, step.audience))
    if not new:
        return result

    audiences = _audiences({item.plan_id for item, _, _ in new})

    def told(item: _Overdue, audience: str) -> list[int]:
        if audience == Audience.OWNER:
            return [item.owner_id or item.lead_id]
        if audience == Audience.ACCOUNTABLE_LEAD:
            return [item.lead_id]
        return audiences.get((item.plan_id, audience), [])

    # Natural-key order: sweeps racing meet on the same first row and never deadlock.
    new.sort(key=lambda n: (n[0].item_type, n[0].item_id, n[1]))
    planned = [
        Escalation(
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
    by_key = {
        (e.action_id or e.milestone_id, e.milestone_id is not None, e.level): (item, audience)
        for e, (item, _, audience) in zip(planned, new, strict=True)
    }

    def fallback(item: _Overdue) -> list[int]:
        # Nobody left to tell at this level (an owner or lead who has left, a plan without a
        # Lead Member board): the lead, else the plan's board, so the step is never silent.
        return [item.lead_id, *audiences.get((item.plan_id, Audience.EXECUTIVE), [])]

    everyone = {
        user_id for item, _, audience in new for user_id in [*told(item, audience), *fallback(item)]
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
        lines: list[Due] = []
        told_rows = []
        for escalation in inserted:
            item, audience = by_key[
                (
                    escalation.action_id or escalation.milestone_id,
                    escalation.milestone_id is not None,
                    escalation.level,
                )
            ]
            recipients = [user_id for user_id in told(item, audience) if user_id in people]
            if not recipients:
                lead, *board = fallback(item)
                recipients = [lead] if lead in people else [u for u in board if u in people]
                logger.warning(
                    "Nobody active to tell at level %s (%s) of %s %s; told %s instead",
                    escalation.level,
                    audience,
                    item.item_type,
                    item.item_id,
                    recipients or "nobody",
                )
            for user_id in recipients:
                told_rows.append(
                    Escalation.told.through(escalation_id=escalation.pk, user_id=user_id)
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
        result.escalations = inserted
        result.due = lines
        result.recipients = people
        if dry_run:
            return result
        Escalation.told.through.objects.bulk_create(told_rows, ignore_conflicts=True)
        # One line per item in a person's email: the highest level reached, when a sweep
        # catches up several levels at once.
        highest: dict[tuple[int, str, int], Due] = {}
        for line in lines:
            key = (line.recipient_id, line.item_type, line.item_id)
            if key not in highest or line.escalation_level > highest[key].escalation_level:
                highest[key] = line
        by_person: dict[int, list[Due]] = defaultdict(list)
        for line in highest.values():
            by_person[line.recipient_id].append(line)
        # Only the sweep that inserted these escalations gets here, so the batch's first
        # escalation names it: another sweep later the same day makes a row of its own.
        batch = min(e.pk for e in inserted)
        rows = [
            _ledger_row(
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
        rows.sort(key=_ledger_key)
        result.queued_ids = insert_new(Notification, rows)
    return result


# --- The ledger ---------------------------------------------------------------------------


def _ledger_row(
    *,
    recipient_id: int,
    email: str,
    kind: str,
    subject_key: str,
    occurrence: str,
    items: list[dict[str, Any]],
    now: dt.datetime,
) -> Notification:
    return Notification(
        recipient_id=recipient_id,
        kind=kind,
        subject_key=subject_key,
        occurrence=occurrence,
        items=items,
        to_email=email,
        status=NotificationStatus.QUEUED,
        created_at=now,
        next_attempt_at=now,
        updated_at=now,
    )


def _ledger_key(row: Notification) -> tuple[int, str, str, str]:
    return (row.recipient_id, row.kind, row.subject_key, row.occurrence)


def insert_new(model: type[models.Model], objects: Sequence[models.Model]) -> list[int]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the ids of the rows this call added.

    Django's ``bulk_create(ignore_conflicts=True)`` cannot say which rows were new, and only
    the sweep that inserted a row may enqueue its delivery.
    """
    if not objects:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        return _insert_new_postgresql(table, columns, fields, objects)
    ids: list[int] = []
    # SQLite allows 32,766 parameters per statement.
    batch = max(1, 30000 // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch):
            chunk = objects[start : start + batch]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(chunk))
            params = [
                f.get_db_prep_save(getattr(obj, f.attname), connection)
                for obj in chunk
                for f in fields
            ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {placeholders} "
                f"ON CONFLICT DO NOTHING RETURNING id",
                params,
            )
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _insert_new_postgresql(
    table: str, columns: str, fields: Sequence[Any], objects: Sequence[models.Model]
) -> list[int]:
    """One array per column through unnest: a handful of parameters, however many rows.

    A VALUES list would carry one placeholder per cell (tens of thousands for a national
    sweep), each parsed and quoted on the client before the server sees the statement. A
    column with the same value in every row (the kind, the status, the times) is sent once.
    """
    params: list[Any] = []
    sources: list[str] = []
    selects: list[str] = []
    for column in fields:
        name = connection.ops.quote_name(column.column)
        raw = [getattr(obj, column.attname) for obj in objects]
        is_json = isinstance(column, models.JSONField)
        db_type = "text" if is_json else column.db_type(connection)
        selects.append(f"{name}::jsonb" if is_json else name)
        if all(value == raw[0] for value in raw):
            value = json.dumps(raw[0]) if is_json else column.get_db_prep_save(raw[0], connection)
            params.append(value)
            sources.append(f"%s::{db_type} AS {name}")
        elif is_json:
            # One JSON array, quoted once, rather than thousands of JSON strings in a text[].
            params.append(json.dumps(raw))
            sources.append(f"jsonb_array_elements(%s::jsonb) AS {name}")
        else:
            params.append([column.get_db_prep_save(value, connection) for value in raw])
            sources.append(f"unnest(%s::{db_type}[]) AS {name}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {', '.join(selects)} "
            f"FROM (SELECT {', '.join(sources)}) AS rows "
            f"ON CONFLICT DO NOTHING RETURNING id",
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def notifications_to_dispatch(*, now: dt.datetime, limit: int = 500) -> list[int]:
    """Queued rows whose time has come and that nobody enqueued: lost or retrying ones.

    A grace period leaves fresh rows to the delivery enqueued after their sweep's commit.
    """
    grace = dt.timedelta(seconds=settings.NOTIFICATIONS_DISPATCH_GRACE_SECONDS)
    return list(
        Notification.objects.filter(
            Q(attempts=0, next_attempt_at__lte=now - grace)
            # A retry is due when its wait is over; nothing else will enqueue it.
            | Q(attempts__gt=0, next_attempt_at__lte=now),
            status=NotificationStatus.QUEUED,
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def notifications_reconcile(*, now: dt.datetime) -> int:
    """Rows stuck in "sending" (their worker died mid-send) go back to the queue, or fail.

    A row stuck that long may or may not have reached the mail server: it is sent again
    (with the same Message-ID, so mail programs can drop a copy) rather than lost.
    """
    stuck_before = now - dt.timedelta(seconds=settings.NOTIFICATIONS_STUCK_AFTER_SECONDS)
    stuck = Notification.objects.filter(
        status=NotificationStatus.SENDING, claimed_at__lt=stuck_before
    )
    error = "The worker stopped while sending; sending again."
    requeued = stuck.filter(attempts__lt=settings.NOTIFICATIONS_MAX_ATTEMPTS).update(
        status=NotificationStatus.QUEUED, next_attempt_at=now, last_error=error, updated_at=now
    )
    failed = stuck.update(
        status=NotificationStatus.FAILED,
        last_error="The worker stopped while sending, on the last allowed attempt.",
        updated_at=now,
    )
    if requeued or failed:
        logger.warning("Reconciled stuck notifications: %s re-queued, %s failed", requeued, failed)
    return requeued + failed


def notifications_requeue(*, ids: Sequence[int], now: dt.datetime | None = None) -> list[int]:
    """Failed rows go back to the queue for a fresh set of attempts (an operator's choice)."""
    now = now or timezone.now()
    failed = list(
        Notification.objects.filter(pk__in=ids, status=NotificationStatus.FAILED).values_list(
            "pk", flat=True
        )
    )
    Notification.objects.filter(pk__in=failed, status=NotificationStatus.FAILED).update(
        status=NotificationStatus.QUEUED, attempts=0, next_attempt_at=now, updated_at=now
    )
    return failed
