"""Board membership through the API: administrators add and remove members, audited.

``GET /api/boards/{id}/members/`` lists a board's members to whoever may read the board;
``POST`` adds a person and ``DELETE /api/boards/{id}/members/{person id}/`` takes them off,
for administrators only. Each change is kept in the membership's history with who made it.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from actions.dates import LONDON
from actions.models import BoardMembership
from tests.api.permission_world import shared_world, world_built_once
from tests.api.test_permission_matrix import (
    ADMIN,
    ANONYMOUS,
    MEMBER,
    OTHER_LEAD,
    OTHER_MEMBER,
    READERS,
    ROLES,
    World,
    client_for,
)
from tests.factories import UserFactory

__all__ = ["shared_world", "world_built_once"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday_23_november_2026() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def world(shared_world: World) -> World:
    """The world built once for this module; each test's writes are rolled back."""
    return shared_world


def members_of(world: World, board: str) -> str:
    return f"/api/boards/{world.id(board)}/members/"


def memberships(world: World, board: str) -> set[int]:
    return set(
        BoardMembership.objects.filter(board_id=world.id(board)).values_list("user_id", flat=True)
    )


def test_an_administrator_adds_a_member_and_the_history_says_who_did_it(world: World) -> None:
    admin, newcomer = world.people[ADMIN], world.people[OTHER_LEAD]

    answer = client_for(world, ADMIN).post(
        members_of(world, "b1"), {"person": newcomer.pk, "role": " Chair "}, format="json"
    )

    assert answer.status_code == 201, answer.content
    assert answer.json() == {
        "id": newcomer.pk,
        "name": newcomer.name,
        "email": newcomer.email,
        "role": "Chair",
        "joined_on": "2026-11-23",
    }
    membership = BoardMembership.objects.get(board_id=world.id("b1"), user=newcomer)
    (record,) = membership.history.all()
    assert (record.history_type, record.history_user) == ("+", admin)


def test_a_new_member_is_listed_on_the_board_and_reads_its_plan(world: World) -> None:
    newcomer = world.people[OTHER_LEAD]
    assert client_for(world, OTHER_LEAD).get(f"/api/plans/{world.id('p1')}/").status_code == 404

    client_for(world, ADMIN).post(
        members_of(world, "b1"),
        {"person": newcomer.pk, "joined_on": "2026-11-02"},
        format="json",
    )

    board = client_for(world, ADMIN).get(f"/api/boards/{world.id('b1')}/").json()
    assert {member["id"]: member["joined_on"] for member in board["members"]} == {
        world.uid(MEMBER): "2026-11-23",
        newcomer.pk: "2026-11-02",
    }
    assert client_for(world, OTHER_LEAD).get(f"/api/plans/{world.id('p1')}/").status_code == 200


def test_an_administrator_removes_a_member_and_the_history_keeps_it(world: World) -> None:
    member = world.people[MEMBER]

    answer = client_for(world, ADMIN).delete(f"{members_of(world, 'b1')}{member.pk}/")

    assert answer.status_code == 204, answer.content
    assert memberships(world, "b1") == set()
    removed = BoardMembership.history.filter(board_id=world.id("b1"), user_id=member.pk)
    assert removed.latest().history_type == "-"
    assert removed.latest().history_user == world.people[ADMIN]
    assert client_for(world, MEMBER).get(f"/api/plans/{world.id('p1')}/").status_code == 404


def test_removing_someone_who_is_not_a_member_is_a_404_that_says_so(world: World) -> None:
    answer = client_for(world, ADMIN).delete(f"{members_of(world, 'b1')}{world.uid(OTHER_MEMBER)}/")

    assert answer.status_code == 404
    assert answer.json() == {"detail": "This person is not a member of this board."}
    huge = client_for(world, ADMIN).delete(f"{members_of(world, 'b1')}{'9' * 40}/")
    assert huge.status_code == 404


# --- Bad input: a 400 on the field, and nothing changes ------------------------------------

