"""Reminders: the daily email to each owner, supporter and lead about what is due.

Before the due date (working days ahead, per the plan's rule or the person's preference), on
the day, and repeating nudges when late; with the updates a board meeting asks for. One email
per person per day lists all their items. The sweep reads only the items that can be due
today, so its cost follows what is due, not what is stored: ten queries at most.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from accounts.models import User
from actions.dates import working_day_number, working_days_between
from actions.models import OPEN_STATUSES, Action, Milestone, PlanStatus
from notifications.due import Due, QueueResult, local_date_of
from notifications.escalations import levels_told
from notifications.ledger import insert_new, ledger_key, ledger_row, with_ids
from notifications.models import (
    Audience,
    ItemType,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from notifications.rules import PlanRules, due_dates_for, overdue_day, reminder_reason
from notifications.update_requests import UpdateRequest, update_requests_due, wants_update_requests


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


def _window(today: dt.date, rules: PlanRules) -> Q:
    """Only what can be due today: the reminder days ahead, and the late items whose nudge
    falls today (counted from the due date, or from the last update)."""
    own_days = {
        day
        for days in NotificationPreference.objects.exclude(days_before=None).values_list(
            "days_before", flat=True
        )
        for day in (days or [])
    }
    dates = _candidate_due_dates(today, rules, own_days)
    earliest = min(
        (
            day
            for day in (
                _open_actions().filter(due_date__lt=today).aggregate(day=Min("due_date"))["day"],
                _open_milestones().filter(due_date__lt=today).aggregate(day=Min("due_date"))["day"],
            )
            if day is not None
        ),
        default=today,
    )
    nudge_dates, quiet_dates = _nudge_dates(today, earliest, rules)
    return Q(due_date__in=sorted(dates)) | Q(
        Q(due_date__lt=today)
        & (Q(due_date__in=nudge_dates) | Q(last_progress_at__date__in=quiet_dates))
    )


def _open_actions() -> Any:
    return Action.objects.filter(status__in=OPEN_STATUSES, plan__status=PlanStatus.ACTIVE)


def _open_milestones() -> Any:
    return Milestone.objects.filter(
        achieved_on__isnull=True, recommendation__plan__status=PlanStatus.ACTIVE
    )


def _action_lines(in_window: Q) -> list[_Line]:
    """A line for the owner and one for each supporting owner of every action in the window."""
    actions = list(
        _open_actions()
        .filter(in_window)
        .order_by()
        .values_list(
            "id", "plan_id", "owner_id", "due_date", "last_progress_at", "recommendation__lead_id"
        )
    )
    supporters: dict[int, list[int]] = defaultdict(list)
    through = Action.supporting_owners.through
    for action_id, user_id in (
        with_ids(through.objects.all(), "action_id", [row[0] for row in actions])
        .order_by()
        .values_list("action_id", "user_id")
    ):
        supporters[action_id].append(user_id)
    lines: list[_Line] = []
    for action_id, plan_id, owner_id, due_date, last_progress_at, lead_id in actions:
        updated = local_date_of(last_progress_at)
        people = [(owner_id, "owner")] + [
            (user_id, "supporting")
            for user_id in supporters.get(action_id, ())
            if user_id != owner_id
        ]
        for user_id, role in people:
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
    return lines


def _milestone_lines(in_window: Q) -> list[_Line]:
    """A line for the accountable lead of every milestone in the window."""
    milestones = (
        _open_milestones()
        .order_by()
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
    return [
        _Line(
            lead_id,
            ItemType.MILESTONE,
            milestone_id,
            plan_id,
            due_date,
            local_date_of(last_progress_at),
            "lead",
            None,
            lead_id,
        )
        for milestone_id, plan_id, lead_id, due_date, last_progress_at in milestones
    ]


def _people(recipient_ids: set[int]) -> dict[int, dict[str, Any]]:
    """The active recipients, with their reminder preferences."""
    return {
        row["id"]: row
        for row in with_ids(User.objects.filter(is_active=True), "id", recipient_ids).values(
            "id",
            "email",
            "notification_preference__before_due",
            "notification_preference__days_before",
            "notification_preference__on_due_date",
            "notification_preference__overdue",
            "notification_preference__as_supporting_owner",
        )
    }


def _reason(
    line: _Line, person: dict[str, Any], rules: PlanRules, today: dt.date
) -> tuple[str, int] | None:
    """Why this line is due today for this person, by the plan's rule and their preferences."""
    if (
        line.role == "supporting"
        and person["notification_preference__as_supporting_owner"] is False
    ):
        return None
    rule = rules.rule(line.plan_id)
    days_before = person["notification_preference__days_before"]
    if days_before is None:
        days_before = rule.days_before
    if person["notification_preference__before_due"] is False:
        days_before = ()
    return reminder_reason(
        today=today,
        due_date=line.due_date,
        last_update=line.updated,
        days_before=days_before,
        on_due_date=rule.on_due_date
        and person["notification_preference__on_due_date"] is not False,
        overdue_every=rule.overdue_every
        if person["notification_preference__overdue"] is not False
        else 0,
    )


