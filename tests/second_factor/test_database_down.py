"""With the second factor on, the session is read before any view: a database that has gone
away (a restart, a fail-over) still gets the clear 503, not a server error."""

import pytest
from django.db import connection
from django.test import Client

from tests.api.test_database_down import cut_our_connection
from tests.second_factor.conftest import person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("path", ["/workspace/plans/", "/api/me/"])
def test_a_signed_in_page_while_the_database_is_unreachable_says_try_again(path: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the server cuts the connection")
    client = Client()
    client.force_login(person(is_staff=True))

    cut_our_connection()
    response = client.get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "briefly unavailable" in text or "cannot reach its database" in text
    connection.close_if_unusable_or_obsolete()
