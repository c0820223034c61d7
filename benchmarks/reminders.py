"""Benchmark: one day's reminder and escalation sweep, at national scale and at a tenth.

Times the engine (``notifications.services.reminders_queue`` and ``escalations_queue``:
decide, then insert the ledger rows) against, in the same run on the same data,

(a) the naive loop a newcomer writes: every open action and milestone of every active plan,
    its rule loaded, each offset checked, owners and preferences fetched per item, and the
    escalations, told people and ledger rows created one by one with ``get_or_create``;
(b) the floor: hand-written PostgreSQL, one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``
    for the reminders and, for the escalations, one ``UPDATE`` (resolve) and one ``INSERT``
    whose data-modifying CTEs write the escalations, the people told and the ledger rows.

All three must queue the same ledger rows (recipient, kind, items) and the same escalations;
the benchmark checks that on the data it times and stops if they differ.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench make bench-reminders

The database must be PostgreSQL and hold only synthetic plans: the benchmark empties the
ledger and the escalations. It generates the national data set (150 plans x 400 actions,
10,000 people, seed 1, dated around 25 November 2026) if missing, and a tenth (15 plans x 400
actions, 1,000 people, seed 1) generated at that size in a second database
(TENTH_DATABASE_URL, by default the same name with ``_tenth``); both created if missing.

Before timing, each database is vacuumed and analysed. The engine and the floor then run in
turn, run by run (``benchmarks.alternate``), 15 runs each unless ``--runs`` says otherwise;
every pair must queue the same rows. The report gives the minimum and the median of each,
their ratio against the 1.5x aim, and the engine's cost per line due: the straight line
through its median times at the two scales.
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import django
from django.apps import apps

if not apps.ready:  # run as a program (the tests import it with Django set up)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # Timed as in production: with DEBUG on, Django would log every query of every run.
    os.environ.setdefault("DEBUG", "false")
    django.setup()

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from actions.dataset import email_domain, slug_prefix
from actions.dates import (
    LONDON,
    add_working_days,
    working_day_number,
    working_days_between,
)
from actions.models import OPEN_STATUSES, Action, Milestone, Plan, PlanStatus
from benchmarks.alternate import RowsDiffer, alternate, vacuum_analyze
from benchmarks.reminders_report import report
from notifications.models import (
    Audience,
    Escalation,
    EscalationStep,
    ItemType,
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationStatus,
    ReminderRule,
)
from notifications.rules import FALLBACK_RULE, due_dates_for
from notifications.services import escalations_queue, reminders_queue
from workers.celery import freeze_start_up_objects

# A Wednesday and a working day; the data set is generated around it.
TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 9, 5, tzinfo=LONDON)
# Escalations are already told up to the previous working day, as after daily sweeps.
YESTERDAY = add_working_days(TODAY, -1)
YESTERDAY_NOW = dt.datetime.combine(YESTERDAY, dt.time(9, 5), tzinfo=LONDON)
SEED = 1
NATIONAL = {"plans": 150, "actions_per_plan": 400, "people": 10000}
# A tenth generated at that size: its tables hold its own rows only, none dead or left over.
SIZES = {"national": NATIONAL, "tenth": {"plans": 15, "actions_per_plan": 400, "people": 1000}}
# Runs of the naive loop (within its budget).
RUNS = 5
# Runs of the engine and of the floor, in turn.
PAIRED_RUNS = 15
AIM = 1.5
# The naive loop takes minutes at national scale: best of as many runs as fit in this.
NAIVE_BUDGET_SECONDS = 30.0

Row = tuple[Any, ...]


# --- (a) The naive loop -------------------------------------------------------------------


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(LONDON).date() if moment is not None else None


def _naive_rule(plan_id: int) -> tuple[list[int], bool, int]:
    rule = (
        ReminderRule.objects.filter(plan_id=plan_id).first()
        or ReminderRule.objects.filter(plan__isnull=True).first()
    )
    if rule is None:
        return list(FALLBACK_RULE.days_before), FALLBACK_RULE.on_due_date, 5
    return list(rule.days_before or []), rule.on_due_date, rule.overdue_every


def _naive_reason(
    *,
    today: dt.date,
    due_date: dt.date,
    updated: dt.date | None,
    days_before: list[int],
    on_due_date: bool,
    every: int,
) -> tuple[str, int] | None:
    for offset in days_before:
        if due_date in due_dates_for(today, offset):
            return ("due_soon", offset)
    if on_due_date and due_date in due_dates_for(today, 0):
        return ("due_today", 0)
    if due_date < today and every > 0:
        late = working_days_between(due_date, today)
        if late < 1:
            return None
        if updated is not None and updated > due_date:
            quiet = working_days_between(updated, today)
            if quiet >= every and quiet % every == 0:
                return ("overdue", late)
        elif (late - 1) % every == 0:
            return ("overdue", late)
    return None


def _naive_ladder(plan_id: int, item_type: str) -> list[EscalationStep]:
    return list(
        EscalationStep.objects.filter(plan_id=plan_id, item_type=item_type).order_by("level")
    ) or list(
        EscalationStep.objects.filter(plan__isnull=True, item_type=item_type).order_by("level")
    )


def _naive_overdue_day(today: dt.date, due_date: dt.date, updated: dt.date | None) -> int:
    if updated is None or updated <= due_date:
        return working_days_between(due_date, today) - 1
    return working_days_between(updated, today)


def _naive_escalated_today(
    *, person: User, item: Action | Milestone, plan_id: int, updated: dt.date | None, today: dt.date
) -> bool:
    """Whether the ladder tells this person about this item today (then no nudge)."""
    day = _naive_overdue_day(today, item.due_date, updated)
    start_of_today = dt.datetime.combine(today, dt.time(0), tzinfo=LONDON)
    item_type = ItemType.ACTION if isinstance(item, Action) else ItemType.MILESTONE
    for step in _naive_ladder(plan_id, item_type):
        if step.after_working_days != day:
            continue
        told = Escalation.objects.filter(
            Q(action=item) if isinstance(item, Action) else Q(milestone=item),
            due_date=item.due_date,
            level=step.level,
            resolved_at__isnull=True,
            created_at__lt=start_of_today,
        )
        if told.exists():
            continue
        lead = item.recommendation.lead
        owner = item.owner if isinstance(item, Action) else None
        if step.audience == Audience.ACCOUNTABLE_LEAD and person == lead:
            return True
        if step.audience == Audience.OWNER and person == (owner or lead):
            return True
    return False


def _naive_remind(
    lines: dict[int, list[dict[str, Any]]],
    *,
    person: User,
    role: str,
    item: Action | Milestone,
    plan_id: int,
    updated: dt.date | None,
    today: dt.date,
) -> None:
    item_type = ItemType.ACTION if isinstance(item, Action) else ItemType.MILESTONE
    due_date = item.due_date
    if not person.is_active:
        return
    days_before, on_due_date, every = _naive_rule(plan_id)
    preference = NotificationPreference.objects.filter(user=person).first()
    if preference is not None:
        if role == "supporting" and not preference.as_supporting_owner:
            return
        if preference.days_before is not None:
            days_before = list(preference.days_before)
        if not preference.before_due:
            days_before = []
        on_due_date = on_due_date and preference.on_due_date
        every = every if preference.overdue else 0
    reason = _naive_reason(
        today=today,
        due_date=due_date,
        updated=updated,
        days_before=days_before,
        on_due_date=on_due_date,
        every=every,
    )
    if reason is None:
        return
    if reason[0] == "overdue" and _naive_escalated_today(
        person=person, item=item, plan_id=plan_id, updated=updated, today=today
    ):
        return
    lines[person.pk].append(
        {
            "type": item_type,
            "id": item.pk,
            "reason": reason[0],
            "days": reason[1],
            "role": role,
            "due": due_date.isoformat(),
        }
    )


def _urgency(item: dict[str, Any]) -> tuple[int, int, str, int]:
    order = {"overdue": 0, "escalated": 0, "due_today": 1, "due_soon": 2}[item["reason"]]
    days = -item["days"] if item["reason"] in ("overdue", "escalated") else item["days"]
    return (order, days, item["type"], item["id"])


def _naive_ledger(
    lines: dict[int, list[dict[str, Any]]],
    *,
    kind: str,
    key: str,
    occurrence: str,
    now: dt.datetime,
) -> int:
    created = 0
    for person_id, items in lines.items():
        person = User.objects.get(pk=person_id)
        _, new = Notification.objects.get_or_create(
            recipient=person,
            kind=kind,
            subject_key=key,
            occurrence=occurrence,
            defaults={
                "items": sorted(items, key=_urgency),
                "to_email": person.email,
                "status": NotificationStatus.QUEUED,
                "created_at": now,
                "next_attempt_at": now,
                "updated_at": now,
            },
        )
        created += new
    return created


def naive_reminders(*, today: dt.date, now: dt.datetime) -> int:
    """Every open action and milestone of every active plan, one at a time."""
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for action in Action.objects.filter(status__in=OPEN_STATUSES, plan__status=PlanStatus.ACTIVE):
        updated = _local_date(action.last_progress_at)
        people = [(action.owner, "owner")] + [
            (user, "supporting")
            for user in action.supporting_owners.all()
            if user.pk != action.owner_id
        ]
        for person, role in people:
            _naive_remind(
                lines,
                person=person,
                role=role,
                item=action,
                plan_id=action.plan_id,
                updated=updated,
                today=today,
            )
    for milestone in Milestone.objects.filter(
        achieved_on__isnull=True, recommendation__plan__status=PlanStatus.ACTIVE
    ):
        progress = [a.last_progress_at for a in milestone.actions.all() if a.last_progress_at]
        _naive_remind(
            lines,
            person=milestone.recommendation.lead,
            role="lead",
            item=milestone,
            plan_id=milestone.recommendation.plan_id,
            updated=_local_date(max(progress)) if progress else None,
            today=today,
        )
    return _naive_ledger(
        lines, kind=NotificationKind.REMINDERS, key="daily", occurrence=today.isoformat(), now=now
    )


def _naive_board(plan: Plan, audience: str) -> list[User]:
    people = []
    if audience == Audience.EXECUTIVE and plan.board is not None:
        people += [m.user for m in plan.board.memberships.order_by("user_id")]
    for board in plan.other_boards.filter(audience=audience):
        people += [m.user for m in board.memberships.order_by("user_id")]
    return people


def _active(people: list[User]) -> list[User]:
    told: list[User] = []
    for person in people:
        if person.is_active and person not in told:
            told.append(person)
    return told


def _naive_told(plan: Plan, audience: str, *, owner: User | None, lead: User) -> list[User]:
    if audience == Audience.OWNER:
        people = [owner or lead]
    elif audience == Audience.ACCOUNTABLE_LEAD:
        people = [lead]
    else:
        people = _naive_board(plan, audience)
    # Nobody active at this level: the lead, else the plan's board.
    return _active(people) or _active([lead]) or _active(_naive_board(plan, Audience.EXECUTIVE))


def _naive_escalate(
    lines: dict[int, list[dict[str, Any]]],
    new_ids: list[int],
    *,
    plan: Plan,
    item_type: str,
    item: Action | Milestone,
    owner: User | None,
    lead: User,
    day: int,
    late: int,
    now: dt.datetime,
) -> None:
    for step in _naive_ladder(plan.pk, item_type):
        if step.after_working_days > day:
            continue
        escalation, created = Escalation.objects.get_or_create(
            action=item if isinstance(item, Action) else None,
            milestone=item if isinstance(item, Milestone) else None,
            due_date=item.due_date,
            level=step.level,
            resolved_at=None,
            defaults={
                "plan": plan,
                "audience": step.audience,
                "working_days_overdue": late,
                "created_at": now,
            },
        )
        if not created:
            continue
        new_ids.append(escalation.pk)
        for person in _naive_told(plan, step.audience, owner=owner, lead=lead):
            escalation.told.add(person)
            lines[person.pk].append(
                {
                    "type": item_type,
                    "id": item.pk,
                    "reason": "escalated",
                    "days": late,
                    "role": step.audience,
                    "due": item.due_date.isoformat(),
                    "level": step.level,
                }
            )


def naive_escalations(*, today: dt.date, now: dt.datetime) -> int:
    """Resolve, then climb the ladder item by item, telling each person one by one."""
    for escalation in Escalation.objects.filter(resolved_at__isnull=True):
        if escalation.action is not None:
            action = escalation.action
            if action.status not in OPEN_STATUSES or action.due_date != escalation.due_date:
                escalation.resolved_at = now
                escalation.resolution = (
                    "The action was completed, cancelled or given a new due date."
                )
                escalation.save()
        elif escalation.milestone is not None:
            milestone = escalation.milestone
            if milestone.achieved_on is not None or milestone.due_date != escalation.due_date:
                escalation.resolved_at = now
                escalation.resolution = "The milestone was achieved or given a new due date."
                escalation.save()

    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    new_ids: list[int] = []
    for action in Action.objects.filter(status__in=OPEN_STATUSES, plan__status=PlanStatus.ACTIVE):
        if action.due_date >= today:
            continue
        day = _naive_overdue_day(today, action.due_date, _local_date(action.last_progress_at))
        if day >= 0:
            _naive_escalate(
                lines,
                new_ids,
                plan=action.plan,
                item_type=ItemType.ACTION,
                item=action,
                owner=action.owner,
                lead=action.recommendation.lead,
                day=day,
                late=working_days_between(action.due_date, today),
                now=now,
            )
    for milestone in Milestone.objects.filter(
        achieved_on__isnull=True, recommendation__plan__status=PlanStatus.ACTIVE
    ):
        if milestone.due_date >= today:
            continue
        progress = [a.last_progress_at for a in milestone.actions.all() if a.last_progress_at]
        updated = _local_date(max(progress)) if progress else None
        day = _naive_overdue_day(today, milestone.due_date, updated)
        if day >= 0:
            _naive_escalate(
                lines,
                new_ids,
                plan=milestone.recommendation.plan,
                item_type=ItemType.MILESTONE,
                item=milestone,
                owner=None,
                lead=milestone.recommendation.lead,
                day=day,
                late=working_days_between(milestone.due_date, today),
                now=now,
            )
    if not new_ids:
        return 0
    for person_id, items in lines.items():
        # One line per item: the highest level reached.
        highest: dict[tuple[str, int], dict[str, Any]] = {}
        for item in items:
            key = (item["type"], item["id"])
            if key not in highest or item["level"] > highest[key]["level"]:
                highest[key] = item
        lines[person_id] = list(highest.values())
    return _naive_ledger(
        lines,
        kind=NotificationKind.ESCALATION,
        key="escalations",
        occurrence=f"{today.isoformat()}/{min(new_ids)}",
        now=now,
    )


# --- (b) The floor: hand-written SQL (PostgreSQL) -----------------------------------------

# Working days as a subtraction: each date with its running number of working days (from
# actions.dates.working_day_number), built once per connection before any timing, as the
# engine keeps its numbers in a cache.
CALENDAR_SQL = (
    "DROP TABLE IF EXISTS pg_temp.bench_calendar",
    "CREATE TEMP TABLE bench_calendar (day date PRIMARY KEY, n integer NOT NULL)",
    "INSERT INTO bench_calendar SELECT * FROM unnest(%(days)s::date[], %(numbers)s::integer[])",
    "ANALYZE bench_calendar",
)

_LEDGER_COLUMNS = """
    recipient_id, kind, subject_key, occurrence, items, to_email, subject, body_text,
    body_html, status, attempts, last_error, message_id, created_at, next_attempt_at,
    claimed_at, sent_at, updated_at, provider_id, delivery_status
