"""Plans through the API: anonymous callers read published plans with their progress and no
personal data, and a board member reads their own unpublished plan but may not change it.
"""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from actions.models import ActionStatus, Rag
from tests.api.conftest import Plan1, client_for
from tests.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db


# --- Plans: public, with progress ---------------------------------------------------------


def test_anonymous_callers_read_published_plans_with_progress_and_no_personal_data(
    plan1: Plan1,
) -> None:
    published = plan1.action.plan
    published.published = True
    published.save()
    ActionFactory.create(
        recommendation=plan1.action.recommendation,
        status=ActionStatus.COMPLETED,
        rag=Rag.BLUE,
        completed_on=dt.date(2026, 11, 1),
    )
    ActionFactory.create(
        recommendation=plan1.action.recommendation, rag=Rag.RED, due_date=dt.date(2026, 11, 2)
    )
    unpublished = PlanFactory.create()

    client = APIClient()
    listed = client.get("/api/plans/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [published.pk]

    detail = client.get(f"/api/plans/{published.pk}/")
    assert detail.status_code == 200
    assert detail["ETag"] == f'"{published.version}"'
    assert detail.json()["progress"] == {
        "actions_total": 3,
        "actions_completed": 1,
        "actions_overdue": 1,
        "red": 1,
        "amber": 0,
        "green": 1,
        "blue": 1,
    }
    text = detail.content.decode()
    for person in (plan1.lead, plan1.owner, plan1.member):
        assert person.email not in text
        assert person.name not in text

    assert client.get(f"/api/plans/{unpublished.pk}/").status_code == 401
    assert client.patch(f"/api/plans/{published.pk}/", {"title": "x"}).status_code == 401


def test_a_board_member_may_read_their_unpublished_plan_but_not_change_it(plan1: Plan1) -> None:
    client = client_for(plan1.member)
    url = f"/api/plans/{plan1.action.plan_id}/"
    assert client.get(url).status_code == 200
    assert client.patch(url, {"title": "x"}, format="json").status_code == 403
    assert client_for(plan1.stranger).get(url).status_code == 404
