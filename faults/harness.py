"""The harness under every fault: the stack started, the batch queued, and the counting."""

import os
import re
import time
from collections.abc import Callable
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import requests

from faults.results import (
    CONCURRENCY,
    NOW,
    SWEEP_SECONDS,
    WINDOW_SECONDS,
    Profile,
    Reporters,
    Result,
    row_text,
)
from faults.stack import (
    PYTHON,
    Postgres,
    Process,
    Redis,
    SmtpServer,
    Stack,
    StackError,
    free_port,
    wait_for,
)


class Harness:
    def __init__(self, profile: Profile, folder: Path) -> None:
        self.profile = profile
        self.folder = folder
        self.stack = Stack(folder)
        self.results: list[Result] = []
        self.web_port = free_port()
        self.worker: Process | None = None
        self.beat: Process | None = None
        self.web: Process | None = None
        self._second_beat: Process | None = None

    # --- setting up ------------------------------------------------------------------------

    def start(self) -> None:
        database_url, redis_url = self._start_services()
        env = self._environment(database_url=database_url, redis_url=redis_url)
        self._start_smtp(env)
        self._prepare_database(env)
        # The harness reads and writes the same database through the ORM.
        os.environ.update(env)
        import django

        django.setup()
        from faults import world

        self.world = world.World(now=NOW, sweep_seconds=SWEEP_SECONDS, reporters=2)
        self._start_processes()

    def _start_services(self) -> tuple[str, str]:
        """PostgreSQL and Redis of the run's own, on free ports; the database's and Redis's URLs."""
        stack = self.stack
        stack.postgres = Postgres(self.folder / "pg")
        stack.postgres.init()
        stack.postgres.start()
        database_url = stack.postgres.create_database("faults")
        stack.redis = Redis(self.folder / "redis")
        stack.redis.start()
        return database_url, stack.redis.url

    def _environment(self, *, database_url: str, redis_url: str) -> dict[str, str]:
        """The settings every process of the stack runs with, its clock starting at ``NOW``."""
        anchor = time.time()
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "SECRET_KEY": "faults-harness-only-secret-key-not-for-production",
            "VAR_DIR": str(self.folder / "var"),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DB_CONN_MAX_AGE": "60",
            "EMAIL_TIMEOUT": "10",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": "false",
            "SITE_URL": f"http://127.0.0.1:{self.web_port}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "NOTIFICATIONS_SEND_TIME": "09:00",
            "NOTIFICATIONS_SCAN_EVERY_SECONDS": str(SWEEP_SECONDS),
            "NOTIFICATIONS_STUCK_AFTER_SECONDS": str(self.profile.stuck_after),
            "NOTIFICATIONS_DISPATCH_GRACE_SECONDS": str(SWEEP_SECONDS),
            # Retries every 1, 2, 4, 4, ... seconds, enough of them to ride out the outages.
            "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
            "NOTIFICATIONS_RETRY_MAX_WAIT_SECONDS": "4",
            "NOTIFICATIONS_MAX_ATTEMPTS": "100",
            "LOG_LEVEL": "INFO",
            "E2E_CLOCK_START": NOW.isoformat(),
            "E2E_CLOCK_ANCHOR": repr(anchor),
        }

    def _start_smtp(self, env: dict[str, str]) -> None:
        """The SMTP server, its port then added to ``env`` for the processes started later."""
        stack = self.stack
        stack.smtp = SmtpServer(self.folder, env)
        env["EMAIL_HOST"] = "127.0.0.1"
        env["EMAIL_PORT"] = str(stack.smtp.port)
        stack.env = env
        stack.smtp.env = env
        stack.smtp.start()

    def _prepare_database(self, env: dict[str, str]) -> None:
        for command in (["migrate", "--noinput"], ["setup_periodic_tasks"]):
            done = Process(
                "manage", [PYTHON, "manage.py", *command], env=env, log=self.folder / "manage.log"
            ).start()
            assert done.popen is not None
            if done.popen.wait(timeout=300) != 0:
                raise StackError(f"manage.py {command[0]} failed:\n{done.output()[-3000:]}")

    def _start_processes(self) -> None:
        """Gunicorn, a worker and beat, each waited for until it is ready."""
        stack = self.stack
        self.web = stack.web(port=self.web_port)
        self.worker = stack.worker(concurrency=CONCURRENCY)
        self.beat = stack.beat()
        self.wait_ready(self.worker, "ready.")
        self.wait_ready(self.beat, "beat: Starting")
        reporter = self.world.reporters[0]
        wait_for(
            lambda: self._get_ok(f"/api/actions/{reporter.action_id}/", reporter.token),
            what="gunicorn to answer",
            timeout=60,
        )

    def sign_in(self) -> bool:
        """A correct token sign-in (``POST /api/auth/token/``) answers a token."""
        from faults.world import PASSWORD

        try:
            answer = requests.post(
                f"http://127.0.0.1:{self.web_port}/api/auth/token/",
                json={"email": self.world.reporters[0].email, "password": PASSWORD},
                timeout=10,
            )
        except requests.RequestException:
            return False
        return answer.status_code == 200 and "token" in answer.json()

    def _get_ok(self, path: str, token: str) -> bool:
        try:
            answer = requests.get(
                f"http://127.0.0.1:{self.web_port}{path}",
                headers={"Authorization": f"Token {token}"},
                timeout=5,
            )
        except requests.RequestException:
            return False
        return answer.status_code == 200

    def dead(self) -> list[Process]:
        return [
            process
            for process in (self.web, self.worker, self.beat)
            if process is not None and not process.is_running()
        ]

    def check_alive(self) -> None:
        for process in self.dead():
            raise StackError(f"{process.name} exited:\n{process.output()[-3000:]}")

    def wait_ready(self, process: Process, marker: str) -> None:
        def ready() -> bool:
            if not process.is_running():
                raise StackError(f"{process.name} exited:\n{process.output()[-3000:]}")
            return marker in process.output()

        wait_for(ready, what=f"{process.name} to start", timeout=60)

    # --- counting ----------------------------------------------------------------------------

    def count(self, result: Result) -> None:
        """What arrived for the fault's batch, in the ledger and at the server."""
        from faults import world

        assert self.stack.smtp is not None
        wanted = set(result.emails)
        copies: dict[str, list[dict[str, Any]]] = {}
        for entry in self.stack.smtp.accepted():
            address = parseaddr(str(entry["to"]))[1].lower()
            if address in wanted:
                copies.setdefault(address, []).append(entry)
        rows = {row.email: row for row in world.ledger(result.emails)}
        result.delivered = len(copies)
        result.lost = result.expected - result.delivered
        result.duplicated = result.in_window = 0
        during_outage = 0
        for address, arrived in copies.items():
            extra = len(arrived) - 1
            if not extra:
                continue
            first = min(arrived, key=lambda entry: float(entry["at"]))
            row = rows.get(address)
            same_message = len({entry["message_id"] for entry in arrived}) == 1
            # The whole message had reached the server before the kill (a server may still
            # accept it after its sender died, as a real one that had queued it would).
            in_window = any(
                float(first["data_at"]) <= end and float(first["at"]) >= start - WINDOW_SECONDS
                for start, end in result.windows
            )
            if extra == 1 and same_message and in_window and row is not None and row.attempts > 1:
                result.in_window += 1
            else:
                result.duplicated += extra
                if any(start <= float(first["at"]) <= end for start, end in result.outages):
                    during_outage += extra
        result.notes = [note for note in result.notes if not note.startswith("FAIL sent again")]
        if during_outage:
            result.notes.append(
                f"FAIL sent again: {during_outage} email(s) the SMTP server accepted during the "
                "outage, which the worker could not record as sent (docs/faults.md)"
            )
        statuses: dict[str, int] = {}
        for row in rows.values():
            statuses[row.status] = statuses.get(row.status, 0) + 1
        result.notes = [note for note in result.notes if not note.startswith("ledger")]
        result.max_attempts = max((row.attempts for row in rows.values()), default=0)
        result.notes.append(
            "ledger: "
            + ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
            + f"; most attempts {max((row.attempts for row in rows.values()), default=0)}"
        )
        if len(rows) != result.expected:
            result.notes.append(f"FAIL ledger has {len(rows)} rows for {result.expected} owners")

    def settled(self, result: Result) -> bool:
        from faults import world

        assert self.stack.smtp is not None
        wanted = set(result.emails)
        arrived = {
            parseaddr(str(entry["to"]))[1].lower() for entry in self.stack.smtp.accepted()
        } & wanted
        rows = world.ledger(result.emails)
        return (
            arrived == wanted
            and len(rows) == len(wanted)
            and all(row.status in ("sent", "failed", "skipped") for row in rows)
        )

    def finish(self, result: Result, reporters: Reporters, started: float) -> None:
        """Waits for the batch to settle, lets more sweeps run, then counts."""
        deadline = time.monotonic() + self.profile.timeout
        while not self.settled(result) and time.monotonic() < deadline:
            if self.dead():
                break
            time.sleep(0.25)
        # Further sweeps of every kind (reconcile included): nothing more may arrive.
        time.sleep(self.profile.settle)
        reporters.__exit__()
        from faults import world

        accepted = reporters.accepted()
        stored = world.stored_updates(result.tag + " ")
        result.updates_sent = len(reporters.posts)
        result.updates_accepted = len(accepted)
        result.updates_stored = len(accepted & stored)
        result.updates_lost = len(accepted - stored)
        self.count(result)
        if result.log_from >= 0 and self.worker is not None:
            found = re.findall(
                r"Task notifications\.dispatch_queued\[[0-9a-f-]+\] succeeded in [0-9.]+s: (\d+)",
                self.worker.output()[result.log_from :],
            )
            result.notes.append(
                "deliveries the dispatch sweep enqueued after Redis came back: "
                f"{sum(map(int, found))} (a row still queued is enqueued again at every sweep)"
            )
        result.seconds = time.monotonic() - started
        for process in self.dead():
            result.notes.append(f"FAIL {process.name} exited (log: {process.log})")

    def fault(self, name: str, body: Callable[[Result, Reporters], None]) -> Result:
        print(f"--> {name}", flush=True)
        started = time.monotonic()
        tag = f"[fault {name}]"
        result = Result(fault=name, expected=self.profile.owners, tag=tag)
        reporters = Reporters(
            f"http://127.0.0.1:{self.web_port}", self.world.reporters, tag
        ).__enter__()
        try:
            body(result, reporters)
        finally:
            self.finish(result, reporters, started)
        self.results.append(result)
        print(f"    {row_text(result)}", flush=True)
        return result

    def wait_accepted(self, result: Result, at_least: int) -> None:
        assert self.stack.smtp is not None
        smtp = self.stack.smtp
        wanted = set(result.emails)

        def enough() -> bool:
            self.check_alive()
            found = {parseaddr(str(e["to"]))[1].lower() for e in smtp.accepted()} & wanted
            return len(found) >= at_least

        wait_for(enough, what=f"{at_least} emails of the batch", timeout=self.profile.timeout)

    def wait_held(self, result: Result) -> None:
        """Until a send of the batch has just been held at DATA by the slowed-down server."""
        assert self.stack.smtp is not None
        smtp = self.stack.smtp
        wanted = set(result.emails)

        def held() -> bool:
            self.check_alive()
            entries = smtp.received()
            finished = {e["message_id"] for e in entries if e["event"] != "held"}
            # Held a moment ago: the fault lands well before the server answers it.
            return any(
                e["event"] == "held"
                and time.time() - float(str(e["at"])) < 0.3
                and e["message_id"] not in finished
                and parseaddr(str(e["to"]))[1].lower() in wanted
                for e in entries
            )

        wait_for(held, what="a send held at DATA", timeout=self.profile.timeout)
