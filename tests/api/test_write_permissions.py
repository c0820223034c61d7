"""Who may write what through the API: every write sent as every role, and the fields a
role may not change.

The expectations are docs/api.md ("Who writes what"), written out as tables and run in the
world of tests/api/permission_world.py. How these tables read the contract where two of its
rules meet:
- a person who leads no recommendation may create nothing under one: 403 whichever
  recommendation the body names (so an unreadable one answers exactly as a missing one
  would); "400 does not exist" is for people who may create somewhere (a lead) naming a
  recommendation, measure, outcome or action they cannot read;
- a supporting owner or a board member may change nothing on an action, so any change they
  send, `status` included, is a 403; whoever may change the action gets 400 on `status`;
- a lead acts as a lead only under the recommendation they lead: elsewhere in the plan they
  are whatever else they are there (an owner, say).
Who may read what is in test_permission_matrix.py.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from actions.dates import LONDON
from actions.models import Action, ProgressUpdate, Recommendation, TimeStamped
from tests.api.permission_world import (
    ADMIN,
    LEAD,
    MEMBER,
    OTHER_LEAD,
    OTHER_MEMBER,
    OWNER,
    PARENT_FIELD,
    ROLES,
    World,
    address,
    assert_json_error,
    client_for,
    label,
    send,
    shared_world,
    state,
    world_built_once,
)
from tests.factories import ActionFactory, RecommendationFactory

__all__ = ["shared_world", "world_built_once"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday_23_november_2026() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def world(shared_world: World) -> World:
    """The world built once for this module; each test's writes are rolled back."""
    return shared_world


# --- Writes -------------------------------------------------------------------------------

# A body is a dict in which "{name}" stands for the id of that row or person, or a function
# of the world for a body built from the rows as they are.
Body = dict[str, Any] | Callable[[World], dict[str, Any]] | None

NEW_PLAN = {
    "title": "Northshire SEND and Inclusion Plan",
    "slug": "northshire-send-inclusion",
    "plan_type": "{pt}",
    "local_area": "Northshire",
    "start_date": "2027-01-04",
    "end_date": "2028-12-29",
    "status": "draft",
    "published": False,
    "board": "{b1}",
}
NEW_PLAN_TYPE = {"name": "Local area improvement plan", "slug": "improvement-plan"}
NEW_BOARD = {"name": "Lead Member briefing", "slug": "lead-member", "audience": "lead_member"}
NEW_RECOMMENDATION = {"plan": "{p1}", "number": 9, "title": "Co-production", "lead": "{lead}"}
NEW_OUTCOME = {"recommendation": "{r1}", "number": 9, "title": "Families feel heard"}
NEW_ACTION = {
    "recommendation": "{r1}",
    "reference": "1.99",
    "title": "Publish the local offer in plain English",
    "owner": "{owner}",
    "due_date": "2027-01-29",
}
NEW_MILESTONE = {"recommendation": "{r1}", "title": "Offer relaunched", "due_date": "2027-06-30"}
NEW_MEASURE = {
    "recommendation": "{r1}",
    "name": "Parents who find the local offer useful",
    "unit": "%",
    "baseline": "12.00",
    "target": "50.00",
    "target_date": "2027-09-30",
}
NEW_READING = {"measure": "{s1}", "taken_on": "2026-11-20", "value": "44.50"}
PROGRESS = {"status": "in_progress", "rag": "green", "commentary": "Two candidates shortlisted."}


def put_r1(w: World) -> dict[str, Any]:
    """Every field of R1 as it is, but the title: what a client GETs, edits and PUTs back."""
    r1 = Recommendation.objects.get(pk=w.id("r1"))
    return {
        "plan": r1.plan_id,
        "number": r1.number,
        "title": "Timely, good EHC plans",
        "description": r1.description,
        "lead": r1.lead_id,
    }


def put_a1(w: World) -> dict[str, Any]:
    """Every field of A1 as it is, but the description."""
    a1 = Action.objects.get(pk=w.id("a1"))
    return {
        "recommendation": a1.recommendation_id,
        "outcome": a1.outcome_id,
        "reference": a1.reference,
        "title": a1.title,
        "description": "Agency cover in place until the posts are filled.",
        "owner": a1.owner_id,
        "supporting_owners": [person.pk for person in a1.supporting_owners.all()],
        "start_date": a1.start_date.isoformat() if a1.start_date else None,
        "due_date": a1.due_date.isoformat(),
    }


def put_a1_with_a_status(w: World) -> dict[str, Any]:
    return {**put_a1(w), "status": "completed"}


