"""Who may read and write what through the API: every endpoint, called as every role.

The expectations are docs/api.md ("Who reads what", "Who writes what"), written out as
tables. Each test builds the same small world:

    P1: not published, governed by B1             P2: published, governed by B2
      R1 (lead: lead)                               R2 (lead: other_lead)
        O1, M1 (links A1), S1 with reading MR1        O2, M2 (links A2), S2 with reading MR2
        A1 (owner: owner; supporting: supporter)      A2 (owner: other_owner)
        A3 (owner: a bystander, not a role here)
        progress updates PU1 on A1, PU3 on A3         progress update PU2 on A2
    B1 members: member    B2 members: other_member    B3 (governs no plan) members: member
    plan types: PT (used by both plans), PT_SPARE (unused)

Roles: admin (is_staff, not superuser), owner, supporter, lead, member (of B1), other_owner,
other_lead, other_member (of B2), anonymous.

How these tables read the contract where two of its rules meet:
- an anonymous caller gets 401 on an unpublished (or missing) plan, not 404;
- a person who leads no recommendation may create nothing under one: 403 whichever
  recommendation the body names (so an unreadable one answers exactly as a missing one
  would); "400 does not exist" is for people who may create somewhere (a lead) naming a
  recommendation, measure, outcome or action they cannot read;
- a supporting owner or a board member may change nothing on an action, so any change they
  send, `status` included, is a 403; whoever may change the action gets 400 on `status`.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.db import models
from rest_framework.test import APIClient

from accounts.models import User
from actions.dates import LONDON
from actions.models import (
    Action,
    Board,
    BoardAudience,
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    PlanType,
    ProgressUpdate,
    Rag,
    Recommendation,
    SuccessMeasure,
    TimeStamped,
)
from actions.services import action_update_status
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    OutcomeFactory,
    PlanFactory,
    PlanTypeFactory,
    RecommendationFactory,
    SuccessMeasureFactory,
    UserFactory,
)

if TYPE_CHECKING:
    # The test client's responses carry .json(); only the stubs name that type.
    from rest_framework.response import _MonkeyPatchedResponse as Response
else:
    from rest_framework.response import Response

pytestmark = pytest.mark.django_db

ADMIN = "admin"
OWNER = "owner"
SUPPORTER = "supporter"
LEAD = "lead"
MEMBER = "member"
OTHER_OWNER = "other_owner"
OTHER_LEAD = "other_lead"
OTHER_MEMBER = "other_member"
ANONYMOUS = "anonymous"

# The column order of every table below.
ROLES = (ADMIN, OWNER, SUPPORTER, LEAD, MEMBER, OTHER_OWNER, OTHER_LEAD, OTHER_MEMBER, ANONYMOUS)
SIGNED_IN = frozenset(ROLES) - {ANONYMOUS}
EVERYONE = frozenset(ROLES)

NAMES = {
    ADMIN: "Ada Administrator",
    OWNER: "Owen Owner",
    SUPPORTER: "Sue Supporter",
    LEAD: "Lena Lead",
    MEMBER: "Mo Member",
    OTHER_OWNER: "Otto Otherowner",
    OTHER_LEAD: "Olga Otherlead",
    OTHER_MEMBER: "Omar Othermember",
}

# Where each row of the world lives under /api/.
ROW_PATHS = {
    "p1": "plans",
    "p2": "plans",
    "pt": "plan-types",
    "pt_spare": "plan-types",
    "b1": "boards",
    "b2": "boards",
    "b3": "boards",
    "r1": "recommendations",
    "r2": "recommendations",
    "o1": "outcomes",
    "o2": "outcomes",
    "a1": "actions",
    "a2": "actions",
    "a3": "actions",
    "m1": "milestones",
    "m2": "milestones",
    "s1": "measures",
    "s2": "measures",
    "mr1": "measure-readings",
    "mr2": "measure-readings",
    "pu1": "progress-updates",
    "pu2": "progress-updates",
    "pu3": "progress-updates",
    # Only in the world of lead_owns_an_action_elsewhere.
    "r1b": "recommendations",
    "a4": "actions",
}

PATH_MODELS: dict[str, type[models.Model]] = {
    "plans": Plan,
    "plan-types": PlanType,
    "boards": Board,
    "recommendations": Recommendation,
    "outcomes": Outcome,
    "actions": Action,
    "milestones": Milestone,
    "measures": SuccessMeasure,
    "measure-readings": MeasureReading,
    "progress-updates": ProgressUpdate,
}

# Creating under a parent you cannot read is a 400 on this field.
PARENT_FIELD = {
    "outcomes": "recommendation",
    "actions": "recommendation",
    "milestones": "recommendation",
    "measures": "recommendation",
    "measure-readings": "measure",
}

ACTION_OF_UPDATE = {"pu1": "a1", "pu2": "a2", "pu3": "a3"}


@pytest.fixture(autouse=True)
def monday_23_november_2026() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON), tick=False):
        yield


# --- The world ----------------------------------------------------------------------------


@dataclass
class World:
    people: dict[str, User]
    rows: dict[str, models.Model]
    extra: dict[str, Any] = field(default_factory=dict)

    def person(self, role: str) -> User | None:
        return self.people.get(role)

    def uid(self, role: str) -> int:
        return int(self.people[role].pk)

    def id(self, name: str) -> int:
        return int(self.rows[name].pk)

    def ids(self) -> dict[str, int]:
        """Every row and person by name, for filling in address templates."""
        return {
            **{name: int(row.pk) for name, row in self.rows.items()},
            **{role: int(person.pk) for role, person in self.people.items()},
        }


@pytest.fixture
def world() -> World:
    people = {
        role: UserFactory.create(name=NAMES[role], is_staff=role == ADMIN) for role in SIGNED_IN
    }
    bystander = UserFactory.create(name="Bea Bystander")
    plan_type = PlanTypeFactory.create()
    spare_type = PlanTypeFactory.create(slug="priority-action-plan", name="Priority action plan")
    # The standard types a migration adds: the world has exactly these two.
    PlanType.objects.exclude(pk__in=[plan_type.pk, spare_type.pk]).delete()
    b1 = BoardFactory.create(name="Northshire SEND Executive", members=[people[MEMBER]])
    b2 = BoardFactory.create(name="Southshire SEND Executive", members=[people[OTHER_MEMBER]])
    b3 = BoardFactory.create(
        name="Northshire Parent Carer Forum",
        audience=BoardAudience.PARENT_CARER_FORUM,
        members=[people[MEMBER]],
    )
    p1 = PlanFactory.create(title="Northshire WSOA", plan_type=plan_type, board=b1, published=False)
    p2 = PlanFactory.create(title="Southshire WSOA", plan_type=plan_type, board=b2, published=True)
    r1 = RecommendationFactory.create(plan=p1, number=1, lead=people[LEAD])
    r2 = RecommendationFactory.create(plan=p2, number=1, lead=people[OTHER_LEAD])
    o1 = OutcomeFactory.create(recommendation=r1, number=1)
    o2 = OutcomeFactory.create(recommendation=r2, number=1)
    a1 = ActionFactory.create(
        recommendation=r1,
        reference="1.1",
        owner=people[OWNER],
        supporting_owners=[people[SUPPORTER]],
        outcome=None,
    )
    a3 = ActionFactory.create(recommendation=r1, reference="1.2", owner=bystander)
    a2 = ActionFactory.create(recommendation=r2, reference="1.7", owner=people[OTHER_OWNER])
    m1 = MilestoneFactory.create(recommendation=r1, actions=[a1])
    m2 = MilestoneFactory.create(recommendation=r2, actions=[a2])
    s1 = SuccessMeasureFactory.create(recommendation=r1, outcome=o1)
    s2 = SuccessMeasureFactory.create(recommendation=r2, outcome=o2)
    mr1 = MeasureReadingFactory.create(measure=s1, taken_on=dt.date(2026, 10, 31))
    mr2 = MeasureReadingFactory.create(measure=s2, taken_on=dt.date(2026, 9, 30))
    pu1 = action_update_status(
        action=a1, by=people[OWNER], commentary="Interviews booked for December."
    )
    pu2 = action_update_status(
        action=a2, by=people[OTHER_OWNER], rag=Rag.AMBER, commentary="Recruitment is slow."
    )
    pu3 = action_update_status(action=a3, by=bystander, commentary="Draft policy circulated.")
    rows: dict[str, models.Model] = {
        "p1": p1,
        "p2": p2,
        "pt": plan_type,
        "pt_spare": spare_type,
        "b1": b1,
        "b2": b2,
        "b3": b3,
        "r1": r1,
        "r2": r2,
        "o1": o1,
        "o2": o2,
        "a1": a1,
        "a2": a2,
        "a3": a3,
        "m1": m1,
        "m2": m2,
        "s1": s1,
        "s2": s2,
        "mr1": mr1,
        "mr2": mr2,
        "pu1": pu1,
        "pu2": pu2,
        "pu3": pu3,
    }
    return World(people=people, rows=rows, extra={"bystander": bystander})


def client_for(world: World, role: str) -> APIClient:
    client = APIClient()
    person = world.person(role)
    if person is not None:
        client.force_authenticate(person)
    return client


def address(world: World, target: str) -> str:
    """``plans`` is a list, ``p1`` a row, ``a1/updates`` a row's sub-resource."""
    name, _, suffix = target.partition("/")
    if name in ROW_PATHS:
        base = f"/api/{ROW_PATHS[name]}/{world.id(name)}/"
        return f"{base}{suffix}/" if suffix else base
    return f"/api/{target}/"


