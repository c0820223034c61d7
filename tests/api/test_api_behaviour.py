"""The REST API as a caller sees it: signing in, bad input, concurrency, lists and filters."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from actions.dates import LONDON
from actions.models import Action, ActionStatus, Milestone, ProgressUpdate, Rag
from actions.services import action_update_status
from tests.api.conftest import Plan1, client_for
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    OutcomeFactory,
    PlanFactory,
    RecommendationFactory,
    SuccessMeasureFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PROGRESS_MESSAGE = "progress update"


@pytest.fixture(autouse=True)
def monday_23_november_2026() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON), tick=False):
        yield


def action_url(action: Action, suffix: str = "") -> str:
    return f"/api/actions/{action.pk}/{suffix}"


def assert_unchanged(action: Action) -> None:
    fresh = Action.objects.get(pk=action.pk)
    assert (fresh.title, fresh.description, fresh.due_date, fresh.status, fresh.version) == (
        action.title,
        action.description,
        action.due_date,
        action.status,
        action.version,
    )


# --- Signing in -------------------------------------------------------------------------


def test_it_gives_a_token_for_the_right_email_and_password_and_the_token_signs_in() -> None:
    person = UserFactory.create(email="jo.bloggs@example.gov.uk", name="Jo Bloggs")
    answer = APIClient().post(
        "/api/auth/token/",
        {"email": "Jo.Bloggs@example.gov.uk", "password": "correct horse battery"},
        format="json",
    )
    assert answer.status_code == 200
    token = answer.json()["token"]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/me/")
    assert me.status_code == 200
    assert me.json()["id"] == person.pk
    assert me.json()["name"] == "Jo Bloggs"


def test_it_refuses_a_wrong_password_with_400_and_no_token() -> None:
    UserFactory.create(email="jo.bloggs@example.gov.uk")
    answer = APIClient().post(
        "/api/auth/token/",
        {"email": "jo.bloggs@example.gov.uk", "password": "wrong"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["non_field_errors"]
    assert "token" not in answer.json()


def test_it_refuses_a_login_without_a_password_with_a_message_on_the_password() -> None:
    answer = APIClient().post("/api/auth/token/", {"email": "x@example.gov.uk"}, format="json")
    assert answer.status_code == 400
    assert "password" in answer.json()


def test_anonymous_callers_get_401_on_me_and_on_actions() -> None:
    assert APIClient().get("/api/me/").status_code == 401
    assert APIClient().get("/api/actions/").status_code == 401


def test_my_actions_lists_what_i_own_and_support_and_nothing_else(plan1: Plan1) -> None:
    supported_elsewhere = ActionFactory.create(supporting_owners=[plan1.owner])
    ActionFactory.create()  # someone else's
    answer = client_for(plan1.owner).get("/api/me/actions/")
    assert answer.status_code == 200
    assert {row["id"] for row in answer.json()["results"]} == {
        plan1.action.pk,
        supported_elsewhere.pk,
    }


# --- Bad input gets 400 with field messages and changes nothing --------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"due_date": "next Tuesday"}, "due_date"),
        ({"due_date": "2026-02-30"}, "due_date"),
        ({"owner": "abc"}, "owner"),
        ({"owner": 10**30}, "owner"),
        ({"owner": {"id": 1}}, "owner"),
        ({"supporting_owners": "3"}, "supporting_owners"),
        ({"title": ["a", "list"]}, "title"),
        ({"title": "x" * 401}, "title"),
        ({"title": "null \x00 byte"}, "title"),
        ({"due_date": "2026-08-01"}, "due_date"),  # before the start date
        ({"colour": "purple"}, "colour"),  # unknown
        ({"id": 99}, "id"),
        ({"version": 7}, "version"),
        ({"plan": 1}, "plan"),
        ({"latest_update": None}, "latest_update"),
    ],
)
def test_it_refuses_bad_action_input_with_a_message_on_the_field_and_changes_nothing(
    admin_user: User, plan1: Plan1, body: dict[str, Any], field: str
) -> None:
    answer = client_for(admin_user).patch(action_url(plan1.action), body, format="json")
    assert answer.status_code == 400, answer.content
    assert answer.json()[field]
    assert_unchanged(plan1.action)


@pytest.mark.parametrize("field", ["status", "rag", "completed_on"])
def test_status_rag_and_completion_date_cannot_be_patched_and_the_message_says_post_an_update(
    admin_user: User, plan1: Plan1, field: str
) -> None:
    value = {"status": "completed", "rag": "red", "completed_on": "2026-11-20"}[field]
    answer = client_for(admin_user).patch(action_url(plan1.action), {field: value}, format="json")
    assert answer.status_code == 400
    assert PROGRESS_MESSAGE in answer.json()[field][0]
    assert_unchanged(plan1.action)


def test_an_unknown_field_is_reported_beside_the_real_errors(admin_user: User) -> None:
    recommendation = RecommendationFactory.create()
    answer = client_for(admin_user).post(
        "/api/actions/",
        {"recommendation": recommendation.pk, "reference": "9.9", "colour": "red"},
        format="json",
    )
    assert answer.status_code == 400
    assert set(answer.json()) >= {"colour", "title", "owner", "due_date"}
    assert not Action.objects.exists()


def test_a_body_that_is_not_an_object_is_refused_with_400(admin_user: User, plan1: Plan1) -> None:
    client = client_for(admin_user)
    for body in (["a", "list"], "a string", 42):
        answer = client.patch(action_url(plan1.action), body, format="json")
        assert answer.status_code == 400
    answer = client.generic(
        "PATCH", action_url(plan1.action), "{not json", content_type="application/json"
    )
    assert answer.status_code == 400
    assert_unchanged(plan1.action)


def test_creating_an_action_due_before_it_starts_is_refused_on_the_due_date(
    plan1: Plan1,
) -> None:
    answer = client_for(plan1.lead).post(
        "/api/actions/",
        {
            "recommendation": plan1.action.recommendation_id,
            "reference": "2.1",
            "title": "Publish the local offer",
            "owner": plan1.owner.pk,
            "start_date": "2026-12-01",
            "due_date": "2026-11-30",
        },
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json() == {"due_date": ["The due date cannot be before the start date."]}
    assert Action.objects.count() == 1


def test_a_lead_creates_an_action_under_their_recommendation_and_gets_its_etag(
    plan1: Plan1,
) -> None:
    answer = client_for(plan1.lead).post(
        "/api/actions/",
        {
            "recommendation": plan1.action.recommendation_id,
            "reference": "2.1",
            "title": "Publish the local offer",
            "owner": plan1.owner.pk,
            "supporting_owners": [plan1.supporter.pk],
            "due_date": "2027-01-29",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["plan"] == plan1.action.plan_id
    assert body["supporting_owners"] == [plan1.supporter.pk]
    assert (body["status"], body["rag"]) == ("not_started", "green")
    assert answer["ETag"] == '"1"'


def test_bad_progress_updates_are_refused_with_field_messages_and_record_nothing(
    plan1: Plan1,
) -> None:
    client = client_for(plan1.owner)
    url = action_url(plan1.action, "updates/")
    for body, field in [
        ({"status": "finished"}, "status"),
        ({"rag": "purple"}, "rag"),
        ({"evidence_links": "https://example.org/report"}, "evidence_links"),
        ({"evidence_links": ["not a link"], "commentary": "See the report"}, "evidence_links"),
        ({"status": "completed", "completed_on": "yesterday"}, "completed_on"),
        ({"status": "completed"}, "completed_on"),
        ({"status": "completed", "completed_on": "2026-12-01"}, "completed_on"),
        ({"rag": "red"}, "commentary"),
        ({"commentary": "fine", "author": 1}, "author"),
    ]:
        answer = client.post(url, body, format="json")
        assert answer.status_code == 400, (body, answer.content)
        assert answer.json()[field], body
    assert not ProgressUpdate.objects.exists()
    assert_unchanged(plan1.action)


# --- Concurrency: ETag and If-Match --------------------------------------------------------


def test_a_detail_answer_carries_the_version_as_its_etag(plan1: Plan1) -> None:
    answer = client_for(plan1.owner).get(action_url(plan1.action))
    assert answer.status_code == 200
    assert answer["ETag"] == f'"{plan1.action.version}"'


def test_it_refuses_a_stale_write_with_412_and_the_row_is_unchanged(plan1: Plan1) -> None:
    client = client_for(plan1.lead)
    first = client.patch(
        action_url(plan1.action), {"title": "First"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert first.status_code == 200
    assert first["ETag"] == '"2"'

    stale = client.patch(
        action_url(plan1.action), {"title": "Second"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    fresh = Action.objects.get(pk=plan1.action.pk)
    assert (fresh.title, fresh.version) == ("First", 2)


@pytest.mark.parametrize("if_match", ['"1"', 'W/"1"', "1", "*", ""])
def test_a_current_weak_unquoted_or_star_if_match_is_accepted(plan1: Plan1, if_match: str) -> None:
    answer = client_for(plan1.owner).patch(
        action_url(plan1.action), {"description": "Started"}, format="json", HTTP_IF_MATCH=if_match
    )
    assert answer.status_code == 200
    assert Action.objects.get(pk=plan1.action.pk).description == "Started"


def test_a_nonsense_if_match_never_matches(plan1: Plan1) -> None:
    answer = client_for(plan1.owner).patch(
        action_url(plan1.action), {"description": "x"}, format="json", HTTP_IF_MATCH='"banana"'
    )
    assert answer.status_code == 412
    assert_unchanged(plan1.action)


def test_a_stale_progress_update_is_refused_with_412_and_nothing_is_recorded(
    plan1: Plan1,
) -> None:
    client = client_for(plan1.owner)
    url = action_url(plan1.action, "updates/")
    first = client.post(
        url, {"rag": "amber", "commentary": "Recruitment is slow"}, HTTP_IF_MATCH='"1"'
    )
    assert first.status_code == 201
    assert first["ETag"] == '"2"'

    stale = client.post(url, {"status": "blocked", "commentary": "No budget"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    fresh = Action.objects.get(pk=plan1.action.pk)
    assert (fresh.status, fresh.rag, fresh.version) == ("in_progress", "amber", 2)
    assert ProgressUpdate.objects.count() == 1


def test_a_stale_delete_is_refused_with_412(admin_user: User, plan1: Plan1) -> None:
    answer = client_for(admin_user).delete(action_url(plan1.action), HTTP_IF_MATCH='"7"')
    assert answer.status_code == 412
    assert Action.objects.filter(pk=plan1.action.pk).exists()
    answer = client_for(admin_user).delete(action_url(plan1.action), HTTP_IF_MATCH='"1"')
    assert answer.status_code == 204
    assert not Action.objects.filter(pk=plan1.action.pk).exists()


# --- Progress updates ---------------------------------------------------------------------


def test_posting_an_update_changes_the_status_and_the_history_shows_it_newest_first(
    plan1: Plan1,
) -> None:
    client = client_for(plan1.owner)
    url = action_url(plan1.action, "updates/")
    blocked = client.post(url, {"status": "blocked", "commentary": "Waiting for the budget"})
    assert blocked.status_code == 201, blocked.content
    done = client.post(
        url,
        {
            "status": "completed",
            "completed_on": "2026-11-20",
            "evidence_links": ["https://example.org/appointments"],
        },
    )
    assert done.status_code == 201, done.content
    assert done.json()["rag"] == "blue"

    action = client.get(action_url(plan1.action)).json()
    assert (action["status"], action["rag"], action["completed_on"]) == (
        "completed",
        "blue",
        "2026-11-20",
    )
    assert action["latest_update"] == done.json()["id"]

    history = client.get(url)
    assert history.status_code == 200
    rows = history.json()["results"]
    assert [(row["previous_status"], row["status"]) for row in rows] == [
        ("blocked", "completed"),
        ("in_progress", "blocked"),
    ]
    assert rows[0]["evidence_links"] == ["https://example.org/appointments"]
    assert rows[0]["author"] == plan1.owner.pk

    listed = client.get(f"/api/progress-updates/?action={plan1.action.pk}")
    assert [row["id"] for row in listed.json()["results"]] == [row["id"] for row in rows]


def test_a_board_member_may_read_the_history_but_not_report_progress(plan1: Plan1) -> None:
    client = client_for(plan1.member)
    url = action_url(plan1.action, "updates/")
    assert client.get(url).status_code == 200
    assert client.post(url, {"commentary": "Looks fine"}).status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_a_stranger_cannot_find_the_action_or_its_history(plan1: Plan1) -> None:
    client = client_for(plan1.stranger)
    assert client.get(action_url(plan1.action)).status_code == 404
    assert client.get(action_url(plan1.action, "updates/")).status_code == 404
    assert client.post(action_url(plan1.action, "updates/"), {"commentary": "x"}).status_code == 404


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


# --- Filters ------------------------------------------------------------------------------


@pytest.fixture
def filtered(admin_user: User) -> dict[str, Any]:
    alex, bea = UserFactory.create(), UserFactory.create()
    r1 = RecommendationFactory.create()
    r2 = RecommendationFactory.create(plan=r1.plan)
    r3 = RecommendationFactory.create()
    rows = {
        "a1": ActionFactory.create(
            recommendation=r1, owner=alex, due_date=dt.date(2026, 11, 10), rag=Rag.GREEN
        ),
        "a2": ActionFactory.create(
            recommendation=r2,
            owner=bea,
            status=ActionStatus.BLOCKED,
            rag=Rag.RED,
            due_date=dt.date(2026, 12, 1),
        ),
        "a3": ActionFactory.create(
            recommendation=r3,
            owner=alex,
            status=ActionStatus.COMPLETED,
            rag=Rag.BLUE,
            completed_on=dt.date(2026, 10, 30),
            due_date=dt.date(2026, 11, 1),
        ),
        "a4": ActionFactory.create(
            recommendation=r3,
            owner=bea,
            status=ActionStatus.NOT_STARTED,
            rag=Rag.AMBER,
            start_date=None,
            due_date=dt.date(2027, 1, 15),
        ),
    }
    ids = {"alex": alex.pk, "bea": bea.pk, "p1": r1.plan_id, "p2": r3.plan_id, "r3": r3.pk}
    return {"rows": rows, "ids": ids}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("owner={alex}", {"a1", "a3"}),
        ("status=blocked", {"a2"}),
        ("status=blocked,completed", {"a2", "a3"}),
        ("status=blocked&status=not_started", {"a2", "a4"}),
        ("rag=red,amber", {"a2", "a4"}),
        ("rag=blue", {"a3"}),
        ("due_before=2026-12-01", {"a1", "a2", "a3"}),
        ("due_after=2026-12-01", {"a2", "a4"}),
        ("due_after=2026-11-02&due_before=2026-12-31", {"a1", "a2"}),
        ("overdue=true", {"a1"}),
        ("overdue=2026-12-10", {"a1", "a2"}),
        ("overdue=false", {"a2", "a3", "a4"}),
        ("plan={p1}", {"a1", "a2"}),
        ("recommendation={r3}", {"a3", "a4"}),
        ("plan={p2}&owner={bea}", {"a4"}),
    ],
)
def test_each_action_filter_selects_exactly_the_right_rows(
    admin_user: User, filtered: dict[str, Any], query: str, expected: set[str]
) -> None:
    answer = client_for(admin_user).get(f"/api/actions/?{query.format(**filtered['ids'])}")
    assert answer.status_code == 200, answer.content
    names = {pk: name for name, pk in ((n, a.pk) for n, a in filtered["rows"].items())}
    assert {names[row["id"]] for row in answer.json()["results"]} == expected


def test_filtered_action_lists_ask_the_database_for_no_distinct(
    admin_user: User, filtered: dict[str, Any]
) -> None:
    """DISTINCT over every column made a filtered list at national scale several times slower
    (docs/performance.md); the filters compare the action's own columns, so no row repeats."""
    client = client_for(admin_user)
    query = f"status=blocked,not_started&rag=red,amber&plan={filtered['ids']['p2']}"
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(f"/api/actions/?{query}")
    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()["results"]] == [filtered["rows"]["a4"].pk]
    assert answer.json()["count"] == 1
    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper()]


