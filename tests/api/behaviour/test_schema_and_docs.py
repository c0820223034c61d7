"""The API's schema and docs pages are served; and the rest of what a caller meets around
them: milestones and measures made through the lead and read by the board, JSON 404s for
unknown addresses and ids, and deleting an action, which keeps one with reported progress
(and its plan) and says to cancel it instead.
"""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from actions.models import Action, Milestone, ProgressUpdate
from actions.services import action_update_status
from tests.api.behaviour.actions_api import action_url
from tests.api.conftest import Plan1, client_for

pytestmark = pytest.mark.django_db


# --- Schema and docs ----------------------------------------------------------------------


def test_the_schema_and_the_docs_page_are_served() -> None:
    client = APIClient()
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/actions/{id}/updates/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_milestones_and_measures_round_trip_through_the_lead(plan1: Plan1) -> None:
    client = client_for(plan1.lead)
    recommendation = plan1.action.recommendation
    milestone = client.post(
        "/api/milestones/",
        {
            "recommendation": recommendation.pk,
            "title": "Backlog cleared",
            "due_date": "2027-03-31",
            "actions": [plan1.action.pk],
        },
        format="json",
    )
    assert milestone.status_code == 201, milestone.content
    assert milestone.json()["actions"] == [plan1.action.pk]
    assert Milestone.objects.get().actions.get() == plan1.action
    measure = client.post(
        "/api/measures/",
        {
            "recommendation": recommendation.pk,
            "name": "EHC plans within 20 weeks",
            "unit": "%",
            "baseline": "38",
            "target": "65",
            "target_date": "2027-09-30",
        },
        format="json",
    )
    assert measure.status_code == 201, measure.content
    assert Decimal(measure.json()["target"]) == Decimal("65")
    # The board member reads them and may not change them.
    member = client_for(plan1.member)
    url = f"/api/milestones/{milestone.json()['id']}/"
    assert member.get(url).status_code == 200
    assert member.patch(url, {"title": "x"}, format="json").status_code == 403


def test_an_unknown_address_or_id_under_api_answers_json_404(admin_user: User) -> None:
    client = client_for(admin_user)
    for url in ("/api/nothing-here/", "/api/actions/abc/", "/api/actions/123456789012345678901/"):
        answer = client.get(url)
        assert answer.status_code == 404, url
        assert answer["Content-Type"].startswith("application/json"), url
        assert answer.json()["detail"]


def test_an_action_with_reported_progress_is_kept_and_the_refusal_says_cancel_it(
    admin_user: User, plan1: Plan1
) -> None:
    action_update_status(action=plan1.action, by=plan1.owner, commentary="Interviews booked")
    client = client_for(admin_user)
    answer = client.delete(action_url(plan1.action))
    assert answer.status_code == 400
    assert "cancel the action" in answer.json()["non_field_errors"][0]
    assert Action.objects.filter(pk=plan1.action.pk).exists()
    assert ProgressUpdate.objects.filter(action=plan1.action).count() == 1
    # Nor does deleting its plan take the record with it.
    answer = client.delete(f"/api/plans/{plan1.action.plan_id}/")
    assert answer.status_code == 400
    assert ProgressUpdate.objects.filter(action=plan1.action).count() == 1


def test_an_action_with_no_progress_yet_can_be_deleted(admin_user: User, plan1: Plan1) -> None:
    answer = client_for(admin_user).delete(action_url(plan1.action))
    assert answer.status_code == 204
    assert not Action.objects.filter(pk=plan1.action.pk).exists()