def label(target: str) -> str:
    name, _, suffix = target.partition("/")
    if name in ROW_PATHS:
        return f"/{ROW_PATHS[name]}/{name}/{suffix}".rstrip("/")
    return f"/{target}/"


def send(client: APIClient, method: str, url: str, body: dict[str, Any] | None) -> Response:
    call = getattr(client, method.lower())
    if body is None:
        return call(url)
    return call(url, body, format="json")


def ids_in(answer: Response) -> set[int]:
    page = answer.json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["next"] is None, "the whole list fits in one page of 200"
    ids = [row["id"] for row in page["results"]]
    assert len(ids) == len(set(ids)) == page["count"], "a row is listed once, and counted"
    return set(ids)


def row_state(instance: models.Model) -> dict[str, Any] | None:
    return type(instance)._default_manager.filter(pk=instance.pk).values().first()


def state(world: World, target: str) -> Any:
    """What a write to ``target`` would change, to compare before and after."""
    name, _, suffix = target.partition("/")
    if suffix == "updates":
        updates = ProgressUpdate.objects.filter(action_id=world.id(name)).order_by("pk")
        return (list(updates.values_list("pk", flat=True)), row_state(world.rows[name]))
    if name in ROW_PATHS:
        return row_state(world.rows[name])
    return sorted(PATH_MODELS[name]._default_manager.values_list("pk", flat=True))


def assert_json_error(answer: Response) -> None:
    assert answer["Content-Type"].startswith("application/json"), answer["Content-Type"]
    assert isinstance(answer.json(), dict)


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
