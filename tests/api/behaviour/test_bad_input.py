"""Bad input to the API gets a 400 with a message on each field and changes nothing, and no
input, however much nonsense, produces a 500.

Covers action and progress-update bodies (unknown, read-only and ill-typed fields, bodies that
are not objects, a due date before the start), status, RAG and completion date refused on the
action with a pointer to progress updates, plan types versioned and audited like other rows,
and dates and numbers that make no sense on milestones, readings, measures, recommendations
and outcomes.
"""

import datetime as dt
from typing import Any

import pytest

from accounts.models import User
from actions.models import Action, ProgressUpdate
from tests.api.behaviour.actions_api import action_url, assert_unchanged
from tests.api.conftest import Plan1, client_for
from tests.factories import (
    MeasureReadingFactory,
    MilestoneFactory,
    OutcomeFactory,
    PlanFactory,
    RecommendationFactory,
    SuccessMeasureFactory,
)

pytestmark = pytest.mark.django_db

PROGRESS_MESSAGE = "progress update"


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
