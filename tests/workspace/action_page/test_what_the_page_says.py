"""What an action's page says: how late the action is in working days or when it was
completed, links to the plan and the recommendation, milestones only for those the API lets
read them, evidence links that are only followed when they are web addresses, the latest
update, and a history told newest first in London time that matches the API's."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from actions.dates import LONDON
from actions.models import Action, ActionStatus, ProgressUpdate, Rag
from actions.services import action_update_status, model_update
from notifications.models import Audience, Escalation
from tests.plan_pages.html import read_page
from tests.workspace.action_page.helpers import NOW, as_person, history, page

pytestmark = pytest.mark.django_db


# --- What the page says -------------------------------------------------------------------


def test_the_summary_says_how_late_the_action_is_in_working_days(
    client: Client, world: dict[str, Any]
) -> None:
    text = read_page(page(as_person(client, world["owner"]), world["action"])).text
    # 25 November to 2 December: 26, 27, 30 November, 1 and 2 December.
    assert "Due date 25 November 2026 5 working days overdue" in text
    assert "Status In progress" in text
    assert "RAG rating Green" in text
    assert "Date completed Not completed" in text


def test_an_action_due_later_says_how_many_working_days_are_left(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    Action.objects.filter(pk=action.pk).update(due_date=dt.date(2026, 12, 9))
    text = read_page(page(as_person(client, world["owner"]), action)).text
    assert "Due date 9 December 2026 Due in 5 working days" in text


def test_a_completed_action_shows_its_completion_date_and_is_not_late(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    action_update_status(
        action=action,
        by=world["owner"],
        status=ActionStatus.COMPLETED,
        completed_on=dt.date(2026, 11, 30),
    )
    text = read_page(page(as_person(client, world["owner"]), action)).text
    assert "Date completed 30 November 2026" in text
    assert "Status Completed" in text
    assert "RAG rating Blue (complete)" in text
    assert "overdue" not in text


def test_the_caption_and_summary_link_to_the_plan_and_the_recommendation(
    client: Client, world: dict[str, Any]
) -> None:
    links = read_page(page(as_person(client, world["owner"]), world["action"])).links
    assert (f"/workspace/plans/{world['plan'].pk}/", "Northshire WSOA") in links
    recommendation = f"/workspace/recommendations/{world['recommendation'].pk}/"
    assert (recommendation, "recommendation 1: Assess needs on time") in links
    assert (recommendation, "1. Assess needs on time") in links


def test_a_lead_sees_the_actions_milestones_and_where_to_mark_them_achieved(
    client: Client, world: dict[str, Any]
) -> None:
    reader = read_page(page(as_person(client, world["lead"]), world["action"]))
    assert "Milestones Backlog cleared: due 29 January 2027" in reader.text
    milestones = f"/workspace/recommendations/{world['recommendation'].pk}/#milestones"
    assert (milestones, "See the milestones on the recommendation's page") in reader.links


def test_an_owner_is_not_shown_milestones_the_api_does_not_let_them_read(
    client: Client, world: dict[str, Any]
) -> None:
    text = read_page(page(as_person(client, world["owner"]), world["action"])).text
    assert "Backlog cleared" not in text


def test_evidence_links_are_links_and_only_web_addresses_are(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    action_update_status(
        action=action,
        by=world["owner"],
        rag=Rag.AMBER,
        commentary="Panel papers attached.",
        evidence_links=["https://docs.example.gov.uk/panel.pdf"],
    )
    # Written past the service (an import, an old row): shown, never followed.
    ProgressUpdate.objects.create(
        action=action,
        author=world["owner"],
        previous_status=action.status,
        status=action.status,
        previous_rag=Rag.AMBER,
        rag=Rag.AMBER,
        commentary="Odd link.",
        evidence_links=["javascript:alert(1)"],
    )
    html = page(as_person(client, world["owner"]), action)
    links = read_page(html).links
    assert (
        "https://docs.example.gov.uk/panel.pdf",
        "https://docs.example.gov.uk/panel.pdf",
    ) in links
    assert "javascript:alert(1)" in read_page(html).text
    assert not [href for href, _ in links if href.startswith("javascript")]


def test_the_latest_update_is_summarised_with_its_author_and_date(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    action_update_status(
        action=action, by=world["helper"], rag=Rag.AMBER, commentary="Two posts unfilled."
    )
    text = read_page(page(as_person(client, world["member"]), action)).text
    assert "Latest update 2 December 2026, by Sam Supporter Two posts unfilled." in text


def test_the_history_tells_updates_changes_and_escalations_newest_first_in_london_time(
    client: Client, world: dict[str, Any], clock: time_machine.Traveller
) -> None:
    action, lead, owner = world["action"], world["lead"], world["owner"]
    clock.move_to(dt.datetime(2026, 10, 20, 9, 15, tzinfo=LONDON))  # British Summer Time
    action_update_status(action=action, by=owner, rag=Rag.AMBER, commentary="Agency ends.")
    clock.move_to(dt.datetime(2026, 11, 26, 8, 0, tzinfo=LONDON))
    escalation = Escalation.objects.create(
        plan=world["plan"],
        action=action,
        due_date=action.due_date,
        level=1,
        audience=Audience.OWNER,
        working_days_overdue=1,
        created_at=dt.datetime(2026, 11, 26, 8, 0, tzinfo=LONDON),
    )
    escalation.told.set([owner])
    clock.move_to(dt.datetime(2026, 11, 27, 14, 30, tzinfo=LONDON))
    model_update(instance=action, by=lead, fields={"due_date": dt.date(2027, 1, 15)})
    Escalation.objects.filter(pk=escalation.pk).update(
        resolved_at=dt.datetime(2026, 11, 27, 14, 35, tzinfo=LONDON),
        resolution="The due date moved.",
    )
    clock.move_to(NOW)

    entries = history(page(as_person(client, world["member"]), action))

    assert entries[0].startswith("Escalation level 1 resolved 27 November 2026 at 14:35")
    assert "The due date moved." in entries[0]
    assert entries[1] == (
        "Due date changed by Lena Lead, 27 November 2026 at 14:30 "
        "Due date: from 25 November 2026 to 15 January 2027"
    )
    assert entries[2].startswith(
        "Escalated to level 1: The action's owner 26 November 2026 at 08:00 Told: Olu Owner."
    )
    assert entries[3] == (
        "Progress update by Olu Owner, 20 October 2026 at 09:15 "
        "RAG rating: from Green (on track) to Amber (at risk) Agency ends."
    )
    assert entries[-1].startswith("Action added to the plan")


def test_the_page_tells_the_same_history_as_the_api(
    client: Client, world: dict[str, Any], clock: time_machine.Traveller
) -> None:
    action = world["action"]
    action_update_status(action=action, by=world["owner"], rag=Rag.AMBER, commentary="One.")
    clock.shift(dt.timedelta(minutes=5))
    model_update(instance=action, by=world["lead"], fields={"title": "Clear the backlog"})
    clock.shift(dt.timedelta(minutes=5))
    action_update_status(action=action, by=world["helper"], rag=Rag.RED, commentary="Two.")
    as_person(client, world["lead"])

    api = client.get(f"/api/actions/{action.pk}/history/").json()["results"]
    entries = history(page(client, action))

    assert len(entries) == len(api) == 4
    for entry, shown in zip(api, entries, strict=True):
        assert shown.startswith(
            {"progress_update": "Progress update", "change": "Title changed"}.get(
                entry["kind"], "Action added"
            )
        )
        if entry["by_name"]:
            assert f"by {entry['by_name']}," in shown
