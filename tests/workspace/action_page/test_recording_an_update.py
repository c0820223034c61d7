"""Recording an update from the action page through the rules the API uses: who may, the
services' messages on the right fields with what was typed kept, the completion date read from
day, month and year, and a stale update that says what changed meanwhile."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from actions.dates import LONDON
from actions.models import Action, ActionStatus, ProgressUpdate, Rag
from actions.services import action_update_status, model_update
from tests.plan_pages.html import read_page
from tests.workspace.action_page.helpers import (
    NOW,
    an_update,
    as_person,
    history,
    page,
    read_form,
    url,
)

pytestmark = pytest.mark.django_db

RED_NEEDS_COMMENTARY = (
    "Explain what is happening: commentary is required when an action is rated red."
)


# --- Recording an update ------------------------------------------------------------------


def test_an_owner_records_an_amber_update_and_sees_it_at_the_top_of_the_history(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    as_person(client, world["owner"])
    sent = read_form(page(client, action)).values
    sent.update(
        rag=Rag.AMBER,
        commentary="Two assessors off sick.",
        evidence_links="https://docs.example.gov.uk/a.pdf\n\n  https://docs.example.gov.uk/b.pdf ",
    )

    response = client.post(url(action), sent)

    assert response.status_code == 302
    assert response["Location"] == url(action)
    update = ProgressUpdate.objects.get(action=action)
    assert (update.author, update.rag, update.status) == (world["owner"], "amber", "in_progress")
    assert update.commentary == "Two assessors off sick."
    assert update.evidence_links == [
        "https://docs.example.gov.uk/a.pdf",
        "https://docs.example.gov.uk/b.pdf",
    ]
    assert Action.objects.get(pk=action.pk).version == action.version + 1
    html = page(client, action)
    assert "Your update has been saved" in read_page(html).text
    assert history(html)[0].startswith("Progress update by Olu Owner, 2 December 2026 at 10:00")
    assert "Two assessors off sick." in history(html)[0]


@pytest.mark.parametrize("who", ["helper", "lead", "admin"])
def test_supporting_owners_leads_and_administrators_record_updates_too(
    client: Client, world: dict[str, Any], who: str
) -> None:
    action = world["action"]
    as_person(client, world[who])
    response = client.post(url(action), an_update(action.version, commentary="On track."))
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(action=action)
    assert (update.author, update.commentary) == (world[who], "On track.")


def test_red_without_commentary_is_refused_with_the_services_message_on_the_field(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    as_person(client, world["owner"])
    sent = an_update(action.version, rag=Rag.RED, evidence_links="https://x.example.gov.uk/1")

    response = client.post(url(action), sent)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    form = read_form(html)
    assert form.summary_links == [("#commentary", RED_NEEDS_COMMENTARY)]
    assert 'id="commentary-error"' in html
    assert form.values["rag"] == "red"
    assert form.values["evidence_links"] == "https://x.example.gov.uk/1"
    assert not ProgressUpdate.objects.filter(action=action).exists()


def test_blocking_without_saying_why_is_refused(client: Client, world: dict[str, Any]) -> None:
    action = world["action"]
    as_person(client, world["helper"])
    response = client.post(url(action), an_update(action.version, status=ActionStatus.BLOCKED))
    form = read_form(response.content.decode())
    assert form.summary_links == [("#commentary", "Say what is blocking the action.")]
    assert form.values["status"] == "blocked"


def test_the_completion_date_is_read_from_day_month_and_year(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    as_person(client, world["lead"])
    response = client.post(
        url(action),
        an_update(
            action.version,
            status=ActionStatus.COMPLETED,
            rag=Rag.BLUE,
            completed_on_day="1",
            completed_on_month="12",
            completed_on_year="2026",
        ),
    )
    assert response.status_code == 302
    stored = Action.objects.get(pk=action.pk)
    assert (stored.status, stored.rag, stored.completed_on) == (
        "completed",
        "blue",
        dt.date(2026, 12, 1),
    )


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2026", "Date completed must be a real date, for example 27 3 2026."),
        ("1", "", "2026", "Date completed must include a month."),
        ("1", "12", "26", "Date completed must be a real date, for example 27 3 2026."),
        ("3", "12", "2026", "The completion date cannot be in the future."),
    ],
)
def test_a_completion_date_that_is_wrong_is_refused_on_the_date(
    client: Client, world: dict[str, Any], day: str, month: str, year: str, message: str
) -> None:
    action = world["action"]
    as_person(client, world["owner"])
    sent = an_update(
        action.version,
        status=ActionStatus.COMPLETED,
        rag=Rag.BLUE,
        completed_on_day=day,
        completed_on_month=month,
        completed_on_year=year,
    )
    response = client.post(url(action), sent)
    form = read_form(response.content.decode())
    assert form.summary_links == [("#completed_on_day", message)]
    assert (form.values["completed_on_day"], form.values["completed_on_year"]) == (day, year)
    assert Action.objects.get(pk=action.pk).status == ActionStatus.IN_PROGRESS


def test_an_evidence_link_that_is_not_a_web_address_is_named(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    as_person(client, world["owner"])
    links = "https://docs.example.gov.uk/a.pdf\nthe shared drive"
    response = client.post(
        url(action), an_update(action.version, commentary="Notes.", evidence_links=links)
    )
    form = read_form(response.content.decode())
    assert form.summary_links == [
        (
            "#evidence_links",
            "Evidence link 2 is not a web address (http or https): the shared drive",
        )
    ]
    assert not ProgressUpdate.objects.exists()


def test_a_choice_that_is_not_in_the_list_is_refused(client: Client, world: dict[str, Any]) -> None:
    action = world["action"]
    as_person(client, world["owner"])
    response = client.post(url(action), an_update(action.version, rag="purple"))
    assert read_form(response.content.decode()).summary_links == [
        ("#rag", "Choose one of the RAG ratings in the list.")
    ]


def test_a_stale_update_says_what_changed_meanwhile_and_keeps_what_was_typed(
    client: Client, world: dict[str, Any], clock: time_machine.Traveller
) -> None:
    action = world["action"]
    as_person(client, world["owner"])
    sent = read_form(page(client, action)).values
    sent.update(rag=Rag.AMBER, commentary="Recruitment under way.")
    clock.move_to(dt.datetime(2026, 12, 2, 10, 42, tzinfo=LONDON))
    action_update_status(
        action=Action.objects.get(pk=action.pk),
        by=world["lead"],
        status=ActionStatus.BLOCKED,
        rag=Rag.RED,
        commentary="Funding withdrawn.",
    )
    clock.move_to(dt.datetime(2026, 12, 2, 10, 45, tzinfo=LONDON))

    response = client.post(url(action), sent)

    assert response.status_code == 409
    html = response.content.decode()
    form = read_form(html)
    assert form.summary_links == [
        (
            "#status",
            "Lena Lead changed the status from In progress to Blocked and the RAG rating from "
            "Green (on track) to Red (off track) at 10:42",
        )
    ]
    assert "The action is now blocked, rated red (off track)." in read_page(html).text
    assert "Status Blocked" in read_page(html).text
    assert form.values["commentary"] == "Recruitment under way."
    assert form.values["rag"] == "amber"
    current = Action.objects.get(pk=action.pk)
    assert form.values["version"] == str(current.version)
    assert ProgressUpdate.objects.filter(action=action).count() == 1

    # Sent again as it stands, it is recorded.
    form.values["status"] = ActionStatus.IN_PROGRESS
    again = client.post(url(action), form.values)
    assert again.status_code == 302
    latest = ProgressUpdate.objects.filter(action=action).first()
    assert latest is not None and latest.commentary == "Recruitment under way."


def test_a_stale_update_names_a_change_of_due_date_made_on_an_earlier_day(
    client: Client, world: dict[str, Any], clock: time_machine.Traveller
) -> None:
    action = world["action"]
    as_person(client, world["lead"])
    # The page opened yesterday afternoon, and sent this morning.
    clock.move_to(dt.datetime(2026, 12, 1, 15, 0, tzinfo=LONDON))
    sent = read_form(page(client, action)).values
    sent.update(rag=Rag.AMBER, commentary="Slipping.")
    clock.move_to(dt.datetime(2026, 12, 1, 16, 5, tzinfo=LONDON))
    model_update(
        instance=Action.objects.get(pk=action.pk),
        by=world["admin"],
        fields={"due_date": dt.date(2026, 12, 18), "owner": world["helper"]},
    )
    clock.move_to(NOW)

    response = client.post(url(action), sent)

    assert read_form(response.content.decode()).summary_links == [
        (
            "#summary",
            "Ada Admin changed the owner from Olu Owner to Sam Supporter and the due date from "
            "25 November 2026 to 18 December 2026 at 16:05 on 1 December 2026",
        )
    ]


def test_a_stale_update_names_a_completion_made_meanwhile(
    client: Client, world: dict[str, Any], clock: time_machine.Traveller
) -> None:
    action = world["action"]
    as_person(client, world["owner"])
    sent = read_form(page(client, action)).values
    sent.update(commentary="Nearly there.")
    clock.move_to(dt.datetime(2026, 12, 2, 11, 5, tzinfo=LONDON))
    action_update_status(
        action=Action.objects.get(pk=action.pk),
        by=world["helper"],
        status=ActionStatus.COMPLETED,
        completed_on=dt.date(2026, 12, 1),
    )

    response = client.post(url(action), sent)

    assert read_form(response.content.decode()).summary_links == [
        (
            "#status",
            "Sam Supporter changed the status from In progress to Completed, the RAG rating "
            "from Green (on track) to Blue (complete) and the completion date from Not set to "
            "1 December 2026 at 11:05",
        )
    ]