def _ladder_steps_today(line: _Line, rules: PlanRules, today: dt.date) -> list[int]:
    """Levels of the ladder that would tell this person about this item today."""
    day = overdue_day(today=today, due_date=line.due_date, last_update=line.updated)
    levels = []
    for step in rules.ladder(line.plan_id, line.item_type):
        if step.after_working_days != day:
            continue
        if (step.audience == Audience.ACCOUNTABLE_LEAD and line.recipient_id == line.lead_id) or (
            step.audience == Audience.OWNER and line.recipient_id == (line.owner_id or line.lead_id)
        ):
            levels.append(step.level)
    return levels


def _told_before_today(escalated_today: list[tuple[Due, list[int]]], today: dt.date) -> list[Due]:
    """Of the nudges the ladder would make today, those whose levels were all told before
    today (the clock paused and came back): no escalation comes today, so the nudge stays.
    One told for today, by whichever sweep or command ran first, is in today's email.

    "Today" is the day being queued, which an operator's ``--as-of`` may put in the past or
    the future: the escalations are compared by the day they were for, so a second run for
    the same day decides the same as the first."""
    if not escalated_today:
        return []
    told = levels_told(
        before_day=today,
        action_ids=[d.item_id for d, _ in escalated_today if d.item_type == ItemType.ACTION],
        milestone_ids=[d.item_id for d, _ in escalated_today if d.item_type == ItemType.MILESTONE],
    )
    return [
        line_due
        for line_due, levels in escalated_today
        if all((line_due.item_type, line_due.item_id, level) in told for level in levels)
    ]


def _request_lines(requests: list[UpdateRequest], people: dict[int, dict[str, Any]]) -> list[Due]:
    """The updates a board meeting asks for. An action due today and asked for keeps both
    lines: one is about its date, one about the meeting."""
    lines = []
    for request in requests:
        person = people.get(request.owner_id)
        if person is None or not wants_update_requests(person):
            continue
        lines.append(
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
    return lines


def reminders_due(*, today: dt.date) -> tuple[list[Due], dict[int, str]]:
    """Every reminder due on ``today`` (a working day), and the recipients' addresses.

    Ten queries at most: rules, ladders, preferences' own days, actions, supporting owners,
    milestones, levels already escalated, board meetings and the actions owing them an update
    (``update_requests_due``), and the recipients with their preferences.

    An overdue nudge is left out on the day the ladder escalates the same item to the same
    person: the escalation says it, at the top of the same email (``notifications.day``).
    """
    rules = PlanRules()
    in_window = _window(today, rules)
    lines = _action_lines(in_window) + _milestone_lines(in_window)
    requests = update_requests_due(today=today)
    people = _people({line.recipient_id for line in lines} | {r.owner_id for r in requests})

    due: list[Due] = []
    escalated_today: list[tuple[Due, list[int]]] = []
    for line in lines:
        person = people.get(line.recipient_id)
        if person is None:
            continue  # deactivated: nobody to remind
        reason = _reason(line, person, rules, today)
        if reason is None:
            continue
        line_due = Due(
            line.recipient_id,
            line.item_type,
            line.item_id,
            line.plan_id,
            reason[0],
            reason[1],
            line.role,
            line.due_date,
        )
        levels = _ladder_steps_today(line, rules, today) if reason[0] == "overdue" else []
        if levels:
            escalated_today.append((line_due, levels))
        else:
            due.append(line_due)
    due.extend(_told_before_today(escalated_today, today))
    # After the due dates, in the same email: the updates a board meeting asks for.
    due.extend(_request_lines(requests, people))
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
        ledger_row(
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
    rows.sort(key=ledger_key)  # natural-key order: racing sweeps never deadlock
    with transaction.atomic():
        result.queued_ids = insert_new(Notification, rows)
    return result
