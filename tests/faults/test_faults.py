"""The short fault-injection run (``python -m faults --short``, docs/faults.md) in the suite.

The harness starts a stack of its own (PostgreSQL cluster, Redis, SMTP server, gunicorn, a
Celery worker and beat, all on free loopback ports) and never touches the machine's shared
services. It runs once for this module; each test reads one column of its table.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
CONCURRENCY = 4  # faults.results.CONCURRENCY: at most this many sends are cut by one kill
FAULTS = ["smtp", "redis", "worker", "beats", "postgres"]

pytestmark = pytest.mark.e2e


def _missing() -> str | None:
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")) and not shutil.which("initdb"):
        return "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
    if not shutil.which("redis-server"):
        return "redis-server is not installed"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "runuser is needed to run PostgreSQL as the postgres user"
    return None


def run_harness(
    tmp_path_factory: pytest.TempPathFactory, *, options: list[str], faults: list[str]
) -> dict[str, dict[str, Any]]:
    """Runs ``python -m faults --short`` with ``options`` once: its table, row by fault."""
    missing = _missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the fault-injection run needs what CI must have: {missing}")
        pytest.skip(missing)
    folder = tmp_path_factory.mktemp("faults")
    out = folder / "faults.json"
    run = subprocess.run(
        # The logs stay with pytest's temporary folders, which pytest prunes.
        [
            *(sys.executable, "-m", "faults", "--short", *options),
            *("--json", str(out), "--logs", str(folder)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(run.stdout)
    assert out.exists(), f"the harness wrote no results:\n{run.stdout}\n{run.stderr}"
    report = json.loads(out.read_text())
    assert report["completed"], f"the harness stopped early:\n{run.stdout}\n{run.stderr}"
    rows = {row["fault"]: row for row in report["results"]}
    assert list(rows) == faults, run.stdout
    return rows


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return run_harness(tmp_path_factory, options=[], faults=FAULTS)


def test_every_expected_email_arrives_under_every_fault(table: dict[str, dict[str, Any]]) -> None:
    assert {fault: (row["delivered"], row["lost"]) for fault, row in table.items()} == {
        fault: (row["expected"], 0) for fault, row in table.items()
    }


@pytest.mark.parametrize("fault", ["smtp", "redis", "worker", "beats"])
def test_no_email_arrives_twice(table: dict[str, dict[str, Any]], fault: str) -> None:
    assert table[fault]["duplicated"] == 0, table[fault]["notes"]


def test_no_email_arrives_twice_when_postgresql_restarts(
    table: dict[str, dict[str, Any]],
) -> None:
    assert table["postgres"]["duplicated"] == 0, table["postgres"]["notes"]


def test_updates_sent_while_postgresql_is_down_are_told_to_try_again_not_a_server_error(
    table: dict[str, dict[str, Any]],
) -> None:
    assert table["postgres"]["server_errors_during_outage"] == 0, table["postgres"]["notes"]


def test_only_a_killed_worker_repeats_and_only_emails_it_had_just_sent(
    table: dict[str, dict[str, Any]],
) -> None:
    """The documented window: the server accepted the email and the worker died before
    recording it, so it goes again with the same Message-ID."""
    assert table["worker"]["in_window"] <= CONCURRENCY
    assert {fault: row["in_window"] for fault, row in table.items() if fault != "worker"} == {
        fault: 0 for fault in FAULTS if fault != "worker"
    }


def test_the_faults_really_made_sends_fail(table: dict[str, dict[str, Any]]) -> None:
    # Retried while the SMTP server was down; re-sent after the kill and the restart.
    assert table["smtp"]["max_attempts"] > 1, table["smtp"]["notes"]
    assert table["worker"]["max_attempts"] > 1, table["worker"]["notes"]


def test_the_api_kept_accepting_progress_updates_while_redis_was_down(
    table: dict[str, dict[str, Any]],
) -> None:
    redis = table["redis"]
    assert redis["refused_during_outage"] == 0, redis["notes"]
    assert any("updates posted meanwhile accepted" in note for note in redis["notes"])


def test_every_acknowledged_progress_update_is_stored(table: dict[str, dict[str, Any]]) -> None:
    assert all(row["updates_accepted"] > 0 for row in table.values())
    assert {fault: row["updates_lost"] for fault, row in table.items()} == dict.fromkeys(FAULTS, 0)
    assert {fault: row["updates_stored"] for fault, row in table.items()} == {
        fault: row["updates_accepted"] for fault, row in table.items()
    }
