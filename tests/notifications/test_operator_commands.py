"""The operator commands: send_reminders and escalate_overdue, --as-of a day, --dry-run."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from notifications.models import Escalation, Notification, NotificationKind
from tests.notifications.conftest import Clock, SmallPlan

d = dt.date


def run(command: str, *args: str) -> list[str]:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.fixture
def chased(small_plan: SmallPlan) -> SmallPlan:
    """On Monday 30 November 2026: one action due today with a supporter, one 6 days late,
    and a milestone 5 working days late (its lead told, the SEND Executive next)."""
    small_plan.action(
        due=d(2026, 11, 30), reference="2.3", supporting_owners=[small_plan.supporter]
    )
    small_plan.action(due=d(2026, 11, 20), reference="1.1")
    small_plan.milestone(due=d(2026, 11, 20), title="Assessments cleared")
    return small_plan


# --- send_reminders -----------------------------------------------------------------------


MILESTONE = 'milestone "Assessments cleared" northshire-wsoa'
EXECUTIVE = "level 2 (the SEND Executive (the plan's board)), 6 working days overdue"
LEAD = "level 1 (the recommendation's accountable lead), 6 working days overdue"


def test_send_reminders_prints_one_line_per_recipient_and_item(
    chased: SmallPlan, clock: Clock
) -> None:
    # The day's sweep: what escalates that day is in each person's one email, at the top;
    # the lead's nudge about the milestone is left out, as the escalation says it.
    assert run("send_reminders", "--as-of", "2026-11-30") == [
        f"queued: exec1@northshire.gov.uk | {MILESTONE} | {EXECUTIVE} | role executive",
        f"queued: exec2@icb.example | {MILESTONE} | {EXECUTIVE} | role executive",
        "queued: lead@northshire.gov.uk | action 1.1 northshire-wsoa "
        f"| {LEAD} | role accountable_lead",
        f"queued: lead@northshire.gov.uk | {MILESTONE} | {LEAD} | role accountable_lead",
        "queued: owner@northshire.gov.uk | action 1.1 northshire-wsoa "
        "| 6 working days overdue | role owner",
        "queued: owner@northshire.gov.uk | action 2.3 northshire-wsoa | due today | role owner",
        "queued: supporter@nhs.example | action 2.3 northshire-wsoa | due today | role supporting",
        "5 emails queued; 7 lines for 5 people.",
    ]
    assert set(Notification.objects.values_list("kind", "occurrence")) == {
        (NotificationKind.REMINDERS, "2026-11-30")
    }
    assert Notification.objects.count() == 5
    assert Escalation.objects.count() == 3


def test_send_reminders_dry_run_prints_the_same_lines_and_queues_nothing(
    chased: SmallPlan, clock: Clock
) -> None:
    lines = run("send_reminders", "--as-of", "2026-11-30", "--dry-run")
    assert lines[0] == (
        f"would queue: exec1@northshire.gov.uk | {MILESTONE} | {EXECUTIVE} | role executive"
    )
    assert len(lines) == 8
    assert all(line.startswith("would queue: ") for line in lines[:7])
    assert lines[-1] == "Dry run: 7 lines for 5 people; nothing queued."
    assert not Notification.objects.exists()
    assert not Escalation.objects.exists()


def test_send_reminders_run_again_says_already_queued_and_queues_nothing(
    chased: SmallPlan, clock: Clock
) -> None:
    run("send_reminders", "--as-of", "2026-11-30")
    rows = list(Notification.objects.values_list("id", "items"))

    again = run("send_reminders", "--as-of", "2026-11-30")

    assert again[:-1] and all(line.startswith("already queued: ") for line in again[:-1])
    assert again[-1] == "0 emails queued; 4 lines for 3 people."
    assert list(Notification.objects.values_list("id", "items")) == rows
    assert Escalation.objects.count() == 3


def test_send_reminders_on_a_day_with_nothing_due_says_so(
    small_plan: SmallPlan, clock: Clock
) -> None:
    assert run("send_reminders", "--as-of", "2026-11-25") == [
        "0 emails queued; 0 lines for 0 people."
    ]


# --- escalate_overdue ---------------------------------------------------------------------


def test_escalate_overdue_prints_one_line_per_person_told_and_item(
    chased: SmallPlan, clock: Clock
) -> None:
    lines = run("escalate_overdue", "--as-of", "2026-11-30")

    milestone = 'milestone "Assessments cleared" northshire-wsoa'
    lead = "level 1 (the recommendation's accountable lead), 6 working days overdue"
    assert [line.split(" | ") for line in lines[2:-1]] == [
        [
            "queued: lead@northshire.gov.uk",
            "action 1.1 northshire-wsoa",
            lead,
            "role accountable_lead",
        ],
        ["queued: lead@northshire.gov.uk", milestone, lead, "role accountable_lead"],
    ]
    executive = "level 2 (the SEND Executive (the plan's board)), 6 working days overdue"
    assert [line.split(" | ") for line in lines[:2]] == [
        [f"queued: {email}", milestone, executive, "role executive"]
        for email in ("exec1@northshire.gov.uk", "exec2@icb.example")
    ]
    assert lines[-1] == "3 emails queued; 4 escalation lines for 3 people."
    assert Escalation.objects.count() == 3


def test_escalate_overdue_dry_run_records_nothing(chased: SmallPlan, clock: Clock) -> None:
    lines = run("escalate_overdue", "--as-of", "2026-11-30", "--dry-run")
    assert [line.split(" | ")[0] for line in lines[:-1]] == [
        "would queue: exec1@northshire.gov.uk",
        "would queue: exec2@icb.example",
        "would queue: lead@northshire.gov.uk",
        "would queue: lead@northshire.gov.uk",
    ]
    assert lines[-1] == "Dry run: 4 escalation lines for 3 people; nothing queued."
    assert not Escalation.objects.exists()
    assert not Notification.objects.exists()


def test_escalate_overdue_run_again_tells_nobody_twice(chased: SmallPlan, clock: Clock) -> None:
    run("escalate_overdue", "--as-of", "2026-11-30")
    rows = list(Notification.objects.values_list("id", flat=True))

    assert run("escalate_overdue", "--as-of", "2026-11-30") == [
        "0 emails queued; 0 escalation lines for 0 people."
    ]
    assert run("escalate_overdue", "--as-of", "2026-12-01") == [
        "0 emails queued; 0 escalation lines for 0 people."
    ]
    assert Escalation.objects.count() == 3
    assert list(Notification.objects.values_list("id", flat=True)) == rows


# --- Days that are not working days, and dates that are not dates ------------------------


@pytest.mark.parametrize(
    ("day", "line"),
    [
        ("2026-11-28", "2026-11-28 is not a working day (a Saturday): nothing is sent."),
        ("2026-11-29", "2026-11-29 is not a working day (a Sunday): nothing is sent."),
        ("2026-12-25", "2026-12-25 is not a working day (Christmas Day): nothing is sent."),
        (
            "2026-12-28",
            "2026-12-28 is not a working day (Boxing Day (observed)): nothing is sent.",
        ),
    ],
)
@pytest.mark.parametrize("command", ["send_reminders", "escalate_overdue"])
def test_a_day_that_is_not_a_working_day_is_said_plainly_and_nothing_is_queued(
    chased: SmallPlan, clock: Clock, command: str, day: str, line: str
) -> None:
    assert run(command, "--as-of", day) == [line]
    assert run(command, "--as-of", day, "--dry-run") == [line]
    assert not Notification.objects.exists()
    assert not Escalation.objects.exists()


@pytest.mark.parametrize("value", ["2026-13-01", "tomorrow", "2026-02-30", ""])
@pytest.mark.parametrize("command", ["send_reminders", "escalate_overdue"])
def test_a_bad_date_is_one_clear_error_and_changes_nothing(
    chased: SmallPlan, clock: Clock, command: str, value: str
) -> None:
    with pytest.raises(CommandError) as error:
        run(command, "--as-of", value)
    assert str(error.value) == (
        f'--as-of "{value}" is not a date: write it as YYYY-MM-DD, for example 2026-11-25.'
    )
    assert not Notification.objects.exists()
    assert not Escalation.objects.exists()


@pytest.mark.parametrize("command", ["send_reminders", "escalate_overdue"])
def test_the_day_must_be_given(chased: SmallPlan, clock: Clock, command: str) -> None:
    with pytest.raises(CommandError, match="--as-of"):
        run(command)
    assert not Notification.objects.exists()


def test_the_summary_speaks_of_one_email_line_and_person_in_the_singular(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=dt.date(2026, 11, 25))
    assert run("send_reminders", "--as-of", "2026-11-25", "--dry-run")[-1] == (
        "Dry run: 1 line for 1 person; nothing queued."
    )
    assert run("send_reminders", "--as-of", "2026-11-25")[-1] == (
        "1 email queued; 1 line for 1 person."
    )
