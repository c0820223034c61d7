"""Who may open an action's page and who may report progress on it: everyone who may read
the action sees the page, only those who may report progress get the form, a board member's
post is refused, and someone from another plan, someone asking for a missing action or someone
signed out gets no page."""

from typing import Any

import pytest
from django.test import Client

from actions.models import Action, ProgressUpdate, Rag
from tests.plan_pages.html import read_page
from tests.workspace.action_page.helpers import an_update, as_person, page, read_form, url

pytestmark = pytest.mark.django_db


# --- Who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "helper", "lead", "member", "admin"])
def test_everyone_who_may_read_the_action_sees_its_page(
    client: Client, world: dict[str, Any], who: str
) -> None:
    html = page(as_person(client, world[who]), world["action"])
    reader = read_page(html)
    assert (1, "1.1 Clear the assessment backlog") in reader.headings
    assert "Olu Owner" in reader.text
    assert "Sam Supporter" in reader.text
    assert "Plans within 20 weeks" in reader.text


@pytest.mark.parametrize("who", ["owner", "helper", "lead", "admin"])
def test_the_people_who_may_report_progress_get_the_form(
    client: Client, world: dict[str, Any], who: str
) -> None:
    html = page(as_person(client, world[who]), world["action"])
    assert (2, "Report progress") in read_page(html).headings
    assert read_form(html).values["version"] == str(world["action"].version)


def test_a_board_member_who_may_only_read_sees_no_form_and_a_post_is_refused(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    as_person(client, world["member"])
    html = page(client, action)
    assert (2, "Report progress") not in read_page(html).headings
    assert 'name="commentary"' not in html

    response = client.post(
        url(action), an_update(action.version, rag=Rag.AMBER, commentary="Slipping.")
    )

    assert response.status_code == 403
    assert "You cannot report progress on this action" in response.content.decode()
    assert not ProgressUpdate.objects.filter(action=action).exists()
    assert Action.objects.get(pk=action.pk).version == action.version


def test_someone_from_another_plan_gets_404_for_the_page_and_for_a_post(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    as_person(client, world["stranger"])

    assert client.get(url(action)).status_code == 404
    response = client.post(url(action), an_update(action.version, rag=Rag.AMBER, commentary="x"))

    assert response.status_code == 404
    assert not ProgressUpdate.objects.filter(action=action).exists()


def test_an_action_that_does_not_exist_is_a_404_like_one_the_person_may_not_read(
    client: Client, world: dict[str, Any]
) -> None:
    as_person(client, world["admin"])
    assert client.get("/workspace/actions/999999/").status_code == 404


def test_someone_signed_out_is_sent_to_sign_in_and_back(
    client: Client, world: dict[str, Any]
) -> None:
    response = client.get(url(world["action"]))
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next=/workspace/actions/{world['action'].pk}/"
