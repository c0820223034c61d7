"""Which rule applies to what: the reminder rule and escalation ladder of each plan.

Pure decisions live here (given dates and rules, what is due); ``notifications.services``
does the reading and writing around them.
"""

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection

from actions.dates import add_working_days, working_days_between
from notifications.models import EscalationStep, ReminderRule


@dataclass(frozen=True)
class Rule:
    days_before: tuple[int, ...]
    on_due_date: bool
    overdue_every: int


@dataclass(frozen=True)
class Step:
    level: int
    after_working_days: int
    audience: str


FALLBACK_RULE = Rule(days_before=(10, 3), on_due_date=True, overdue_every=5)


class PlanRules:
    """Every plan's reminder rule and ladders, read in two short statements for a whole sweep
    (written out: Django takes several times longer to build them than the database takes to
    answer)."""

    def __init__(self) -> None:
        self.default = FALLBACK_RULE
        self._rules: dict[int, Rule] = {}
        self._default_ladder: dict[str, list[Step]] = {}
        self._ladders: dict[tuple[int, str], list[Step]] = {}
        rules = connection.ops.quote_name(ReminderRule._meta.db_table)
        steps = connection.ops.quote_name(EscalationStep._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT plan_id, days_before, on_due_date, overdue_every FROM {rules} ORDER BY id"
            )
            for plan_id, days_before, on_due_date, overdue_every in cursor.fetchall():
                rule = Rule(
                    # JSON, which the driver hands over as text.
                    days_before=tuple(
                        sorted(set(json.loads(days_before or "null") or []), reverse=True)
                    ),
                    on_due_date=on_due_date,
                    overdue_every=overdue_every,
                )
                if plan_id is None:
                    self.default = rule
                else:
                    self._rules[plan_id] = rule
            cursor.execute(
                f"SELECT plan_id, item_type, level, after_working_days, audience FROM {steps} "
                "ORDER BY level"
            )
            for plan_id, item_type, level, after_working_days, audience in cursor.fetchall():
                target = (
                    self._default_ladder.setdefault(item_type, [])
                    if plan_id is None
                    else self._ladders.setdefault((plan_id, item_type), [])
                )
                target.append(Step(level, after_working_days, audience))

    def rule(self, plan_id: int) -> Rule:
        return self._rules.get(plan_id, self.default)

    def all_rules(self) -> Iterable[Rule]:
        return [self.default, *self._rules.values()]

    def ladder(self, plan_id: int, item_type: str) -> list[Step]:
        return self._ladders.get((plan_id, item_type), self._default_ladder.get(item_type, []))


def due_dates_for(today: dt.date, working_days_ahead: int) -> list[dt.date]:
    """Every due date that is ``working_days_ahead`` working days after ``today``.

    A due date on a weekend or bank holiday counts as the working day before it, so each due
    date falls under exactly one working day's reminders.
    """
    first = add_working_days(today, working_days_ahead) if working_days_ahead else today
    last = add_working_days(today, working_days_ahead + 1)
    return [first + dt.timedelta(days=n) for n in range((last - first).days)]


def reminder_reason(
    *,
    today: dt.date,
    due_date: dt.date,
    last_update: dt.date | None,
    days_before: Sequence[int],
    on_due_date: bool,
    overdue_every: int,
) -> tuple[str, int] | None:
    """Why an open item is due a reminder today, and the working days involved, or None.

    - ``("due_soon", n)``: due in exactly n working days, one of ``days_before``;
    - ``("due_today", 0)``: due today (or on the weekend or holiday that follows);
    - ``("overdue", n)``: n working days late, on the first late day and then every
      ``overdue_every`` working days without an update. An update restarts the count.
    """
    if due_date >= today:
        ahead = working_days_between(today, due_date)
        if ahead == 0:
            return ("due_today", 0) if on_due_date else None
        return ("due_soon", ahead) if ahead in days_before else None
    late = working_days_between(due_date, today)
    if overdue_every <= 0 or late < 1:
        return None
    if last_update is not None and last_update > due_date:
        quiet = working_days_between(last_update, today)
        if quiet >= overdue_every and quiet % overdue_every == 0:
            return ("overdue", late)
        return None
    if (late - 1) % overdue_every == 0:
        return ("overdue", late)
    return None


def overdue_day(*, today: dt.date, due_date: dt.date, last_update: dt.date | None) -> int:
    """How far up the ladder an item is: working days late, counted from the first late day.

    A progress update pauses the clock: the count runs from the later of the due date and the
    latest update, so a level is reached only after that many working days of silence.
    """
    anchor = due_date if last_update is None or last_update < due_date else last_update
    late = working_days_between(anchor, today)
    # From the due date, day 0 is the first late working day; from an update, the day after.
    return late - 1 if anchor == due_date else late
