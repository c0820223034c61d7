"""A request over Django's upload limits answers JSON under /api/, with DEBUG on and off: 413
for a body that is too large, 400 for too many fields, query parameters or files, each saying
the limit, with no debug page and nothing changed."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from accounts.tokens import create_token
from actions.models import Action, ProgressUpdate
from tests.api.conftest import Plan1

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[True, False], ids=["debug on", "debug off"])
def debug(request: pytest.FixtureRequest) -> Iterator[bool]:
    with override_settings(DEBUG=request.param):
        yield request.param


@pytest.fixture
def owner(plan1: Plan1) -> Client:
    """The action's owner, signed in with an API token."""
    key = create_token(user=plan1.owner)[1]
    return Client(headers={"Authorization": f"Token {key}"})


def updates_path(plan1: Plan1) -> str:
    return f"/api/actions/{plan1.action.pk}/updates/"


def assert_refused(answer: Any, status: int, limit: str) -> None:
    assert answer.status_code == status, answer.content[:300]
    assert answer["Content-Type"] == "application/json"
    detail = answer.json()["detail"]
    assert limit in detail
    assert "Nothing was changed." in detail
    assert "Traceback" not in answer.text
    assert "settings" not in answer.text.lower()


def assert_nothing_changed(plan1: Plan1) -> None:
    assert not ProgressUpdate.objects.filter(action=plan1.action).exists()
    action = Action.objects.get(pk=plan1.action.pk)
    assert (action.status, action.rag) == (plan1.action.status, plan1.action.rag)


def test_a_three_megabyte_json_body_answers_413_saying_the_limit(
    debug: bool, plan1: Plan1, owner: Client
) -> None:
    body = {"status": "blocked", "rag": "red", "commentary": "x" * 3_000_000}
    answer = owner.post(updates_path(plan1), body, content_type="application/json")
    assert_refused(answer, 413, "The request body is too large: the limit is 2.5 MB.")
    # A browser asking for the browsable API gets the same JSON.
    in_browser = owner.post(
        updates_path(plan1), body, content_type="application/json", headers={"Accept": "text/html"}
    )
    assert_refused(in_browser, 413, "the limit is 2.5 MB")
    assert_nothing_changed(plan1)


@pytest.mark.parametrize("encoding", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_form_with_1500_fields_answers_400_saying_the_limit(
    debug: bool, plan1: Plan1, owner: Client, encoding: str
) -> None:
    fields = {"status": "blocked", "rag": "red", "commentary": "Stuck."}
    fields |= {f"extra{n}": "1" for n in range(1500)}
    if encoding == "multipart/form-data":
        answer = owner.post(updates_path(plan1), fields)
    else:
        answer = owner.post(updates_path(plan1), urlencode(fields), content_type=encoding)
    assert_refused(answer, 400, "more than 1,000 fields or query parameters")
    assert_nothing_changed(plan1)


def test_a_list_request_with_1500_query_parameters_answers_400_saying_the_limit(
    debug: bool, plan1: Plan1, owner: Client
) -> None:
    query = urlencode([("status", "blocked")] + [(f"extra{n}", "1") for n in range(1500)])
    answer = owner.get(f"/api/actions/?{query}")
    assert_refused(answer, 400, "more than 1,000 fields or query parameters")


def test_a_form_with_101_files_answers_400_saying_the_limit(
    debug: bool, plan1: Plan1, owner: Client
) -> None:
    files = [SimpleUploadedFile(f"evidence{n}.txt", b"minutes") for n in range(101)]
    answer = owner.post(updates_path(plan1), {"rag": "red", "evidence": files})
    assert_refused(answer, 400, "more than 100 files")
    assert_nothing_changed(plan1)