"""

REMINDERS_SQL = f"""
WITH today AS (SELECT n FROM bench_calendar WHERE day = %(today)s),
offsets AS (
    SELECT 0 AS days UNION SELECT 10 UNION SELECT 3
    UNION SELECT jsonb_array_elements_text(days_before)::int FROM notifications_reminderrule
    UNION SELECT jsonb_array_elements_text(days_before)::int
    FROM notifications_notificationpreference WHERE jsonb_typeof(days_before) = 'array'
),
in_window AS (
    SELECT c.day FROM bench_calendar c, today t
    WHERE c.day >= %(today)s AND c.n - t.n IN (SELECT days FROM offsets)
),
open_actions AS (
    SELECT a.id, a.plan_id, a.owner_id, r.lead_id, a.due_date,
           (a.last_progress_at AT TIME ZONE 'Europe/London')::date AS updated
    FROM actions_action a
    JOIN actions_plan p ON p.id = a.plan_id
    JOIN actions_recommendation r ON r.id = a.recommendation_id
    WHERE p.status = 'active' AND a.status = ANY(%(open)s)
      AND (a.due_date < %(today)s OR a.due_date IN (SELECT day FROM in_window))
),
lines AS (
    SELECT owner_id AS recipient_id, 'action' AS item_type, id AS item_id, id AS action_id,
           NULL::bigint AS milestone_id, plan_id, due_date, updated, 'owner' AS role,
           owner_id, lead_id
    FROM open_actions
    UNION ALL
    SELECT s.user_id, 'action', a.id, a.id, NULL, a.plan_id, a.due_date, a.updated,
           'supporting', a.owner_id, a.lead_id
    FROM open_actions a
    JOIN actions_action_supporting_owners s ON s.action_id = a.id AND s.user_id <> a.owner_id
    UNION ALL
    -- An update on any of a milestone's actions counts as an update on the milestone.
    SELECT r.lead_id, 'milestone', m.id, NULL, m.id, r.plan_id, m.due_date,
           ((SELECT max(a.last_progress_at) FROM actions_milestone_actions ma
             JOIN actions_action a ON a.id = ma.action_id WHERE ma.milestone_id = m.id)
            AT TIME ZONE 'Europe/London')::date,
           'lead', NULL, r.lead_id
    FROM actions_milestone m
    JOIN actions_recommendation r ON r.id = m.recommendation_id
    JOIN actions_plan p ON p.id = r.plan_id
    WHERE p.status = 'active' AND m.achieved_on IS NULL
      AND (m.due_date < %(today)s OR m.due_date IN (SELECT day FROM in_window))
),
settings AS (
    SELECT l.*, u.email,
           cd.n - t.n AS ahead, t.n - cd.n AS late, t.n - cu.n AS quiet,
           CASE WHEN np.before_due IS FALSE THEN '[]'::jsonb
                ELSE COALESCE(NULLIF(np.days_before, 'null'::jsonb), pr.days_before,
                              dr.days_before, '[10, 3]'::jsonb)
           END AS days_before,
           COALESCE(pr.on_due_date, dr.on_due_date, TRUE)
               AND np.on_due_date IS DISTINCT FROM FALSE AS on_due_date,
           CASE WHEN np.overdue IS FALSE THEN 0
                ELSE COALESCE(pr.overdue_every, dr.overdue_every, 5)
           END AS every
    FROM lines l
    JOIN accounts_user u ON u.id = l.recipient_id AND u.is_active
    LEFT JOIN notifications_notificationpreference np ON np.user_id = l.recipient_id
    LEFT JOIN notifications_reminderrule pr ON pr.plan_id = l.plan_id
    LEFT JOIN notifications_reminderrule dr ON dr.plan_id IS NULL
    LEFT JOIN bench_calendar cd ON cd.day = l.due_date
    LEFT JOIN bench_calendar cu ON cu.day = l.updated
    CROSS JOIN today t
    WHERE NOT (l.role = 'supporting' AND np.as_supporting_owner IS FALSE)
),
decided AS (
    SELECT s.*,
        CASE
            WHEN s.due_date >= %(today)s THEN
                CASE WHEN s.ahead = 0 THEN CASE WHEN s.on_due_date THEN 'due_today' END
                     WHEN s.days_before @> to_jsonb(s.ahead) THEN 'due_soon'
                END
            WHEN s.every <= 0 OR s.late < 1 THEN NULL
            WHEN s.updated > s.due_date THEN
                CASE WHEN s.quiet >= s.every AND s.quiet %% s.every = 0 THEN 'overdue' END
            WHEN (s.late - 1) %% s.every = 0 THEN 'overdue'
        END AS reason,
        CASE WHEN s.updated IS NULL OR s.updated <= s.due_date THEN s.late - 1
             ELSE s.quiet END AS overdue_day
    FROM settings s
)
INSERT INTO notifications_notification ({_LEDGER_COLUMNS})
SELECT recipient_id, 'reminders', 'daily', %(occurrence)s,
       jsonb_agg(
           jsonb_build_object(
               'type', item_type, 'id', item_id, 'reason', reason,
               'days', CASE reason WHEN 'due_today' THEN 0 WHEN 'due_soon' THEN ahead
                                   ELSE late END,
               'role', role, 'due', to_char(due_date, 'YYYY-MM-DD'))
           ORDER BY CASE reason WHEN 'overdue' THEN 0 WHEN 'due_today' THEN 1 ELSE 2 END,
                    CASE reason WHEN 'overdue' THEN -late WHEN 'due_soon' THEN ahead
                                ELSE 0 END,
                    item_type COLLATE "C", item_id),
       email, '', '', '', 'queued', 0, '', '', %(now)s, %(now)s, NULL, NULL, %(now)s, '', ''
