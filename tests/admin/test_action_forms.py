"""Adding and editing actions (and a plan's dates) in the admin: a new action joins its
recommendation's plan, and bad dates, a reference already used in the plan or another
recommendation's outcome are refused with nothing saved."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from actions.models import Action, ActionStatus, Plan, Rag
from tests.admin.conftest import World
from tests.admin.forms import form_data, page_errors, url

pytestmark = pytest.mark.django_db


# --- Actions: adding and editing ----------------------------------------------------------


def _new_action_data(admin_client: Client, world: World, **changes: Any) -> dict[str, Any]:
    data = form_data(admin_client.get(url("actions_action_add")), "action_form")
    data.update(
        recommendation=str(world.rec2.pk),
        reference="2.3",
        title="Train SENCOs in the graduated approach",
        owner=str(world.owner.pk),
        supporting_owners=[str(world.health.pk)],
        start_date="2026-12-01",
        due_date="2027-02-26",
    )
    data.update(changes)
    return data


def test_an_action_added_in_the_admin_joins_its_recommendations_plan(
    world: World, admin_client: Client
) -> None:
    response = admin_client.post(url("actions_action_add"), _new_action_data(admin_client, world))

    assert response.status_code == 302, page_errors(response)
    action = Action.objects.get(plan=world.plan, reference="2.3")
    assert action.recommendation == world.rec2
    assert (action.status, action.rag) == (ActionStatus.NOT_STARTED, Rag.GREEN)
    assert list(action.supporting_owners.all()) == [world.health]
    assert {row.history_user for row in action.history.all()} == {world.admin}


def test_a_due_date_before_the_start_date_is_refused_and_nothing_is_saved(
    world: World, admin_client: Client
) -> None:
    data = _new_action_data(admin_client, world, start_date="2027-03-01", due_date="2027-02-26")
    response = admin_client.post(url("actions_action_add"), data)
    assert "The due date cannot be before the start date." in page_errors(response)
    assert not Action.objects.filter(reference="2.3").exists()

    page = admin_client.get(url("actions_action_change", world.this_week.pk))
    data = form_data(page, "action_form")
    data["start_date"] = "2026-12-01"
    version = Action.objects.get(pk=world.this_week.pk).version
    response = admin_client.post(url("actions_action_change", world.this_week.pk), data)
    assert "The due date cannot be before the start date." in page_errors(response)
    fresh = Action.objects.get(pk=world.this_week.pk)
    assert (fresh.start_date, fresh.version) == (dt.date(2026, 9, 1), version)


def test_a_reference_already_used_in_the_plan_is_refused_but_another_plan_may_use_it(
    world: World, admin_client: Client
) -> None:
    data = _new_action_data(admin_client, world, reference="1.2")
    response = admin_client.post(url("actions_action_add"), data)
    assert "This plan already has an action with that reference." in page_errors(response)
    assert Action.objects.filter(plan=world.plan, reference="1.2").count() == 1

    # "1.2" is free in the other plan.
    data = _new_action_data(
        admin_client, world, reference="1.2", recommendation=str(world.other_rec.pk)
    )
    response = admin_client.post(url("actions_action_add"), data)
    assert response.status_code == 302, page_errors(response)
    assert Action.objects.get(plan=world.other_plan, reference="1.2").recommendation == (
        world.other_rec
    )


def test_an_outcome_of_another_recommendation_is_refused(
    world: World, admin_client: Client
) -> None:
    data = _new_action_data(admin_client, world, outcome=str(world.outcome.pk))
    response = admin_client.post(url("actions_action_add"), data)
    assert "This outcome belongs to a different recommendation." in page_errors(response)
    assert not Action.objects.filter(reference="2.3").exists()


def test_a_plan_ending_before_it_starts_is_refused(world: World, admin_client: Client) -> None:
    page = admin_client.get(url("actions_plan_change", world.plan.pk))
    data = form_data(page, "plan_form")
    data["end_date"] = "2025-12-31"
    response = admin_client.post(url("actions_plan_change", world.plan.pk), data)
    assert "A plan cannot end before it starts." in page_errors(response)
    assert Plan.objects.get(pk=world.plan.pk).end_date == dt.date(2027, 12, 31)