def test_overdue_true_uses_the_date_in_london_not_utc(admin_user: User) -> None:
    action = ActionFactory.create(start_date=dt.date(2026, 5, 1), due_date=dt.date(2026, 6, 14))
    client = client_for(admin_user)
    # 00:30 on 15 June in London is still 14 June in UTC: the action is already overdue.
    with time_machine.travel(dt.datetime(2026, 6, 15, 0, 30, tzinfo=LONDON), tick=False):
        answer = client.get("/api/actions/?overdue=true")
        assert [row["id"] for row in answer.json()["results"]] == [action.pk]
        assert answer.json()["results"][0]["is_overdue"] is True


def test_my_actions_take_the_same_filters(filtered: dict[str, Any]) -> None:
    alex = User.objects.get(pk=filtered["ids"]["alex"])
    answer = client_for(alex).get("/api/me/actions/?status=completed")
    assert [row["id"] for row in answer.json()["results"]] == [filtered["rows"]["a3"].pk]


@pytest.mark.parametrize(
    "query",
    [
        "owner=abc",
        "owner=99999999999999999999999",
        "status=finished",
        "rag=purple",
        "due_before=2026-02-30",
        "due_after=tomorrow",
        "overdue=soon",
        "plan=-1",
        "recommendation=1.5",
    ],
)
def test_a_bad_filter_value_is_a_400_on_that_filter(admin_user: User, query: str) -> None:
    answer = client_for(admin_user).get(f"/api/actions/?{query}")
    assert answer.status_code == 400
    assert query.split("=")[0] in answer.json()


