"""The people directory: everyone signed in finds people by name, organisation or job title.

An email address is shown to administrators, to the person and to the people they work with
(on a plan they both take part in, or a board they both sit on); anyone else gets null.
People who can no longer sign in are listed to administrators only.
"""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from accounts.models import User
from tests.api.conftest import client_for as signed_in_as
from tests.api.permission_world import world
from tests.api.test_permission_matrix import (
    ADMIN,
    LEAD,
    MEMBER,
    OTHER_LEAD,
    OTHER_MEMBER,
    OTHER_OWNER,
    OWNER,
    SIGNED_IN,
    SUPPORTER,
    World,
    client_for,
)
from tests.factories import BoardFactory, UserFactory

__all__ = ["world"]

pytestmark = pytest.mark.django_db


def directory(client: APIClient, query: str = "") -> list[dict[str, Any]]:
    answer = client.get(f"/api/people/?page_size=200{query}")
    assert answer.status_code == 200, answer.content
    page = answer.json()
    assert page["count"] == len(page["results"])
    return list(page["results"])


def emails_shown(world: World, role: str) -> set[str]:
    """The roles whose email the directory shows to ``role``."""
    by_id = {person.pk: name for name, person in world.people.items()}
    return {
        by_id[row["id"]]
        for row in directory(client_for(world, role))
        if row["email"] is not None and row["id"] in by_id
    }


def test_signed_out_the_directory_answers_401(world: World) -> None:
    answer = APIClient().get("/api/people/")
    assert answer.status_code == 401
    assert set(answer.json()) == {"detail"}


def test_everyone_signed_in_sees_names_organisations_and_job_titles_by_name(
    world: World,
) -> None:
    rows = directory(client_for(world, OTHER_OWNER))

    names = [row["name"] for row in rows]
    assert names == sorted(names)
    assert set(names) >= {"Lena Lead", "Mo Member", "Owen Owner", "Bea Bystander"}
    assert set(rows[0]) == {"id", "name", "organisation", "job_title", "email", "is_active"}


# P1 (board B1: member; lead; owner; supporter) and P2 (board B2: other_member; other_lead;
# other_owner): each sees the emails of the people of their own plan, and the admin all.
EMAILS = {
    ADMIN: SIGNED_IN,
    OWNER: {OWNER, SUPPORTER, LEAD, MEMBER},
    SUPPORTER: {OWNER, SUPPORTER, LEAD, MEMBER},
    LEAD: {OWNER, SUPPORTER, LEAD, MEMBER},
    MEMBER: {OWNER, SUPPORTER, LEAD, MEMBER},
    OTHER_OWNER: {OTHER_OWNER, OTHER_LEAD, OTHER_MEMBER},
    OTHER_LEAD: {OTHER_OWNER, OTHER_LEAD, OTHER_MEMBER},
    OTHER_MEMBER: {OTHER_OWNER, OTHER_LEAD, OTHER_MEMBER},
}


@pytest.mark.parametrize(("role", "expected"), EMAILS.items(), ids=list(EMAILS))
def test_an_email_is_shown_only_to_the_people_who_work_with_that_person(
    world: World, role: str, expected: set[str]
) -> None:
    assert emails_shown(world, role) == expected


def test_a_published_plan_does_not_show_its_peoples_emails_to_strangers(world: World) -> None:
    # P2 is published: anyone reads it, but its people are not the reader's colleagues.
    stranger = UserFactory.create(name="Sam Stranger")
    shown = [row for row in directory(signed_in_as(stranger)) if row["email"] is not None]
    assert [row["id"] for row in shown] == [stranger.pk]


def test_people_on_the_same_board_see_each_others_email(world: World) -> None:
    # B3 governs no plan; the member sits on it with a newcomer.
    newcomer = UserFactory.create(name="Nia Newcomer")
    BoardFactory.create(members=[world.people[OTHER_MEMBER], newcomer])

    rows = {row["id"]: row for row in directory(signed_in_as(newcomer))}

    assert rows[world.uid(OTHER_MEMBER)]["email"] == world.people[OTHER_MEMBER].email
    assert rows[world.uid(OTHER_LEAD)]["email"] is None


def test_people_who_can_no_longer_sign_in_are_listed_to_administrators_only(
    world: World,
) -> None:
    gone = UserFactory.create(name="Gil Gone", is_active=False)

    assert gone.pk not in {row["id"] for row in directory(client_for(world, MEMBER))}
    listed = {row["id"]: row for row in directory(client_for(world, ADMIN))}
    assert listed[gone.pk]["is_active"] is False
    assert listed[gone.pk]["email"] == gone.email


# --- Searching ----------------------------------------------------------------------------


@pytest.fixture
def officers(world: World) -> dict[str, User]:
    return {
        "priya": UserFactory.create(
            name="Priya Shah",
            organisation="Northshire ICB",
            job_title="Designated Clinical Officer",
            email="p.shah@icb.example.nhs.uk",
        ),
        "tom": UserFactory.create(
            name="Tom Reed",
            organisation="Northshire County Council",
            job_title="Head of SEND",
            email="zebra.reed@northshire.gov.uk",
        ),
    }


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("priya", {"priya"}),
        ("SHAH", {"priya"}),
        ("icb", {"priya"}),
        ("clinical officer", {"priya"}),
        ("head of send", {"tom"}),
        ("northshire reed", {"tom"}),
        ("priya reed", set()),
        ("zebra", set()),  # an email address is not searched by a non-administrator
    ],
)
def test_a_search_finds_every_word_in_name_organisation_or_job_title(
    world: World, officers: dict[str, User], search: str, found: set[str]
) -> None:
    rows = directory(client_for(world, OWNER), f"&search={search}")
    assert {row["id"] for row in rows} == {officers[name].pk for name in found}


def test_an_administrator_also_finds_people_by_email(
    world: World, officers: dict[str, User]
) -> None:
    rows = directory(client_for(world, ADMIN), "&search=zebra")
    assert [row["id"] for row in rows] == [officers["tom"].pk]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("search=" + "a" * 101, "Search for at most 100 characters."),
        ("search=a%00b", "Null characters are not allowed."),
        ("page=0", "page must be a whole number from 1 (got '0')."),
    ],
    ids=["too long", "a null character", "page 0"],
)
def test_a_search_that_cannot_be_used_is_a_400_on_that_parameter(
    world: World, query: str, message: str
) -> None:
    answer = client_for(world, OWNER).get(f"/api/people/?{query}")
    assert answer.status_code == 400
    field = query.split("=")[0]
    assert answer.json() == {field: [message]}


def test_the_directory_is_paginated(world: World) -> None:
    UserFactory.create_batch(5)
    answer = client_for(world, OWNER).get("/api/people/?page_size=3&page=2")
    assert answer.status_code == 200
    page = answer.json()
    assert len(page["results"]) == 3
    assert page["count"] == User.objects.filter(is_active=True).count()


def test_the_number_of_queries_does_not_grow_with_the_people(
    world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = client_for(world, OWNER)
    counts = []
    for more in (0, 40):
        UserFactory.create_batch(more)
        with CaptureQueriesContext(connection) as queries:
            directory(client)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(2):
        directory(client)
