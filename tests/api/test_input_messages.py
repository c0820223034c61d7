"""Ids in request bodies and the messages a caller reads when a write is refused.

Every id field takes a whole number (or a string of digits) and nothing else: any other
value is a 400 on that field with a message a council officer can act on, never a 500 and
never a guess (7.5 is not person 7). A caller may always send back the current value of a
field, even one they could not choose themselves, and a field their role may not change
answers "You may not change this field." whatever id they send.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
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
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    PlanType,
    Recommendation,
    SuccessMeasure,
)
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

NOT_YOURS = "You may not change this field."


@pytest.fixture(autouse=True)
def monday_23_november_2026() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON), tick=False):
        yield


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@dataclass
class World:
    admin: User
    lead: User
    owner: User
    supporter: User
    recommendation: Recommendation
    outcome: Outcome
    other_outcome: Outcome  # under the same recommendation; the owner cannot read outcomes
    action: Action
    milestone: Milestone
    measure: SuccessMeasure
    reading: MeasureReading


@pytest.fixture
def world(admin_user: User) -> World:
    lead, owner, supporter = (UserFactory.create() for _ in range(3))
    recommendation = RecommendationFactory.create(lead=lead)
    outcome = OutcomeFactory.create(recommendation=recommendation)
    other_outcome = OutcomeFactory.create(recommendation=recommendation)
    action = ActionFactory.create(
        recommendation=recommendation,
        outcome=outcome,
        owner=owner,
        supporting_owners=[supporter],
        start_date=dt.date(2026, 9, 1),
        due_date=dt.date(2026, 12, 18),
    )
    milestone = MilestoneFactory.create(recommendation=recommendation, actions=[action])
    measure = SuccessMeasureFactory.create(recommendation=recommendation, outcome=outcome)
    reading = MeasureReadingFactory.create(measure=measure, taken_on=dt.date(2026, 10, 31))
    return World(
        admin_user,
        lead,
        owner,
        supporter,
        recommendation,
        outcome,
        other_outcome,
        action,
        milestone,
        measure,
        reading,
    )


def counts() -> dict[str, int]:
    """How many rows of each kind there are, links included."""
    return {
        "plans": Plan.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "actions": Action.objects.count(),
        "supporting": Action.supporting_owners.through.objects.count(),
        "milestones": Milestone.objects.count(),
        "milestone_links": Milestone.actions.through.objects.count(),
        "measures": SuccessMeasure.objects.count(),
        "readings": MeasureReading.objects.count(),
        "outcomes": Outcome.objects.count(),
    }


def snapshot(row: models.Model) -> dict[str, Any]:
    """Every stored value of a row, many-to-many links included."""
    fresh = type(row)._default_manager.get(pk=row.pk)
    values: dict[str, Any] = {
        field.attname: getattr(fresh, field.attname) for field in fresh._meta.concrete_fields
    }
    for field in fresh._meta.many_to_many:
        values[field.name] = sorted(obj.pk for obj in getattr(fresh, field.name).all())
    return values


def send_raw(
    client: APIClient, method: str, url: str, body: dict[str, Any], field: str, raw: str
) -> Response:
    """Send ``body`` with ``field`` set to ``raw``, a JSON literal sent exactly as written."""
    rest = {key: value for key, value in body.items() if key != field}
    text = json.dumps(rest)
    text = f'{text[:-1]}{", " if rest else ""}"{field}": {raw}}}'
    return client.generic(method, url, text, content_type="application/json")


# --- Every id field takes a whole number, and nothing else --------------------------------


@dataclass(frozen=True)
class IdField:
    url: str
    field: str
    noun: str  # as the messages name it
    plural: str
    many: bool = False
    nullable: bool = False
    admin: bool = False  # created by an administrator (else by the lead)


ID_FIELDS = [
    IdField("/api/actions/", "recommendation", "recommendation", "recommendations"),
    IdField("/api/actions/", "outcome", "outcome", "outcomes", nullable=True),
    IdField("/api/actions/", "owner", "person", "people"),
    IdField("/api/actions/", "supporting_owners", "person", "people", many=True),
    IdField("/api/milestones/", "recommendation", "recommendation", "recommendations"),
    IdField("/api/milestones/", "actions", "action", "actions", many=True),
    IdField("/api/measures/", "recommendation", "recommendation", "recommendations"),
    IdField("/api/measures/", "outcome", "outcome", "outcomes", nullable=True),
    IdField("/api/measure-readings/", "measure", "success measure", "success measures"),
    IdField("/api/outcomes/", "recommendation", "recommendation", "recommendations"),
    IdField("/api/recommendations/", "plan", "plan", "plans", admin=True),
    IdField("/api/recommendations/", "lead", "person", "people", admin=True),
    IdField("/api/plans/", "plan_type", "plan type", "plan types", admin=True),
    IdField("/api/plans/", "board", "board", "boards", nullable=True, admin=True),
]


def valid_body(w: World, url: str) -> dict[str, Any]:
    """A body the lead may create at ``url``: the one error is the field under test."""
    rec = w.recommendation.pk
    return {
        "/api/actions/": {
            "recommendation": rec,
            "outcome": w.outcome.pk,
            "reference": "7.1",
            "title": "Publish the local offer",
            "owner": w.owner.pk,
            "supporting_owners": [w.supporter.pk],
            "due_date": "2027-01-29",
        },
        "/api/milestones/": {
            "recommendation": rec,
            "title": "Backlog cleared",
            "due_date": "2027-03-31",
            "actions": [w.action.pk],
        },
        "/api/measures/": {
            "recommendation": rec,
            "outcome": w.outcome.pk,
            "name": "EHC plans within 20 weeks",
            "unit": "%",
            "baseline": "38",
            "target": "65",
            "target_date": "2027-09-30",
        },
        "/api/measure-readings/": {
            "measure": w.measure.pk,
            "taken_on": "2026-11-20",
            "value": "44.50",
        },
        "/api/outcomes/": {"recommendation": rec, "number": 9, "title": "Families feel heard"},
        "/api/recommendations/": {
            "plan": w.recommendation.plan_id,
            "number": 9,
            "title": "Co-production",
            "lead": w.lead.pk,
        },
        "/api/plans/": {
            "title": "Northshire SEND strategy",
            "slug": "northshire-send-strategy",
            "plan_type": w.recommendation.plan.plan_type_id,
            "local_area": "Northshire",
            "start_date": "2027-01-01",
            "end_date": "2029-12-31",
            "board": w.recommendation.plan.board_id,
        },
    }[url]


def creator(w: World, f: IdField) -> APIClient:
    return client_for(w.admin if f.admin else w.lead)


def article(noun: str) -> str:
    return "an" if noun[0] in "aeiou" else "a"


def wrong_type(f: IdField) -> str:
    return f"Give the id of {article(f.noun)} {f.noun} (a whole number)."


def no_such(f: IdField, shown: str) -> str:
    return f"There is no {f.noun} with id {shown} that you can choose."


def not_a_list(f: IdField) -> str:
    return f"Give a list of ids of {f.plural} (whole numbers), for example [3, 4]."


NULL = "This field may not be null."

# Each bad value as a JSON literal, and what the message says about it.
BAD_IDS: list[tuple[str, Callable[[IdField], str]]] = [
    ("1e400", wrong_type),
    ("-1e400", wrong_type),
    ("7.5", wrong_type),
    ("1.0", wrong_type),
    ("true", wrong_type),
    ("false", wrong_type),
    ('"abc"', wrong_type),
    ('"7.5"', wrong_type),
    ('"-1"', wrong_type),
    ('" 1"', wrong_type),
    ('"\\u0661"', wrong_type),  # an Arabic-Indic digit one: not an id
    ("[]", wrong_type),
    ("{}", wrong_type),
    ('{"id": 1}', wrong_type),
    ("-1", lambda f: no_such(f, "-1")),
    ("0", lambda f: no_such(f, "0")),
    ("99999999", lambda f: no_such(f, "99999999")),
    ('"99999999"', lambda f: no_such(f, "99999999")),
    ("100000000000000000000000000000", lambda f: no_such(f, "100000000000000000000000000000")),
]


def id_cases() -> Iterator[Any]:
    for f in ID_FIELDS:
        name = f"{f.url.strip('/').split('/')[-1]}.{f.field}"
        for raw, message in BAD_IDS:
            sent = f"[{raw}]" if f.many else raw
            yield pytest.param(f, sent, message(f), id=f"{name}={sent}")
        if f.many:
            # The list itself is not a list.
            for raw in ("1e400", "-1", "0", "7.5", "true", '"abc"', '"1"', "{}", '{"1": 1}'):
                yield pytest.param(f, raw, not_a_list(f), id=f"{name}={raw}")
            yield pytest.param(f, "null", NULL, id=f"{name}=null")
            yield pytest.param(f, "[null]", wrong_type(f), id=f"{name}=[null]")
            yield pytest.param(f, "[[1]]", wrong_type(f), id=f"{name}=[[1]]")
        elif not f.nullable:
            yield pytest.param(f, "null", NULL, id=f"{name}=null")


@pytest.mark.parametrize(("f", "raw", "message"), list(id_cases()))
def test_a_bad_id_is_a_400_on_its_field_with_a_plain_message_and_nothing_is_created(
    world: World, f: IdField, raw: str, message: str
) -> None:
    before = counts()

    answer = send_raw(creator(world, f), "POST", f.url, valid_body(world, f.url), f.field, raw)

    assert answer.status_code == 400, answer.content
    assert answer.json() == {f.field: [message]}
    assert counts() == before


@pytest.mark.parametrize("f", list({f.url: f for f in ID_FIELDS}.values()), ids=lambda f: f.url)
def test_the_bodies_above_are_valid_so_each_refusal_is_the_bad_id_alone(
    world: World, f: IdField
) -> None:
    answer = creator(world, f).post(f.url, valid_body(world, f.url), format="json")
    assert answer.status_code == 201, answer.content


@pytest.mark.parametrize("f", [f for f in ID_FIELDS if f.nullable], ids=lambda f: f.url)
def test_null_clears_an_optional_link(world: World, f: IdField) -> None:
    answer = send_raw(creator(world, f), "POST", f.url, valid_body(world, f.url), f.field, "null")
    assert answer.status_code == 201, answer.content
    assert answer.json()[f.field] is None


def test_an_id_may_be_given_as_a_string_of_digits(world: World) -> None:
    body = {
        **valid_body(world, "/api/actions/"),
        "owner": str(world.supporter.pk),
        "supporting_owners": [str(world.owner.pk)],
    }
    answer = client_for(world.lead).post("/api/actions/", body, format="json")
    assert answer.status_code == 201, answer.content
    assert (answer.json()["owner"], answer.json()["supporting_owners"]) == (
        world.supporter.pk,
        [world.owner.pk],
    )


def test_a_fraction_of_an_id_is_refused_not_rounded_down(world: World) -> None:
    other = UserFactory.create()
    before = snapshot(world.action)

    answer = send_raw(
        client_for(world.admin),
        "PATCH",
        f"/api/actions/{world.action.pk}/",
        {},
        "owner",
        f"{other.pk}.5",
    )

    assert answer.status_code == 400
    assert answer.json() == {"owner": ["Give the id of a person (a whole number)."]}
    assert snapshot(world.action) == before


@pytest.mark.parametrize(
    ("url", "field", "raw"),
    [
        ("actions", "owner", "1e400"),
        ("actions", "supporting_owners", "[1e400]"),
        ("actions", "outcome", "1e400"),
        ("actions", "owner", "true"),
        ("milestones", "actions", "[1e400]"),
        ("measures", "outcome", "1e400"),
        ("measure-readings", "measure", "1e400"),
    ],
)
def test_a_huge_number_in_an_id_of_a_change_is_a_400_not_a_500(
    world: World, url: str, field: str, raw: str
) -> None:
    row = {
        "actions": world.action,
        "milestones": world.milestone,
        "measures": world.measure,
        "measure-readings": world.reading,
    }[url]
    before = snapshot(row)

    answer = send_raw(client_for(world.lead), "PATCH", f"/api/{url}/{row.pk}/", {}, field, raw)

    assert answer.status_code == 400, answer.content
    assert list(answer.json()) == [field]
    assert snapshot(row) == before


def test_an_inactive_person_cannot_be_chosen_and_the_message_says_so(world: World) -> None:
    gone = UserFactory.create(is_active=False)
    before = snapshot(world.action)
    client = client_for(world.lead)
    url = f"/api/actions/{world.action.pk}/"

    answer = client.patch(url, {"owner": gone.pk}, format="json")
    assert answer.status_code == 400
    assert answer.json() == {
        "owner": [f"There is no person with id {gone.pk} that you can choose."]
    }

    answer = client.patch(url, {"supporting_owners": [world.supporter.pk, gone.pk]}, format="json")
    assert answer.status_code == 400
    assert answer.json() == {
        "supporting_owners": [f"There is no person with id {gone.pk} that you can choose."]
    }
    assert snapshot(world.action) == before


# --- Sending back the current value -------------------------------------------------------

WRITABLE_ACTION_FIELDS = [
    "recommendation",
    "outcome",
    "reference",
    "title",
    "description",
    "owner",
    "supporting_owners",
    "start_date",
    "due_date",
]


def shown_action(client: APIClient, action: Action) -> dict[str, Any]:
    answer = client.get(f"/api/actions/{action.pk}/")
    assert answer.status_code == 200, answer.content
    return {name: answer.json()[name] for name in WRITABLE_ACTION_FIELDS}


def test_an_owner_puts_back_their_action_with_an_outcome_changing_only_the_description(
    world: World,
) -> None:
    client = client_for(world.owner)
    body = shown_action(client, world.action)
    assert body["outcome"] == world.outcome.pk
    body["description"] = "Interviews in December"

    answer = client.put(f"/api/actions/{world.action.pk}/", body, format="json")

    assert answer.status_code == 200, answer.content
    fresh = Action.objects.get(pk=world.action.pk)
    assert (fresh.description, fresh.outcome_id) == ("Interviews in December", world.outcome.pk)


def test_an_owner_may_patch_the_unchanged_outcome_along_with_the_description(
    world: World,
) -> None:
    answer = client_for(world.owner).patch(
        f"/api/actions/{world.action.pk}/",
        {"outcome": world.outcome.pk, "description": "Going well"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert Action.objects.get(pk=world.action.pk).description == "Going well"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("outcome", "other_outcome"),  # exists; the owner cannot read it
        ("outcome", 99999999),  # does not exist: the same answer, so nothing is revealed
        ("outcome", None),
        ("owner", "supporter"),
        ("supporting_owners", ["supporter", "lead"]),
        ("supporting_owners", [99999999]),
        ("supporting_owners", []),
        ("recommendation", 99999999),
    ],
)
def test_an_owner_changing_a_field_of_their_action_is_told_they_may_not_change_it(
    world: World, field: str, value: Any
) -> None:
    def resolve(item: Any) -> Any:
        return getattr(world, item).pk if isinstance(item, str) else item

    sent = [resolve(v) for v in value] if isinstance(value, list) else resolve(value)
    before = snapshot(world.action)

    answer = client_for(world.owner).patch(
        f"/api/actions/{world.action.pk}/", {field: sent, "description": "x"}, format="json"
    )

    assert answer.status_code == 400, answer.content
    assert answer.json() == {field: [NOT_YOURS]}
    assert snapshot(world.action) == before


def test_an_owner_puts_back_their_action_when_a_supporting_owner_has_left(world: World) -> None:
    User.objects.filter(pk=world.supporter.pk).update(is_active=False)
    client = client_for(world.owner)
    body = shown_action(client, world.action)
    body["description"] = "Still on track"

    answer = client.put(f"/api/actions/{world.action.pk}/", body, format="json")

    assert answer.status_code == 200, answer.content
    assert answer.json()["supporting_owners"] == [world.supporter.pk]


def test_a_lead_puts_back_an_action_whose_owner_and_supporting_owner_have_left(
    world: World,
) -> None:
    User.objects.filter(pk__in=[world.owner.pk, world.supporter.pk]).update(is_active=False)
    newcomer = UserFactory.create()
    client = client_for(world.lead)
    body = shown_action(client, world.action)
    body["title"] = "Recruit two educational psychologists"

    answer = client.put(f"/api/actions/{world.action.pk}/", body, format="json")
    assert answer.status_code == 200, answer.content

    # ... and may add someone beside the one who left, keeping them.
    body["supporting_owners"] = [world.supporter.pk, newcomer.pk]
    answer = client.put(f"/api/actions/{world.action.pk}/", body, format="json")
    assert answer.status_code == 200, answer.content
    assert sorted(answer.json()["supporting_owners"]) == sorted([world.supporter.pk, newcomer.pk])


def test_a_lead_puts_back_a_milestone_linking_an_action_they_cannot_read(world: World) -> None:
    # Another recommendation of the same plan, led by someone else: the lead cannot read
    # its actions, but the milestone (which the lead may change) links one.
    elsewhere = RecommendationFactory.create(plan=world.recommendation.plan)
    unread = ActionFactory.create(recommendation=elsewhere)
    world.milestone.actions.add(unread)
    also_unread = ActionFactory.create(recommendation=elsewhere)
    client = client_for(world.lead)
    url = f"/api/milestones/{world.milestone.pk}/"
    shown = client.get(url).json()
    body = {
        name: shown[name]
        for name in ["recommendation", "title", "due_date", "achieved_on", "actions"]
    }
    body["title"] = "All overdue assessments cleared"

    answer = client.put(url, body, format="json")
    assert answer.status_code == 200, answer.content
    assert sorted(answer.json()["actions"]) == sorted([world.action.pk, unread.pk])

    # Another action they cannot read is still one that does not exist, for them.
    before = snapshot(world.milestone)
    answer = client.patch(url, {"actions": [*body["actions"], also_unread.pk]}, format="json")
    assert answer.status_code == 400
    assert answer.json() == {
        "actions": [f"There is no action with id {also_unread.pk} that you can choose."]
    }
    assert snapshot(world.milestone) == before


def test_a_lead_puts_back_a_measure_with_its_outcome(world: World) -> None:
    client = client_for(world.lead)
    url = f"/api/measures/{world.measure.pk}/"
    shown = client.get(url).json()
    fields = ["recommendation", "outcome", "name", "unit", "baseline", "baseline_date"]
    body = {name: shown[name] for name in [*fields, "target", "target_date", "direction"]}
    body["target"] = "70.00"

    answer = client.put(url, body, format="json")

    assert answer.status_code == 200, answer.content
    fresh = SuccessMeasure.objects.get(pk=world.measure.pk)
    assert (fresh.target, fresh.outcome_id) == (Decimal("70.00"), world.outcome.pk)


def test_an_administrator_puts_back_a_recommendation_whose_lead_has_left(world: World) -> None:
    User.objects.filter(pk=world.lead.pk).update(is_active=False)
    client = client_for(world.admin)
    url = f"/api/recommendations/{world.recommendation.pk}/"
    shown = client.get(url).json()
    body = {name: shown[name] for name in ["plan", "number", "title", "description", "lead"]}
    body["title"] = "Timely, good EHC plans"

    answer = client.put(url, body, format="json")

    assert answer.status_code == 200, answer.content
    assert Recommendation.objects.get(pk=world.recommendation.pk).title == body["title"]


# --- Messages -----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["status", "rag", "completed_on"])
def test_the_progress_message_gives_the_real_address_of_the_actions_updates(
    world: World, field: str
) -> None:
    value = {"status": "completed", "rag": "red", "completed_on": "2026-11-20"}[field]
    before = snapshot(world.action)

    answer = client_for(world.lead).patch(
        f"/api/actions/{world.action.pk}/", {field: value}, format="json"
    )

    assert answer.status_code == 400
    assert answer.json() == {
        field: [
            "Status, RAG and completion date change only through a progress update: "
            f"POST it to /api/actions/{world.action.pk}/updates/."
        ]
    }
    assert snapshot(world.action) == before


def test_on_create_the_progress_message_says_to_post_an_update_once_the_action_exists(
    world: World,
) -> None:
    before = counts()
    answer = client_for(world.lead).post(
        "/api/actions/",
        {**valid_body(world, "/api/actions/"), "status": "in_progress"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "status": [
            "Status, RAG and completion date change only through a progress update: "
            "after creating the action, POST a progress update to "
            "/api/actions/<its id>/updates/."
        ]
    }
    assert counts() == before


def test_a_slug_or_name_in_use_is_refused_with_a_sentence(admin_user: User) -> None:
    plan = PlanFactory.create(slug="northshire-wsoa")
    board = BoardFactory.create(slug="send-executive")
    plan_type = PlanTypeFactory.create()
    client = client_for(admin_user)
    before = (Plan.objects.count(), Board.objects.count(), PlanType.objects.count())

    answer = client.post(
        "/api/plans/",
        {
            "title": "Another plan",
            "slug": plan.slug,
            "plan_type": plan_type.pk,
            "local_area": "Northshire",
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
        },
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json() == {"slug": ["A plan with this slug already exists."]}

    answer = client.post(
        "/api/boards/",
        {"name": "Another board", "slug": board.slug, "audience": "executive"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json() == {"slug": ["A board with this slug already exists."]}

    answer = client.post(
        "/api/plan-types/", {"name": plan_type.name, "slug": plan_type.slug}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "name": ["A plan type with this name already exists."],
        "slug": ["A plan type with this slug already exists."],
    }
    assert (Plan.objects.count(), Board.objects.count(), PlanType.objects.count()) == before

    # A row keeps its own slug.
    answer = client.patch(f"/api/plans/{plan.pk}/", {"slug": plan.slug}, format="json")
    assert answer.status_code == 200, answer.content
