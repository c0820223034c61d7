"""Reminders: the daily email to each owner, supporter and lead about what is due.

Before the due date (working days ahead, per the plan's rule or the person's preference), on
the day, and repeating nudges when late; with the updates a board meeting asks for. One email
per person per day lists all their items. The sweep reads only the items that can be due
today, so its cost follows what is due, not what is stored: nine queries at most.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from actions.dates import working_day_number, working_days_between
from actions.models import OPEN_STATUSES, Action, Milestone, Plan, PlanStatus, Recommendation
from notifications.due import Due, QueueResult, local_date, milestone_last_progress
from notifications.escalations import levels_told
from notifications.ledger import OneOf, ids_condition, insert_ledger
from notifications.models import (
    Audience,
    ItemType,
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


@dataclass(frozen=True)
class _Window:
    """Only what can be due today: the due dates of the reminder days ahead, and the late
    items whose nudge falls today, counted from the due date (``nudge``) or from the last
    update (``quiet``), each a London date."""

    today: dt.date
    ahead: list[dt.date]
    nudge: list[dt.date]
    quiet: list[dt.date]
    _sets: tuple[frozenset[dt.date], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        sets = (frozenset(self.ahead), frozenset(self.nudge), frozenset(self.quiet))
        object.__setattr__(self, "_sets", sets)

    def q(self) -> Q:
        return Q(OneOf(F("due_date"), self.ahead)) | Q(
            Q(due_date__lt=self.today)
            & (
                Q(OneOf(F("due_date"), self.nudge))
                | Q(OneOf(local_date("last_progress_at"), self.quiet))
            )
        )

    def may_hold(self) -> Q:
        """The part of ``q()`` that needs no last update."""
        return Q(OneOf(F("due_date"), self.ahead)) | Q(due_date__lt=self.today)

    def holds(self, due_date: dt.date, updated: dt.date | None) -> bool:
        """``q()`` for one item read, with its last update as a London date, as ``q()``
        reads it."""
        ahead, nudge, quiet = self._sets
        if due_date in ahead:
            return True
        return due_date < self.today and (due_date in nudge or updated in quiet)


def _window(today: dt.date, rules: PlanRules) -> _Window:
    """Only what can be due today: the reminder days ahead, and the late items whose nudge
    falls today (counted from the due date, or from the last update)."""
    own_days, earliest_late = _own_days_and_earliest_late(today)
    dates = _candidate_due_dates(today, rules, own_days)
    nudge_dates, quiet_dates = _nudge_dates(today, earliest_late or today, rules)
    return _Window(today, sorted(dates), nudge_dates, quiet_dates)


def _own_days_and_earliest_late(today: dt.date) -> tuple[set[int], dt.date | None]:
    """The reminder days people chose for themselves, and the earliest due date of an open
    action or milestone of an active plan already late (None if there is none).

    One statement, written out: the sweep runs every few minutes, and Django takes longer to
    build such small queries than the database takes to answer them. What an open item is
    matches ``_open_actions`` and ``_open_milestones``.
    """
    table = {
        model: connection.ops.quote_name(model._meta.db_table)
        for model in (Action, Milestone, Recommendation, Plan, NotificationPreference)
    }
    open_statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    sql = f"""
        SELECT days_before, NULL FROM {table[NotificationPreference]}
        WHERE days_before IS NOT NULL
        UNION ALL
        SELECT NULL, MIN(due_date) FROM (
            SELECT action.due_date FROM {table[Action]} action
            JOIN {table[Plan]} plan ON plan.id = action.plan_id
            WHERE action.status IN ({open_statuses}) AND plan.status = %s
              AND action.due_date < %s
            UNION ALL
            SELECT milestone.due_date FROM {table[Milestone]} milestone
            JOIN {table[Recommendation]} recommendation
              ON recommendation.id = milestone.recommendation_id
            JOIN {table[Plan]} plan ON plan.id = recommendation.plan_id
            WHERE milestone.achieved_on IS NULL AND plan.status = %s
              AND milestone.due_date < %s
        ) late"""
    params: list[Any] = [*OPEN_STATUSES, PlanStatus.ACTIVE, today, PlanStatus.ACTIVE, today]
    own_days: set[int] = set()
    earliest: dt.date | None = None
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for days_before, late in cursor.fetchall():
            if days_before is not None:
                own_days.update(json.loads(days_before) or [])
            elif late is not None:
                # SQLite gives the date of a MIN back as text.
                earliest = dt.date.fromisoformat(late) if isinstance(late, str) else late
    return own_days, earliest


def _open_actions() -> Any:
    return Action.objects.filter(status__in=OPEN_STATUSES, plan__status=PlanStatus.ACTIVE)


def _open_milestones() -> Any:
    return Milestone.objects.filter(
        achieved_on__isnull=True, recommendation__plan__status=PlanStatus.ACTIVE
    )


def _action_lines(in_window: Q) -> list[_Line]:
    """A line for the owner and one for each supporting owner of every action in the window.

    One query: an action comes once for each of its supporting owners (once with None if it
    has none), in no particular order."""
    actions: dict[int, tuple[int, int, dt.date, dt.date | None, int]] = {}
    supporters: dict[int, list[int]] = defaultdict(list)
    for action_id, *action, supporter_id in (
        _open_actions()
        .filter(in_window)
        .order_by()
        .annotate(updated=local_date("last_progress_at"))
        .values_list(
            "id",
            "plan_id",
            "owner_id",
            "due_date",
            "updated",
            "recommendation__lead_id",
            "supporting_owners",
        )
    ):
        actions.setdefault(action_id, tuple(action))  # type: ignore[arg-type]
        if supporter_id is not None:
            supporters[action_id].append(supporter_id)
    lines: list[_Line] = []
    for action_id, (plan_id, owner_id, due_date, updated, lead_id) in actions.items():
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


def _milestone_lines(window: _Window) -> list[_Line]:
    """A line for the accountable lead of every milestone in the window.

    A milestone's last update is a look-up of its actions' updates: the window is tested
    here on the few milestones read, which costs less than planning the look-up into every
    date of the window.
    """
    milestones = (
        _open_milestones()
        .filter(window.may_hold())
        .order_by()
        # An update on any of a milestone's actions counts as an update on the milestone.
        .annotate(updated=local_date(milestone_last_progress()))
        .values_list(
            "id",
            "recommendation__plan_id",
            "recommendation__lead_id",
            "due_date",
            "updated",
        )
    )
    return [
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
        for milestone_id, plan_id, lead_id, due_date, updated in milestones
        if window.holds(due_date, updated)
    ]


class _Person(NamedTuple):
    """An active recipient and their reminder preferences (None where they have none)."""

    email: str
    before_due: bool | None
    days_before: list[int] | None
    on_due_date: bool | None
    overdue: bool | None
    as_supporting_owner: bool | None


def _people(recipient_ids: set[int]) -> dict[int, _Person]:
    """The active recipients, with their reminder preferences (written out: Django takes
    longer to build the query than the database takes to answer it)."""
    user = connection.ops.quote_name(User._meta.db_table)
    preference = connection.ops.quote_name(NotificationPreference._meta.db_table)
    condition, params = ids_condition("person.id", recipient_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT person.id, person.email, chosen.before_due, chosen.days_before,
                   chosen.on_due_date, chosen.overdue, chosen.as_supporting_owner
            FROM {user} person LEFT JOIN {preference} chosen ON chosen.user_id = person.id
            WHERE person.is_active AND {condition}""",
            params,
        )
        return {
            # The preferences' JSON comes as text; Django has SQLite hand over its yes and no
            # columns as booleans, as PostgreSQL does.
            person_id: _Person(email, before, json.loads(days) if days else None, *flags)
            for person_id, email, before, days, *flags in cursor.fetchall()
        }


