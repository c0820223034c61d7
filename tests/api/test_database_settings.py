"""The PostgreSQL connection settings an operator chooses from the environment.

JIT is off on every connection unless DB_JIT_OFF=false; behind PgBouncer (DB_PGBOUNCER=true)
no start-up option is sent and no server-side cursor is used; DB_POOL=true gives each process
a psycopg pool, which Django allows only without persistent connections. Each case is read by
a fresh process, as a server reads it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
READ = (
    "import json, django; django.setup(); from django.conf import settings; "
    "d = settings.DATABASES['default']; "
    "print(json.dumps({'options': d.get('OPTIONS', {}), 'age': d['CONN_MAX_AGE'], "
    "'cursors': d['DISABLE_SERVER_SIDE_CURSORS']}))"
)


def _settings(**env: str) -> dict[str, Any]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DB_") and key != "DATABASE_URL"
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/settings_check",
        **env,
    )
    finished = subprocess.run(
        [sys.executable, "-c", READ],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def test_postgresql_connections_turn_jit_off_and_keep_one_persistent_connection() -> None:
    assert _settings() == {"options": {"options": "-c jit=off"}, "age": 60, "cursors": False}


def test_jit_can_be_left_on() -> None:
    assert _settings(DB_JIT_OFF="false")["options"] == {}


def test_behind_pgbouncer_no_start_up_option_is_sent_and_no_cursor_outlives_a_transaction() -> None:
    chosen = _settings(DB_PGBOUNCER="true")
    assert chosen["options"] == {}
    assert chosen["cursors"] is True


def test_a_pool_replaces_the_persistent_connection() -> None:
    chosen = _settings(DB_POOL="true", DB_POOL_MAX_SIZE="8")
    assert chosen["options"]["pool"] == {"min_size": 1, "max_size": 8, "timeout": 10}
    assert chosen["age"] == 0


@pytest.mark.django_db
def test_the_database_the_tests_use_has_jit_off_when_it_is_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no JIT")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
