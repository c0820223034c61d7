"""Who may read what through the API: every list and row, read as every role.

The expectations are docs/api.md ("Who reads what"), written out as tables and run in the
world of tests/api/permission_world.py (two plans, one published, and a person in each
role). An anonymous caller gets 401 on an unpublished plan, not 404, and a missing plan
answers exactly as an unpublished one would. Filters narrow what a role may read and never
reach past it. Who may write what is in test_write_permissions.py.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from actions.dates import LONDON
from tests.api.permission_world import (
    ACTION_OF_UPDATE,
    ADMIN,
    ANONYMOUS,
    EVERYONE,
    LEAD,
    MEMBER,
    OTHER_LEAD,
    OTHER_MEMBER,
    OTHER_OWNER,
    OWNER,
    PATH_MODELS,
    ROLES,
    ROW_PATHS,
    SIGNED_IN,
    SUPPORTER,
    World,
    address,
    assert_json_error,
    client_for,
    ids_in,
    label,
    shared_world,
    world_built_once,
)

# The API's people, board and history tests and the hostile-input tests import the read
# table from here; these are the names they take that the reads below do not use.
__all__ = ["PATH_MODELS", "ROW_PATHS", "shared_world", "world_built_once"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday_23_november_2026() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def world(shared_world: World) -> World:
    """The world built once for this module; each test's writes are rolled back."""
    return shared_world


# --- Reads --------------------------------------------------------------------------------

# "Who reads what": for each list, who may read each of its rows. Anonymous callers read
# published plans and get 401 on every other list.
READERS: dict[str, dict[str, frozenset[str]]] = {
    "plans": {
        "p1": frozenset({ADMIN, MEMBER, LEAD, OWNER, SUPPORTER}),
        "p2": EVERYONE,  # published
    },
    "plan-types": {"pt": SIGNED_IN, "pt_spare": SIGNED_IN},
    "boards": {
        "b1": frozenset({ADMIN, MEMBER}),
        "b2": frozenset({ADMIN, OTHER_MEMBER}),
        "b3": frozenset({ADMIN, MEMBER}),
    },
    "recommendations": {
        "r1": frozenset({ADMIN, LEAD, MEMBER, OWNER, SUPPORTER}),
        "r2": frozenset({ADMIN, OTHER_LEAD, OTHER_MEMBER, OTHER_OWNER}),
    },
    "outcomes": {
        "o1": frozenset({ADMIN, LEAD, MEMBER}),
        "o2": frozenset({ADMIN, OTHER_LEAD, OTHER_MEMBER}),
    },
    "actions": {
        "a1": frozenset({ADMIN, OWNER, SUPPORTER, LEAD, MEMBER}),
        "a2": frozenset({ADMIN, OTHER_OWNER, OTHER_LEAD, OTHER_MEMBER}),
        "a3": frozenset({ADMIN, LEAD, MEMBER}),
    },
    "milestones": {
        "m1": frozenset({ADMIN, LEAD, MEMBER}),
        "m2": frozenset({ADMIN, OTHER_LEAD, OTHER_MEMBER}),
    },
    "measures": {
        "s1": frozenset({ADMIN, LEAD, MEMBER}),
        "s2": frozenset({ADMIN, OTHER_LEAD, OTHER_MEMBER}),
    },
    "measure-readings": {
        "mr1": frozenset({ADMIN, LEAD, MEMBER}),
        "mr2": frozenset({ADMIN, OTHER_LEAD, OTHER_MEMBER}),
    },
    "progress-updates": {  # whoever reads the action
        "pu1": frozenset({ADMIN, OWNER, SUPPORTER, LEAD, MEMBER}),
        "pu2": frozenset({ADMIN, OTHER_OWNER, OTHER_LEAD, OTHER_MEMBER}),
        "pu3": frozenset({ADMIN, LEAD, MEMBER}),
    },
    "me/actions": {  # your own actions, as owner or supporting owner; nobody else's
        "a1": frozenset({OWNER, SUPPORTER}),
        "a2": frozenset({OTHER_OWNER}),
        "a3": frozenset(),
    },
}


def list_cases() -> Iterator[Any]:
    for path, rows in READERS.items():
        for role in ROLES:
            if role == ANONYMOUS and path != "plans":
                yield pytest.param(path, role, 401, None, id=f"GET /{path}/ as {role}: 401")
                continue
            seen = frozenset(name for name, readers in rows.items() if role in readers)
            shown = ",".join(sorted(seen)) or "nothing"
            yield pytest.param(path, role, 200, seen, id=f"GET /{path}/ as {role}: {shown}")


@pytest.mark.parametrize(("path", "role", "expected", "rows"), list(list_cases()))
def test_a_list_shows_exactly_the_rows_the_role_may_read(
    world: World, path: str, role: str, expected: int, rows: frozenset[str] | None
) -> None:
    answer = client_for(world, role).get(f"/api/{path}/?page_size=200")
    assert answer.status_code == expected, answer.content
    if rows is None:
        assert_json_error(answer)
        return
    assert ids_in(answer) == {world.id(name) for name in rows}


