"""Concurrent writes through the API: every detail answer carries the row's version as its
ETag, and a write, progress update or delete sent with a stale (or nonsense) If-Match is
refused with 412 and changes nothing; a current, weak, unquoted or star If-Match is accepted.
"""

import pytest

from accounts.models import User
from actions.models import Action, ProgressUpdate
from tests.api.behaviour.actions_api import action_url, assert_unchanged
from tests.api.conftest import Plan1, client_for

pytestmark = pytest.mark.django_db


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