# fmt: off
BAD_BODIES: list[tuple[dict[str, Any], str, str]] = [
    # body                                       field         the message starts with
    ({"person": "{member}"},                     "person",     "Mo Member is already a member"),
    ({"person": 987654},                         "person",     "There is no person with id 987654"),
    ({"person": "Mo"},                           "person",     "Give the id of a person"),
    ({"person": 7.5},                            "person",     "Give the id of a person"),
    ({},                                         "person",     "This field is required."),
    ({"person": "{inactive}"},                   "person",     "There is no person with id"),
    ({"person": "{other_lead}", "role": "x" * 121}, "role",    "Ensure this field has no more"),
    ({"person": "{other_lead}", "joined_on": "1 May"}, "joined_on", "Date has wrong format"),
    ({"person": "{other_lead}", "user": 3},      "user",       'Give the person as "person"'),
    ({"person": "{other_lead}", "board": 3},     "board",      "The board is the one in the"),
]
# fmt: on


@pytest.mark.parametrize(
    ("body", "field", "message"), BAD_BODIES, ids=[case[1] for case in BAD_BODIES]
)
def test_a_bad_member_is_a_400_on_the_field_and_changes_nothing(
    world: World, body: dict[str, Any], field: str, message: str
) -> None:
    inactive = UserFactory.create(is_active=False)
    ids = {**world.ids(), "inactive": inactive.pk}
    sent = {
        key: ids[value[1:-1]] if isinstance(value, str) and value.startswith("{") else value
        for key, value in body.items()
    }
    before = memberships(world, "b1")

    answer = client_for(world, ADMIN).post(members_of(world, "b1"), sent, format="json")

    assert answer.status_code == 400, answer.content
    assert answer.json()[field][0].startswith(message), answer.json()
    assert memberships(world, "b1") == before


def test_members_are_not_changed_through_the_board_itself(world: World) -> None:
    answer = client_for(world, ADMIN).patch(
        f"/api/boards/{world.id('b1')}/", {"members": [world.uid(OTHER_LEAD)]}, format="json"
    )

    assert answer.status_code == 400
    where = members_of(world, "b1")
    assert answer.json() == {
        "members": [
            f"Add members with POST {where} and remove them with DELETE {where}<person id>/."
        ]
    }


# --- Who may: administrators change, the board's readers read -----------------------------


def read_cases() -> Iterator[Any]:
    for board, readers in READERS["boards"].items():
        for role in ROLES:
            expected = 200 if role in readers else 401 if role == ANONYMOUS else 404
            yield pytest.param(board, role, expected, id=f"GET {board} members as {role}")


@pytest.mark.parametrize(("board", "role", "expected"), list(read_cases()))
def test_the_members_are_listed_to_whoever_may_read_the_board(
    world: World, board: str, role: str, expected: int
) -> None:
    answer = client_for(world, role).get(members_of(world, board))
    assert answer.status_code == expected, answer.content
    if expected == 200:
        assert {row["id"] for row in answer.json()["results"]} == memberships(world, board)


def write_cases() -> Iterator[Any]:
    readers = READERS["boards"]["b1"]
    for role in ROLES:
        if role == ADMIN:
            continue
        expected = 403 if role in readers else 401 if role == ANONYMOUS else 404
        for method in ("POST", "DELETE"):
            yield pytest.param(role, method, expected, id=f"{method} b1 member as {role}")


@pytest.mark.parametrize(("role", "method", "expected"), list(write_cases()))
def test_only_administrators_add_or_remove_members(
    world: World, role: str, method: str, expected: int
) -> None:
    client = client_for(world, role)
    before = memberships(world, "b1")
    if method == "POST":
        answer = client.post(
            members_of(world, "b1"), {"person": world.uid(OTHER_LEAD)}, format="json"
        )
    else:
        answer = client.delete(f"{members_of(world, 'b1')}{world.uid(MEMBER)}/")

    assert answer.status_code == expected, answer.content
    assert "detail" in answer.json()
    if expected == 403:
        assert answer.json()["detail"] == (
            "Only plan administrators can add or remove board members."
        )
    assert memberships(world, "b1") == before