def _reason(
    line: _Line, person: _Person, rules: PlanRules, today: dt.date
) -> tuple[str, int] | None:
    """Why this line is due today for this person, by the plan's rule and their preferences."""
    if line.role == "supporting" and person.as_supporting_owner is False:
        return None
    rule = rules.rule(line.plan_id)
    days_before: Sequence[int] | None = person.days_before
    if days_before is None:
        days_before = rule.days_before
    if person.before_due is False:
        days_before = ()
    return reminder_reason(
        today=today,
        due_date=line.due_date,
        last_update=line.updated,
        days_before=days_before,
        on_due_date=rule.on_due_date and person.on_due_date is not False,
        overdue_every=rule.overdue_every if person.overdue is not False else 0,
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


def _request_lines(requests: list[UpdateRequest], people: dict[int, _Person]) -> list[Due]:
    """The updates a board meeting asks for. An action due today and asked for keeps both
    lines: one is about its date, one about the meeting."""
    lines = []
    for request in requests:
        person = people.get(request.owner_id)
        if person is None or not wants_update_requests(
            before_due=person.before_due, on_due_date=person.on_due_date, overdue=person.overdue
        ):
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

    Nine queries at most: rules, ladders, preferences' own days with the earliest late due
    date, actions with their supporting owners, milestones, levels already escalated, board
    meetings and the actions owing them an update (``update_requests_due``), and the
    recipients with their preferences.

    An overdue nudge is left out on the day the ladder escalates the same item to the same
    person: the escalation says it, at the top of the same email (``notifications.day``).
    """
    rules = PlanRules()
    window = _window(today, rules)
    lines = _action_lines(window.q()) + _milestone_lines(window)
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
    return due, {person_id: person.email for person_id, person in people.items()}


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
    rows = [
        (person, emails[person], [line.as_item() for line in sorted(lines, key=Due.urgency)])
        for person, lines in by_person.items()
    ]
    # One statement on PostgreSQL; inside a caller's transaction a savepoint would only add
    # two round trips.
    with transaction.atomic(savepoint=False):
        result.queued_ids = insert_ledger(
            rows,
            kind=NotificationKind.REMINDERS,
            subject_key="daily",
            occurrence=today.isoformat(),
            now=now or timezone.now(),
        )
    return result
