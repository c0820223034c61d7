"""Every page of the admin opens for an administrator: each registered model lists, adds
(where adding is allowed) and changes; every filter and date link on our changelists
opens; and every audited model has a history page."""

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.db.models import Model
from django.test import Client
from django.utils.html import escape

from tests.admin.conftest import World
from tests.admin.forms import url

pytestmark = pytest.mark.django_db


# --- Every page opens ---------------------------------------------------------------------

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[m._meta.label for m, _ in REGISTERED]
)
def test_every_registered_model_lists_adds_and_changes(
    model: type[Model], model_admin: admin.ModelAdmin, world: World, admin_client: Client
) -> None:
    info = f"{model._meta.app_label}_{model._meta.model_name}"

    changelist = admin_client.get(url(f"{info}_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1

    searched = admin_client.get(url(f"{info}_changelist"), {"q": "north"})
    assert searched.status_code == 200

    add = admin_client.get(url(f"{info}_add"))
    can_add = model_admin.has_add_permission(add.wsgi_request)
    assert add.status_code == (200 if can_add else 403)

    obj = model._default_manager.first()
    assert obj is not None
    change = admin_client.get(url(f"{info}_change", obj.pk))
    assert change.status_code == 200
    assert escape(str(obj)) in change.content.decode()


@pytest.mark.parametrize(
    "model",
    [
        m
        for m, a in REGISTERED
        if m._meta.app_label in ("actions", "accounts", "notifications", "digests")
    ],
    ids=lambda m: m._meta.label,
)
def test_every_filter_and_date_link_on_our_changelists_opens(
    model: type[Model], world: World, admin_client: Client
) -> None:
    info = f"{model._meta.app_label}_{model._meta.model_name}"
    changelist_url = url(f"{info}_changelist")
    response = admin_client.get(changelist_url)
    cl = response.context["cl"]
    links = [choice["query_string"] for spec in cl.filter_specs for choice in spec.choices(cl)]
    assert links or not cl.has_filters
    for link in links:
        # An unknown lookup would redirect to "?e=1" instead.
        assert admin_client.get(changelist_url + link).status_code == 200, link

    # Drill down the date links: years, then months, then days.
    dates = [date_hierarchy(cl)] if cl.date_hierarchy else []
    while dates:
        level = dates.pop()
        for choice in level["choices"] if level else []:
            followed = admin_client.get(changelist_url + choice["link"])
            assert followed.status_code == 200, choice["link"]
            if "__day=" not in choice["link"]:
                dates.append(date_hierarchy(followed.context["cl"]))


def test_the_history_page_of_every_audited_model_opens(world: World, admin_client: Client) -> None:
    for obj in (
        world.board,
        world.plan,
        world.rec1,
        world.outcome,
        world.overdue,
        world.milestone,
        world.measure,
    ):
        info = f"{obj._meta.app_label}_{obj._meta.model_name}"
        response = admin_client.get(url(f"{info}_history", obj.pk))
        assert response.status_code == 200, info
        assert response.context["page_obj"].paginator.count >= 1, info