def test_other_lists_filter_by_their_parent(admin_user: User) -> None:
    milestone = MilestoneFactory.create()
    MilestoneFactory.create()
    reading = MeasureReadingFactory.create()
    MeasureReadingFactory.create()
    client = client_for(admin_user)
    for url, expected in [
        (f"/api/milestones/?recommendation={milestone.recommendation_id}", milestone.pk),
        (f"/api/milestones/?plan={milestone.recommendation.plan_id}", milestone.pk),
        (f"/api/measure-readings/?measure={reading.measure_id}", reading.pk),
        (f"/api/recommendations/?plan={milestone.recommendation.plan_id}", None),
    ]:
        rows = client.get(url).json()["results"]
        if expected is not None:
            assert [row["id"] for row in rows] == [expected], url
        else:
            assert [row["id"] for row in rows] == [milestone.recommendation_id]


def test_ordering_by_due_date_both_ways(admin_user: User) -> None:
    late = ActionFactory.create(due_date=dt.date(2027, 3, 1))
    early = ActionFactory.create(due_date=dt.date(2026, 12, 1))
    client = client_for(admin_user)
    ids = [row["id"] for row in client.get("/api/actions/?ordering=due_date").json()["results"]]
    assert ids == [early.pk, late.pk]
    ids = [row["id"] for row in client.get("/api/actions/?ordering=-due_date").json()["results"]]
    assert ids == [late.pk, early.pk]
    assert client.get("/api/actions/?ordering=owner__password").status_code == 400


