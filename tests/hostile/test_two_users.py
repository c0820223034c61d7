"""One person's token on another's object: every object address in the schema, every method.

The two sides of the permission matrix's world share nothing: Northshire's people (owner,
supporter, lead, board member) and Southshire's (other owner, lead, board member) each try
the other side's rows, with their real tokens. A row you may not read is not there for you
(404, docs/api.md), whatever the method, and nothing changes. The one exception is a
published plan: anyone may read it (200) and only its own people may change it (403).

The addresses come from the schema, so a new object endpoint fails
``test_every_object_address_in_the_schema_is_tried`` until its rows are added here.
"""

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import models as django_models
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from actions.dates import LONDON
from actions.models import Action, Board, Milestone, Plan
from digests.models import DigestSnapshot
from digests.services import digest_snapshot
from notifications.models import Audience, Escalation
from tests.api.permission_world import shared_world, world_built_once
from tests.api.test_permission_matrix import (
    LEAD,
    MEMBER,
    OTHER_LEAD,
    OTHER_MEMBER,
    OTHER_OWNER,
    OWNER,
    PATH_MODELS,
    SUPPORTER,
    World,
)

__all__ = ["shared_world", "world_built_once"]

pytestmark = pytest.mark.django_db

NORTH = (OWNER, SUPPORTER, LEAD, MEMBER)
SOUTH = (OTHER_OWNER, OTHER_LEAD, OTHER_MEMBER)

# Each collection's rows on each side of the world ("e1"/"e2": escalations made below).
ROWS = {
    "plans": {"north": ["p1"], "south": ["p2"]},
    "boards": {"north": ["b1", "b3"], "south": ["b2"]},
    "recommendations": {"north": ["r1"], "south": ["r2"]},
    "outcomes": {"north": ["o1"], "south": ["o2"]},
    "actions": {"north": ["a1", "a3"], "south": ["a2"]},
    "milestones": {"north": ["m1"], "south": ["m2"]},
    "measures": {"north": ["s1"], "south": ["s2"]},
    "measure-readings": {"north": ["mr1"], "south": ["mr2"]},
    "progress-updates": {"north": ["pu1", "pu3"], "south": ["pu2"]},
    "escalations": {"north": ["e1"], "south": ["e2"]},
    "digests": {"north": ["d1"], "south": ["d2"]},
}
# Rows that belong to nobody in particular: every signed-in person reads them (the
# permission matrix covers who may change them).
SHARED = {"plan-types"}
PUBLISHED = {"p2"}

BODIES = {
    "post": {"rag": "red", "commentary": "Taken over by someone else."},
    "put": {"title": "Taken over", "name": "Taken over"},
    "patch": {"title": "Taken over", "name": "Taken over", "description": "Taken over"},
}

_OBJECT_PATH = re.compile(r"^/api/(?P<collection>[a-z-]+)/\{id\}/(?P<rest>.*)$")


def object_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method, path)
        for path, operations in schema["paths"].items()
        if _OBJECT_PATH.match(path)
        for method in operations
        if method in {"get", "put", "patch", "delete", "post"}
    )


OPERATIONS = object_operations()


@pytest.fixture(autouse=True)
def monday_23_november_2026() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def world(shared_world: World) -> World:
    """The world built once for this module; each test's writes are rolled back."""
    return shared_world


def with_escalations(world: World) -> World:
    for name, action_name, told in (("e1", "a1", OWNER), ("e2", "a2", OTHER_OWNER)):
        action = world.rows[action_name]
        assert isinstance(action, Action)
        escalation = Escalation.objects.create(
            plan_id=action.plan_id,
            action=action,
            due_date=dt.date(2026, 11, 16),
            level=1,
            audience=Audience.values[0],
            working_days_overdue=5,
            created_at=timezone.now(),
        )
        escalation.told.set([world.people[told]])
        world.rows[name] = escalation
    return world


def with_digests(world: World) -> World:
    """Each plan's digest for its own board (a published plan's digest is still private)."""
    for name, plan_name, board_name in (("d1", "p1", "b1"), ("d2", "p2", "b2")):
        plan, board = world.rows[plan_name], world.rows[board_name]
        assert isinstance(plan, Plan) and isinstance(board, Board)
        world.rows[name], _ = digest_snapshot(
            plan=plan, board=board, as_of=timezone.localdate(), now=timezone.now()
        )
    return world


def everything(world: World) -> dict[str, Any]:
    """Every row of every model the API writes, to compare before and after."""
    models: list[type[django_models.Model]] = [
        *PATH_MODELS.values(),
        Escalation,
        DigestSnapshot,
        Milestone.actions.through,
    ]
    state: dict[str, Any] = {}
    for model in models:
        state[model._meta.label] = list(model._default_manager.order_by("pk").values())
        history = getattr(model, "history", None)
        if history is not None:
            state[f"{model._meta.label} history"] = history.count()
    return state


def test_every_object_address_in_the_schema_is_tried() -> None:
    collections = {_OBJECT_PATH.match(path).group("collection") for _, path in OPERATIONS}  # type: ignore[union-attr]
    missing = collections - set(ROWS) - SHARED
    assert not missing, f"New object addresses: add their rows on each side to ROWS: {missing}"
    assert len(OPERATIONS) >= 40


@pytest.mark.parametrize(
    ("method", "path"), OPERATIONS, ids=[f"{m.upper()} {p}" for m, p in OPERATIONS]
)
def test_a_token_on_someone_elses_object_finds_nothing_and_changes_nothing(
    world: World, tokens: dict[str, str], method: str, path: str
) -> None:
    collection = _OBJECT_PATH.match(path).group("collection")  # type: ignore[union-attr]
    if collection in SHARED:
        pytest.skip("shared reference data: the permission matrix covers it")
    with_escalations(world)
    with_digests(world)
    tried = 0
    for people, side in ((NORTH, "south"), (SOUTH, "north")):
        for name in ROWS[collection][side]:
            url = path.replace("{id}", str(world.rows[name].pk))
            for role in people:
                before = everything(world)
                client = APIClient()
                client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[role]}")
                body = BODIES.get(method)
                answer = (
                    getattr(client, method)(url, body, format="json")
                    if body
                    else getattr(client, method)(url)
                )
                # A published plan is readable by anyone, and changed only by its own people.
                expected = (200 if method == "get" else 403) if name in PUBLISHED else 404
                assert answer.status_code == expected, (
                    f"{method.upper()} {url} as {role}: {answer.content!r}"
                )
                assert answer["Content-Type"].startswith("application/json")
                assert everything(world) == before, (
                    f"{method.upper()} {url} as {role} changed something"
                )
                tried += 1
    assert tried >= 3
