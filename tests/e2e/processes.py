"""Real Celery processes for end-to-end tests, and the test database handed to them.

Workers and beat run as ``python -m tests.e2e.pinned_clock <celery args>``: Celery's own
command line on the test's pinned clock. They use ``config.settings.local`` (the settings a
developer runs, which send through SMTP when ``EMAIL_HOST`` is set) rather than
``config.settings.test``, whose locmem backend would keep the emails inside the worker.
"""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
DATABASE_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"


class SharedDatabase:
    """The test database as another process opens it.

    PostgreSQL: the test database itself. SQLite: pytest-django's test database lives in
    memory, so the processes get a file copy of it (``hand_over``) and the test reads their
    work after they have stopped (``take_back``). The test writes nothing in between.
    """

    def __init__(self, folder: Path) -> None:
        self.file = folder / "e2e.sqlite3"

    @property
    def is_sqlite(self) -> bool:
        return connection.vendor == "sqlite"

    def hand_over(self) -> str:
        """The database URL for the processes, with everything the test has written so far."""
        if self.is_sqlite:
            connection.ensure_connection()
            self.file.unlink(missing_ok=True)
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)
            return f"sqlite:///{self.file}"
        assert connection.vendor == "postgresql"
        settings = connection.settings_dict
        user, password = quote(settings["USER"]), quote(settings["PASSWORD"] or "")
        credentials = f"{user}:{password}@" if password else f"{user}@"
        host, port, name = settings["HOST"], settings["PORT"] or 5432, settings["NAME"]
        return f"postgres://{credentials}{host}:{port}/{name}"

    def take_back(self) -> None:
        """Makes what the (stopped) processes wrote visible to the test's ORM."""
        if self.is_sqlite:
            connection.ensure_connection()
            with sqlite3.connect(self.file) as source:
                source.backup(connection.connection)


def reset_redis_queue() -> None:
    """Empties the default queue and the unacknowledged messages on REDIS_URL, if set.

    A worker killed with SIGKILL leaves its message in Redis's 'unacked' set (it comes back
    only after the visibility timeout, an hour); a test leaves sweeps queued. Neither may
    reach the next test's worker, whose database has other rows with the same ids.
    """
    url = os.environ.get("REDIS_URL")
    if not url:
        return
    import redis

    client = redis.Redis.from_url(url)
    keys = [*client.scan_iter(match="celery*"), "unacked", "unacked_index"]
    client.delete(*keys)
    client.close()


class CeleryProcess:
    def __init__(self, name: str, popen: subprocess.Popen[bytes], log: Path) -> None:
        self.name = name
        self.popen = popen
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def succeeded(self, task: str) -> int:
        """How many times the worker has logged that ``task`` succeeded."""
        pattern = rf"Task {re.escape(task)}\[[0-9a-f-]+\] succeeded in "
        return len(re.findall(pattern, self.output()))

    def failures(self) -> list[str]:
        return [
            line
            for line in self.output().splitlines()
            if "raised unexpected" in line or "Traceback" in line
        ]

    def is_running(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: the machine dies. No shutdown, no acknowledgements, no database writes."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=20)

    def stop(self) -> int:
        """SIGTERM, what honcho and docker send: a warm shutdown that finishes running tasks."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.popen.send_signal(signal.SIGUSR2)  # its threads' stacks, into the log
            time.sleep(1)
            pytest.fail(f"{self.name} did not stop within 30s of SIGTERM:\n{self.output()}")


class Celery:
    """Starts workers and beat with one environment; ``stop_all`` is always called."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env: dict[str, str] = {}
        self.started: list[CeleryProcess] = []

    def _start(self, name: str, args: Sequence[str]) -> CeleryProcess:
        log = self.folder / f"{len(self.started)}-{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", "tests.e2e.pinned_clock", "-A", "workers.celery", *args],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        process = CeleryProcess(name, popen, log)
        self.started.append(process)
        return process

    def worker(self, *, concurrency: int) -> CeleryProcess:
        """A thread-pool worker: SIGKILL stops every send at once, as a lost machine would
        (a prefork parent killed alone leaves its children sending)."""
        name = f"e2e-worker-{len(self.started)}"
        return self._start(
            name,
            [
                "worker",
                "--pool=threads",
                f"--concurrency={concurrency}",
                "--loglevel=INFO",
                f"--hostname={name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
        )

    def beat(self) -> CeleryProcess:
        return self._start(
            "beat",
            [
                "beat",
                "--loglevel=INFO",
                f"--scheduler={DATABASE_SCHEDULER}",
                f"--schedule={self.folder / 'unused-beat-schedule'}",
                "--max-interval=1",
            ],
        )

    def stop_all(self) -> None:
        for process in self.started:
            if process.is_running():
                process.popen.kill()
            process.popen.wait(timeout=20)


def wait_until(
    done: Callable[[], bool],
    *,
    what: str,
    watching: Sequence[CeleryProcess],
    timeout: float = 90,
) -> None:
    """Polls ``done`` until it is true; fails with the processes' logs if one of them exits
    or the deadline passes. The deadline is generous: the suite runs on several workers
    beside Chromium and the fault harness, and the wait ends as soon as ``done`` holds."""
    deadline = time.monotonic() + timeout
    while not done():
        for process in watching:
            if not process.is_running():
                pytest.fail(
                    f"{process.name} exited with {process.popen.returncode} while waiting for "
                    f"{what}:\n{process.output()}"
                )
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {p.name}\n{p.output()[-6000:]}" for p in watching)
            pytest.fail(f"gave up after {timeout:.0f}s waiting for {what}\n{logs}")
        time.sleep(0.05)
