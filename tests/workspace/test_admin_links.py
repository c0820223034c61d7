"""Links both ways between the admin's change pages and the workspace's pages."""

import datetime as dt
import re
from collections.abc import Iterator
from html import unescape

import pytest
import time_machine
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from accounts.models import User
from actions.dates import LONDON
from actions.models import Action, Plan, Recommendation
from digests.models import DigestSnapshot
from digests.services import digest_snapshot
from tests.factories import ActionFactory, UserFactory
from workspace.admin_links import WORKSPACE_PAGES, link_admin_to_workspace

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def action() -> Action:
    return ActionFactory.create()


def view_on_site_link(html: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" class="viewsitelink">', html)
    return unescape(found.group(1)) if found else None


def change_page(client: Client, user: User, obj: Model) -> str:
    client.force_login(user)
    meta = obj._meta
    response = client.get(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_admin_change_pages_link_to_the_plan_recommendation_and_action_in_the_workspace(
    client: Client, admin_user: User, action: Action
) -> None:
    expected = {
        action.plan: reverse("workspace:plan", args=[action.plan.pk]),
        action.recommendation: reverse("workspace:recommendation", args=[action.recommendation.pk]),
        action: reverse("workspace:action", args=[action.pk]),
    }
    for obj, page in expected.items():
        html = change_page(client, admin_user, obj)
        assert view_on_site_link(html) == page, obj
        assert ">View on site</a>" in html


def test_a_stored_digests_admin_page_links_to_the_digest_in_the_workspace(
    client: Client, admin_user: User, action: Action
) -> None:
    plan = action.plan
    assert plan.board is not None
    snapshot, _ = digest_snapshot(plan=plan, board=plan.board, as_of=NOW.date(), now=NOW)

    html = change_page(client, admin_user, snapshot)

    assert view_on_site_link(html) == reverse("workspace:digest", args=[snapshot.pk])


def test_the_links_are_set_on_the_registered_admin_classes_when_the_workspace_starts() -> None:
    for model in (Plan, Recommendation, Action, DigestSnapshot):
        assert model in WORKSPACE_PAGES
        model_admin = admin.site._registry[model]
        assert callable(model_admin.view_on_site), model
    # Another site, with none of these registered, is left alone.
    link_admin_to_workspace(admin.AdminSite(name="empty"))


def test_the_workspace_offers_the_admin_to_administrators_only(
    client: Client, admin_user: User, action: Action
) -> None:
    member = UserFactory.create()
    plan = action.plan
    assert plan.board is not None
    plan.board.members.add(member)
    admin_page = reverse("admin:actions_plan_change", args=[plan.pk])

    client.force_login(admin_user)
    assert admin_page in client.get(reverse("workspace:plan", args=[plan.pk])).content.decode()
    client.force_login(member)
    html = client.get(reverse("workspace:plan", args=[plan.pk])).content.decode()
    assert "Change in the admin" not in html
    assert admin_page not in html
