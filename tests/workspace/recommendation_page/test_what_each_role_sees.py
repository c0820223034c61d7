"""What each role sees on a recommendation's page: the lead sees the heading, the plan,
the lead, the outcomes, every action in a captioned table and the RAG mix in words; a board
member sees everything but no form; an owner and a supporting owner see only their actions;
an administrator gets the forms; and someone from another plan, someone signed out or someone
asking for a missing recommendation gets no page."""

import pytest
from django.test import Client

from actions.models import ActionStatus, Rag
from tests.factories import ActionFactory
from tests.plan_pages.html import read_page
from tests.workspace.recommendation_page.helpers import (
    achieved_data,
    as_,
    elements,
    get,
    listed_references,
    reading_data,
)
from tests.workspace.recommendation_page.world import World

pytestmark = pytest.mark.django_db


# --- What each role sees ----------------------------------------------------------------


def test_the_lead_sees_the_heading_plan_lead_outcomes_and_every_action(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.lead), world.url)
    page = read_page(html)
    assert (1, "Improve the timeliness of EHC plans") in page.headings
    assert "Recommendation 2" in page.text
    assert (f"/workspace/plans/{world.plan.pk}/", "Northshire WSOA") in page.links
    assert "Accountable lead Lena Lead Head of SEND" in page.text
    assert "Families wait too long for plans." in page.text
    assert "Plans issued in 20 weeks" in page.text and "Families feel heard" in page.text
    assert listed_references(html) == ["2.1", "2.2", "2.3", "2.10"]
    assert (f"/workspace/actions/{world.late.pk}/", "Clear the assessment backlog") in page.links
    assert "4 actions" in page.text


def test_the_action_table_has_a_caption_and_each_column_in_words(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.lead), world.url)
    page = read_page(html)
    assert any(t.caption == "Actions under recommendation 2" for t in page.tables)
    rows = next(r for r in elements(html).tables.values() if r and r[0][0] == "Reference")
    assert rows[0] == [
        "Reference",
        "Action",
        "Owner",
        "Due date",
        "Status",
        "RAG",
        "Last update",
    ]
    assert rows[1] == [
        "2.1",
        "Clear the assessment backlog",
        "Olu Owner",
        "25 Nov 2026",
        "In progress",
        "Amber",
        "1 Oct 2026",
    ]
    assert rows[4][-3:] == ["Not started", "Red", "No update yet"]


def test_the_rag_mix_counts_each_rating_in_words_leaving_out_cancelled_actions(
    client: Client, world: World
) -> None:
    ActionFactory.create(
        recommendation=world.recommendation,
        reference="2.11",
        status=ActionStatus.CANCELLED,
        rag=Rag.RED,
    )
    html = get(as_(client, world.lead), world.url)
    found = elements(html)
    mix = {a["data-rag"] for a in found.all("td") if "data-rag" in a}
    assert mix == {"red", "amber", "green", "blue"}
    text = read_page(html).text
    assert "The actions by RAG rating: 4 actions, not counting 1 cancelled" in text
    for words, count in [
        ("Red (off track)", 1),
        ("Amber (at risk)", 1),
        ("Green (on track)", 1),
        ("Blue (complete)", 1),
    ]:
        assert f"{words} {count}" in text


def test_a_board_member_sees_everything_but_no_form(client: Client, world: World) -> None:
    html = get(as_(client, world.member), world.url)
    text = read_page(html).text
    assert listed_references(html) == ["2.1", "2.2", "2.3", "2.10"]
    assert "Backlog cleared" in text and "EHC plans issued within 20 weeks" in text
    assert "Mark as achieved" not in html
    assert "Record the reading" not in html
    assert 'method="post"' not in html.replace('action="/sign-out/"', "").split("<main")[1]


def test_an_owner_sees_only_their_own_actions_and_no_milestones_or_measures(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.owner), world.url)
    text = read_page(html).text
    assert listed_references(html) == ["2.1", "2.3"]
    assert "Publish the local offer" not in text
    assert "Backlog cleared" not in text
    assert "EHC plans issued within 20 weeks" not in text
    assert "Plans issued in 20 weeks" not in text
    # The escalation of their own action, not the milestone's.
    assert "Action 2.1: Clear the assessment backlog" in text
    assert "Milestone: Backlog cleared" not in text
    assert "Mark as achieved" not in html and "Record the reading" not in html


def test_a_supporting_owner_sees_the_action_they_support(client: Client, world: World) -> None:
    html = get(as_(client, world.helper), world.url)
    assert listed_references(html) == ["2.1"]
    assert "1 action" in read_page(html).text


def test_an_administrator_sees_everything_with_the_forms(client: Client, world: World) -> None:
    html = get(as_(client, world.admin), world.url)
    assert listed_references(html) == ["2.1", "2.2", "2.3", "2.10"]
    # Two open milestones, one measure.
    assert html.count("Mark as achieved<span") == 2
    assert html.count("Record the reading<span") == 1


@pytest.mark.parametrize("who", ["stranger", "stranger_lead"])
def test_a_person_from_another_plan_gets_404_for_the_page_and_both_forms(
    client: Client, world: World, who: str
) -> None:
    as_(client, getattr(world, who))
    assert client.get(world.url).status_code == 404
    reading = client.post(
        f"/workspace/measures/{world.measure.pk}/readings/", reading_data(world.measure.pk)
    )
    achieved = client.post(
        f"/workspace/milestones/{world.overdue_milestone.pk}/achieved/",
        achieved_data(world.overdue_milestone),
    )
    assert (reading.status_code, achieved.status_code) == (404, 404)
    assert world.measure.readings.count() == 3
    world.overdue_milestone.refresh_from_db()
    assert world.overdue_milestone.achieved_on is None


def test_someone_signed_out_is_sent_to_sign_in(client: Client, world: World) -> None:
    response = client.get(world.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_a_recommendation_that_does_not_exist_is_404(client: Client, world: World) -> None:
    get(as_(client, world.admin), "/workspace/recommendations/999999/", status=404)
