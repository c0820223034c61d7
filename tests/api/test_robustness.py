"""What a careless or unlucky client sends: no slash, odd bodies, repeats. Nothing is lost,
nothing is written twice, and every answer under /api/ is JSON."""

import json

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from actions.models import Action, ProgressUpdate, Rag
from config.views import bad_request, server_error
from tests.api.conftest import Plan1, client_for

pytestmark = pytest.mark.django_db


def test_a_progress_report_posted_without_the_closing_slash_is_recorded(plan1: Plan1) -> None:
    client = client_for(plan1.owner)
    answer = client.post(
        f"/api/actions/{plan1.action.pk}/updates",
        {"rag": "amber", "commentary": "Interviews moved to January."},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert ProgressUpdate.objects.get(action=plan1.action).commentary == (
        "Interviews moved to January."
    )
    assert Action.objects.get(pk=plan1.action.pk).rag == Rag.AMBER


def test_every_address_works_without_its_closing_slash(plan1: Plan1) -> None:
    client = client_for(plan1.owner)
    assert client.get("/api/me").status_code == 200
    assert client.get("/api/me/actions").json()["count"] == 1
    assert client.get(f"/api/actions/{plan1.action.pk}").json()["id"] == plan1.action.pk
    changed = client.patch(
        f"/api/actions/{plan1.action.pk}", {"description": "Two posts."}, format="json"
    )
    assert changed.status_code == 200
    assert Action.objects.get(pk=plan1.action.pk).description == "Two posts."
    token = APIClient().post(
        "/api/auth/token", {"email": plan1.owner.email, "password": "wrong"}, format="json"
    )
    assert token.status_code == 400


def test_a_body_nested_thousands_deep_is_a_400_even_before_signing_in() -> None:
    answer = Client().post(
        "/api/auth/token/", "[" * 5000 + "]" * 5000, content_type="application/json"
    )
    assert answer.status_code == 400
    assert "nested too deeply" in answer.json()["detail"]


def test_a_body_that_is_not_json_says_what_to_send(plan1: Plan1) -> None:
    client = client_for(plan1.owner)
    answer = client.post(
        f"/api/actions/{plan1.action.pk}/updates/", "rag=red", content_type="application/json"
    )
    assert answer.status_code == 400
    assert "not valid JSON" in answer.json()["detail"]
    assert "Content-Type: application/json" in answer.json()["detail"]
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    "path", ["/api/", "/api/nothing-here", "/api/actions/x/y/z", "/api/actions/9999999/"]
)
def test_an_unknown_address_under_api_is_a_json_404(plan1: Plan1, path: str) -> None:
    answer = client_for(plan1.owner).get(path)
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/json"
    assert answer.json()["detail"]


def test_a_body_too_large_to_read_is_a_json_413(plan1: Plan1, settings: object) -> None:
    client = client_for(plan1.owner)
    huge = json.dumps({"commentary": "x" * 3_000_000})
    answer = client.post(
        f"/api/actions/{plan1.action.pk}/updates/", huge, content_type="application/json"
    )
    assert answer.status_code == 413
    assert answer["Content-Type"] == "application/json"
    assert not ProgressUpdate.objects.exists()


def test_the_error_pages_are_json_under_api_and_html_elsewhere() -> None:
    factory = RequestFactory()
    api_500 = server_error(factory.get("/api/actions/"))
    assert api_500.status_code == 500 and api_500["Content-Type"] == "application/json"
    assert "nothing was saved" in json.loads(api_500.content)["detail"]
    site_500 = server_error(factory.get("/"))
    assert site_500.status_code == 500 and "text/html" in site_500["Content-Type"]
    api_400 = bad_request(factory.get("/api/actions/"), ValueError("bad"))
    assert api_400["Content-Type"] == "application/json"


def test_sending_the_same_values_again_writes_no_version_and_no_history(plan1: Plan1) -> None:
    client = client_for(plan1.lead)
    url = f"/api/actions/{plan1.action.pk}/"
    first = client.patch(url, {"description": "Two posts."}, format="json")
    assert first.status_code == 200
    version, entries = first.json()["version"], plan1.action.history.count()

    for body in ({"description": "Two posts."}, {}):
        again = client.patch(url, body, format="json", HTTP_IF_MATCH=f'"{version}"')
        assert again.status_code == 200
        assert again.json()["version"] == version
        assert again["ETag"] == f'"{version}"'
    assert plan1.action.history.count() == entries
    # Someone holding the version read before the repeats can still write.
    later = client.patch(
        url, {"description": "Three posts."}, format="json", HTTP_IF_MATCH=f'"{version}"'
    )
    assert later.status_code == 200


def test_a_stale_if_match_with_nothing_to_change_is_still_a_412(plan1: Plan1) -> None:
    client = client_for(plan1.lead)
    url = f"/api/actions/{plan1.action.pk}/"
    client.patch(url, {"description": "Two posts."}, format="json")
    stale = client.patch(url, {}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412


def test_a_refused_create_says_who_may(plan1: Plan1) -> None:
    body = {
        "recommendation": plan1.action.recommendation_id,
        "reference": "9.9",
        "title": "Something new",
        "owner": plan1.owner.pk,
        "due_date": "2027-01-29",
    }
    owner = client_for(plan1.owner).post("/api/actions/", body, format="json")
    assert owner.status_code == 403
    assert "recommendation leads under their own recommendations" in owner.json()["detail"]
    plans = client_for(plan1.lead).post("/api/plans/", {"title": "x"}, format="json")
    assert plans.json()["detail"] == "Only plan administrators can add these."
