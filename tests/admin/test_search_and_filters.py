"""Search and filters narrow the admin lists: actions by reference, title and owner, by
status, RAG, due date (on the London calendar), plan and owner; and the other changelists'
searches and filters."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from actions.dates import LONDON
from actions.models import Action
from tests.admin.conftest import World
from tests.admin.forms import listed, url

pytestmark = pytest.mark.django_db


# --- Search and filters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("1.2", {"blocked"}),
        ("1.1", {"overdue", "other"}),
        ("backlog", {"blocked"}),
        ("COMMISSION", {"future", "this_week"}),
        ("alex.health@icb.nhs.uk", {"blocked", "future"}),
        ("Sam Owner", {"overdue", "done", "this_week"}),
        ("Jordan", {"other"}),
        ("southshire.gov.uk", {"other"}),
        ("no such thing", set()),
    ],
)
def test_searching_actions_finds_reference_title_and_owner(
    query: str, expected: set[str], world: World, admin_client: Client
) -> None:
    response = admin_client.get(url("actions_action_changelist"), {"q": query})
    assert listed(response) == {getattr(world, name).pk for name in expected}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": "blocked"}, {"blocked"}),
        ({"status__exact": "in_progress"}, {"overdue", "this_week", "other"}),
        ({"rag__exact": "amber"}, {"overdue", "future"}),
        ({"rag__exact": "blue"}, {"done"}),
        ({"due": "overdue"}, {"overdue", "blocked", "other"}),
        ({"due": "this_week"}, {"this_week"}),
        ({"due": "next_30_days"}, {"this_week"}),
        ({"plan": "other_plan"}, {"other"}),
        ({"plan": "plan", "due": "overdue"}, {"overdue", "blocked"}),
        ({"plan": "plan", "rag__exact": "green"}, {"this_week"}),
        ({"owner": "health"}, {"blocked", "future"}),
        (
            {"due_date__gte": "2026-11-01", "due_date__lt": "2026-12-01"},  # "This month"
            {"overdue", "blocked", "this_week", "other"},
        ),
        ({"due_date__year": "2027"}, {"future"}),
    ],
)
def test_filters_narrow_the_action_list(
    params: dict[str, str], expected: set[str], world: World, admin_client: Client
) -> None:
    query: dict[str, Any] = {}
    for key, value in params.items():
        if key == "plan":
            query["plan__id__exact"] = getattr(world, value).pk
        elif key == "owner":
            query["owner__id__exact"] = getattr(world, value).pk
        else:
            query[key] = value
    response = admin_client.get(url("actions_action_changelist"), query)
    assert listed(response) == {getattr(world, name).pk for name in expected}


def test_the_overdue_filter_follows_the_london_calendar_not_utc(
    world: World, admin_client: Client
) -> None:
    # 00:30 BST on 1 July is still 30 June in UTC: an action due on 30 June is overdue.
    Action.objects.filter(pk=world.this_week.pk).update(due_date=dt.date(2027, 6, 30))
    Action.objects.filter(pk=world.future.pk).update(due_date=dt.date(2027, 7, 1))
    with time_machine.travel(dt.datetime(2027, 7, 1, 0, 30, tzinfo=LONDON), tick=False):
        admin_client.force_login(world.admin)  # a fresh session, seven months on
        response = admin_client.get(url("actions_action_changelist"), {"due": "overdue"})
    overdue = listed(response)
    assert world.this_week.pk in overdue
    assert world.future.pk not in overdue


def test_other_changelists_search_and_filter(world: World, admin_client: Client) -> None:
    recs = admin_client.get(url("actions_recommendation_changelist"), {"q": "priya.lead"})
    assert listed(recs) == {world.rec1.pk, world.rec2.pk}
    by_plan = admin_client.get(
        url("actions_recommendation_changelist"), {"plan__id__exact": world.other_plan.pk}
    )
    assert listed(by_plan) == {world.other_rec.pk}

    plans = admin_client.get(url("actions_plan_changelist"), {"q": "southshire"})
    assert listed(plans) == {world.other_plan.pk}

    updates = admin_client.get(url("actions_progressupdate_changelist"), {"q": "recruitment"})
    assert listed(updates) == {world.update.pk}
    other_plan_updates = admin_client.get(
        url("actions_progressupdate_changelist"), {"action__plan__id__exact": world.other_plan.pk}
    )
    assert listed(other_plan_updates) == set()

    people = admin_client.get(url("accounts_user_changelist"), {"q": "icb"})
    assert listed(people) == {world.health.pk}
    staff = admin_client.get(url("accounts_user_changelist"), {"is_staff__exact": "1"})
    assert listed(staff) == {world.admin.pk}

    boards = admin_client.get(url("actions_board_changelist"))
    assert "Northshire SEND Executive" in boards.content.decode()
    by_members = {b.pk: b.member_total for b in boards.context["cl"].result_list}
    assert by_members[world.board.pk] == 1