FROM decided d
WHERE reason IS NOT NULL
  -- No nudge on the day the ladder tells the same person about the same item.
  AND NOT (reason = 'overdue' AND EXISTS (
      SELECT 1 FROM notifications_escalationstep st
      WHERE st.item_type = d.item_type AND st.after_working_days = d.overdue_day
        AND (st.plan_id = d.plan_id OR (st.plan_id IS NULL AND NOT EXISTS (
              SELECT 1 FROM notifications_escalationstep own
              WHERE own.plan_id = d.plan_id AND own.item_type = d.item_type)))
        AND (st.audience = 'accountable_lead' AND d.recipient_id = d.lead_id
             OR st.audience = 'owner' AND d.recipient_id = COALESCE(d.owner_id, d.lead_id))
        AND NOT EXISTS (SELECT 1 FROM notifications_escalation e
                        WHERE e.action_id = d.action_id AND e.due_date = d.due_date
                        AND e.level = st.level AND e.resolved_at IS NULL
                        AND e.created_at < %(start_of_today)s)
        AND NOT EXISTS (SELECT 1 FROM notifications_escalation e
                        WHERE e.milestone_id = d.milestone_id AND e.due_date = d.due_date
                        AND e.level = st.level AND e.resolved_at IS NULL
                        AND e.created_at < %(start_of_today)s)))