def detail_cases() -> Iterator[Any]:
    for path, rows in READERS.items():
        if path.startswith("me/"):
            continue
        for name, readers in rows.items():
            for role in ROLES:
                expected = 200 if role in readers else 401 if role == ANONYMOUS else 404
                yield pytest.param(
                    name, role, expected, id=f"GET {label(name)} as {role}: {expected}"
                )


@pytest.mark.parametrize(("name", "role", "expected"), list(detail_cases()))
def test_a_row_answers_200_to_its_readers_404_to_others_and_401_to_anonymous(
    world: World, name: str, role: str, expected: int
) -> None:
    answer = client_for(world, role).get(address(world, name))
    assert answer.status_code == expected, answer.content
    if expected == 200:
        assert answer.json()["id"] == world.id(name)
    else:
        assert_json_error(answer)
        assert "title" not in answer.json(), "nothing of the row is shown"


def history_cases() -> Iterator[Any]:
    for update, action in ACTION_OF_UPDATE.items():
        readers = READERS["actions"][action]
        for role in ROLES:
            expected = 200 if role in readers else 401 if role == ANONYMOUS else 404
            yield pytest.param(
                action,
                update,
                role,
                expected,
                id=f"GET {label(action)}/updates as {role}: {expected}",
            )


@pytest.mark.parametrize(("action", "update", "role", "expected"), list(history_cases()))
def test_an_actions_history_follows_the_visibility_of_the_action(
    world: World, action: str, update: str, role: str, expected: int
) -> None:
    answer = client_for(world, role).get(address(world, f"{action}/updates") + "?page_size=200")
    assert answer.status_code == expected, answer.content
    if expected == 200:
        assert ids_in(answer) == {world.id(update)}
    else:
        assert_json_error(answer)


@pytest.mark.parametrize("role", ROLES)
def test_me_is_the_caller_and_anonymous_gets_401(world: World, role: str) -> None:
    answer = client_for(world, role).get("/api/me/")
    if role == ANONYMOUS:
        assert answer.status_code == 401
        return
    assert answer.status_code == 200
    assert answer.json()["id"] == world.uid(role)
    assert answer.json()["is_staff"] is (role == ADMIN)


@pytest.mark.parametrize(
    ("role", "expected"), [(ANONYMOUS, 401), (OWNER, 404), (ADMIN, 404)], ids=lambda v: str(v)
)
def test_a_missing_plan_answers_like_an_unpublished_one(
    world: World, role: str, expected: int
) -> None:
    answer = client_for(world, role).get("/api/plans/987654/")
    assert answer.status_code == expected


# Filters narrow what you may read; they never reach past it.
# fmt: off
FILTERED = [
    # role         address (row and role names are filled in with their ids)     rows
    (OWNER,        "actions/?recommendation={r1}",                               {"a1"}),
    (OWNER,        "actions/?plan={p2}",                                         set()),
    (OWNER,        "actions/?owner={other_owner}",                               set()),
    (MEMBER,       "actions/?owner={owner}",                                     {"a1"}),
    (OTHER_MEMBER, "actions/?plan={p1}",                                         set()),
    (SUPPORTER,    "me/actions/?plan={p1}",                                      {"a1"}),
    (LEAD,         "me/actions/?recommendation={r1}",                            set()),
    (OWNER,        "recommendations/?plan={p1}",                                 {"r1"}),
    (OTHER_OWNER,  "recommendations/?plan={p1}",                                 set()),
    (OTHER_LEAD,   "outcomes/?recommendation={r1}",                              set()),
    (MEMBER,       "milestones/?action={a2}",                                    set()),
    (OWNER,        "milestones/?action={a1}",                                    set()),
    (LEAD,         "measures/?plan={p2}",                                        set()),
    (OTHER_MEMBER, "measure-readings/?measure={s1}",                             set()),
    (OWNER,        "progress-updates/?plan={p1}",                                {"pu1"}),
    (LEAD,         "progress-updates/?action={a2}",                              set()),
    (OTHER_LEAD,   "progress-updates/?plan={p1}",                                set()),
]
# fmt: on


@pytest.mark.parametrize(
    ("role", "template", "rows"),
    [pytest.param(*case, id=f"GET /{case[1]} as {case[0]}") for case in FILTERED],
)
def test_a_filter_never_shows_a_row_the_role_may_not_read(
    world: World, role: str, template: str, rows: set[str]
) -> None:
    url = "/api/" + template.format_map(world.ids()) + "&page_size=200"
    answer = client_for(world, role).get(url)
    assert answer.status_code == 200, answer.content
    assert ids_in(answer) == {world.id(name) for name in rows}
