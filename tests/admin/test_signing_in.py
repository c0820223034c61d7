"""Who gets into the admin: anyone who is not a plan administrator is sent to sign in and
changes nothing, an administrator signs in with email and password, and a plan
administrator without superuser rights can still run the plan."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from actions.models import ProgressUpdate
from tests.admin.conftest import World
from tests.admin.forms import url
from tests.factories import UserFactory
from tests.snapshots import action_state

pytestmark = pytest.mark.django_db


# --- Signing in ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "action owner", "board member"])
def test_people_who_are_not_administrators_are_sent_to_sign_in(who: str, world: World) -> None:
    client = Client()
    if who == "action owner":
        client.force_login(world.owner)
    elif who == "board member":
        client.force_login(world.lead)
    before = action_state(world.blocked)
    pages = [
        reverse("admin:index"),
        url("actions_action_changelist"),
        url("actions_action_change", world.blocked.pk),
        url("actions_action_progress", world.blocked.pk),
        url("actions_plan_change", world.plan.pk),
        url("actions_action_history", world.blocked.pk),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("admin:login")), page

    posted = client.post(
        url("actions_action_progress", world.blocked.pk),
        {"status": "in_progress", "rag": "green", "commentary": "Sorted", "version": "1"},
    )
    assert posted.status_code == 302
    assert posted["Location"].startswith(reverse("admin:login"))
    assert action_state(world.blocked) == before


def test_the_sign_in_page_lets_an_administrator_in_with_email_and_password(
    world: World,
) -> None:
    client = Client()
    response = client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": "ADMIN@example.gov.uk", "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200

    refused = Client().post(
        reverse("admin:login"),
        {"username": world.owner.email, "password": "correct horse battery"},
    )
    assert refused.status_code == 200
    assert "_auth_user_id" not in refused.wsgi_request.session


def test_a_plan_administrator_who_is_not_a_superuser_runs_the_plan_in_the_admin(
    world: World,
) -> None:
    # "Plan administrator" is is_staff: no superuser flag, no permissions assigned one by one.
    officer = UserFactory.create(email="plan.admin@northshire.gov.uk", is_staff=True)
    client = Client()
    client.force_login(officer)

    index = client.get(reverse("admin:index")).content.decode()
    for section in ("Plans", "Actions", "Boards", "Users", "Periodic tasks"):
        assert section in index, section
    assert "Groups" not in index  # raw permissions stay with superusers
    assert client.get(url("actions_action_change", world.overdue.pk)).status_code == 200
    posted = client.post(
        url("actions_action_progress", world.overdue.pk),
        {
            "status": "blocked",
            "rag": "red",
            "commentary": "Waiting for the funding decision.",
            "version": str(action_state(world.overdue)[3]),
        },
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    update = ProgressUpdate.objects.filter(action=world.overdue).latest("pk")
    assert (update.status, update.author) == ("blocked", officer)


def test_someone_who_is_not_a_plan_administrator_gets_no_admin_even_with_permissions(
    world: World,
) -> None:
    owner = UserFactory.create(email="not.staff@northshire.gov.uk")
    owner.user_permissions.add(Permission.objects.get(codename="change_action"))
    client = Client()
    client.force_login(owner)
    before = action_state(world.overdue)
    page = client.get(url("actions_action_progress", world.overdue.pk))
    assert page.status_code == 302 and "/login/" in page["Location"]
    client.post(
        url("actions_action_progress", world.overdue.pk),
        {"status": "blocked", "commentary": "Waiting", "version": str(before[3])},
    )
    assert action_state(world.overdue) == before