# --- No input ever produces a 500 ---------------------------------------------------------


def test_no_nonsense_input_produces_a_server_error(admin_user: User, plan1: Plan1) -> None:
    measure = SuccessMeasureFactory.create(recommendation=plan1.action.recommendation)
    milestone = MilestoneFactory.create(recommendation=plan1.action.recommendation)
    action = plan1.action
    requests: list[tuple[str, str, Any]] = [
        ("get", "/api/actions/abc/", None),
        ("get", "/api/actions/99999999999999999999999999/", None),
        ("get", "/api/actions/9223372036854775807/", None),
        ("get", "/api/plans/-1/", None),
        ("get", "/api/actions/?page_size=-5", None),
        ("get", "/api/actions/?page_size=abc", None),
        ("get", "/api/actions/?ordering=%00", None),
        ("get", "/api/actions/?status=%00", None),
        ("get", "/api/actions/?overdue=%00", None),
        ("post", "/api/actions/", {"recommendation": None, "owner": True, "due_date": 5}),
        ("post", "/api/actions/", {"recommendation": 10**40, "supporting_owners": [10**40]}),
        ("patch", f"/api/actions/{action.pk}/", {"outcome": OutcomeFactory.create().pk}),
        ("patch", f"/api/actions/{action.pk}/", {"supporting_owners": [None, "x", {}]}),
        ("patch", f"/api/actions/{action.pk}/", {"reference": ""}),
        ("put", f"/api/actions/{action.pk}/", {}),
        ("post", f"/api/actions/{action.pk}/updates/", {"evidence_links": [1, None, {}]}),
        ("post", f"/api/actions/{action.pk}/updates/", {"evidence_links": {"a": 1}}),
        ("post", f"/api/actions/{action.pk}/updates/", {"completed_on": 20261120}),
        ("post", f"/api/actions/{action.pk}/updates/", {"commentary": None}),
        ("post", f"/api/actions/{action.pk}/updates/", ["not", "an", "object"]),
        ("patch", f"/api/measures/{measure.pk}/", {"baseline": "NaN"}),
        ("patch", f"/api/measures/{measure.pk}/", {"target": "1e400"}),
        ("patch", f"/api/measures/{measure.pk}/", {"target": 12345678901234567890}),
        ("patch", f"/api/milestones/{milestone.pk}/", {"actions": "all"}),
        ("patch", f"/api/milestones/{milestone.pk}/", {"achieved_on": "2026-13-01"}),
        ("post", "/api/outcomes/", {"recommendation": action.recommendation_id, "number": 10**9}),
        ("post", "/api/plans/", {"title": "x", "start_date": "2027-01-01", "end_date": "2026"}),
        ("post", "/api/plans/", {"slug": "not a slug!", "plan_type": "wsoa"}),
        ("post", "/api/plan-types/", {"name": "", "slug": ""}),
        ("post", "/api/boards/", {"name": "Board", "slug": "b", "audience": "everyone"}),
        ("delete", f"/api/plan-types/{action.plan.plan_type_id}/", None),
        ("post", "/api/measure-readings/", {"measure": measure.pk, "value": "lots"}),
        ("post", "/api/auth/token/", {"email": ["a"], "password": {"b": 1}}),
        ("post", "/api/progress-updates/", {"action": action.pk}),
    ]
    client = client_for(admin_user)
    for method, url, body in requests:
        answer = getattr(client, method)(url, body, format="json")
        assert answer.status_code < 500, (method, url, body, answer.status_code)
        assert answer.status_code != 200 or method == "get", (method, url, body)
    assert_unchanged(action)