GROUP BY recipient_id, email
ON CONFLICT DO NOTHING
"""

RESOLVE_SQL = """
UPDATE notifications_escalation e
SET resolved_at = %(now)s,
    resolution = CASE WHEN e.action_id IS NOT NULL
        THEN 'The action was completed, cancelled or given a new due date.'
        ELSE 'The milestone was achieved or given a new due date.' END
WHERE e.resolved_at IS NULL AND (
    EXISTS (SELECT 1 FROM actions_action a WHERE a.id = e.action_id
            AND (a.status <> ALL(%(open)s) OR a.due_date <> e.due_date))
    OR EXISTS (SELECT 1 FROM actions_milestone m WHERE m.id = e.milestone_id
               AND (m.achieved_on IS NOT NULL OR m.due_date <> e.due_date)))
"""

ESCALATIONS_SQL = f"""
WITH today AS (SELECT n FROM bench_calendar WHERE day = %(today)s),
overdue AS (
    SELECT 'action' AS item_type, a.id AS item_id, a.id AS action_id,
           NULL::bigint AS milestone_id, a.plan_id, a.due_date, a.owner_id, r.lead_id,
           (a.last_progress_at AT TIME ZONE 'Europe/London')::date AS updated
    FROM actions_action a
    JOIN actions_plan p ON p.id = a.plan_id
    JOIN actions_recommendation r ON r.id = a.recommendation_id
    WHERE p.status = 'active' AND a.status = ANY(%(open)s) AND a.due_date < %(today)s
    UNION ALL
    -- A progress update on any of a milestone's actions pauses its clock.
    SELECT 'milestone', m.id, NULL, m.id, r.plan_id, m.due_date, NULL, r.lead_id,
           ((SELECT max(a.last_progress_at) FROM actions_milestone_actions ma
             JOIN actions_action a ON a.id = ma.action_id WHERE ma.milestone_id = m.id)
            AT TIME ZONE 'Europe/London')::date
    FROM actions_milestone m
    JOIN actions_recommendation r ON r.id = m.recommendation_id
    JOIN actions_plan p ON p.id = r.plan_id
    WHERE p.status = 'active' AND m.achieved_on IS NULL AND m.due_date < %(today)s
),
late AS (
    SELECT o.*, t.n - cd.n AS late,
           CASE WHEN o.updated IS NULL OR o.updated <= o.due_date THEN t.n - cd.n - 1
                ELSE t.n - cu.n END AS overdue_day
    FROM overdue o
    JOIN bench_calendar cd ON cd.day = o.due_date
    LEFT JOIN bench_calendar cu ON cu.day = o.updated
    CROSS JOIN today t
),
steps AS (
    SELECT l.*, st.level, st.audience
    FROM late l
    JOIN notifications_escalationstep st
      ON st.item_type = l.item_type AND st.after_working_days <= l.overdue_day
     AND (st.plan_id = l.plan_id OR (st.plan_id IS NULL AND NOT EXISTS (
            SELECT 1 FROM notifications_escalationstep own
            WHERE own.plan_id = l.plan_id AND own.item_type = l.item_type)))
    WHERE NOT EXISTS (SELECT 1 FROM notifications_escalation e WHERE e.action_id = l.action_id
                      AND e.due_date = l.due_date AND e.level = st.level
                      AND e.resolved_at IS NULL)
      AND NOT EXISTS (SELECT 1 FROM notifications_escalation e
                      WHERE e.milestone_id = l.milestone_id
                      AND e.due_date = l.due_date AND e.level = st.level
                      AND e.resolved_at IS NULL)
),
inserted AS (
    INSERT INTO notifications_escalation (plan_id, action_id, milestone_id, due_date, level,
        audience, working_days_overdue, created_at, resolved_at, resolution)
    SELECT plan_id, action_id, milestone_id, due_date, level, audience, late,
           %(now)s, NULL, ''
    FROM steps
    ON CONFLICT DO NOTHING
    RETURNING id, level, COALESCE(action_id, milestone_id) AS item_id,
              CASE WHEN action_id IS NULL THEN 'milestone' ELSE 'action' END AS item_type
),
-- Who each level tells (choice 1); nobody active there: the lead (2), else the board (3).
candidates AS (
    SELECT i.id AS escalation_id, who.user_id, who.choice, u.email, s.item_type, s.item_id,
           s.late, s.audience, s.due_date, s.level
    FROM inserted i
    JOIN steps s ON s.item_type = i.item_type AND s.item_id = i.item_id AND s.level = i.level
    CROSS JOIN LATERAL (
        SELECT COALESCE(s.owner_id, s.lead_id) AS user_id, 1 AS choice
        WHERE s.audience = 'owner'
        UNION SELECT s.lead_id, 1 WHERE s.audience = 'accountable_lead'
        UNION SELECT bm.user_id, 1 FROM actions_plan p
              JOIN actions_boardmembership bm ON bm.board_id = p.board_id
              WHERE p.id = s.plan_id AND s.audience = 'executive'
        UNION SELECT bm.user_id, 1 FROM actions_plan_other_boards pob
              JOIN actions_board b ON b.id = pob.board_id AND b.audience = s.audience
              JOIN actions_boardmembership bm ON bm.board_id = b.id
              WHERE pob.plan_id = s.plan_id
        UNION SELECT s.lead_id, 2
        UNION SELECT bm.user_id, 3 FROM actions_plan p
              JOIN actions_boardmembership bm ON bm.board_id = p.board_id
              WHERE p.id = s.plan_id
        UNION SELECT bm.user_id, 3 FROM actions_plan_other_boards pob
              JOIN actions_board b ON b.id = pob.board_id AND b.audience = 'executive'
              JOIN actions_boardmembership bm ON bm.board_id = b.id
              WHERE pob.plan_id = s.plan_id
    ) who
    JOIN accounts_user u ON u.id = who.user_id AND u.is_active
),
told AS (
    SELECT * FROM (
        SELECT c.*, min(c.choice) OVER (PARTITION BY c.escalation_id) AS first_choice
        FROM candidates c
    ) ranked
    WHERE choice = first_choice
),
-- One line per item in a person's email: the highest level reached.
lines AS (
    SELECT DISTINCT ON (user_id, item_type, item_id) *
    FROM told
    ORDER BY user_id, item_type, item_id, level DESC
),
told_rows AS (
    INSERT INTO notifications_escalation_told (escalation_id, user_id)
    SELECT escalation_id, user_id FROM told
    ON CONFLICT DO NOTHING
)
INSERT INTO notifications_notification ({_LEDGER_COLUMNS})
SELECT user_id, 'escalation', 'escalations',
       %(occurrence)s || '/' || (SELECT min(id) FROM inserted),
       jsonb_agg(
           jsonb_build_object(
               'type', item_type, 'id', item_id, 'reason', 'escalated', 'days', late,
               'role', audience, 'due', to_char(due_date, 'YYYY-MM-DD'), 'level', level)
           ORDER BY late DESC, item_type COLLATE "C", item_id),
       email, '', '', '', 'queued', 0, '', '', %(now)s, %(now)s, NULL, NULL, %(now)s, '', ''
