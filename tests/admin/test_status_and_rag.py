"""Status and RAG change only through the status service: the action form offers no field
for them and ignores them if posted; the progress page records a progress update, refuses
bad or stale ones and changes nothing then; old versions cannot be restored and progress
updates cannot be added, changed or deleted in the admin."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from actions.models import Action, ActionStatus, ProgressUpdate, Rag
from actions.services import action_update_status
from tests.admin.conftest import World
from tests.admin.forms import form_data, page_errors, progress_form, url
from tests.snapshots import action_state

pytestmark = pytest.mark.django_db


# --- Status and RAG only through the status service ---------------------------------------


def test_the_action_page_shows_status_and_rag_but_offers_no_field_to_change_them(
    world: World, admin_client: Client
) -> None:
    response = admin_client.get(url("actions_action_change", world.blocked.pk))
    page = response.content.decode()
    data = form_data(response, "action_form")
    for field in ("status", "rag", "completed_on", "plan"):
        assert field not in data, field
    assert "Blocked" in page
    assert "Red (off track)" in page
    assert url("actions_action_progress", world.blocked.pk) in page
    # The progress already recorded is listed, read only.
    overdue = admin_client.get(url("actions_action_change", world.overdue.pk))
    assert "The recruitment panel moved." in overdue.content.decode()
    fields = form_data(overdue, "action_form")
    assert not any(
        name.startswith("updates-0-")
        and name[10:] in ("status", "rag", "commentary", "completed_on")
        for name in fields
    )


def test_status_posted_to_the_action_form_is_ignored(world: World, admin_client: Client) -> None:
    page = admin_client.get(url("actions_action_change", world.blocked.pk))
    data = form_data(page, "action_form")
    data.update(
        title="Clear the assessment backlog by March",
        status="completed",
        rag="blue",
        completed_on="2026-11-20",
    )
    response = admin_client.post(url("actions_action_change", world.blocked.pk), data)

    assert response.status_code == 302, page_errors(response)
    fresh = Action.objects.get(pk=world.blocked.pk)
    assert fresh.title == "Clear the assessment backlog by March"
    assert (fresh.status, fresh.rag, fresh.completed_on) == (ActionStatus.BLOCKED, Rag.RED, None)
    assert not ProgressUpdate.objects.filter(action=world.blocked).exists()


def test_recording_progress_in_the_admin_writes_a_progress_update(
    world: World, admin_client: Client
) -> None:
    progress_url = url("actions_action_progress", world.this_week.pk)
    page = admin_client.get(progress_url)
    data = progress_form(page)
    assert data["status"] == "in_progress"
    assert data["rag"] == "green"
    data.update(
        status="blocked",
        rag="red",
        commentary="Health partners have not signed the strategy.",
        evidence_links="https://example.gov.uk/minutes/12\n\n https://example.gov.uk/risk-log \n",
    )
    response = admin_client.post(progress_url, data, follow=True)

    assert response.redirect_chain == [(url("actions_action_change", world.this_week.pk), 302)]
    assert "Progress on 2.2 recorded." in response.content.decode()
    update = ProgressUpdate.objects.get(action=world.this_week)
    assert update.author == world.admin
    assert (update.previous_status, update.status) == (ActionStatus.IN_PROGRESS, "blocked")
    assert (update.previous_rag, update.rag) == (Rag.GREEN, Rag.RED)
    assert update.commentary == "Health partners have not signed the strategy."
    assert update.evidence_links == [
        "https://example.gov.uk/minutes/12",
        "https://example.gov.uk/risk-log",
    ]
    fresh = Action.objects.get(pk=world.this_week.pk)
    assert (fresh.status, fresh.rag) == (ActionStatus.BLOCKED, Rag.RED)
    assert fresh.latest_update == update
    latest = fresh.history.latest()
    assert latest.history_user == world.admin
    assert latest.history_change_reason == "Progress update"


def test_completing_an_action_in_the_admin_rates_it_blue(
    world: World, admin_client: Client
) -> None:
    progress_url = url("actions_action_progress", world.this_week.pk)
    data = progress_form(admin_client.get(progress_url))
    data.update(status="completed", rag="", completed_on="2026-11-20")
    response = admin_client.post(progress_url, data)

    assert response.status_code == 302, page_errors(response)
    fresh = Action.objects.get(pk=world.this_week.pk)
    assert (fresh.status, fresh.rag, fresh.completed_on) == (
        ActionStatus.COMPLETED,
        Rag.BLUE,
        dt.date(2026, 11, 20),
    )
    assert fresh.latest_update is not None
    assert fresh.latest_update.author == world.admin

    # Reopening offers no RAG from before (blue is not a choice) and needs a reason.
    data = progress_form(admin_client.get(progress_url))
    assert data["rag"] == ""
    before = action_state(fresh)
    data.update(status="in_progress")
    response = admin_client.post(progress_url, data)
    text = page_errors(response)
    assert "Say why the action is being reopened." in text
    assert "Choose a RAG rating (red, amber or green) for the reopened action." in text
    assert action_state(fresh) == before


@pytest.mark.parametrize(
    ("action_name", "changes", "message"),
    [
        (
            "this_week",
            {"status": "not_started", "commentary": "Back to the start"},
            "An action that is in progress cannot become not started.",
        ),
        (
            "this_week",
            {"rag": "red"},
            "commentary is required when an action is rated red.",
        ),
        ("this_week", {"status": "cancelled"}, "Say why the action is being cancelled."),
        ("this_week", {}, "Nothing to record: change the status or RAG rating"),
        (
            "this_week",
            {"status": "completed", "completed_on": "2026-11-24"},
            "The completion date cannot be in the future.",
        ),
        (
            "this_week",
            {"status": "completed"},
            "Give the date the action was completed.",
        ),
        (
            "this_week",
            {"status": "completed", "rag": "green", "completed_on": "2026-11-20"},
            "A completed action is rated blue.",
        ),
        (
            "this_week",
            {"commentary": "Minutes attached", "evidence_links": "minutes.docx"},
            "Evidence link 1 is not a web address (http or https): minutes.docx",
        ),
        (
            "this_week",
            {"commentary": "On track", "completed_on": "2026-11-20"},
            "Only give a completion date when completing the action.",
        ),
        (
            "blocked",
            {"status": "in_progress", "rag": "amber"},
            "commentary is required when an action is rated amber.",
        ),
    ],
)
def test_a_refused_progress_update_shows_why_and_changes_nothing(
    action_name: str,
    changes: dict[str, str],
    message: str,
    world: World,
    admin_client: Client,
) -> None:
    action: Action = getattr(world, action_name)
    progress_url = url("actions_action_progress", action.pk)
    data = progress_form(admin_client.get(progress_url))
    data.update(changes)
    before = action_state(action)

    response = admin_client.post(progress_url, data)

    assert message in page_errors(response)
    assert action_state(action) == before


def test_a_progress_update_from_a_stale_page_is_refused(world: World, admin_client: Client) -> None:
    progress_url = url("actions_action_progress", world.this_week.pk)
    data = progress_form(admin_client.get(progress_url))
    # Meanwhile the owner reports progress through the API.
    action_update_status(
        action=world.this_week, by=world.owner, rag=Rag.AMBER, commentary="Slipping a little."
    )
    before = action_state(world.this_week)
    data.update(status="completed", completed_on="2026-11-20")

    response = admin_client.post(progress_url, data)

    assert "This item has changed since you loaded it." in page_errors(response)
    assert action_state(world.this_week) == before


def test_the_progress_page_of_an_action_that_does_not_exist_goes_back_to_the_admin(
    world: World, admin_client: Client
) -> None:
    response = admin_client.get(url("actions_action_progress", 987654))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_an_old_version_of_an_action_can_be_viewed_but_not_restored(
    world: World, admin_client: Client
) -> None:
    first = world.overdue.history.earliest()
    history_form = url("actions_action_simple_history", world.overdue.pk, first.history_id)
    response = admin_client.get(history_form)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()

    before = action_state(world.overdue)
    data = {"recommendation": str(world.rec1.pk), "reference": "1.1", "title": "Old"}
    data.update(owner=str(world.owner.pk), due_date="2026-11-02")
    assert admin_client.post(history_form, data).status_code == 403
    assert action_state(world.overdue) == before
    assert Action.objects.get(pk=world.overdue.pk).title == "Recruit educational psychologists"


@pytest.mark.parametrize(
    ("name", "row", "field"),
    [
        ("actions_plan_simple_history", "plan", "title"),
        ("actions_recommendation_simple_history", "rec1", "title"),
        ("actions_outcome_simple_history", "outcome", "title"),
        ("actions_milestone_simple_history", "milestone", "title"),
        ("actions_successmeasure_simple_history", "measure", "name"),
        ("actions_board_simple_history", "board", "name"),
    ],
)
def test_no_old_version_of_anything_can_be_restored(
    world: World, admin_client: Client, name: str, row: str, field: str
) -> None:
    obj = getattr(world, row)
    type(obj)._default_manager.filter(pk=obj.pk).update(**{field: "Changed since"})
    obj.refresh_from_db()
    obj._history_user = world.admin
    obj.save()
    first = obj.history.earliest()
    history_form = url(name, obj.pk, first.history_id)
    page = admin_client.get(history_form)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(history_form, {field: getattr(first, field)}).status_code == 403
    obj.refresh_from_db()
    assert getattr(obj, field) == "Changed since"


def test_progress_updates_cannot_be_added_changed_or_deleted_in_the_admin(
    world: World, admin_client: Client
) -> None:
    update_url = url("actions_progressupdate_change", world.update.pk)
    assert admin_client.get(url("actions_progressupdate_add")).status_code == 403
    page = admin_client.get(update_url)
    assert page.status_code == 200
    assert "The recruitment panel moved." in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(update_url, {"commentary": "Rewritten"}).status_code == 403
    assert admin_client.get(url("actions_progressupdate_delete", world.update.pk)).status_code == (
        403
    )
    assert admin_client.post(url("actions_progressupdate_delete", world.update.pk)).status_code == (
        403
    )
    bulk = admin_client.post(
        url("actions_progressupdate_changelist"),
        {"action": "delete_selected", "_selected_action": [str(world.update.pk)], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    fresh = ProgressUpdate.objects.get(pk=world.update.pk)
    assert fresh.commentary == "The recruitment panel moved."