def test_plan_types_are_versioned_and_audited_like_every_other_row(admin_user: User) -> None:
    plan_type = PlanFactory.create().plan_type
    client = client_for(admin_user)
    url = f"/api/plan-types/{plan_type.pk}/"
    etag = client.get(url)["ETag"]
    stale = client.patch(url, {"description": "x"}, format="json", HTTP_IF_MATCH='"99"')
    assert stale.status_code == 412
    ok = client.patch(url, {"description": "Statutory"}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok["ETag"] != etag
    newest = type(plan_type).history.filter(id=plan_type.pk).latest("history_id")
    assert (newest.description, newest.history_user) == ("Statutory", admin_user)


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/milestones/{m}/", {"achieved_on": "2026-11-24"}, "achieved_on"),
        ("/api/measure-readings/{r}/", {"taken_on": "2026-11-24"}, "taken_on"),
        ("/api/measures/{s}/", {"baseline_date": "2028-01-01"}, "target_date"),
        ("/api/recommendations/{rec}/", {"number": 0}, "number"),
        ("/api/outcomes/{o}/", {"number": 0}, "number"),
    ],
)
def test_dates_and_numbers_that_make_no_sense_are_refused_on_the_field(
    admin_user: User, url: str, body: dict[str, Any], field: str
) -> None:
    # Today is Monday 23 November 2026 in London (the autouse fixture).
    recommendation = RecommendationFactory.create()
    outcome = OutcomeFactory.create(recommendation=recommendation)
    measure = SuccessMeasureFactory.create(
        recommendation=recommendation, target_date=dt.date(2027, 6, 30)
    )
    ids = {
        "m": MilestoneFactory.create(recommendation=recommendation).pk,
        "r": MeasureReadingFactory.create(measure=measure, taken_on=dt.date(2026, 11, 2)).pk,
        "s": measure.pk,
        "rec": recommendation.pk,
        "o": outcome.pk,
    }
    answer = client_for(admin_user).patch(url.format(**ids), body, format="json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json(), answer.json()


def test_a_milestone_achieved_today_and_a_reading_taken_today_are_accepted(
    admin_user: User,
) -> None:
    recommendation = RecommendationFactory.create()
    milestone = MilestoneFactory.create(recommendation=recommendation)
    client = client_for(admin_user)
    answer = client.patch(
        f"/api/milestones/{milestone.pk}/", {"achieved_on": "2026-11-23"}, format="json"
    )
    assert answer.status_code == 200


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
