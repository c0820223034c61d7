"""Structural edits: per-field validation, stale writes refused, every change audited."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actions.exceptions import PreconditionFailed
from actions.models import Action, Milestone, Plan, SuccessMeasure
from actions.services import model_create, model_update, reading_record
from tests.factories import (
    ActionFactory,
    MilestoneFactory,
    OutcomeFactory,
    PlanFactory,
    RecommendationFactory,
    SuccessMeasureFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_creating_an_action_takes_its_plan_from_the_recommendation() -> None:
    recommendation = RecommendationFactory.create()
    owner = UserFactory.create()
    action = model_create(
        model=Action,
        by=recommendation.lead,
        fields={
            "recommendation": recommendation,
            "reference": "1.1",
            "title": "Publish the graduated approach guidance",
            "owner": owner,
            "due_date": dt.date(2027, 1, 29),
            "supporting_owners": [UserFactory.create()],
        },
    )
    assert action.plan_id == recommendation.plan_id
    assert action.supporting_owners.count() == 1
    assert {row.history_user for row in action.history.all()} == {recommendation.lead}


def test_a_due_date_before_the_start_date_is_refused_on_the_due_date_field() -> None:
    action = ActionFactory.create(start_date=dt.date(2026, 9, 1), due_date=dt.date(2026, 12, 18))
    with pytest.raises(ValidationError) as refused:
        model_update(instance=action, by=None, fields={"due_date": dt.date(2026, 8, 1)})
    assert refused.value.message_dict == {
        "due_date": ["The due date cannot be before the start date."]
    }
    assert Action.objects.get(pk=action.pk).due_date == dt.date(2026, 12, 18)


def test_a_reference_already_used_in_the_plan_is_refused_on_the_reference_field() -> None:
    first = ActionFactory.create(reference="2.1")
    second = ActionFactory.create(recommendation=first.recommendation, reference="2.2")
    with pytest.raises(ValidationError) as refused:
        model_update(instance=second, by=None, fields={"reference": "2.1"})
    assert refused.value.message_dict["reference"] == [
        "This plan already has an action with that reference."
    ]
    # The same reference in another plan is fine.
    elsewhere = ActionFactory.create()
    model_update(instance=elsewhere, by=None, fields={"reference": "2.1"})


def test_the_database_itself_refuses_a_duplicate_reference_that_skips_validation() -> None:
    first = ActionFactory.create(reference="3.1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory.create(recommendation=first.recommendation, reference="3.1")


def test_an_outcome_from_another_recommendation_is_refused() -> None:
    action = ActionFactory.create()
    foreign_outcome = OutcomeFactory.create()
    with pytest.raises(ValidationError) as refused:
        model_update(instance=action, by=None, fields={"outcome": foreign_outcome})
    assert refused.value.message_dict == {
        "outcome": ["This outcome belongs to a different recommendation."]
    }


def test_a_plan_cannot_end_before_it_starts() -> None:
    plan = PlanFactory.create()
    with pytest.raises(ValidationError) as refused:
        model_update(instance=plan, by=None, fields={"end_date": dt.date(2025, 1, 1)})
    assert refused.value.message_dict == {"end_date": ["A plan cannot end before it starts."]}
    assert Plan.objects.get(pk=plan.pk).end_date == dt.date(2027, 12, 31)


def test_a_stale_write_is_refused_and_the_row_is_unchanged() -> None:
    milestone = MilestoneFactory.create()
    read_version = milestone.version
    model_update(
        instance=milestone, by=None, fields={"title": "Backlog cleared"}, expected_version=1
    )
    with pytest.raises(PreconditionFailed):
        model_update(
            instance=milestone,
            by=None,
            fields={"achieved_on": dt.date(2026, 11, 2)},
            expected_version=read_version,
        )
    fresh = Milestone.objects.get(pk=milestone.pk)
    assert (fresh.title, fresh.achieved_on, fresh.version) == ("Backlog cleared", None, 2)


def test_every_change_to_plans_milestones_and_measures_is_audited_with_who_and_what() -> None:
    admin = UserFactory.create(is_staff=True)
    plan = PlanFactory.create(title="Draft plan")
    milestone = MilestoneFactory.create(recommendation__plan=plan)
    measure = SuccessMeasureFactory.create(recommendation=milestone.recommendation)

    model_update(instance=plan, by=admin, fields={"title": "Northshire WSOA 2026"})
    model_update(instance=milestone, by=admin, fields={"achieved_on": dt.date(2026, 10, 1)})
    model_update(instance=measure, by=admin, fields={"target": Decimal("70.00")})

    audited: list[tuple[type[Plan] | type[Milestone] | type[SuccessMeasure], int, str, Any, Any]]
    audited = [
        (Plan, plan.pk, "title", "Draft plan", "Northshire WSOA 2026"),
        (Milestone, milestone.pk, "achieved_on", None, dt.date(2026, 10, 1)),
        (SuccessMeasure, measure.pk, "target", Decimal("65.00"), Decimal("70.00")),
    ]
    for model, pk, field, old, new in audited:
        previous, latest = model.objects.get(pk=pk).history.order_by("history_id")
        assert latest.history_user == admin
        assert latest.history_type == "~"
        changes = {c.field: (c.old, c.new) for c in latest.diff_against(previous).changes}
        assert changes[field] == (old, new)


def test_changes_to_supporting_owners_and_milestone_actions_are_audited() -> None:
    action = ActionFactory.create()
    helper = UserFactory.create(name="Sam Okafor")
    model_update(instance=action, by=None, fields={"supporting_owners": [helper]})
    milestone = MilestoneFactory.create(recommendation=action.recommendation)
    model_update(instance=milestone, by=None, fields={"actions": [action]})

    latest_action = action.history.order_by("history_id").last()
    assert [row.user_id for row in latest_action.supporting_owners.all()] == [helper.pk]
    latest_milestone = milestone.history.order_by("history_id").last()
    assert [row.action_id for row in latest_milestone.actions.all()] == [action.pk]


def test_a_second_reading_on_the_same_day_is_refused_with_a_message() -> None:
    measure = SuccessMeasureFactory.create()
    lead = measure.recommendation.lead
    reading_record(measure=measure, by=lead, taken_on=dt.date(2026, 10, 31), value="41.5")
    with pytest.raises(ValidationError) as refused:
        reading_record(measure=measure, by=lead, taken_on=dt.date(2026, 10, 31), value="42")
    assert refused.value.message_dict == {
        "taken_on": ["This measure already has a reading on that date."]
    }
    assert measure.readings.count() == 1
