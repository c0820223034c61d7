"""The database going away mid-service (a restart, a fail-over): a clear 503, nothing saved,
for the API and for the pages people open from their emails.

The connection is cut from the server's side with ``pg_terminate_backend``, as a PostgreSQL
restart cuts it; ``make faults`` does the same to a whole running stack.
"""

from urllib.parse import urlsplit

import pytest
from django.db import connection, connections
from django.test import Client
from rest_framework.test import APIClient

from accounts.tokens import create_token
from actions.models import ActionStatus, ProgressUpdate
from notifications.links import update_url
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
    _, secret = create_token(user=action.owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
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


def test_the_update_link_from_a_reminder_says_try_again_while_the_database_is_unreachable() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the server cuts the connection")
    action = ActionFactory.create(status=ActionStatus.IN_PROGRESS)
    url = update_url(action_id=action.pk, user_id=action.owner_id, notification_id=1)
    path = urlsplit(url).path
    client = Client()

    cut_our_connection()
    page = client.get(path)

    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    text = page.content.decode()
    assert "<h1>Sorry, the service is briefly unavailable</h1>" in text
    assert "Nothing has been changed or saved." in text
    connection.close_if_unusable_or_obsolete()
    # Once the database is back, the same link opens the form.
    again = client.get(path)
    assert again.status_code == 200
    assert f"Update action {action.reference}" in again.content.decode()
