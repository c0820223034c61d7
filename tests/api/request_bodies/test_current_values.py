"""Sending back the current value: a caller may always PUT back what they were shown, or
PATCH a field unchanged, even a field they could not choose themselves (an outcome the owner
cannot read, a supporting owner who has left, a milestone's link to an action the lead cannot
read); changing a field their role may not change answers "You may not change this field."
whatever id they send.
"""

from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from actions.models import Action, Recommendation, SuccessMeasure
from tests.api.request_bodies.conftest import World
from tests.api.request_bodies.writes import client_for, snapshot
from tests.factories import ActionFactory, RecommendationFactory, UserFactory

pytestmark = pytest.mark.django_db

NOT_YOURS = "You may not change this field."


# --- Sending back the current value -------------------------------------------------------

WRITABLE_ACTION_FIELDS = [
    "recommendation",
    "outcome",
    "reference",
    "title",
    "description",
    "owner",
    "supporting_owners",
    "start_date",
    "due_date",
]


def shown_action(client: APIClient, action: Action) -> dict[str, Any]:
    answer = client.get(f"/api/actions/{action.pk}/")
    assert answer.status_code == 200, answer.content
    return {name: answer.json()[name] for name in WRITABLE_ACTION_FIELDS}


def test_an_owner_puts_back_their_action_with_an_outcome_changing_only_the_description(
    world: World,
) -> None:
    client = client_for(world.owner)
    body = shown_action(client, world.action)
    assert body["outcome"] == world.outcome.pk
    body["description"] = "Interviews in December"

    answer = client.put(f"/api/actions/{world.action.pk}/", body, format="json")

    assert answer.status_code == 200, answer.content
    fresh = Action.objects.get(pk=world.action.pk)
    assert (fresh.description, fresh.outcome_id) == ("Interviews in December", world.outcome.pk)


def test_an_owner_may_patch_the_unchanged_outcome_along_with_the_description(
    world: World,
) -> None:
    answer = client_for(world.owner).patch(
        f"/api/actions/{world.action.pk}/",
        {"outcome": world.outcome.pk, "description": "Going well"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert Action.objects.get(pk=world.action.pk).description == "Going well"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("outcome", "other_outcome"),  # exists; the owner cannot read it
        ("outcome", 99999999),  # does not exist: the same answer, so nothing is revealed
        ("outcome", None),
        ("owner", "supporter"),
        ("supporting_owners", ["supporter", "lead"]),
        ("supporting_owners", [99999999]),
        ("supporting_owners", []),
        ("recommendation", 99999999),
    ],
)
def test_an_owner_changing_a_field_of_their_action_is_told_they_may_not_change_it(
    world: World, field: str, value: Any
) -> None:
    def resolve(item: Any) -> Any:
        return getattr(world, item).pk if isinstance(item, str) else item

    sent = [resolve(v) for v in value] if isinstance(value, list) else resolve(value)
    before = snapshot(world.action)

    answer = client_for(world.owner).patch(
        f"/api/actions/{world.action.pk}/", {field: sent, "description": "x"}, format="json"
    )

    assert answer.status_code == 400, answer.content
    assert answer.json() == {field: [NOT_YOURS]}
    assert snapshot(world.action) == before


def test_an_owner_puts_back_their_action_when_a_supporting_owner_has_left(world: World) -> None:
    User.objects.filter(pk=world.supporter.pk).update(is_active=False)
    client = client_for(world.owner)
    body = shown_action(client, world.action)
    body["description"] = "Still on track"

    answer = client.put(f"/api/actions/{world.action.pk}/", body, format="json")

    assert answer.status_code == 200, answer.content
    assert answer.json()["supporting_owners"] == [world.supporter.pk]


def test_a_lead_puts_back_an_action_whose_owner_and_supporting_owner_have_left(
    world: World,
) -> None:
    User.objects.filter(pk__in=[world.owner.pk, world.supporter.pk]).update(is_active=False)
    newcomer = UserFactory.create()
    client = client_for(world.lead)
    body = shown_action(client, world.action)
    body["title"] = "Recruit two educational psychologists"

    answer = client.put(f"/api/actions/{world.action.pk}/", body, format="json")
    assert answer.status_code == 200, answer.content

    # ... and may add someone beside the one who left, keeping them.
    body["supporting_owners"] = [world.supporter.pk, newcomer.pk]
    answer = client.put(f"/api/actions/{world.action.pk}/", body, format="json")
    assert answer.status_code == 200, answer.content
    assert sorted(answer.json()["supporting_owners"]) == sorted([world.supporter.pk, newcomer.pk])


def test_a_lead_puts_back_a_milestone_linking_an_action_they_cannot_read(world: World) -> None:
    # Another recommendation of the same plan, led by someone else: the lead cannot read
    # its actions, but the milestone (which the lead may change) links one.
    elsewhere = RecommendationFactory.create(plan=world.recommendation.plan)
    unread = ActionFactory.create(recommendation=elsewhere)
    world.milestone.actions.add(unread)
    also_unread = ActionFactory.create(recommendation=elsewhere)
    client = client_for(world.lead)
    url = f"/api/milestones/{world.milestone.pk}/"
    shown = client.get(url).json()
    body = {
        name: shown[name]
        for name in ["recommendation", "title", "due_date", "achieved_on", "actions"]
    }
    body["title"] = "All overdue assessments cleared"

    answer = client.put(url, body, format="json")
    assert answer.status_code == 200, answer.content
    assert sorted(answer.json()["actions"]) == sorted([world.action.pk, unread.pk])

    # Another action they cannot read is still one that does not exist, for them.
    before = snapshot(world.milestone)
    answer = client.patch(url, {"actions": [*body["actions"], also_unread.pk]}, format="json")
    assert answer.status_code == 400
    assert answer.json() == {
        "actions": [f"There is no action with id {also_unread.pk} that you can choose."]
    }
    assert snapshot(world.milestone) == before


def test_a_lead_puts_back_a_measure_with_its_outcome(world: World) -> None:
    client = client_for(world.lead)
    url = f"/api/measures/{world.measure.pk}/"
    shown = client.get(url).json()
    fields = ["recommendation", "outcome", "name", "unit", "baseline", "baseline_date"]
    body = {name: shown[name] for name in [*fields, "target", "target_date", "direction"]}
    body["target"] = "70.00"

    answer = client.put(url, body, format="json")

    assert answer.status_code == 200, answer.content
    fresh = SuccessMeasure.objects.get(pk=world.measure.pk)
    assert (fresh.target, fresh.outcome_id) == (Decimal("70.00"), world.outcome.pk)


def test_an_administrator_puts_back_a_recommendation_whose_lead_has_left(world: World) -> None:
    User.objects.filter(pk=world.lead.pk).update(is_active=False)
    client = client_for(world.admin)
    url = f"/api/recommendations/{world.recommendation.pk}/"
    shown = client.get(url).json()
    body = {name: shown[name] for name in ["plan", "number", "title", "description", "lead"]}
    body["title"] = "Timely, good EHC plans"

    answer = client.put(url, body, format="json")

    assert answer.status_code == 200, answer.content
    assert Recommendation.objects.get(pk=world.recommendation.pk).title == body["title"]
