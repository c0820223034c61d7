"""A person's reminder preferences: the two services, and what a saved choice changes.

The services are shared by the preferences page and the API, so they validate on their own:
a refused value names its field and changes nothing; the same values twice change nothing.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import User
from actions.models import Action, Recommendation
from notifications.models import Escalation, NotificationPreference
from notifications.preferences import preference_for, preferences_update
from notifications.services import escalations_queue, reminders_queue
from tests.factories import ActionFactory, MilestoneFactory, RecommendationFactory, UserFactory

pytestmark = pytest.mark.django_db

# 10:00 in London (GMT) on Wednesday 25 November 2026.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 25)
# Working days from Wednesday 25 November: Monday 30 November is 3 ahead, Wednesday 2 December
# 5, Wednesday 9 December 10; Tuesday 24 November was the first late day.
IN_3 = dt.date(2026, 11, 30)
IN_5 = dt.date(2026, 12, 2)
IN_10 = dt.date(2026, 12, 9)
LATE_1 = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def person() -> User:
    return UserFactory.create(name="Owen Owner", email="owen.owner@northshire.gov.uk")


def saved(person: User) -> dict[str, Any]:
    return dict(NotificationPreference.objects.filter(user=person).values().get())


def test_someone_who_never_chose_gets_the_defaults_without_a_row_being_saved(
    person: User,
) -> None:
    preference = preference_for(user=person)

    assert preference.pk is None
    assert preference.user == person
    assert (preference.before_due, preference.days_before, preference.on_due_date) == (
        True,
        None,
        True,
    )
    assert (preference.overdue, preference.as_supporting_owner, preference.digests) == (
        True,
        True,
        True,
    )
    assert not NotificationPreference.objects.exists()


def test_an_update_saves_the_fields_given_and_keeps_the_others(person: User) -> None:
    preferences_update(user=person, fields={"days_before": [5, 2], "digests": False})
    preference = preferences_update(user=person, fields={"overdue": False})

    assert preference_for(user=person).pk == preference.pk
    row = saved(person)
    assert (row["days_before"], row["digests"], row["overdue"], row["before_due"]) == (
        [5, 2],
        False,
        False,
        True,
    )
    assert NotificationPreference.objects.count() == 1


def test_saving_the_same_choices_again_changes_nothing(
    person: User, clock: time_machine.Traveller
) -> None:
    fields = {"before_due": False, "days_before": None, "digests": False}
    preferences_update(user=person, fields=fields)
    first = saved(person)
    clock.move_to(NOW + dt.timedelta(hours=1))

    preferences_update(user=person, fields=fields)

    assert saved(person) == first  # not even updated_at moves
    assert NotificationPreference.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"days_before": [0]},
            "days_before",
            "Each reminder is between 1 and 60 working days before the due date.",
        ),
        (
            {"days_before": [10, 61]},
            "days_before",
            "Each reminder is between 1 and 60 working days before the due date.",
        ),
        ({"days_before": [3, 3]}, "days_before", "Each number of days appears once."),
        (
            {"days_before": "10, 3"},
            "days_before",
            "Give whole numbers of working days, for example [10, 3].",
        ),
        (
            {"days_before": [True]},
            "days_before",
            "Give whole numbers of working days, for example [10, 3].",
        ),
        (
            {"digests": False, "user": 7},
            "user",
            "This is not a preference that can be set.",
        ),
    ],
)
def test_a_refused_value_names_its_field_and_changes_nothing(
    person: User, fields: dict[str, Any], field: str, message: str
) -> None:
    for existing in (False, True):
        if existing:
            preferences_update(user=person, fields={"days_before": [10, 3], "overdue": False})
        before = list(NotificationPreference.objects.values())

        with pytest.raises(ValidationError) as refused:
            preferences_update(user=person, fields=fields)

        assert refused.value.message_dict == {field: [message]}
        assert list(NotificationPreference.objects.values()) == before


def test_a_switch_must_be_on_or_off(person: User) -> None:
    with pytest.raises(ValidationError) as refused:
        preferences_update(user=person, fields={"before_due": None})

    assert list(refused.value.message_dict) == ["before_due"]
    assert not NotificationPreference.objects.exists()


# --- What a saved choice changes -----------------------------------------------------------


@pytest.fixture
def recommendation() -> Recommendation:
    lead = UserFactory.create(name="Priya Lead", email="priya.lead@northshire.gov.uk")
    return RecommendationFactory.create(lead=lead)


def action_due(recommendation: Recommendation, owner: User, due: dt.date, **extra: Any) -> Action:
    return ActionFactory.create(recommendation=recommendation, owner=owner, due_date=due, **extra)


def reminders_of(person: User) -> list[tuple[str, int, str, int]]:
    due = reminders_queue(today=TODAY, dry_run=True).due
    return sorted(
        (line.reason, line.days, line.role, line.item_id)
        for line in due
        if line.recipient_id == person.pk
    )


def test_the_defaults_remind_before_on_and_after_the_due_date(
    person: User, recommendation: Recommendation
) -> None:
    soon = action_due(recommendation, person, IN_3)
    today = action_due(recommendation, person, TODAY)
    late = action_due(recommendation, person, LATE_1)
    supported = action_due(recommendation, UserFactory.create(), IN_10, supporting_owners=[person])

    assert reminders_of(person) == sorted(
        [
            ("due_soon", 3, "owner", soon.pk),
            ("due_today", 0, "owner", today.pk),
            ("overdue", 1, "owner", late.pk),
            ("due_soon", 10, "supporting", supported.pk),
        ]
    )


@pytest.mark.parametrize(
    ("choice", "still_sent"),
    [
        ({"before_due": False}, {"due_today", "overdue"}),
        ({"on_due_date": False}, {"due_soon", "overdue", "supporting"}),
        ({"overdue": False}, {"due_soon", "due_today", "supporting"}),
        ({"as_supporting_owner": False}, {"due_soon", "due_today", "overdue"}),
    ],
)
def test_each_switched_off_reminder_is_no_longer_sent(
    person: User, recommendation: Recommendation, choice: dict[str, bool], still_sent: set[str]
) -> None:
    action_due(recommendation, person, IN_3)
    action_due(recommendation, person, TODAY)
    action_due(recommendation, person, LATE_1)
    action_due(recommendation, UserFactory.create(), IN_10, supporting_owners=[person])

    preferences_update(user=person, fields=choice)

    kinds = {
        "supporting" if role == "supporting" else reason
        for reason, _, role, _ in reminders_of(person)
    }
    assert kinds == still_sent


def test_chosen_days_before_replace_the_plans_days(
    person: User, recommendation: Recommendation
) -> None:
    action_due(recommendation, person, IN_3)
    in_5 = action_due(recommendation, person, IN_5)

    preferences_update(user=person, fields={"days_before": [5]})

    assert reminders_of(person) == [("due_soon", 5, "owner", in_5.pk)]
    result = reminders_queue(today=TODAY)
    [row] = person.notifications.all()
    assert row.pk in result.queued_ids
    assert [item["id"] for item in row.items] == [in_5.pk]


def test_escalations_reach_a_lead_who_switched_every_reminder_off(
    recommendation: Recommendation,
) -> None:
    lead = recommendation.lead
    milestone = MilestoneFactory.create(recommendation=recommendation, due_date=LATE_1)
    preferences_update(
        user=lead,
        fields={
            "before_due": False,
            "on_due_date": False,
            "overdue": False,
            "as_supporting_owner": False,
            "digests": False,
        },
    )

    assert reminders_of(lead) == []
    escalations_queue(today=TODAY)

    [escalation] = Escalation.objects.filter(milestone=milestone)
    assert list(escalation.told.all()) == [lead]
    assert lead.notifications.filter(kind="escalation").count() == 1
