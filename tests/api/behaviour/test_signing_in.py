"""Signing in to the API: a token for the right email and password that then signs the
caller in, a 400 and no token for a wrong or missing password, 401 for anonymous callers, and
``/api/me/actions/`` listing exactly what the caller owns or supports.
"""

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import Plan1, client_for
from tests.factories import ActionFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- Signing in -------------------------------------------------------------------------


def test_it_gives_a_token_for_the_right_email_and_password_and_the_token_signs_in() -> None:
    person = UserFactory.create(email="jo.bloggs@example.gov.uk", name="Jo Bloggs")
    answer = APIClient().post(
        "/api/auth/token/",
        {"email": "Jo.Bloggs@example.gov.uk", "password": "correct horse battery"},
        format="json",
    )
    assert answer.status_code == 200
    token = answer.json()["token"]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/me/")
    assert me.status_code == 200
    assert me.json()["id"] == person.pk
    assert me.json()["name"] == "Jo Bloggs"


def test_it_refuses_a_wrong_password_with_400_and_no_token() -> None:
    UserFactory.create(email="jo.bloggs@example.gov.uk")
    answer = APIClient().post(
        "/api/auth/token/",
        {"email": "jo.bloggs@example.gov.uk", "password": "wrong"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["non_field_errors"]
    assert "token" not in answer.json()


def test_it_refuses_a_login_without_a_password_with_a_message_on_the_password() -> None:
    answer = APIClient().post("/api/auth/token/", {"email": "x@example.gov.uk"}, format="json")
    assert answer.status_code == 400
    assert "password" in answer.json()


def test_anonymous_callers_get_401_on_me_and_on_actions() -> None:
    assert APIClient().get("/api/me/").status_code == 401
    assert APIClient().get("/api/actions/").status_code == 401


def test_my_actions_lists_what_i_own_and_support_and_nothing_else(plan1: Plan1) -> None:
    supported_elsewhere = ActionFactory.create(supporting_owners=[plan1.owner])
    ActionFactory.create()  # someone else's
    answer = client_for(plan1.owner).get("/api/me/actions/")
    assert answer.status_code == 200
    assert {row["id"] for row in answer.json()["results"]} == {
        plan1.action.pk,
        supported_elsewhere.pk,
    }
