"""The escalation ladder: who is told about an overdue item, on which working day, and once."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from accounts.models import User
from actions.dates import LONDON, is_working_day
from actions.models import ActionStatus, PlanStatus, Rag
from actions.services import action_update_status, model_update
from notifications.delivery import notification_deliver
from notifications.models import (
    Audience,
    Escalation,
    EscalationStep,
    ItemType,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from notifications.services import escalations_queue, reminders_queue
from tests.factories import MilestoneFactory, PlanFactory, RecommendationFactory, UserFactory
from tests.notifications.conftest import Clock, SmallPlan, london

d = dt.date

LEAD = "lead@northshire.gov.uk"
EXECUTIVE = ["exec1@northshire.gov.uk", "exec2@icb.example"]
LEAD_MEMBER = "cllr@northshire.gov.uk"

Step = tuple[dt.date, int, str, list[str]]


def steps(**item: object) -> list[Step]:
    """Escalations so far, oldest first: (day told, level, audience, who was told)."""
    return [
        (
            escalation.created_at.astimezone(LONDON).date(),
            escalation.level,
            escalation.audience,
            sorted(escalation.told.values_list("email", flat=True)),
        )
        for escalation in Escalation.objects.filter(**item).order_by("created_at", "level")
    ]


def sweep_each_working_day(clock: Clock, start: dt.date, end: dt.date) -> None:
    """The escalation sweep at 09:30 on every working day from ``start`` to ``end``."""
    day = start
    while day <= end:
        if is_working_day(day):
            clock.go_to(day)
            escalations_queue(today=day)
        day += dt.timedelta(days=1)


def escalation_emails_to(person: User) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=person, kind=NotificationKind.ESCALATION).order_by(
            "id"
        )
    )


def deliver(row: Notification) -> EmailMultiAlternatives:
    mail.outbox.clear()
    assert notification_deliver(notification_id=row.pk) == "sent"
    [message] = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    return message


# --- The default ladders ------------------------------------------------------------------


def test_an_overdue_milestone_climbs_to_the_lead_the_executive_and_the_lead_member(
    small_plan: SmallPlan, clock: Clock
) -> None:
    milestone = small_plan.milestone(due=d(2026, 11, 20))  # a Friday
    sweep_each_working_day(clock, d(2026, 11, 20), d(2026, 12, 31))
    assert steps(milestone=milestone) == [
        (d(2026, 11, 23), 1, Audience.ACCOUNTABLE_LEAD, [LEAD]),  # the first late day
        (d(2026, 11, 30), 2, Audience.EXECUTIVE, EXECUTIVE),  # 5 working days on
        (d(2026, 12, 14), 3, Audience.LEAD_MEMBER, [LEAD_MEMBER]),  # 15 working days on
    ]


def test_the_milestone_ladder_counts_over_christmas_and_new_year(
    small_plan: SmallPlan, clock: Clock
) -> None:
    milestone = small_plan.milestone(due=d(2026, 12, 24))
    sweep_each_working_day(clock, d(2026, 12, 24), d(2027, 1, 29))
    assert steps(milestone=milestone) == [
        (d(2026, 12, 29), 1, Audience.ACCOUNTABLE_LEAD, [LEAD]),
        # 30, 31 December, then 4, 5, 6 January (New Year's Day is a Friday holiday)
        (d(2027, 1, 6), 2, Audience.EXECUTIVE, EXECUTIVE),
        (d(2027, 1, 20), 3, Audience.LEAD_MEMBER, [LEAD_MEMBER]),
    ]


def test_an_overdue_action_climbs_its_own_ladder_after_5_15_and_25_working_days(
    small_plan: SmallPlan, clock: Clock
) -> None:
    action = small_plan.action(due=d(2026, 11, 20))
    sweep_each_working_day(clock, d(2026, 11, 20), d(2027, 1, 8))
    assert steps(action=action) == [
        (d(2026, 11, 30), 1, Audience.ACCOUNTABLE_LEAD, [LEAD]),
        (d(2026, 12, 14), 2, Audience.EXECUTIVE, EXECUTIVE),
        # 25 working days: Christmas Day and the observed Boxing Day are not counted.
        (d(2026, 12, 30), 3, Audience.LEAD_MEMBER, [LEAD_MEMBER]),
    ]


def test_each_step_records_the_item_the_level_who_was_told_and_when(
    small_plan: SmallPlan, clock: Clock
) -> None:
    milestone = small_plan.milestone(due=d(2026, 11, 20))
    now = clock.go_to(d(2026, 11, 30))
    escalations_queue(today=d(2026, 11, 30))

    level_1, level_2 = Escalation.objects.filter(milestone=milestone).order_by("level")
    for escalation in (level_1, level_2):
        assert escalation.plan == small_plan.plan
        assert escalation.action is None
        assert escalation.item_type == ItemType.MILESTONE
        assert escalation.due_date == d(2026, 11, 20)
        assert escalation.created_at == now
        assert escalation.is_open
    # Told on the sixth working day past the due date (the ladder's day 5).
    assert [(e.level, e.working_days_overdue) for e in (level_1, level_2)] == [(1, 6), (2, 6)]
    assert list(level_1.told.all()) == [small_plan.lead]
    assert set(level_2.told.all()) == set(small_plan.executive)


def test_the_parent_carer_forum_and_deactivated_members_are_never_told(
    small_plan: SmallPlan, clock: Clock
) -> None:
    departed = small_plan.executive[1]
    departed.is_active = False
    departed.save()
    milestone = small_plan.milestone(due=d(2026, 11, 20))
    sweep_each_working_day(clock, d(2026, 11, 23), d(2026, 12, 14))

    told = {email for *_, emails in steps(milestone=milestone) for email in emails}
    assert told == {LEAD, EXECUTIVE[0], LEAD_MEMBER}
    assert escalation_emails_to(small_plan.forum_member) == []
    assert escalation_emails_to(departed) == []


def test_a_sweep_that_missed_days_tells_every_level_reached_once(
    small_plan: SmallPlan, clock: Clock
) -> None:
    milestone = small_plan.milestone(due=d(2026, 11, 20))
    sweep_each_working_day(clock, d(2026, 12, 1), d(2026, 12, 1))
    assert [(day, level) for day, level, *_ in steps(milestone=milestone)] == [
        (d(2026, 12, 1), 1),
        (d(2026, 12, 1), 2),
    ]


# --- Told once ----------------------------------------------------------------------------


def test_the_sweep_run_twice_in_a_row_queues_nothing_new(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.milestone(due=d(2026, 11, 20))
    small_plan.action(due=d(2026, 11, 13))
    first = escalations_queue(today=d(2026, 11, 30))
    assert first.queued_ids
    escalations = list(Escalation.objects.values_list("id", flat=True))
    rows = list(Notification.objects.values_list("id", flat=True))

    second = escalations_queue(today=d(2026, 11, 30))

    assert (second.queued_ids, second.escalations, second.due) == ([], [], [])
    assert list(Escalation.objects.values_list("id", flat=True)) == escalations
    assert list(Notification.objects.values_list("id", flat=True)) == rows


def test_no_level_is_told_twice_on_later_days(small_plan: SmallPlan, clock: Clock) -> None:
    milestone = small_plan.milestone(due=d(2026, 11, 20))
    sweep_each_working_day(clock, d(2026, 11, 23), d(2027, 2, 26))
    assert [level for _, level, *_ in steps(milestone=milestone)] == [1, 2, 3]
    assert len(escalation_emails_to(small_plan.lead)) == 1
    assert len(escalation_emails_to(small_plan.lead_member)) == 1


def test_a_dry_run_says_who_would_be_told_and_changes_nothing(
    small_plan: SmallPlan, clock: Clock
) -> None:
    milestone = small_plan.milestone(due=d(2026, 11, 20))
    result = escalations_queue(today=d(2026, 11, 30), dry_run=True)
    assert sorted((line.recipient_id, line.escalation_level) for line in result.due) == sorted(
        [(small_plan.lead.pk, 1)] + [(person.pk, 2) for person in small_plan.executive]
    )
    assert not Escalation.objects.exists()
    assert not Notification.objects.exists()
    # The real sweep afterwards still tells them.
    escalations_queue(today=d(2026, 11, 30))
    assert [level for _, level, *_ in steps(milestone=milestone)] == [1, 2]


def test_items_not_overdue_or_finished_or_of_plans_not_active_are_not_escalated(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=d(2026, 11, 30))  # due today
    small_plan.action(
        due=d(2026, 11, 6), status=ActionStatus.COMPLETED, rag=Rag.BLUE, completed_on=d(2026, 11, 6)
    )
    small_plan.action(due=d(2026, 11, 6), status=ActionStatus.CANCELLED)
    small_plan.milestone(due=d(2026, 11, 6), achieved_on=d(2026, 11, 9))
    draft = PlanFactory.create(status=PlanStatus.DRAFT)
    MilestoneFactory.create(
        recommendation=RecommendationFactory.create(plan=draft), due_date=d(2026, 11, 6)
    )

    result = escalations_queue(today=d(2026, 11, 30))

    assert (result.escalations, result.queued_ids) == ([], [])
    assert not Escalation.objects.exists()


# --- What stops or restarts the climb -----------------------------------------------------


def test_an_update_on_a_linked_action_pauses_a_milestones_climb(
    small_plan: SmallPlan, clock: Clock
) -> None:
    action = small_plan.action(due=d(2026, 12, 31))
    milestone = small_plan.milestone(due=d(2026, 11, 20), actions=[action])
    sweep_each_working_day(clock, d(2026, 11, 23), d(2026, 11, 25))
    # Wednesday afternoon, after the day's sweep, the owner reports progress.
    clock.go_to(d(2026, 11, 25), dt.time(15, 0))
    action_update_status(action=action, by=small_plan.owner, commentary="Panel has met.")

    sweep_each_working_day(clock, d(2026, 11, 26), d(2026, 12, 31))

    assert [(day, level) for day, level, *_ in steps(milestone=milestone)] == [
        (d(2026, 11, 23), 1),
        # Not Monday 30 November: five working days without an update after the 25th.
        (d(2026, 12, 2), 2),
        (d(2026, 12, 16), 3),
    ]


def test_an_update_on_an_overdue_action_pauses_its_climb(
    small_plan: SmallPlan, clock: Clock
) -> None:
    action = small_plan.action(due=d(2026, 11, 20))
    clock.go_to(d(2026, 11, 25), dt.time(15, 0))
    action_update_status(action=action, by=small_plan.owner, rag=Rag.AMBER, commentary="Late.")
    sweep_each_working_day(clock, d(2026, 11, 23), d(2026, 12, 4))
    # Monday 30 November would have been the lead's day; five quiet days after the 25th.
    assert [(day, level) for day, level, *_ in steps(action=action)] == [(d(2026, 12, 2), 1)]


def test_completing_an_action_resolves_its_escalations_and_stops_the_climb(
    small_plan: SmallPlan, clock: Clock
) -> None:
    action = small_plan.action(due=d(2026, 11, 20))
    sweep_each_working_day(clock, d(2026, 11, 23), d(2026, 12, 1))
    assert [level for _, level, *_ in steps(action=action)] == [1]

    now = clock.go_to(d(2026, 12, 2), dt.time(8, 0))
    action_update_status(
        action=action, by=small_plan.owner, status=ActionStatus.COMPLETED, completed_on=now.date()
    )
    sweep_each_working_day(clock, d(2026, 12, 2), d(2027, 1, 29))

    [escalation] = Escalation.objects.filter(action=action)
    assert escalation.resolved_at == london(d(2026, 12, 2))
    assert escalation.resolution == "The action was completed, cancelled or given a new due date."
    assert escalation_emails_to(small_plan.executive[0]) == []


def test_achieving_a_milestone_resolves_its_escalations_and_stops_the_climb(
    small_plan: SmallPlan, clock: Clock
) -> None:
    milestone = small_plan.milestone(due=d(2026, 11, 20))
    sweep_each_working_day(clock, d(2026, 11, 23), d(2026, 11, 30))
    clock.go_to(d(2026, 12, 1), dt.time(8, 0))
    model_update(instance=milestone, by=small_plan.lead, fields={"achieved_on": d(2026, 12, 1)})

    sweep_each_working_day(clock, d(2026, 12, 1), d(2027, 1, 29))

    escalations = Escalation.objects.filter(milestone=milestone).order_by("level")
    assert [(e.level, e.resolved_at) for e in escalations] == [
        (1, london(d(2026, 12, 1))),
        (2, london(d(2026, 12, 1))),
    ]
    assert {e.resolution for e in escalations} == {
        "The milestone was achieved or given a new due date."
    }
    assert escalation_emails_to(small_plan.lead_member) == []


def test_moving_the_due_date_starts_a_new_episode_from_the_first_level(
    small_plan: SmallPlan, clock: Clock
) -> None:
    milestone = small_plan.milestone(due=d(2026, 11, 20))
    sweep_each_working_day(clock, d(2026, 11, 23), d(2026, 11, 30))
    clock.go_to(d(2026, 12, 1), dt.time(8, 0))
    model_update(instance=milestone, by=small_plan.lead, fields={"due_date": d(2026, 12, 4)})

    sweep_each_working_day(clock, d(2026, 12, 1), d(2026, 12, 14))

    rows = Escalation.objects.filter(milestone=milestone).order_by("created_at", "level")
    assert [
        (e.due_date, e.level, e.created_at.astimezone(LONDON).date(), e.resolved_at is not None)
        for e in rows
    ] == [
        (d(2026, 11, 20), 1, d(2026, 11, 23), True),
        (d(2026, 11, 20), 2, d(2026, 11, 30), True),
        (d(2026, 12, 4), 1, d(2026, 12, 7), False),
        (d(2026, 12, 4), 2, d(2026, 12, 14), False),
    ]


# --- Ladders per plan ---------------------------------------------------------------------


def test_a_plans_own_ladder_replaces_the_default_for_that_item_type(
    small_plan: SmallPlan, clock: Clock
) -> None:
    for level, days, audience in ((1, 2, Audience.EXECUTIVE), (2, 4, Audience.LEAD_MEMBER)):
        EscalationStep.objects.create(
            plan=small_plan.plan,
            item_type=ItemType.MILESTONE,
            level=level,
            after_working_days=days,
            audience=audience,
        )
    milestone = small_plan.milestone(due=d(2026, 11, 20))
    action = small_plan.action(due=d(2026, 11, 20))
    other_lead = UserFactory.create(email="other.lead@northshire.gov.uk")
    elsewhere = MilestoneFactory.create(
        recommendation=RecommendationFactory.create(lead=other_lead), due_date=d(2026, 11, 20)
    )

    sweep_each_working_day(clock, d(2026, 11, 23), d(2026, 12, 31))

    assert steps(milestone=milestone) == [
        (d(2026, 11, 25), 1, Audience.EXECUTIVE, EXECUTIVE),
        (d(2026, 11, 27), 2, Audience.LEAD_MEMBER, [LEAD_MEMBER]),
    ]
    # Actions of the plan keep the default action ladder; other plans the default ladder.
    assert [(day, level) for day, level, *_ in steps(action=action)][:1] == [(d(2026, 11, 30), 1)]
    assert steps(milestone=elsewhere)[0] == (
        d(2026, 11, 23),
        1,
        Audience.ACCOUNTABLE_LEAD,
        ["other.lead@northshire.gov.uk"],
    )


# --- The emails ---------------------------------------------------------------------------


def test_each_person_gets_one_escalation_email_per_sweep_listing_all_their_items(
    small_plan: SmallPlan, clock: Clock
) -> None:
    first = small_plan.milestone(due=d(2026, 11, 20), title="Assessments cleared")
    second = small_plan.milestone(due=d(2026, 11, 19), title="Local offer relaunched")
    action = small_plan.action(due=d(2026, 11, 6), title="Recruit two psychologists")
    clock.go_to(d(2026, 11, 30))
    escalations_queue(today=d(2026, 11, 30))

    for person in small_plan.executive:
        [row] = escalation_emails_to(person)
        assert [(item["type"], item["id"], item["level"]) for item in row.items] == [
            ("action", action.pk, 2),  # 15 working days late: the most urgent
            ("milestone", second.pk, 2),
            ("milestone", first.pk, 2),
        ]
    [row] = escalation_emails_to(small_plan.lead)
    assert sorted((item["type"], item["level"]) for item in row.items) == [
        ("action", 1),
        ("milestone", 1),
        ("milestone", 1),
    ]

    message = deliver(escalation_emails_to(small_plan.executive[0])[0])
    assert message.subject == "Escalated to you: 1 action and 2 milestones overdue"
    assert message.to == [EXECUTIVE[0]]
    for part in (str(message.body), str(message.alternatives[0][0])):
        for title in ("Assessments cleared", "Local offer relaunched", "Recruit two psychologists"):
            assert title in part
        assert "Escalation level 2." in part
        assert "You are told as a member of the SEND Executive." in part


def test_escalations_ignore_preferences_and_cannot_be_unsubscribed(
    small_plan: SmallPlan, clock: Clock
) -> None:
    NotificationPreference.objects.create(
        user=small_plan.lead,
        before_due=False,
        on_due_date=False,
        overdue=False,
        as_supporting_owner=False,
        digests=False,
    )
    milestone = small_plan.milestone(due=d(2026, 11, 20))
    clock.go_to(d(2026, 11, 23))
    escalations_queue(today=d(2026, 11, 23))

    assert steps(milestone=milestone) == [(d(2026, 11, 23), 1, Audience.ACCOUNTABLE_LEAD, [LEAD])]
    message = deliver(escalation_emails_to(small_plan.lead)[0])
    headers = message.message()
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["List-Unsubscribe"] is None
    assert "Escalations to leads and boards cannot be switched off." in str(message.body)


def test_the_lead_told_about_an_action_gets_a_link_to_update_it(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=d(2026, 11, 20))
    clock.go_to(d(2026, 11, 30))
    escalations_queue(today=d(2026, 11, 30))

    message = deliver(escalation_emails_to(small_plan.lead)[0])

    assert "/update/" in str(message.body)
    assert "You are the accountable lead for this recommendation." in str(message.body)
    assert "Owner: Owen Owner." in str(message.body)


@pytest.mark.parametrize(
    "escalations_first", [True, False], ids=["escalations-first", "reminders-first"]
)
def test_on_the_first_late_day_the_lead_gets_one_email_about_a_milestone_not_two(
    small_plan: SmallPlan, clock: Clock, escalations_first: bool
) -> None:
    milestone = small_plan.milestone(due=d(2026, 11, 30))
    clock.go_to(d(2026, 12, 1))
    sweeps = [escalations_queue, reminders_queue]
    for sweep in sweeps if escalations_first else reversed(sweeps):
        sweep(today=d(2026, 12, 1))

    emails = Notification.objects.filter(recipient=small_plan.lead)
    assert [(n.kind, [item["id"] for item in n.items]) for n in emails] == [
        (NotificationKind.ESCALATION, [milestone.pk])
    ]
