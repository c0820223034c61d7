"""The operator commands repeat nothing: a second run for any day queues no email.

``send_reminders --as-of D`` for a day in the past, today or the future, run twice, with or
without ``escalate_overdue --as-of D`` before or between: the second run sends nothing. An
escalation counts as told on the day it was for, not on the day the command ran, so the
nudge it replaces is not sent as well.
"""

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from actions.dates import add_working_days, is_working_day
from notifications.models import Escalation, Notification, NotificationKind
from tests.factories import MilestoneFactory, RecommendationFactory, UserFactory
from tests.notifications.conftest import TODAY, Clock, SmallPlan

d = dt.date

PAST, FUTURE = d(2026, 11, 23), d(2026, 11, 30)  # TODAY is Wednesday 25 November 2026


def run(command: str, day: dt.date) -> list[str]:
    out = StringIO()
    call_command(command, "--as-of", day.isoformat(), stdout=out)
    return out.getvalue().splitlines()


def ledger() -> list[tuple[int, str, str, list[dict[str, Any]]]]:
    return list(
        Notification.objects.order_by("pk").values_list("recipient", "kind", "occurrence", "items")
    )


@pytest.mark.parametrize("day", [PAST, TODAY, FUTURE], ids=["past", "today", "future"])
def test_a_lead_told_by_escalate_overdue_is_not_also_nudged_by_send_reminders(
    small_plan: SmallPlan, clock: Clock, day: dt.date
) -> None:
    # On ``day`` the milestone is one working day late: its nudge day, and the day the
    # ladder tells the lead (level 1). The escalation is recorded now, for ``day``.
    milestone = small_plan.milestone(due=add_working_days(day, -1))
    escalated = run("escalate_overdue", day)
    assert escalated[-1] == "1 email queued; 1 escalation line for 1 person."
    [told] = Escalation.objects.filter(milestone=milestone)
    assert small_plan.lead in told.told.all()

    first = run("send_reminders", day)
    second = run("send_reminders", day)

    # The escalation email said it: no nudge about the same milestone the same day.
    assert first == second == ["0 emails queued; 0 lines for 0 people."]
    [(recipient, kind, _, items)] = ledger()
    assert (recipient, kind) == (small_plan.lead.pk, NotificationKind.ESCALATION)
    assert [(item["id"], item["reason"]) for item in items] == [(milestone.pk, "escalated")]


@pytest.mark.parametrize("day", [PAST, TODAY, FUTURE], ids=["past", "today", "future"])
def test_send_reminders_run_twice_sends_nothing_the_second_time(
    small_plan: SmallPlan, clock: Clock, day: dt.date
) -> None:
    small_plan.milestone(due=add_working_days(day, -1), title="Just late")
    small_plan.milestone(due=add_working_days(day, -6), title="Long late")
    small_plan.action(due=add_working_days(day, -1), supporting_owners=[small_plan.supporter])
    small_plan.action(due=day)
    small_plan.action(due=add_working_days(day, 3))

    first = run("send_reminders", day)
    after_first = ledger()
    second = run("send_reminders", day)
    escalate = run("escalate_overdue", day)
    third = run("send_reminders", day)

    assert first[-1].startswith("5 emails queued; ")
    assert second[-1].startswith("0 emails queued; ")
    assert escalate[-1] == "0 emails queued; 0 escalation lines for 0 people."
    assert third[-1].startswith("0 emails queued; ")
    assert ledger() == after_first
    assert all(line.startswith("already queued: ") for line in second[:-1] + third[:-1])


def test_every_day_of_a_fortnight_run_twice_queues_nothing_the_second_time(
    small_plan: SmallPlan, clock: Clock
) -> None:
    """Each working day from two weeks back to two weeks ahead, in order: the operator
    queues the day's email, runs the escalations, and queues the day's email again."""
    for offset in range(-12, 12, 2):
        due = TODAY + dt.timedelta(days=offset)
        # Each milestone with a lead of its own: on its first late day the ladder's
        # escalation is the only thing their email says.
        recommendation = RecommendationFactory.create(
            plan=small_plan.plan, lead=UserFactory.create()
        )
        MilestoneFactory.create(recommendation=recommendation, due_date=due)
        small_plan.action(due=due, supporting_owners=[small_plan.supporter])
        small_plan.action(due=due + dt.timedelta(days=1), owner=small_plan.lead)
    repeated: dict[dt.date, str] = {}
    day = TODAY - dt.timedelta(days=14)
    while day <= TODAY + dt.timedelta(days=14):
        if is_working_day(day):
            run("send_reminders", day)
            run("escalate_overdue", day)
            again = run("send_reminders", day)[-1]
            if not again.startswith("0 emails queued; "):
                repeated[day] = again
        day += dt.timedelta(days=1)

    assert repeated == {}
    assert Notification.objects.filter(kind=NotificationKind.REMINDERS).exists()
