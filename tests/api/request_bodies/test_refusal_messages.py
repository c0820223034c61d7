"""The messages a caller reads when a write is refused: status, RAG and completion date
point to the action's real progress-update address (or, on create, to the one it will have),
and a slug or name already in use is refused with a sentence naming the kind of row.
"""

import pytest

from accounts.models import User
from actions.models import Board, Plan, PlanType
from tests.api.request_bodies.conftest import World
from tests.api.request_bodies.writes import client_for, counts, snapshot, valid_body
from tests.factories import BoardFactory, PlanFactory, PlanTypeFactory

pytestmark = pytest.mark.django_db


# --- Messages -----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["status", "rag", "completed_on"])
def test_the_progress_message_gives_the_real_address_of_the_actions_updates(
    world: World, field: str
) -> None:
    value = {"status": "completed", "rag": "red", "completed_on": "2026-11-20"}[field]
    before = snapshot(world.action)

    answer = client_for(world.lead).patch(
        f"/api/actions/{world.action.pk}/", {field: value}, format="json"
    )

    assert answer.status_code == 400
    assert answer.json() == {
        field: [
            "Status, RAG and completion date change only through a progress update: "
            f"POST it to /api/actions/{world.action.pk}/updates/."
        ]
    }
    assert snapshot(world.action) == before


def test_on_create_the_progress_message_says_to_post_an_update_once_the_action_exists(
    world: World,
) -> None:
    before = counts()
    answer = client_for(world.lead).post(
        "/api/actions/",
        {**valid_body(world, "/api/actions/"), "status": "in_progress"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "status": [
            "Status, RAG and completion date change only through a progress update: "
            "after creating the action, POST a progress update to "
            "/api/actions/<its id>/updates/."
        ]
    }
    assert counts() == before


def test_a_slug_or_name_in_use_is_refused_with_a_sentence(admin_user: User) -> None:
    plan = PlanFactory.create(slug="northshire-wsoa")
    board = BoardFactory.create(slug="send-executive")
    plan_type = PlanTypeFactory.create()
    client = client_for(admin_user)
    before = (Plan.objects.count(), Board.objects.count(), PlanType.objects.count())

    answer = client.post(
        "/api/plans/",
        {
            "title": "Another plan",
            "slug": plan.slug,
            "plan_type": plan_type.pk,
            "local_area": "Northshire",
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
        },
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json() == {"slug": ["A plan with this slug already exists."]}

    answer = client.post(
        "/api/boards/",
        {"name": "Another board", "slug": board.slug, "audience": "executive"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json() == {"slug": ["A board with this slug already exists."]}

    answer = client.post(
        "/api/plan-types/", {"name": plan_type.name, "slug": plan_type.slug}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "name": ["A plan type with this name already exists."],
        "slug": ["A plan type with this slug already exists."],
    }
    assert (Plan.objects.count(), Board.objects.count(), PlanType.objects.count()) == before

    # A row keeps its own slug.
    answer = client.patch(f"/api/plans/{plan.pk}/", {"slug": plan.slug}, format="json")
    assert answer.status_code == 200, answer.content
