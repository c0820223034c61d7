"""The update form reached from an email's link: refusals, accessibility and races.

A refused update explains itself beside its fields, keeps what was typed and leaves the link
usable; an update made by someone else while the form was open is not overwritten; a link
scanner's HEAD request uses nothing up; the form is accessible and needs its CSRF token; and
two requests racing with one link record at most one update.
"""

import threading

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import User
from actions.models import Action, ActionStatus, ProgressUpdate, Rag
from actions.services import action_update_status
from notifications.links import read_update_token
from notifications.models import UpdateLinkUse
from tests.notifications.link_pages.links import AMBER_UPDATE, link_to, snapshot
from tests.notifications.link_pages.pages import (
    Page,
    assert_accessible_form,
    checked,
    error_summary,
    text_of,
)

# --- Update without a password --------------------------------------------------------------


def test_a_refused_update_explains_itself_keeps_what_was_typed_and_the_link_still_works(
    client: Client, action: Action, owner: User
) -> None:
    url = link_to(action, owner)
    before = snapshot(action)

    response = client.post(
        url,
        {
            "status": ActionStatus.IN_PROGRESS,
            "rag": Rag.RED,
            "commentary": "  ",
            "completed_on": "",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    page = assert_accessible_form(html)
    assert page.title().startswith("Error: Update action 2.3")
    message = "Explain what is happening: commentary is required when an action is rated red."
    assert error_summary(page) == {"id_commentary": message}
    assert message in page.by_id("id_commentary_error").text
    assert page.by_id("id_commentary").attrs["aria-describedby"] == (
        "id_commentary_helptext id_commentary_error"
    )
    assert checked(page, "rag") == [Rag.RED]  # what the person chose is kept
    assert snapshot(action) == before

    fixed = client.post(
        url, {**AMBER_UPDATE, "rag": Rag.RED, "commentary": "Both candidates withdrew."}
    )
    assert fixed.status_code == 200
    assert ProgressUpdate.objects.get(action=action).rag == Rag.RED


def test_an_update_made_while_the_form_was_open_is_not_overwritten(
    client: Client, action: Action, owner: User
) -> None:
    url = link_to(action, owner)
    page = Page(client.get(url).content.decode())
    shown_version = page.by_id("id_version").attrs["value"]
    # Meanwhile the lead blocks the action through the API's status service.
    lead = action.recommendation.lead
    action_update_status(
        action=action, by=lead, status=ActionStatus.BLOCKED, rag=Rag.RED, commentary="No budget."
    )
    before = snapshot(action)

    stale = client.post(url, {**AMBER_UPDATE, "version": shown_version})

    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Someone else updated this action while you had this page open." in html
    assert AMBER_UPDATE["commentary"] in html  # what the person wrote is kept
    assert snapshot(action) == before
    assert not UpdateLinkUse.objects.exists()
    # Sent again from the page as it now stands, it is recorded.
    current = Page(html).by_id("id_version").attrs["value"]
    assert current != shown_version
    resent = client.post(
        url, {**AMBER_UPDATE, "status": ActionStatus.IN_PROGRESS, "version": current}
    )
    assert resent.status_code == 200
    assert ProgressUpdate.objects.filter(action=action).latest("pk").author == owner


def test_a_head_request_from_a_link_scanner_uses_nothing_up(
    client: Client, action: Action, owner: User
) -> None:
    assert client.head(link_to(action, owner)).status_code == 200
    assert not UpdateLinkUse.objects.exists()
    assert not ProgressUpdate.objects.filter(action=action).exists()


def test_every_refusal_is_listed_and_each_answer_is_kept(
    client: Client, action: Action, owner: User
) -> None:
    response = client.post(
        link_to(action, owner),
        {
            "status": ActionStatus.BLOCKED,
            "rag": Rag.AMBER,
            "commentary": "",
            "completed_on": "24/11/2026",
        },
    )

    assert response.status_code == 400
    page = Page(response.content.decode())
    assert error_summary(page) == {
        "id_commentary": "Say what is blocking the action.",
        "id_completed_on": "Only give a completion date when completing the action.",
    }
    assert page.by_id("id_completed_on").attrs["value"] == "24/11/2026"
    assert checked(page, "status") == [ActionStatus.BLOCKED]
    assert checked(page, "rag") == [Rag.AMBER]
    assert not ProgressUpdate.objects.exists()


def test_a_completion_date_that_is_not_a_date_is_refused_beside_its_field(
    client: Client, action: Action, owner: User
) -> None:
    response = client.post(
        link_to(action, owner),
        {"status": ActionStatus.COMPLETED, "rag": Rag.BLUE, "completed_on": "31/02/2026"},
    )

    assert response.status_code == 400
    page = Page(response.content.decode())
    message = "Enter the date the action was completed as a real date, for example 24/11/2026."
    assert error_summary(page) == {"id_completed_on": message}
    assert not ProgressUpdate.objects.exists()
    assert not UpdateLinkUse.objects.exists()


def test_a_status_that_is_not_in_the_list_links_to_the_first_radio_button(
    client: Client, action: Action, owner: User
) -> None:
    response = client.post(link_to(action, owner), {**AMBER_UPDATE, "status": "finished"})

    assert response.status_code == 400
    page = Page(response.content.decode())
    assert error_summary(page) == {"id_status_0": "Choose one of the statuses in the list."}
    [fieldset] = [p for p in page.by_id("id_status_0").parents if p.tag == "fieldset"]
    assert fieldset.attrs["aria-describedby"] == "id_status_error"
    assert not ProgressUpdate.objects.exists()


def test_the_update_form_is_accessible(client: Client, action: Action, owner: User) -> None:
    response = client.get(link_to(action, owner))

    page = assert_accessible_form(response.content.decode())
    assert page.title() == "Update action 2.3 \N{EN DASH} Action plan delivery service"
    legends = [" ".join(e.text.split()) for e in page.all("legend")]
    assert legends == ["Status", "RAG rating"]
    assert {e.attrs["name"] for e in page.inputs()} == {
        "status",
        "rag",
        "commentary",
        "completed_on",
    }
    assert len(page.all("input", type="radio", name="status")) == len(ActionStatus.choices)
    assert len(page.all("input", type="radio", name="rag")) == len(Rag.choices)
    assert page.by_id("id_completed_on").attrs["aria-describedby"] == "id_completed_on_helptext"
    assert not [e for e in page.elements if e.attrs.get("role") == "alert"]


def test_the_form_needs_its_csrf_token(action: Action, owner: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    url = link_to(action, owner)
    before = snapshot(action)

    refused = browser.post(url, AMBER_UPDATE)
    assert refused.status_code == 403
    assert snapshot(action) == before
    # In plain words, with what to do: not Django's bare "CSRF verification failed".
    text = text_of(refused.content.decode())
    assert "Your form could not be sent" in text and "Nothing has been changed." in text
    assert "CSRF" not in text

    page = Page(browser.get(url).content.decode())
    [token] = page.all("input", name="csrfmiddlewaretoken")
    response = browser.post(url, {**AMBER_UPDATE, "csrfmiddlewaretoken": token.attrs["value"]})
    assert response.status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_racing_another_with_the_same_link_waits_for_it_and_changes_nothing(
    action: Action, owner: User
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite runs one writer at a time")
    url = link_to(action, owner)
    digest = read_update_token(url.split("/")[-2]).digest
    holding, release = threading.Event(), threading.Event()
    responses = []

    def first_request_mid_transaction() -> None:
        try:
            with transaction.atomic():
                UpdateLinkUse.objects.create(digest=digest, action=action, used_at=timezone.now())
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def second_request() -> None:
        try:
            responses.append(Client().post(url, AMBER_UPDATE))
        finally:
            connection.close()

    first = threading.Thread(target=first_request_mid_transaction)
    first.start()
    assert holding.wait(timeout=30)
    second = threading.Thread(target=second_request)
    second.start()
    # The second request has seen no use yet (not committed) and now waits on the first's row.
    waiting = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(3000):
        with connection.cursor() as cursor:
            cursor.execute(waiting)
            if cursor.fetchone()[0]:
                break
        release.wait(timeout=0.01)
    else:
        pytest.fail("the second request never waited for the first")
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    [response] = responses
    assert response.status_code == 410
    assert "This link has already been used" in text_of(response.content.decode())
    assert not ProgressUpdate.objects.exists()
    assert UpdateLinkUse.objects.count() == 1
    assert Action.objects.get(pk=action.pk).rag == Rag.GREEN
