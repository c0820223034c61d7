"""What each role may change through the API: an owner only the description of their
action, a lead the actions, title and description and measure readings of the recommendation
they lead and nothing under another; a supporting owner or a board member reads but changes
nothing; and a board that governs a plan cannot be deleted.
"""

import pytest

from accounts.models import User
from actions.models import Action
from tests.api.behaviour.actions_api import action_url, assert_unchanged
from tests.api.conftest import Plan1, client_for
from tests.factories import ActionFactory, RecommendationFactory, SuccessMeasureFactory

pytestmark = pytest.mark.django_db


# --- Roles on writes ------------------------------------------------------------------------


def test_an_owner_may_change_the_description_but_a_title_change_is_refused_on_the_title(
    plan1: Plan1,
) -> None:
    client = client_for(plan1.owner)
    refused = client.patch(
        action_url(plan1.action), {"title": "Mine now", "description": "Going well"}, format="json"
    )
    assert refused.status_code == 400
    assert list(refused.json()) == ["title"]
    assert_unchanged(plan1.action)

    allowed = client.patch(action_url(plan1.action), {"description": "Going well"}, format="json")
    assert allowed.status_code == 200
    assert allowed.json()["description"] == "Going well"


def test_an_owner_may_put_back_the_action_with_only_the_description_changed(
    plan1: Plan1,
) -> None:
    client = client_for(plan1.owner)
    shown = client.get(action_url(plan1.action)).json()
    writable = ["recommendation", "outcome", "reference", "title", "description", "owner"]
    body = {
        name: shown[name] for name in [*writable, "supporting_owners", "start_date", "due_date"]
    }
    body["description"] = "Interviews in December"
    answer = client.put(action_url(plan1.action), body, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["description"] == "Interviews in December"

    body["due_date"] = "2027-01-31"
    refused = client.put(action_url(plan1.action), body, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["due_date"]


def test_a_supporting_owner_and_a_board_member_may_read_but_not_change_an_action(
    plan1: Plan1,
) -> None:
    for person in (plan1.supporter, plan1.member):
        client = client_for(person)
        assert client.get(action_url(plan1.action)).status_code == 200
        answer = client.patch(action_url(plan1.action), {"description": "x"}, format="json")
        assert answer.status_code == 403
        assert client.delete(action_url(plan1.action)).status_code == 403
    assert_unchanged(plan1.action)


def test_a_lead_cannot_move_an_action_to_a_recommendation_they_do_not_lead(
    plan1: Plan1,
) -> None:
    elsewhere = RecommendationFactory.create(plan=plan1.action.plan)
    ActionFactory.create(recommendation=elsewhere, owner=plan1.lead)  # so the lead can read it
    answer = client_for(plan1.lead).patch(
        action_url(plan1.action), {"recommendation": elsewhere.pk}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["recommendation"]
    assert_unchanged(plan1.action)


def test_a_lead_may_not_create_an_action_under_someone_elses_recommendation(
    plan1: Plan1,
) -> None:
    other = RecommendationFactory.create(plan=plan1.action.plan)
    ActionFactory.create(recommendation=other, owner=plan1.lead)
    answer = client_for(plan1.lead).post(
        "/api/actions/",
        {
            "recommendation": other.pk,
            "reference": "5.1",
            "title": "Not mine to add",
            "owner": plan1.owner.pk,
            "due_date": "2027-01-29",
        },
        format="json",
    )
    assert answer.status_code == 403
    assert not Action.objects.filter(reference="5.1").exists()


def test_a_lead_may_change_only_the_title_and_description_of_their_recommendation(
    plan1: Plan1,
) -> None:
    recommendation = plan1.action.recommendation
    url = f"/api/recommendations/{recommendation.pk}/"
    client = client_for(plan1.lead)
    assert client.patch(url, {"title": "Sharper title"}, format="json").status_code == 200
    refused = client.patch(url, {"lead": plan1.owner.pk}, format="json")
    assert refused.status_code == 400
    assert refused.json()["lead"]
    assert client.delete(url).status_code == 403


def test_a_lead_records_a_measure_reading_and_is_its_recorder(plan1: Plan1) -> None:
    measure = SuccessMeasureFactory.create(recommendation=plan1.action.recommendation)
    answer = client_for(plan1.lead).post(
        "/api/measure-readings/",
        {"measure": measure.pk, "taken_on": "2026-10-31", "value": "44.50"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["recorded_by"] == plan1.lead.pk
    assert answer.json()["value"] == "44.50"
    duplicate = client_for(plan1.lead).post(
        "/api/measure-readings/",
        {"measure": measure.pk, "taken_on": "2026-10-31", "value": "45"},
        format="json",
    )
    assert duplicate.status_code == 400
    assert duplicate.json()["taken_on"]


def test_a_board_in_use_cannot_be_deleted_and_says_why(admin_user: User, plan1: Plan1) -> None:
    board = plan1.action.plan.board
    assert board is not None
    answer = client_for(admin_user).delete(f"/api/boards/{board.pk}/")
    assert answer.status_code == 400
    assert answer.json()["non_field_errors"]
