"""The small world every permission test builds, and how to call the API in it.

``build_world`` builds (for one test as the ``world`` fixture, or once per module as
``shared_world``, each test rolled back to it):

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

Rows and people are named as above ("a1", "lead"); ``address`` turns a name ("a1",
"a1/updates") or a list ("plans") into its address under /api/, ``label`` into a test id, and
``state`` gives what a write to it would change, to compare before and after. The read
matrix (test_permission_matrix.py), the write matrix (test_write_permissions.py) and the
other API and hostile-input tests all use this one world.
"""

import copy
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
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
)
from actions.services import action_update_status
from tests.built_once import built_once
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

ADMIN = "admin"
OWNER = "owner"
SUPPORTER = "supporter"
LEAD = "lead"
MEMBER = "member"
OTHER_OWNER = "other_owner"
OTHER_LEAD = "other_lead"
OTHER_MEMBER = "other_member"
ANONYMOUS = "anonymous"

# The column order of every permission table.
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


# The moment the tables that share one world per module pin their clock to.
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


@pytest.fixture
def world() -> World:
    """The world, built for this test alone."""
    return build_world()


@pytest.fixture(scope="module")
def world_built_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from built_once(django_db_blocker, build_world, at=MONDAY_10)


@pytest.fixture
def shared_world(world_built_once: World, db: None) -> World:
    """The world built once for the module (at ``MONDAY_10``), this test's changes rolled
    back after it; a module whose clock is pinned to that moment can use it as its world."""
    return copy.deepcopy(world_built_once)


def build_world() -> World:
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