def resolve(world: World, value: Any) -> Any:
    if isinstance(value, dict):
        return {key: resolve(world, item) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(world, item) for item in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return world.ids()[value[1:-1]]
    return value


def body_of(world: World, body: Body) -> dict[str, Any] | None:
    if callable(body):
        return body(world)
    return resolve(world, body)


def shown(body: Body) -> str:
    return getattr(body, "__name__", None) or str(body)


TITLE = {"title": "Revised title"}
DESCRIPTION = {"description": "Revised description."}
SUMMARY = {"summary": "Revised summary."}
RENAME = {"name": "Northshire SEND Executive Board"}
STATUS = {"status": "completed"}
NOTE = {"note": "Checked against the returns."}


@dataclass(frozen=True)
class Write:
    method: str
    target: str
    body: Body
    statuses: str  # one status per role, in the order of ROLES
    # Where a 400 is reported; by default the parent of a create, the only field of a
    # change, or the whole request for a delete.
    on: str | None = None

    def error_field(self, body: dict[str, Any] | None) -> str:
        if self.on:
            return self.on
        if self.method == "DELETE":
            return "non_field_errors"
        if self.method == "POST":
            return PARENT_FIELD[self.target]
        assert body is not None and len(body) == 1
        return next(iter(body))


# "Who writes what". 2xx: allowed; 403: readable but not writable; 404: not readable;
# 401: anonymous; 400: see Write.error_field; 405: no such method (read-only history).
# p1, p2, r1 and a1 have progress reported against their actions, which is kept: deleting
# them is a 400 for those allowed to delete (the others get their 403/404 first).
# fmt: off
WRITES = [
    #     method    target              body                 adm own sup lea mem oow old ome ano
    Write("POST",   "plans",            NEW_PLAN,            "201 403 403 403 403 403 403 403 401"),
    Write("PATCH",  "p1",               SUMMARY,             "200 403 403 403 403 404 404 404 401"),
    Write("PATCH",  "p2",               SUMMARY,             "200 403 403 403 403 403 403 403 401"),
    Write("DELETE", "p1",               None,                "400 403 403 403 403 404 404 404 401"),
    Write("DELETE", "p2",               None,                "400 403 403 403 403 403 403 403 401"),
    Write("POST",   "plan-types",       NEW_PLAN_TYPE,       "201 403 403 403 403 403 403 403 401"),
    Write("PATCH",  "pt",               DESCRIPTION,         "200 403 403 403 403 403 403 403 401"),
    Write("DELETE", "pt_spare",         None,                "204 403 403 403 403 403 403 403 401"),
    Write("DELETE", "pt",               None,                "400 403 403 403 403 403 403 403 401"),
    Write("POST",   "boards",           NEW_BOARD,           "201 403 403 403 403 403 403 403 401"),
    Write("PATCH",  "b1",               RENAME,              "200 404 404 404 403 404 404 404 401"),
    Write("DELETE", "b3",               None,                "204 404 404 404 403 404 404 404 401"),
    Write("DELETE", "b1",               None,                "400 404 404 404 403 404 404 404 401"),
    Write("POST",   "recommendations",  NEW_RECOMMENDATION,  "201 403 403 403 403 403 403 403 401"),
    Write("PATCH",  "r1",               TITLE,               "200 403 403 200 403 404 404 404 401"),
    Write("PUT",    "r1",               put_r1,              "200 403 403 200 403 404 404 404 401"),
    Write("PATCH",  "r2",               TITLE,               "200 404 404 404 404 403 200 403 401"),
    Write("DELETE", "r1",               None,                "400 403 403 403 403 404 404 404 401"),
    Write("POST",   "outcomes",         NEW_OUTCOME,         "201 403 403 201 403 403 400 403 401"),
    Write("PATCH",  "o1",               TITLE,               "200 404 404 200 403 404 404 404 401"),
    Write("DELETE", "o1",               None,                "204 404 404 204 403 404 404 404 401"),
    Write("POST",   "actions",          NEW_ACTION,          "201 403 403 201 403 403 400 403 401"),
    Write("PATCH",  "a1",               DESCRIPTION,         "200 200 403 200 403 404 404 404 401"),
    Write("PUT",    "a1",               put_a1,              "200 200 403 200 403 404 404 404 401"),
    Write("PATCH",  "a1",               STATUS,              "400 400 403 400 403 404 404 404 401"),
    Write("PATCH",  "a2",               DESCRIPTION,         "200 404 404 404 404 200 200 403 401"),
    Write("PATCH",  "a3",               DESCRIPTION,         "200 404 404 200 403 404 404 404 401"),
    Write("DELETE", "a1",               None,                "400 403 403 400 403 404 404 404 401"),
    Write("POST",   "a1/updates",       PROGRESS,            "201 201 201 201 403 404 404 404 401"),
    Write("POST",   "a2/updates",       PROGRESS,            "201 404 404 404 404 201 201 403 401"),
    Write("POST",   "a3/updates",       PROGRESS,            "201 404 404 201 403 404 404 404 401"),
    Write("DELETE", "a1/updates",       None,                "405 405 405 405 405 405 405 405 401"),
    Write("POST",   "progress-updates", PROGRESS,            "405 405 405 405 405 405 405 405 401"),
    Write("PATCH",  "pu1",              {"commentary": "x"}, "405 405 405 405 405 405 405 405 401"),
    Write("DELETE", "pu1",              None,                "405 405 405 405 405 405 405 405 401"),
    Write("POST",   "milestones",       NEW_MILESTONE,       "201 403 403 201 403 403 400 403 401"),
    Write("PATCH",  "m1",               TITLE,               "200 404 404 200 403 404 404 404 401"),
    Write("DELETE", "m1",               None,                "204 404 404 204 403 404 404 404 401"),
    Write("POST",   "measures",         NEW_MEASURE,         "201 403 403 201 403 403 400 403 401"),
    Write("PATCH",  "s1",               {"target": "70.00"}, "200 404 404 200 403 404 404 404 401"),
    Write("DELETE", "s1",               None,                "204 404 404 204 403 404 404 404 401"),
    Write("POST",   "measure-readings", NEW_READING,         "201 403 403 201 403 403 400 403 401"),
    Write("PATCH",  "mr1",              NOTE,                "200 404 404 200 403 404 404 404 401"),
    Write("DELETE", "mr1",              None,                "204 404 404 204 403 404 404 404 401"),
]
# fmt: on


def write_cases() -> Iterator[Any]:
    for write in WRITES:
        for role, expected in zip(ROLES, map(int, write.statuses.split()), strict=True):
            yield pytest.param(
                role,
                write,
                expected,
                id=f"{write.method} {label(write.target)} as {role}: {expected}",
            )


@pytest.mark.parametrize(("role", "write", "expected"), list(write_cases()))
def test_write_matrix(world: World, role: str, write: Write, expected: int) -> None:
    body = body_of(world, write.body)
    before = state(world, write.target)

    answer = send(client_for(world, role), write.method, address(world, write.target), body)

    assert answer.status_code == expected, answer.content
    after = state(world, write.target)
    if expected >= 300:
        assert after == before, "a refused write changed nothing"
        if expected == 400:
            assert write.error_field(body) in answer.json(), answer.json()
        else:
            assert_json_error(answer)
        return
    if write.target.endswith("/updates"):
        update = ProgressUpdate.objects.get(pk=answer.json()["id"])
        assert update.pk not in before[0]
        assert update.author_id == world.uid(role)
    elif write.method == "POST":
        assert set(after) - set(before) == {answer.json()["id"]}
    elif write.method == "DELETE":
        assert after is None
    else:
        assert after != before
        if isinstance(world.rows[write.target], TimeStamped):
            assert after["version"] == before["version"] + 1


# --- Fields a role may not change ---------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    role: str
    method: str
    target: str
    body: Body
    expected: int
    on: str | None = None  # the field the 400 is reported on

    def __str__(self) -> str:
        sent = shown(self.body)
        return f"{self.method} {label(self.target)} {sent} as {self.role}: {self.expected}"


# fmt: off
FIELD_RULES = [
    # A lead changes only the title and description of their recommendation.
    Rule(LEAD,  "PATCH", "r1",  {"lead": "{other_lead}"},                400, "lead"),
    Rule(LEAD,  "PATCH", "r1",  {"number": 7},                           400, "number"),
    Rule(LEAD,  "PATCH", "r1",  {"plan": "{p2}"},                        400, "plan"),
    Rule(LEAD,  "PATCH", "r1",  {"title": "New", "number": 7},           400, "number"),
    Rule(LEAD,  "PATCH", "r1",  {"title": "New", "description": "Why."}, 200),
    Rule(LEAD,  "PATCH", "r1",  {"title": "New", "number": 1},           200),  # same number
    Rule(ADMIN, "PATCH", "r1",  {"lead": "{other_lead}", "number": 7},   200),
    # An owner changes only the description of their action.
    Rule(OWNER, "PATCH", "a1",  {"due_date": "2027-02-26"},              400, "due_date"),
    Rule(OWNER, "PATCH", "a1",  {"owner": "{supporter}"},                400, "owner"),
    Rule(OWNER, "PATCH", "a1",  {"title": "New"},                        400, "title"),
    Rule(OWNER, "PATCH", "a1",  {"reference": "1.50"},                   400, "reference"),
    Rule(OWNER, "PATCH", "a1",  {"start_date": "2026-10-01"},            400, "start_date"),
    Rule(OWNER, "PATCH", "a1",  {"supporting_owners": []},               400, "supporting_owners"),
    Rule(OWNER, "PATCH", "a1",  {"outcome": "{o1}"},                     400, "outcome"),
    Rule(OWNER, "PATCH", "a1",  {"description": "New", "title": "New"},  400, "title"),
    Rule(OWNER, "PATCH", "a1",  {"description": "New"},                  200),
    Rule(OWNER, "PATCH", "a1",  {"description": "New", "due_date": "2026-12-18"}, 200),  # same
    # Status, RAG and completion date only through a progress update, whoever asks.
    Rule(ADMIN, "PATCH", "a1",  {"status": "completed"},                 400, "status"),
    Rule(LEAD,  "PATCH", "a1",  {"status": "blocked"},                   400, "status"),
    Rule(OWNER, "PATCH", "a1",  {"status": "in_progress"},               400, "status"),
    Rule(OWNER, "PATCH", "a1",  {"rag": "red"},                          400, "rag"),
    Rule(LEAD,  "PATCH", "a1",  {"completed_on": "2026-11-20"},          400, "completed_on"),
    Rule(ADMIN, "PUT",   "a1",  put_a1_with_a_status,                    400, "status"),
    # A lead moves rows only under a recommendation (a measure) they lead.
    Rule(LEAD,  "PATCH", "a1",  {"recommendation": "{r2}"},              400, "recommendation"),
    Rule(LEAD,  "PATCH", "o1",  {"recommendation": "{r2}"},              400, "recommendation"),
    Rule(LEAD,  "PATCH", "m1",  {"recommendation": "{r2}"},              400, "recommendation"),
    Rule(LEAD,  "PATCH", "s1",  {"recommendation": "{r2}"},              400, "recommendation"),
    Rule(LEAD,  "PATCH", "mr1", {"measure": "{s2}"},                     400, "measure"),
    # Even an administrator moves nothing out from under the plan's structure: a1 is linked
    # to milestone m1, o1 has measure s1, m1 links a1 of plan p1. a3 is free to move.
    Rule(ADMIN, "PATCH", "a1",  {"recommendation": "{r2}"},              400, "recommendation"),
    Rule(ADMIN, "PATCH", "o1",  {"recommendation": "{r2}", "number": 2}, 400, "recommendation"),
    Rule(ADMIN, "PATCH", "m1",  {"recommendation": "{r2}"},              400, "actions"),
    Rule(ADMIN, "PATCH", "a3",  {"recommendation": "{r2}"},              200),
    Rule(ADMIN, "PATCH", "mr1", {"measure": "{s2}"},                     200),
    # A lead may change what an owner may not.
    Rule(LEAD,  "PATCH", "a1",  {"owner": "{other_owner}", "due_date": "2027-02-26"}, 200),
    Rule(LEAD,  "PATCH", "a1",  {"outcome": "{o1}", "supporting_owners": []}, 200),
    # An id the caller cannot read is "does not exist", as if it did not exist.
    Rule(LEAD,  "PATCH", "a1",  {"outcome": "{o2}"},                     400, "outcome"),
    Rule(LEAD,  "PATCH", "m1",  {"actions": ["{a2}"]},                   400, "actions"),
    Rule(LEAD,  "PATCH", "m1",  {"actions": ["{a1}", "{a3}"]},           200),
    Rule(LEAD,  "POST",  "actions",    {**NEW_ACTION, "outcome": "{o2}"}, 400, "outcome"),
    Rule(LEAD,  "POST",  "milestones", {**NEW_MILESTONE, "actions": ["{a2}"]}, 400, "actions"),
    Rule(LEAD,  "POST",  "measures",   {**NEW_MEASURE, "outcome": "{o2}"}, 400, "outcome"),
    Rule(OTHER_LEAD, "POST", "measure-readings", NEW_READING,            400, "measure"),
    # A reading is recorded by whoever sends it: "recorded_by" is not taken.
    Rule(LEAD,  "POST",  "measure-readings", {**NEW_READING, "recorded_by": "{other_lead}"},
         400, "recorded_by"),
]
# fmt: on


@pytest.mark.parametrize("rule", [pytest.param(rule, id=str(rule)) for rule in FIELD_RULES])
def test_a_field_a_role_may_not_change_is_a_400_on_that_field(world: World, rule: Rule) -> None:
    body = body_of(world, rule.body)
    before = state(world, rule.target)

    answer = send(client_for(world, rule.role), rule.method, address(world, rule.target), body)

    assert answer.status_code == rule.expected, answer.content
    after = state(world, rule.target)
    if rule.expected == 400:
        assert rule.on in answer.json(), answer.json()
        assert answer.json()[rule.on], "with a message"
        assert after == before, "nothing of the request was written"
    elif rule.method == "POST":
        assert len(after) == len(before) + 1
    else:
        assert after != before


def test_an_administrator_moving_an_action_moves_it_to_the_new_plan_too(world: World) -> None:
    # a3 is linked to no milestone, so it may move (a1 may not: see FIELD_RULES).
    answer = client_for(world, ADMIN).patch(
        address(world, "a3"), {"recommendation": world.id("r2")}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["plan"] == world.id("p2")
    # ... and from then on the people of P2 read it and those of P1 do not.
    assert client_for(world, OTHER_MEMBER).get(address(world, "a3")).status_code == 200
    assert client_for(world, OTHER_LEAD).get(address(world, "a3")).status_code == 200
    assert client_for(world, MEMBER).get(address(world, "a3")).status_code == 404
    assert client_for(world, LEAD).get(address(world, "a3")).status_code == 404


def test_a_reading_records_its_sender(world: World) -> None:
    answer = client_for(world, LEAD).post(
        "/api/measure-readings/", body_of(world, NEW_READING), format="json"
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["recorded_by"] == world.uid(LEAD)


# --- A lead who can read a recommendation they do not lead --------------------------------


@pytest.fixture
def lead_owns_an_action_elsewhere(world: World) -> World:
    """R1b: another recommendation of P1, led by the bystander; the lead owns A4 in it."""
    r1b = RecommendationFactory.create(
        plan=world.rows["p1"], number=2, lead=world.extra["bystander"], title="Inclusion"
    )
    a4 = ActionFactory.create(recommendation=r1b, reference="2.1", owner=world.people[LEAD])
    world.rows.update({"r1b": r1b, "a4": a4})
    return world


# fmt: off
READABLE_NOT_LED: list[tuple[str, str, Body, int, str | None]] = [
    # method   target        body                                           expected field
    ("POST",   "outcomes",   {**NEW_OUTCOME, "recommendation": "{r1b}"},     403, None),
    ("POST",   "actions",    {**NEW_ACTION, "recommendation": "{r1b}"},      403, None),
    ("POST",   "milestones", {**NEW_MILESTONE, "recommendation": "{r1b}"},   403, None),
    ("POST",   "measures",   {**NEW_MEASURE, "recommendation": "{r1b}"},     403, None),
    ("PATCH",  "a1",         {"recommendation": "{r1b}"},                    400, "recommendation"),
    ("PATCH",  "o1",         {"recommendation": "{r1b}"},                    400, "recommendation"),
    ("PATCH",  "m1",         {"recommendation": "{r1b}"},                    400, "recommendation"),
    ("PATCH",  "s1",         {"recommendation": "{r1b}", "outcome": None},   400, "recommendation"),
    # In R1b the lead is an owner: the description only, and progress.
    ("PATCH",  "a4",         DESCRIPTION,                                    200, None),
    ("PATCH",  "a4",         TITLE,                                          400, "title"),
    ("DELETE", "a4",         None,                                           403, None),
    ("POST",   "a4/updates", PROGRESS,                                       201, None),
]
# fmt: on


@pytest.mark.parametrize(
    ("method", "target", "body", "expected", "on"),
    [
        pytest.param(*case, id=f"{case[0]} {label(case[1])} {shown(case[2])} as lead: {case[3]}")
        for case in READABLE_NOT_LED
    ],
)
def test_a_lead_acts_as_a_lead_only_under_the_recommendation_they_lead(
    lead_owns_an_action_elsewhere: World,
    method: str,
    target: str,
    body: Body,
    expected: int,
    on: str | None,
) -> None:
    world = lead_owns_an_action_elsewhere
    before = state(world, target)

    answer = send(client_for(world, LEAD), method, address(world, target), body_of(world, body))

    assert answer.status_code == expected, answer.content
    if expected >= 300:
        assert state(world, target) == before, "a refused write changed nothing"
    if on is not None:
        assert answer.json()[on], answer.json()