FROM lines
GROUP BY user_id, email
ON CONFLICT DO NOTHING
"""


def floor_calendar(*, today: dt.date) -> int:
    """The temporary calendar the floor joins: every date its sweeps can meet."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT LEAST((SELECT min(due_date) FROM actions_action),"
            " (SELECT min(due_date) FROM actions_milestone),"
            " (SELECT min((last_progress_at AT TIME ZONE 'Europe/London')::date)"
            "  FROM actions_action))"
        )
        first = min(cursor.fetchone()[0] or today, today)
        # Reminders are at most 60 working days ahead (the rules' validators).
        last = add_working_days(today, 61)
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        params: dict[str, Any] = {
            "days": days,
            "numbers": [working_day_number(day) for day in days],
        }
        for statement in CALENDAR_SQL:
            cursor.execute(statement, params if "%(" in statement else None)
    return len(days)


def _floor_params(today: dt.date, now: dt.datetime) -> dict[str, Any]:
    return {
        "today": today,
        "now": now,
        "open": [str(status) for status in OPEN_STATUSES],
        "occurrence": today.isoformat(),
        "start_of_today": dt.datetime.combine(today, dt.time(0), tzinfo=LONDON),
    }


def floor_reminders(*, today: dt.date, now: dt.datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(REMINDERS_SQL, _floor_params(today, now))
        return cursor.rowcount


def floor_escalations(*, today: dt.date, now: dt.datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(RESOLVE_SQL, _floor_params(today, now))
        cursor.execute(ESCALATIONS_SQL, _floor_params(today, now))
        return cursor.rowcount


# --- The engine, as the sweep tasks call it -------------------------------------------------


def engine_reminders(*, today: dt.date, now: dt.datetime) -> int:
    return len(reminders_queue(today=today, now=now).queued_ids)


def engine_escalations(*, today: dt.date, now: dt.datetime) -> int:
    return len(escalations_queue(today=today, now=now).queued_ids)


# --- What a sweep queued, to compare the three ----------------------------------------------


def queued_since(now: dt.datetime) -> dict[str, list[Row]]:
    """The ledger rows and escalations written at ``now``, in a form the three can share."""
    ledger = sorted(
        (
            recipient_id,
            kind,
            subject_key,
            occurrence.partition("/")[0],
            to_email,
            json.dumps(items),
        )
        for recipient_id, kind, subject_key, occurrence, to_email, items in (
            Notification.objects.filter(created_at=now).values_list(
                "recipient_id", "kind", "subject_key", "occurrence", "to_email", "items"
            )
        )
    )
    told: dict[int, list[int]] = defaultdict(list)
    for escalation_id, user_id in Escalation.told.through.objects.filter(
        escalation__created_at=now
    ).values_list("escalation_id", "user_id"):
        told[escalation_id].append(user_id)
    escalations = sorted(
        (
            action_id or 0,
            milestone_id or 0,
            due_date.isoformat(),
            level,
            audience,
            days,
            sorted(told[pk]),
        )
        for pk, action_id, milestone_id, due_date, level, audience, days in (
            Escalation.objects.filter(created_at=now).values_list(
                "pk",
                "action_id",
                "milestone_id",
                "due_date",
                "level",
                "audience",
                "working_days_overdue",
            )
        )
    )
    return {"ledger": ledger, "escalations": escalations}


def lines_in(queued: dict[str, list[Row]]) -> int:
    return sum(len(json.loads(row[-1])) for row in queued["ledger"])


# --- The data -------------------------------------------------------------------------------


def _say(message: str) -> None:
    print(message, flush=True)


def dataset_ensure(label: str) -> None:
    if Plan.objects.filter(slug__startswith=slug_prefix(SEED)).exists():
        return
    size = SIZES[label]
    _say(f"{label}: generating the data set {size} (seed {SEED}, around {TODAY})...")
    call_command(
        "generate_dataset",
        f"--plans={size['plans']}",
        f"--actions-per-plan={size['actions_per_plan']}",
        f"--people={size['people']}",
        f"--seed={SEED}",
        f"--today={TODAY.isoformat()}",
    )


def database_check() -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench-reminders needs PostgreSQL: set DATABASE_URL to a database of its own.")
    others = Plan.objects.exclude(slug__startswith=slug_prefix(SEED)).count()
    if others:
        sys.exit(
            f"This database holds {others} plans besides the synthetic ones; the benchmark "
            "empties the ledger and the escalations: give it a database of its own."
        )


def preferences_ensure() -> None:
    """One synthetic person in ten has preferences of their own, so that the sweeps read them."""
    variants: list[dict[str, Any]] = [
        {"days_before": [5, 1]},
        {"before_due": False},
        {"overdue": False},
        {"as_supporting_owner": False},
        {"on_due_date": False},
    ]
    people = User.objects.filter(email__endswith="@" + email_domain(SEED)).order_by("pk")
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user_id=pk, **variants[(index // 10) % len(variants)])
            for index, pk in enumerate(people.values_list("pk", flat=True))
            if index % 10 == 0
        ],
        ignore_conflicts=True,
    )


def state_reset() -> int:
    """An empty ledger, and every escalation told up to the previous working day."""
    with transaction.atomic():
        Notification.objects.all().delete()
        Escalation.told.through.objects.all().delete()
        Escalation.objects.all().delete()
        told = len(escalations_queue(today=YESTERDAY, now=YESTERDAY_NOW).escalations)
        Notification.objects.all().delete()
    return told


def due_items(*, today: dt.date) -> tuple[set[int], set[int], list[Row]]:
    """The actions and milestones in today's sweep, and its lines (a dry run)."""
    lines = [
        (d.recipient_id, d.item_type, d.item_id, d.reason, d.days, d.role, d.escalation_level)
        for result in (
            reminders_queue(today=today, now=NOW, dry_run=True),
            escalations_queue(today=today, now=NOW, dry_run=True),
        )
        for d in result.due
    ]
    actions = {line[2] for line in lines if line[1] == ItemType.ACTION}
    milestones = {line[2] for line in lines if line[1] == ItemType.MILESTONE}
    return actions, milestones, sorted(lines)


def data_prepare(size: str) -> dict[str, Any]:
    label = size
    database_check()
    dataset_ensure(label)
    preferences_ensure()
    _say(f"{label}: telling the escalations due up to {YESTERDAY} (the previous working day)...")
    told = state_reset()
    _say(f"{label}: VACUUM ANALYZE...")
    vacuum_analyze()
    _, _, lines = due_items(today=TODAY)
    return {
        "actions": Action.objects.count(),
        "open_overdue_actions": Action.objects.filter(
            status__in=OPEN_STATUSES, due_date__lt=TODAY, plan__status=PlanStatus.ACTIVE
        ).count(),
        "milestones": Milestone.objects.count(),
        "plans": Plan.objects.count(),
        "people": User.objects.count(),
        "escalations_told": told,
        "due_lines": len(lines),
        "due_digest": hashlib.sha256(repr(lines).encode()).hexdigest()[:12],
    }


# --- Timing ---------------------------------------------------------------------------------


@dataclass
class Timing:
    best_ms: float
    runs: int
    queries: int
    rows: int


@contextmanager
def all_queries_counted() -> Iterator[None]:
    # Django keeps the last 9,000 queries; the naive loop makes many more.
    kept = connection.queries_log
    connection.queries_log = deque()
    try:
        yield
    finally:
        connection.queries_log = kept


def measure(
    sweep: Callable[..., int],
    *,
    budget: float | None = None,
    before: Callable[[], None] | None = None,
) -> tuple[Timing, dict[str, list[Row]]]:
    """Best of RUNS (or of what fits in ``budget`` seconds), each run rolled back."""
    best, spent, queries, rows = float("inf"), 0.0, set(), set()
    queued: dict[str, list[Row]] = {}
    runs = 0
    with all_queries_counted():
        while runs < RUNS and (budget is None or runs == 0 or spent < budget):
            with transaction.atomic():
                if before is not None:
                    before()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    inserted = sweep(today=TODAY, now=NOW)
                    elapsed = time.perf_counter() - started
                queries.add(len(captured))
                if not queued:
                    queued = queued_since(NOW)
                transaction.set_rollback(True)
            connection.queries_log.clear()
            runs += 1
            spent += elapsed
            best = min(best, elapsed)
            rows.add(inserted)
    assert len(rows) == 1, f"runs inserted different numbers of rows: {rows}"
    return Timing(best * 1000, runs, max(queries), rows.pop()), queued


def escalation_table_empty() -> None:
    Escalation.told.through.objects.all().delete()
    Escalation.objects.all().delete()


# The first sweep after the service starts (or after a long stop): nothing told yet, so
# every level reached by every overdue item is escalated at once.
FIRST_SWEEP = escalation_table_empty


def sweeps_time(size: str, *, runs: int, naive: bool, first_sweep: bool) -> dict[str, Any]:
    # As a worker does once started: what start-up and the data's preparation made is left
    # out of later full garbage collections, for the engine and the floor alike.
    freeze_start_up_objects()
    started = time.perf_counter()
    days = floor_calendar(today=TODAY)
    calendar_ms = (time.perf_counter() - started) * 1000
    parts: dict[str, Any] = {}
    Case = tuple[str, Callable[..., int], Callable[..., int] | None, Callable[..., int], Any]
    cases: list[Case] = [
        ("reminders", engine_reminders, naive_reminders, floor_reminders, None),
        ("escalations", engine_escalations, naive_escalations, floor_escalations, None),
        # The naive loop would take minutes more here: it is left out.
    ]
    if first_sweep:
        cases.append(
            ("escalations, first sweep", engine_escalations, None, floor_escalations, FIRST_SWEEP)
        )
    for part, engine, naive_sweep, floor, before in cases:
        _say(f"{size}: timing {part}: engine and floor in turn, {runs} runs each...")
        try:
            paired = alternate(
                engine,
                floor,
                runs=runs,
                today=TODAY,
                now=NOW,
                queued=queued_since,
                before=before,
                label=f"{size}, {part}",
            )
        except RowsDiffer as error:
            sys.exit(str(error))
        naive_timing = None
        if naive and naive_sweep is not None:
            naive_timing, naive_queued = measure(naive_sweep, budget=NAIVE_BUDGET_SECONDS)
            if naive_queued != paired.queued:
                sys.exit(f"{size}, {part}: the naive loop did not queue what the engine queued.")
        parts[part] = {
            "lines": lines_in(paired.queued),
            "escalations": len(paired.queued["escalations"]),
            "engine": {"ms": paired.engine.ms, **paired.engine.summary()},
            "naive": asdict(naive_timing) if naive_timing else None,
            "floor": {"ms": paired.floor.ms, **paired.floor.summary()},
        }
    return {"calendar_days": days, "calendar_ms": calendar_ms, "parts": parts}


def one_size(size: str, out: str, *, runs: int, naive: bool, first_sweep: bool) -> int:
    call_command("migrate", verbosity=0)
    data = data_prepare(size)
    data.update(sweeps_time(size, runs=runs, naive=naive, first_sweep=first_sweep))
    with open(out, "w") as handle:
        json.dump(data, handle)
    return 0


# --- The report -----------------------------------------------------------------------------


def _tenth_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_tenth"))


def _database_create(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _intro(results: dict[str, dict[str, Any]], runs: int) -> list[str]:
    return [
        f"Sweep day {TODAY:%A %-d %B %Y} (a working day) at {NOW:%H:%M} London; escalations "
        f"already told up to {YESTERDAY:%A %-d %B} (the previous working day); ledger empty.",
        "Each database vacuumed and analysed before timing. Each run is one transaction rolled "
        "back afterwards (no commit is timed).",
        f"Engine and floor run in turn, {runs} runs each, the order swapped every run; every "
        f"pair queued the same rows. Naive loop: best of the runs that fit in "
        f"{NAIVE_BUDGET_SECONDS:.0f} s.",
        f"The floor joins a temporary calendar of {results['national']['calendar_days']} days, "
        f"built once before timing ({results['national']['calendar_ms']:.0f} ms at national "
        "scale). First sweep: the escalation table empty, every level reached told at once.",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("national", "tenth"))
    parser.add_argument("--out")
    parser.add_argument(
        "--runs", type=int, default=PAIRED_RUNS, help="Runs of the engine and of the floor."
    )
    parser.add_argument("--no-naive", action="store_true", help="Leave the naive loop out.")
    parser.add_argument(
        "--no-first-sweep", action="store_true", help="Leave the first sweep out (minutes)."
    )
    args = parser.parse_args()
    if args.runs < 1:
        sys.exit("--runs must be at least 1.")
    if args.size:
        return one_size(
            args.size,
            args.out,
            runs=args.runs,
            naive=not args.no_naive,
            first_sweep=not args.no_first_sweep,
        )

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench-reminders needs PostgreSQL: set DATABASE_URL to a database of its own.")
    urls = {"national": url, "tenth": os.environ.get("TENTH_DATABASE_URL") or _tenth_url(url)}
    for size_url in urls.values():
        _database_create(size_url)
    load_before = os.getloadavg()[0]
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for size, size_url in urls.items():
            out = os.path.join(folder, f"{size}.json")
            subprocess.run(
                [sys.executable, "-m", "benchmarks.reminders", "--size", size, "--out", out]
                + [f"--runs={args.runs}"]
                + (["--no-naive"] if args.no_naive else [])
                + (["--no-first-sweep"] if args.no_first_sweep else []),
                env={**os.environ, "DATABASE_URL": size_url},
                check=True,
            )
            with open(out) as handle:
                results[size] = json.load(handle)
    report(
        results,
        intro=_intro(results, args.runs),
        load=(load_before, os.getloadavg()[0]),
        aim=AIM,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
