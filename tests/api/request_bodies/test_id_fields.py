"""Ids in request bodies: every id field takes a whole number (or a string of digits) and
nothing else.

Any other value is a 400 on that field with a message a council officer can act on, never a
500 and never a guess (7.5 is not person 7); an id the caller cannot choose, or a person who
can no longer sign in, is "There is no ... with id ... that you can choose."; null clears an
optional link.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.api.request_bodies.conftest import World
from tests.api.request_bodies.writes import client_for, counts, send_raw, snapshot, valid_body
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


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
