"""An action's whole history through the API: every change kept, in plain words, newest first.

``GET /api/actions/{id}/history/`` shows when the action was added, each change to its fields
(who, when, old and new value) and each progress update; ``/updates/`` still lists only the
progress updates, in the shape it always had.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from accounts.models import User
from actions.dates import LONDON
from actions.models import Action
from tests.api.conftest import client_for
from tests.api.permission_world import world
from tests.api.test_permission_matrix import (
    ANONYMOUS,
    READERS,
    ROLES,
    World,
    address,
    label,
)
from tests.api.test_permission_matrix import client_for as client_as
from tests.factories import ActionFactory, RecommendationFactory, UserFactory

__all__ = ["world"]

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


def at(days: int, hours: int = 0) -> Any:
    """A pinned moment, some days after Monday 23 November 2026 at 10:00 in London."""
    return time_machine.travel(MONDAY + dt.timedelta(days=days, hours=hours), tick=False)


@pytest.fixture
def lead() -> User:
    return UserFactory.create(name="Lena Lead")


@pytest.fixture
def owner() -> User:
    return UserFactory.create(name="Owen Owner")


@pytest.fixture
def action(lead: User, owner: User) -> Iterator[Action]:
    with at(-30):
        yield ActionFactory.create(
            recommendation=RecommendationFactory.create(lead=lead),
            reference="2.3",
            title="Publish the local offer",
            owner=owner,
            start_date=None,
            due_date=dt.date(2027, 2, 12),
        )


def history(client: APIClient, action: Action) -> list[dict[str, Any]]:
    answer = client.get(f"/api/actions/{action.pk}/history/?page_size=200")
    assert answer.status_code == 200, answer.content
    assert answer["ETag"] == f'"{Action.objects.get(pk=action.pk).version}"'
    return list(answer.json()["results"])


def patch(client: APIClient, action: Action, body: dict[str, Any]) -> None:
    answer = client.patch(f"/api/actions/{action.pk}/", body, format="json")
    assert answer.status_code == 200, answer.content


def test_a_due_date_moved_shows_who_moved_it_when_and_both_dates_in_words(
    action: Action, lead: User
) -> None:
    client = client_for(lead)
    with at(1):
        patch(client, action, {"due_date": "2027-02-19"})

    newest = history(client, action)[0]

    assert newest == {
        "kind": "change",
        "at": "2026-11-24T10:00:00Z",
        "by": lead.pk,
        "by_name": "Lena Lead",
        "changes": [
            {
                "field": "due_date",
                "label": "Due date",
                "old": "12 February 2027",
                "new": "19 February 2027",
            }
        ],
        "progress_update": None,
    }


def test_a_new_owner_and_a_new_title_appear_by_name_and_in_words(
    action: Action, lead: User
) -> None:
    nadia = UserFactory.create(name="Nadia Newowner")
    client = client_for(lead)
    with at(1):
        patch(client, action, {"owner": nadia.pk, "title": "Publish the local offer online"})

    changes = history(client, action)[0]["changes"]

    assert changes == [
        {
            "field": "title",
            "label": "Title",
            "old": "Publish the local offer",
            "new": "Publish the local offer online",
        },
        {"field": "owner", "label": "Owner", "old": "Owen Owner", "new": "Nadia Newowner"},
    ]


def test_supporting_owners_replaced_in_one_change_are_one_entry(action: Action, lead: User) -> None:
    ann, bob = UserFactory.create(name="Ann Ally"), UserFactory.create(name="Bob Backer")
    client = client_for(lead)
    with at(1):
        patch(client, action, {"supporting_owners": [ann.pk]})
    with at(2):
        patch(client, action, {"supporting_owners": [bob.pk, lead.pk]})

    entries = history(client, action)

    assert [entry["changes"] for entry in entries[:2]] == [
        [
            {
                "field": "supporting_owners",
                "label": "Supporting owners",
                "old": "Ann Ally",
                "new": "Bob Backer, Lena Lead",
            }
        ],
        [
            {
                "field": "supporting_owners",
                "label": "Supporting owners",
                "old": "Nobody",
                "new": "Ann Ally",
            }
        ],
    ]


def test_progress_updates_and_changes_are_one_timeline_newest_first(
    action: Action, lead: User, owner: User
) -> None:
    client = client_for(lead)
    with at(1):
        patch(client, action, {"due_date": "2027-02-19"})
    with at(2):
        answer = client_for(owner).post(
            f"/api/actions/{action.pk}/updates/",
            {"status": "blocked", "rag": "red", "commentary": "Waiting for the web team."},
            format="json",
        )
        assert answer.status_code == 201, answer.content
    with at(3):
        patch(client, action, {"start_date": "2026-12-01"})

    entries = history(client, action)

    assert [(entry["kind"], entry["by_name"]) for entry in entries] == [
        ("change", "Lena Lead"),
        ("progress_update", "Owen Owner"),
        ("change", "Lena Lead"),
        ("created", None),
    ]
    update = entries[1]
    assert update["changes"] == [
        {"field": "status", "label": "Status", "old": "In progress", "new": "Blocked"},
        {
            "field": "rag",
            "label": "RAG rating",
            "old": "Green (on track)",
            "new": "Red (off track)",
        },
    ]
    assert update["progress_update"]["commentary"] == "Waiting for the web team."
    assert entries[0]["changes"] == [
        {"field": "start_date", "label": "Start date", "old": "Not set", "new": "1 December 2026"}
    ]
    assert entries[3]["at"] == "2026-10-24T10:00:00+01:00"  # British Summer Time


def test_an_action_added_through_the_api_starts_its_history_with_who_added_it(
    lead: User, owner: User
) -> None:
    recommendation = RecommendationFactory.create(lead=lead)
    client = client_for(lead)
    with at(0):
        answer = client.post(
            "/api/actions/",
            {
                "recommendation": recommendation.pk,
                "reference": "1.9",
                "title": "Train SENCOs",
                "owner": owner.pk,
                "supporting_owners": [lead.pk],
                "due_date": "2027-03-31",
            },
            format="json",
        )
    assert answer.status_code == 201, answer.content

    entries = history(client, Action.objects.get(pk=answer.json()["id"]))

    assert entries == [
        {
            "kind": "created",
            "at": "2026-11-23T10:00:00Z",
            "by": lead.pk,
            "by_name": "Lena Lead",
            "changes": [],
            "progress_update": None,
        }
    ]


def test_a_change_that_changes_nothing_adds_nothing(action: Action, lead: User) -> None:
    client = client_for(lead)
    with at(1):
        patch(client, action, {"due_date": "2027-02-12", "title": action.title})

    assert [entry["kind"] for entry in history(client, action)] == ["created"]


def test_the_updates_address_still_lists_only_progress_updates(action: Action, lead: User) -> None:
    client = client_for(lead)
    with at(1):
        patch(client, action, {"due_date": "2027-02-19"})
        client.post(
            f"/api/actions/{action.pk}/updates/", {"commentary": "On track."}, format="json"
        )

    answer = client.get(f"/api/actions/{action.pk}/updates/")

    assert answer.status_code == 200
    (update,) = answer.json()["results"]
    assert update["commentary"] == "On track."
    assert "kind" not in update


def _edits(action: Action, lead: User, count: int) -> None:
    client = client_for(lead)
    people = [UserFactory.create() for _ in range(3)]
    for day in range(count):
        with at(day + 1):
            patch(
                client,
                action,
                {
                    "due_date": (dt.date(2027, 3, 1) + dt.timedelta(days=day)).isoformat(),
                    "owner": people[day % 3].pk,
                    "supporting_owners": [people[(day + 1) % 3].pk],
                },
            )
            client.post(
                f"/api/actions/{action.pk}/updates/", {"commentary": f"Week {day}."}, format="json"
            )


def test_the_number_of_queries_does_not_grow_with_the_history(
    lead: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    short, long = (
        ActionFactory.create(recommendation=RecommendationFactory.create(lead=lead))
        for _ in range(2)
    )
    _edits(short, lead, 1)
    _edits(long, lead, 12)
    client = client_for(lead)

    counts = []
    for action in (short, long):
        with CaptureQueriesContext(connection) as queries:
            entries = history(client, action)
        counts.append(len(queries))
        assert len(entries) in (3, 25)
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(8):
        history(client, long)


# --- Who may read it: whoever may read the action -----------------------------------------


def history_cases() -> Iterator[Any]:
    for name, readers in READERS["actions"].items():
        for role in ROLES:
            expected = 200 if role in readers else 401 if role == ANONYMOUS else 404
            yield pytest.param(
                name, role, expected, id=f"GET {label(name)}/history as {role}: {expected}"
            )


@pytest.mark.parametrize(("name", "role", "expected"), list(history_cases()))
def test_the_history_follows_the_visibility_of_the_action(
    world: World, name: str, role: str, expected: int
) -> None:
    answer = client_as(world, role).get(address(world, f"{name}/history"))
    assert answer.status_code == expected, answer.content
    if expected == 200:
        kinds = {entry["kind"] for entry in answer.json()["results"]}
        assert kinds == {"created", "progress_update"}
    else:
        assert "results" not in answer.json()
