"""The API's lists: the same number of queries for 5 rows as for 50, a row listed once
however the caller is connected to it, the page size capped at 200, paging or ordering that
makes no sense refused with a 400 that says why, and rows with the same sort key paged in a
stable order.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from actions.models import Action, Rag
from actions.services import action_update_status
from tests.api.conftest import Plan1, client_for
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    OutcomeFactory,
    RecommendationFactory,
    SuccessMeasureFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- Lists: one query count whatever the number of rows -------------------------------------


def build_rows(count: int, board_member: User) -> None:
    board = BoardFactory.create(members=[board_member, *UserFactory.create_batch(2)])
    for _ in range(count):
        recommendation = RecommendationFactory.create(plan__board=board, plan__published=True)
        outcome = OutcomeFactory.create(recommendation=recommendation)
        action = ActionFactory.create(
            recommendation=recommendation,
            outcome=outcome,
            owner=board_member,
            supporting_owners=UserFactory.create_batch(2),
        )
        action_update_status(
            action=action, by=board_member, rag=Rag.AMBER, commentary="Recruitment is slow"
        )
        MilestoneFactory.create(recommendation=recommendation, actions=[action])
        measure = SuccessMeasureFactory.create(recommendation=recommendation, outcome=outcome)
        MeasureReadingFactory.create(measure=measure)


LIST_URLS = [
    "/api/plans/",
    "/api/plan-types/",
    "/api/boards/",
    "/api/recommendations/",
    "/api/outcomes/",
    "/api/actions/",
    "/api/me/actions/",
    "/api/milestones/",
    "/api/measures/",
    "/api/measure-readings/",
    "/api/progress-updates/",
]


def count_queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url)
    assert answer.status_code == 200, answer.content
    return len(queries)


def test_each_list_runs_the_same_number_of_queries_for_5_rows_and_for_50(
    admin_user: User,
) -> None:
    member = UserFactory.create()
    build_rows(5, member)
    callers = {"admin": client_for(admin_user), "member": client_for(member)}
    few = {(who, url): count_queries(c, url) for who, c in callers.items() for url in LIST_URLS}
    build_rows(45, member)
    for (who, url), expected in few.items():
        answer = callers[who].get(url)
        if url not in ("/api/plan-types/", "/api/boards/") and (who, url) != (
            "admin",
            "/api/me/actions/",
        ):
            assert answer.json()["count"] >= 50, (who, url)
        assert count_queries(callers[who], url) == expected, (who, url)


def test_one_row_is_listed_once_however_many_ways_the_person_is_connected_to_it(
    plan1: Plan1,
) -> None:
    # The lead also owns, supports and governs the action.
    action = plan1.action
    Action.objects.filter(pk=action.pk).update(owner=plan1.lead)
    action.supporting_owners.add(plan1.lead, plan1.member)
    board = action.plan.board
    assert board is not None
    board.memberships.create(user=plan1.lead)
    client = client_for(plan1.lead)
    for url in ("/api/actions/", "/api/plans/", "/api/recommendations/", "/api/me/actions/"):
        assert client.get(url).json()["count"] == 1, url


def test_page_size_is_capped_at_200_and_a_page_past_the_end_is_404(admin_user: User) -> None:
    client = client_for(admin_user)
    recommendation = RecommendationFactory.create()
    ActionFactory.create_batch(201, recommendation=recommendation)
    answer = client.get("/api/actions/?page_size=100000")
    assert answer.status_code == 200
    assert len(answer.json()["results"]) == 200 and answer.json()["count"] == 201
    assert len(client.get("/api/actions/?page_size=7").json()["results"]) == 7
    past = client.get("/api/actions/?page=999999999999")
    assert past.status_code == 404
    assert "the last page is 5" in past.json()["detail"]


@pytest.mark.parametrize(
    "query",
    ["page=abc", "page=0", "page=-1", "page=1.5", "page_size=0", "page_size=-1", "page_size=x"],
)
def test_a_page_or_page_size_that_makes_no_sense_is_a_400_on_it(
    admin_user: User, query: str
) -> None:
    answer = client_for(admin_user).get(f"/api/actions/?{query}")
    assert answer.status_code == 400
    name = query.split("=")[0]
    assert "whole number" in answer.json()[name][0]


@pytest.mark.parametrize("ordering", ["nonexistent", "owner__password", "-title", "due_date,x"])
def test_an_ordering_it_cannot_use_is_a_400_that_lists_the_choices(
    admin_user: User, ordering: str
) -> None:
    answer = client_for(admin_user).get(f"/api/actions/?ordering={ordering}")
    assert answer.status_code == 400
    assert (
        "choose from due_date, reference, status, rag, updated_at" in (answer.json()["ordering"][0])
    )


def test_rows_with_the_same_sort_key_page_in_a_stable_order(admin_user: User) -> None:
    client = client_for(admin_user)
    recommendation = RecommendationFactory.create()
    ActionFactory.create_batch(9, recommendation=recommendation, due_date=dt.date(2026, 12, 1))
    seen = []
    for page in (1, 2, 3):
        answer = client.get(f"/api/actions/?ordering=due_date&page_size=3&page={page}")
        seen += [row["id"] for row in answer.json()["results"]]
    assert sorted(seen) == sorted(Action.objects.values_list("pk", flat=True))
    assert seen == sorted(seen)
