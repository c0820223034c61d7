"""History shows who changed what: an action's edits and the progress recorded on it, and a
plan's edits, which the admin's own log records too."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.admin.conftest import World
from tests.admin.forms import form_data, progress_form, url

pytestmark = pytest.mark.django_db


# --- History ------------------------------------------------------------------------------


def test_the_history_of_an_action_shows_the_change_and_who_made_it(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_action_change", world.this_week.pk))
    data = form_data(page, "action_form")
    data["title"] = "Agree and publish the joint commissioning strategy"
    data["due_date"] = "2026-12-11"
    assert admin_client.post(
        url("actions_action_change", world.this_week.pk), data
    ).status_code == (302)

    response = admin_client.get(url("actions_action_history", world.this_week.pk))
    history = response.content.decode()
    newest = response.context["page_obj"][0]
    assert newest.history_type == "~"
    assert newest.history_user == world.admin
    assert escape(str(world.admin)) in history
    changed = {c["field"]: (c["old"], c["new"]) for c in newest.history_delta_changes}
    assert changed == {
        "Title": (
            "Agree the joint commissioning strategy",
            "Agree and publish the joint commissioning strategy",
        ),
        "Due date": ("2026-11-27", "2026-12-11"),
    }
    assert "Agree the joint commissioning strategy" in history
    assert "Agree and publish the joint commissioning strategy" in history


def test_the_history_of_an_action_shows_progress_recorded_in_the_admin(
    world: World, admin_client: Client
) -> None:
    progress_url = url("actions_action_progress", world.this_week.pk)
    data = progress_form(admin_client.get(progress_url))
    data.update(status="blocked", commentary="Waiting for the ICB board.")
    assert admin_client.post(progress_url, data).status_code == 302

    response = admin_client.get(url("actions_action_history", world.this_week.pk))
    newest = response.context["page_obj"][0]
    assert newest.history_user == world.admin
    assert newest.history_change_reason == "Progress update"
    changed = {c["field"]: (c["old"], c["new"]) for c in newest.history_delta_changes}
    assert changed["Status"] == ("in_progress", "blocked")
    assert "Progress update" in response.content.decode()


def test_the_history_of_a_plan_shows_the_change_and_who_made_it(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_plan_change", world.plan.pk))
    data = form_data(page, "plan_form")
    data["status"] = "closed"
    data["published"] = "on"
    assert admin_client.post(url("actions_plan_change", world.plan.pk), data).status_code == 302

    response = admin_client.get(url("actions_plan_history", world.plan.pk))
    newest = response.context["page_obj"][0]
    assert newest.history_user == world.admin
    changed = {c["field"]: (c["old"], c["new"]) for c in newest.history_delta_changes}
    assert changed == {"Status": ("active", "closed"), "Published": ("False", "True")}
    assert escape(str(world.admin)) in response.content.decode()
    # The admin's own log records it too.
    log = admin_client.get(reverse("admin:index")).content.decode()
    assert "Northshire Written Statement of Action" in log
