"""Keys issued before tokens had names and expiries: copied as digests by the migration, so
they keep working (as "API token", for the usual lifetime), and gone from the old table."""

import datetime as dt
import importlib
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import ApiToken
from actions.dates import LONDON
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)
OLD_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
migration = importlib.import_module("accounts.migrations.0003_copy_old_api_tokens")


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def run_migration() -> None:
    migration.copy_old_tokens(apps, SimpleNamespace(connection=connection))


def test_an_old_key_keeps_working_as_a_named_expiring_token_and_leaves_the_old_table() -> None:
    person = UserFactory.create()
    with connection.cursor() as cursor:
        # The old table as REST framework's authtoken app made it.
        cursor.execute(
            'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, '
            "created timestamp with time zone NOT NULL, user_id bigint NOT NULL UNIQUE)"
            if connection.vendor == "postgresql"
            else 'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, '
            "created datetime NOT NULL, user_id bigint NOT NULL UNIQUE)"
        )
        cursor.execute(
            'INSERT INTO authtoken_token ("key", created, user_id) VALUES (%s, %s, %s)',
            [OLD_KEY, NOW, person.pk],
        )

    run_migration()
    run_migration()  # a second run copies nothing twice

    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (person, "API token", OLD_KEY[:8])
    assert token.expires == NOW + dt.timedelta(days=90)
    assert OLD_KEY not in token.key_digest
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {OLD_KEY}")
    assert client.get("/api/me/").json()["id"] == person.pk


def test_without_the_old_table_there_is_nothing_to_copy() -> None:
    assert "authtoken_token" not in connection.introspection.table_names()
    run_migration()
    assert not ApiToken.objects.exists()
