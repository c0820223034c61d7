"""End to end: a real Celery worker and a real beat, started the way Procfile.dev and
docker-compose.yml start them, on the broker the tests are configured for (Redis when
REDIS_URL is set, otherwise the filesystem broker in a temporary VAR_DIR)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))
DATABASE_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"


def subprocess_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The tests' own environment (so REDIS_URL, when set, means the same Redis)."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env["VAR_DIR"] = str(var_dir)
    env.update(extra)
    return env


def wait_until(done: Callable[[], bool], process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while not done():
        if process.poll() is not None:
            pytest.fail(f"exited early with {process.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting after 30s:\n{log.read_text()}")
        time.sleep(0.1)


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., tuple[subprocess.Popen[bytes], Path]]]:
    """Starts `celery -A workers.celery <args>` with its output in a log file; always stops it."""
    started: list[subprocess.Popen[bytes]] = []

    def _start(*args: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], Path]:
        log = tmp_path / f"celery-{len(started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [CELERY, "-A", "workers.celery", *args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        return process, log

    yield _start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM is what honcho and docker send: a warm shutdown that must exit 0."""
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=20)


def test_a_real_worker_answers_ping_sent_through_the_broker(
    tmp_path: Path, start: Callable[..., tuple[subprocess.Popen[bytes], Path]]
) -> None:
    # A queue of its own, so that no other worker on the same Redis takes the message.
    queue = f"e2e-ping-{uuid.uuid4().hex[:12]}"
    env = subprocess_env(tmp_path / "var")
    worker, log = start(
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        f"--queues={queue}",
        f"--hostname={queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        env=env,
    )

    sent = subprocess.run(
        [CELERY, "-A", "workers.celery", "call", "workers.ping", f"--queue={queue}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    task_id = sent.stdout.strip().splitlines()[-1]
    done = f"Task workers.ping[{task_id}] succeeded"

    wait_until(lambda: done in log.read_text(), worker, log)

    broker = "redis://" if os.environ.get("REDIS_URL") else "filesystem://"
    assert f"transport:   {broker}" in log.read_text()
    [line] = [line for line in log.read_text().splitlines() if done in line]
    assert line.endswith("'pong'")
    assert stop(worker) == 0, log.read_text()


def beat_database_url(tmp_path: Path) -> str:
    """The tests' database, migrated by pytest-django, as a URL another process can open.

    SQLite test databases live in memory, so beat gets a file copy of it instead.
    """
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "beat.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        return f"sqlite:///{copy}"
    assert connection.vendor == "postgresql"
    user, password = quote(settings["USER"]), quote(settings["PASSWORD"] or "")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    host, port, name = settings["HOST"], settings["PORT"] or 5432, settings["NAME"]
    return f"postgres://{credentials}{host}:{port}/{name}"


@pytest.mark.django_db(transaction=True)
def test_beat_starts_with_the_database_scheduler_and_stops_cleanly(
    tmp_path: Path, start: Callable[..., tuple[subprocess.Popen[bytes], Path]]
) -> None:
    # Proves the schedule comes from the database. Last run now: it will not fire in this test.
    PeriodicTask.objects.create(
        name="e2e beat probe",
        task="workers.ping",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS),
        last_run_at=timezone.now(),
    )
    env = subprocess_env(tmp_path / "var", DATABASE_URL=beat_database_url(tmp_path))
    beat, log = start(
        "beat",
        "--loglevel=DEBUG",
        f"--scheduler={DATABASE_SCHEDULER}",
        f"--schedule={tmp_path / 'unused-beat-schedule'}",
        env=env,
    )

    wait_until(lambda: "beat: Ticking" in log.read_text(), beat, log)

    output = log.read_text()
    assert "scheduler -> django_celery_beat.schedulers.DatabaseScheduler" in output
    assert "<ModelEntry: e2e beat probe workers.ping" in output
    assert stop(beat) == 0, log.read_text()
    assert "Traceback" not in log.read_text()
