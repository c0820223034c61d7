"""Milestones on a recommendation's page: listed by date with their state in words, and
marked achieved through the API's service and policy: the form's default, the success banner,
refused and stale dates that change nothing, and the people who may not."""

import datetime as dt

import pytest
from django.test import Client

from actions.models import Milestone
from tests.plan_pages.html import read_page
from tests.workspace.recommendation_page.helpers import achieved_data, as_, elements, get
from tests.workspace.recommendation_page.world import World

pytestmark = pytest.mark.django_db


# --- Milestones ------------------------------------------------------------------------


def test_milestones_are_listed_by_date_with_their_state_in_words(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.member), world.url)
    text = read_page(html).text
    order = [text.index(t) for t in ("Plan agreed", "Backlog cleared", "Panel reformed")]
    assert order == sorted(order)
    assert "Due 1 October 2026: Achieved on 28 September 2026" in text
    # 30 November to 2 December: 1 and 2 December.
    assert "Due 30 November 2026: 2 working days overdue" in text
    assert "Due 16 December 2026: Due in 10 working days" in text


def test_the_mark_as_achieved_form_defaults_to_today(client: Client, world: World) -> None:
    html = get(as_(client, world.lead), world.url)
    prefix = f"milestone-{world.overdue_milestone.pk}-achieved_on"
    found = elements(html)
    assert found.all("input", name=f"{prefix}_day", value="2")
    assert found.all("input", name=f"{prefix}_month", value="12")
    assert found.all("input", name=f"{prefix}_year", value="2026")
    # Only open milestones have the form.
    assert f"milestone-{world.met_milestone.pk}-achieved_on" not in html


def test_the_lead_marks_a_milestone_achieved_and_sees_a_success_banner(
    client: Client, world: World
) -> None:
    milestone = world.overdue_milestone
    as_(client, world.lead)
    response = client.post(
        f"/workspace/milestones/{milestone.pk}/achieved/", achieved_data(milestone)
    )
    assert response.status_code == 302
    assert response["Location"] == f"{world.url}#milestone-{milestone.pk}"
    milestone.refresh_from_db()
    assert milestone.achieved_on == dt.date(2026, 12, 1)
    assert milestone.history.first().history_user == world.lead  # type: ignore[attr-defined]
    text = read_page(get(client, world.url)).text
    assert "Success Backlog cleared is marked as achieved on 1 December 2026." in text
    assert "Due 30 November 2026: Achieved on 1 December 2026" in text


@pytest.mark.parametrize(
    ("parts", "message", "box"),
    [
        (("3", "12", "2026"), "A milestone cannot be achieved in the future", "day"),
        (("31", "2", "2026"), "Date achieved must be a real date", "day"),
        (("", "12", "2026"), "Date achieved must include a day.", "day"),
        (("1", "", "2026"), "Date achieved must include a month.", "month"),
        (("", "", ""), "Enter the date the milestone was achieved.", "day"),
    ],
)
def test_a_refused_date_comes_back_with_the_message_and_changes_nothing(
    client: Client, world: World, parts: tuple[str, str, str], message: str, box: str
) -> None:
    milestone = world.overdue_milestone
    before = milestone.version
    response = as_(client, world.lead).post(
        f"/workspace/milestones/{milestone.pk}/achieved/", achieved_data(milestone, *parts)
    )
    assert response.status_code == 400
    html = response.content.decode()
    page = read_page(html)
    assert "<title>Error:" in html
    # The summary links to the first box to correct.
    anchor = f"#milestone-{milestone.pk}-achieved_on_{box}"
    assert any(href == anchor and message in text for href, text in page.links), page.links
    # The message also sits by the field, and what was typed is kept.
    assert html.count(message) >= 2
    assert elements(html).all(
        "input", name=f"milestone-{milestone.pk}-achieved_on_day", value=parts[0]
    )
    milestone.refresh_from_db()
    assert (milestone.achieved_on, milestone.version) == (None, before)


def test_a_stale_mark_as_achieved_is_refused_with_the_form_again(
    client: Client, world: World
) -> None:
    milestone = world.overdue_milestone
    data = achieved_data(milestone)
    Milestone.objects.filter(pk=milestone.pk).update(title="Backlog cleared", version=9)
    response = as_(client, world.lead).post(f"/workspace/milestones/{milestone.pk}/achieved/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else changed this milestone while you had this page open." in html
    assert elements(html).all("input", name=f"milestone-{milestone.pk}-version", value="9")
    milestone.refresh_from_db()
    assert milestone.achieved_on is None


def test_a_board_member_may_not_mark_a_milestone_achieved(client: Client, world: World) -> None:
    milestone = world.overdue_milestone
    response = as_(client, world.member).post(
        f"/workspace/milestones/{milestone.pk}/achieved/", achieved_data(milestone)
    )
    assert response.status_code == 403
    assert "You cannot mark this milestone as achieved" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.achieved_on is None


def test_an_owner_cannot_even_find_the_milestone(client: Client, world: World) -> None:
    milestone = world.overdue_milestone
    response = as_(client, world.owner).post(
        f"/workspace/milestones/{milestone.pk}/achieved/", achieved_data(milestone)
    )
    assert response.status_code == 404


def test_the_forms_take_only_posts(client: Client, world: World) -> None:
    as_(client, world.lead)
    assert (
        client.get(f"/workspace/milestones/{world.overdue_milestone.pk}/achieved/").status_code
        == 405
    )
    assert client.get(f"/workspace/measures/{world.measure.pk}/readings/").status_code == 405
