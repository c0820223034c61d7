"""The database going away mid-service (a restart, a fail-over): a clear 503, nothing saved.

The connection is cut from the server's side with ``pg_terminate_backend``, as a PostgreSQL
restart cuts it; ``make faults`` does the same to a whole running stack.
"""

import pytest
from django.db import connection, connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actions.models import ActionStatus, ProgressUpdate
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def cut_our_connection() -> None:
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def test_a_progress_update_while_the_database_is_unreachable_gets_503_and_saves_nothing() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the server cuts the connection")
    action = ActionFactory.create(status=ActionStatus.IN_PROGRESS)
    token = Token.objects.create(user=action.owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = f"/api/actions/{action.pk}/updates/"
    body = {"commentary": "Panel booked for January."}

    cut_our_connection()
    refused = client.post(url, body, format="json")

    assert refused.status_code == 503
    assert refused["Retry-After"] == "30"
    assert refused["Content-Type"].startswith("application/json")
    assert "nothing was saved" in refused.json()["detail"]
    # At the end of every real request Django drops a connection that failed (the test
    # client leaves that out, to keep tests' transactions); the next request reconnects.
    connection.close_if_unusable_or_obsolete()
    assert ProgressUpdate.objects.filter(action=action).count() == 0
    accepted = client.post(url, body, format="json")
    assert accepted.status_code == 201, accepted.content
    assert list(
        ProgressUpdate.objects.filter(action=action).values_list("commentary", flat=True)
    ) == ["Panel booked for January."]
