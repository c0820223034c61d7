"""One rule decides what the public sees: the API signed out and the public plan pages agree.

A plan is public when it is published and active or closed. Publishing a draft is refused,
through the API and in the admin alike, and so is moving a published plan back to draft.
"""

import datetime as dt
from collections.abc import Iterator
from itertools import product
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from actions.dates import LONDON
from actions.models import Plan, PlanStatus
from tests.admin.forms import form_data, page_errors, url
from tests.api.conftest import client_for
from tests.factories import PlanFactory, PlanTypeFactory, UserFactory

pytestmark = pytest.mark.django_db

DRAFT_MESSAGE = "A draft plan cannot be published. Make it active first."
BACK_TO_DRAFT_MESSAGE = (
    "A published plan cannot go back to draft. Unpublish it first (published: false), "
    "in the same change if you like."
)


@pytest.fixture(autouse=True)
def _monday_23_november_2026() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def every_kind_of_plan() -> dict[tuple[str, bool], Plan]:
    """A plan in every status, published and not. Made directly, as rows made before the rule
    (or by hand in the database) may be: a published draft among them."""
    return {
        (status, published): PlanFactory.create(
            status=status, published=published, slug=f"plan-{status}-{str(published).lower()}"
        )
        for status, published in product(PlanStatus.values, (True, False))
    }


@pytest.fixture
def administrator() -> User:
    return UserFactory.create(is_staff=True, name="Ada Administrator")


def listed_ids(client: APIClient) -> set[int]:
    answer = client.get("/api/plans/?page_size=200")
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["results"]}


def test_the_plans_listed_signed_out_are_exactly_the_plans_with_a_public_page(
    every_kind_of_plan: dict[tuple[str, bool], Plan],
) -> None:
    api, site = APIClient(), Client()

    listed = listed_ids(api)

    for (status, published), plan in every_kind_of_plan.items():
        page = site.get(f"/plans/{plan.slug}/")
        detail = api.get(f"/api/plans/{plan.pk}/")
        where = f"{status}, {'published' if published else 'not published'}"
        if plan.pk in listed:
            assert page.status_code == 200, where
            assert detail.status_code == 200, where
        else:
            assert page.status_code == 404, where
            assert detail.status_code == 401, where
    assert listed == {
        every_kind_of_plan[(PlanStatus.ACTIVE, True)].pk,
        every_kind_of_plan[(PlanStatus.CLOSED, True)].pk,
    }


def test_a_signed_in_stranger_sees_the_same_public_plans_as_the_public(
    every_kind_of_plan: dict[tuple[str, bool], Plan],
) -> None:
    stranger = client_for(UserFactory.create())
    assert listed_ids(stranger) == listed_ids(APIClient())
    draft = every_kind_of_plan[(PlanStatus.DRAFT, True)]
    assert stranger.get(f"/api/plans/{draft.pk}/").status_code == 404


def test_publishing_a_draft_through_the_api_is_refused_on_published_and_changes_nothing(
    administrator: User,
) -> None:
    draft = PlanFactory.create(status=PlanStatus.DRAFT, published=False)

    answer = client_for(administrator).patch(
        f"/api/plans/{draft.pk}/", {"published": True}, format="json"
    )

    assert answer.status_code == 400, answer.content
    assert answer.json() == {"published": [DRAFT_MESSAGE]}
    draft.refresh_from_db()
    assert (draft.published, draft.version) == (False, 1)
    assert APIClient().get(f"/api/plans/{draft.pk}/").status_code == 401


def test_a_new_plan_cannot_be_created_as_a_published_draft(administrator: User) -> None:
    body = {
        "title": "Westvale SEND and Inclusion Plan",
        "slug": "westvale-send",
        "plan_type": PlanTypeFactory.create().pk,
        "local_area": "Westvale",
        "start_date": "2027-01-04",
        "end_date": "2028-12-29",
        "published": True,
    }

    answer = client_for(administrator).post("/api/plans/", body, format="json")

    assert answer.status_code == 400, answer.content
    assert answer.json() == {"published": [DRAFT_MESSAGE]}
    assert not Plan.objects.filter(slug="westvale-send").exists()


def test_a_draft_made_active_and_published_in_one_change_goes_public(
    administrator: User,
) -> None:
    draft = PlanFactory.create(status=PlanStatus.DRAFT, published=False)

    answer = client_for(administrator).patch(
        f"/api/plans/{draft.pk}/", {"status": "active", "published": True}, format="json"
    )

    assert answer.status_code == 200, answer.content
    assert Client().get(f"/plans/{draft.slug}/").status_code == 200
    assert listed_ids(APIClient()) == {draft.pk}


def test_moving_a_published_plan_back_to_draft_is_refused_on_status(administrator: User) -> None:
    plan = PlanFactory.create(status=PlanStatus.ACTIVE, published=True)

    answer = client_for(administrator).patch(
        f"/api/plans/{plan.pk}/", {"status": "draft"}, format="json"
    )

    assert answer.status_code == 400, answer.content
    assert answer.json() == {"status": [BACK_TO_DRAFT_MESSAGE]}
    plan.refresh_from_db()
    assert (plan.status, plan.published) == (PlanStatus.ACTIVE, True)
    assert Client().get(f"/plans/{plan.slug}/").status_code == 200


def test_unpublishing_and_moving_back_to_draft_in_one_change_is_accepted(
    administrator: User,
) -> None:
    plan = PlanFactory.create(status=PlanStatus.ACTIVE, published=True)

    answer = client_for(administrator).patch(
        f"/api/plans/{plan.pk}/", {"status": "draft", "published": False}, format="json"
    )

    assert answer.status_code == 200, answer.content
    assert Client().get(f"/plans/{plan.slug}/").status_code == 404
    assert listed_ids(APIClient()) == set()


# --- The admin follows the same rule ------------------------------------------------------


@pytest.fixture
def admin_site(administrator: User) -> Client:
    client = Client()
    client.force_login(administrator)
    return client


def _post_plan_form(admin_site: Client, plan: Plan, **changes: Any) -> Any:
    data = form_data(admin_site.get(url("actions_plan_change", plan.pk)), "plan_form")
    data.update(changes)
    return admin_site.post(url("actions_plan_change", plan.pk), data)


def test_the_admin_refuses_to_publish_a_draft_with_the_same_message(admin_site: Client) -> None:
    draft = PlanFactory.create(status=PlanStatus.DRAFT, published=False)

    response = _post_plan_form(admin_site, draft, published="on")

    assert DRAFT_MESSAGE in page_errors(response)
    draft.refresh_from_db()
    assert draft.published is False


def test_the_admin_refuses_to_move_a_published_plan_back_to_draft(admin_site: Client) -> None:
    plan = PlanFactory.create(status=PlanStatus.ACTIVE, published=True)

    response = _post_plan_form(admin_site, plan, status="draft")

    assert BACK_TO_DRAFT_MESSAGE in page_errors(response)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE


def test_the_admin_publishes_a_plan_made_active_in_the_same_save(admin_site: Client) -> None:
    draft = PlanFactory.create(status=PlanStatus.DRAFT, published=False)

    response = _post_plan_form(admin_site, draft, status="active", published="on")

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.published) == (PlanStatus.ACTIVE, True)
