"""The fault-injection run: ``python -m faults [--short] [--json FILE] [--keep]``.

Starts the whole stack on loopback (its own PostgreSQL cluster, Redis, SMTP server, gunicorn,
a Celery worker and beat; never the machine's shared services), then injects one fault at a
time while a fresh batch of reminders is due and progress updates are posted through the API:

1. smtp      the SMTP server is down for a while, then back;
2. redis     Redis is killed (losing every queued message) and restarted;
3. worker    the worker is killed with SIGKILL in the middle of sending;
4. beats     a second beat runs beside the first;
5. postgres  PostgreSQL is shut down immediately and restarted.

It prints one row per fault (expected, delivered, duplicated, lost, progress updates) and
exits non-zero if an email was lost or sent twice beyond the at-least-once window that
docs/notifications.md documents, or an acknowledged progress update was lost.
"""

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from email.utils import parseaddr
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

import requests

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

# A Wednesday, after the 09:00 send time in London: every process runs on this clock, ticking.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/London"))
SWEEP_SECONDS = 2
CONCURRENCY = 4
# A copy is "within the documented window" only if the whole message had reached the server
# before the kill, and the server accepted it no earlier than this before the kill.
WINDOW_SECONDS = 10.0


@dataclass(frozen=True)
class Profile:
    name: str
    owners: int
    smtp_outage: float
    redis_outage: float
    postgres_outage: float
    # A row "sending" this long lost its worker (the slowest send here takes 2 seconds).
    stuck_after: int
    # After every email has arrived and every row is sent: more sweeps, in which nothing more
    # may arrive (a sent row cannot be claimed again, so a few sweeps are enough).
    settle: float
    timeout: float


SHORT = Profile(
    "short",
    owners=8,
    smtp_outage=6,
    redis_outage=5,
    postgres_outage=4,
    stuck_after=15,
    settle=2 * SWEEP_SECONDS + 1,
    timeout=90,
)
FULL = Profile(
    "full",
    owners=60,
    smtp_outage=30,
    redis_outage=20,
    postgres_outage=15,
    stuck_after=30,
    settle=4 * SWEEP_SECONDS,
    timeout=300,
)


@dataclass
class Result:
    fault: str
    expected: int
    delivered: int = 0
    duplicated: int = 0
    in_window: int = 0
    lost: int = 0
    updates_sent: int = 0
    updates_accepted: int = 0
    updates_stored: int = 0
    updates_lost: int = 0
    refused_during_outage: int = 0
    # Updates answered with a server error (not a 503 "try again") while a part was down.
    server_errors_during_outage: int = 0
    # The most attempts any row of the batch took: proof that the fault made sends fail.
    max_attempts: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list, repr=False)
    # When a worker was killed: the documented at-least-once window (docs/notifications.md).
    windows: list[tuple[float, float]] = field(default_factory=list, repr=False)
    # When a part was down: copies accepted then are duplicates, named in a note.
    outages: list[tuple[float, float]] = field(default_factory=list, repr=False)
    tag: str = ""
    # Where the worker's log stood when the broken part came back (-1: not looked at).
    log_from: int = -1

    @property
    def ok(self) -> bool:
        return not (
            self.lost
            or self.duplicated
            or self.updates_lost
            or self.refused_during_outage
            or self.server_errors_during_outage
            or any(note.startswith("FAIL") for note in self.notes)
        )


class Reporters:
    """Posts progress updates through the API, one thread per reporter, until stopped.

    Every post carries a commentary no other post has, so the ones the API acknowledged (2xx)
    can be looked for in the database afterwards.
    """

    def __init__(self, base_url: str, reporters: list[Any], tag: str) -> None:
        self.base_url = base_url
        self.reporters = reporters
        self.tag = tag
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        # (commentary, status or None, when it was sent)
        self.posts: list[tuple[str, int | None, float]] = []
        self.threads = [
            threading.Thread(target=self._post_loop, args=(number, reporter), daemon=True)
            for number, reporter in enumerate(reporters)
        ]

    def __enter__(self) -> "Reporters":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=15)

    def _post_loop(self, number: int, reporter: Any) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {reporter.token}"
        url = f"{self.base_url}/api/actions/{reporter.action_id}/updates/"
        count = 0
        while not self.stop_event.is_set():
            commentary = f"{self.tag} r{number} #{count}"
            count += 1
            sent_at = time.time()
            code: int | None
            try:
                code = session.post(url, json={"commentary": commentary}, timeout=10).status_code
            except requests.RequestException:
                code = None
            with self.lock:
                self.posts.append((commentary, code, sent_at))
            self.stop_event.wait(0.25)

    def accepted(self) -> set[str]:
        with self.lock:
            return {text for text, code, _ in self.posts if code is not None and 200 <= code < 300}

    def during(self, start: float, end: float) -> list[tuple[str, int | None, float]]:
        with self.lock:
            return [post for post in self.posts if start <= post[2] <= end]


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
        stack = self.stack
        stack.postgres = Postgres(self.folder / "pg")
        stack.postgres.init()
        stack.postgres.start()
        database_url = stack.postgres.create_database("faults")
        stack.redis = Redis(self.folder / "redis")
        stack.redis.start()
        anchor = time.time()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "SECRET_KEY": "faults-harness-only-secret-key-not-for-production",
            "VAR_DIR": str(self.folder / "var"),
            "DATABASE_URL": database_url,
            "REDIS_URL": stack.redis.url,
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
        stack.smtp = SmtpServer(self.folder, env)
        env["EMAIL_HOST"] = "127.0.0.1"
        env["EMAIL_PORT"] = str(stack.smtp.port)
        stack.env = env
        stack.smtp.env = env
        stack.smtp.start()
        for command in (["migrate", "--noinput"], ["setup_periodic_tasks"]):
            done = Process(
                "manage", [PYTHON, "manage.py", *command], env=env, log=self.folder / "manage.log"
            ).start()
            assert done.popen is not None
            if done.popen.wait(timeout=300) != 0:
                raise StackError(f"manage.py {command[0]} failed:\n{done.output()[-3000:]}")

        # The harness reads and writes the same database through the ORM.
        os.environ.update(env)
        import django

        django.setup()
        from faults import world

        self.world = world.World(now=NOW, sweep_seconds=SWEEP_SECONDS, reporters=2)

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

    # --- the faults ----------------------------------------------------------------------------

    def smtp_down(self, result: Result, reporters: Reporters) -> None:
        smtp = self.stack.smtp
        assert smtp is not None
        smtp.stop()
        began = time.time()
        result.emails = self.world.batch("smtp", self.profile.owners)
        time.sleep(self.profile.smtp_outage)
        smtp.start()
        result.notes.append(f"SMTP down {time.time() - began:.0f}s")

    def redis_down(self, result: Result, reporters: Reporters) -> None:
        redis, smtp = self.stack.redis, self.stack.smtp
        assert redis is not None and smtp is not None
        # Slow sends, so that deliveries are still waiting in Redis when it dies.
        smtp.slow(data=1.0)
        result.emails = self.world.batch("redis", self.profile.owners)
        self.wait_accepted(result, 1)
        redis.crash()
        began = time.time()
        # Signing in keeps working too: the throttles' counts live in this Redis.
        signed_in = tried = 0
        while time.time() - began < self.profile.redis_outage:
            tried += 1
            signed_in += self.sign_in()
            time.sleep(1)
        ended = time.time()
        assert self.worker is not None
        result.log_from = len(self.worker.output())
        redis.start()
        smtp.slow()
        during = reporters.during(began, ended)
        refused = [post for post in during if post[1] is None or not 200 <= post[1] < 300]
        result.refused_during_outage = len(refused)
        result.notes.append(
            f"Redis down {ended - began:.0f}s: {len(during) - len(refused)} of {len(during)} "
            "updates posted meanwhile accepted"
        )
        if not during:
            result.notes.append("FAIL no update was posted while Redis was down")
        result.notes.append(f"token sign-ins while Redis was down: {signed_in} of {tried}")
        if signed_in != tried:
            result.notes.append("FAIL a correct sign-in was refused while Redis was down")

    def worker_killed(self, result: Result, reporters: Reporters) -> None:
        smtp = self.stack.smtp
        assert smtp is not None and self.worker is not None
        # Every send held at DATA and at QUIT: a kill lands in the middle of several.
        smtp.slow(data=0.5, quit=0.5, jitter=True)
        result.emails = self.world.batch("worker", self.profile.owners)
        self.wait_accepted(result, max(1, self.profile.owners // 3))
        killed_at = time.time()
        self.worker.kill()
        result.windows.append((killed_at, killed_at))
        smtp.slow()
        time.sleep(1)
        self.worker = self.stack.worker(concurrency=CONCURRENCY)
        self.wait_ready(self.worker, "ready.")
        dropped = [
            entry
            for entry in smtp.received()
            if entry["event"] == "dropped" and float(str(entry["at"])) >= killed_at - 1
        ]
        result.notes.append(f"sends cut off at DATA by the kill: {len(dropped)}")

    def two_beats(self, result: Result, reporters: Reporters) -> None:
        second = self.stack.beat()
        self.wait_ready(second, "beat: Starting")
        result.emails = self.world.batch("beats", self.profile.owners)
        self.wait_accepted(result, self.profile.owners)
        # Both beats keep starting sweeps through the settling time.
        self._second_beat = second

    def postgres_down(self, result: Result, reporters: Reporters) -> None:
        postgres, smtp = self.stack.postgres, self.stack.smtp
        assert postgres is not None and smtp is not None
        # Sends take a second: when the database goes, some are half way through.
        smtp.slow(data=1.0)
        result.emails = self.world.batch("postgres", self.profile.owners)
        self.wait_accepted(result, 1)
        self.wait_held(result)
        began = time.time()
        postgres.crash()
        down = time.time()
        time.sleep(self.profile.postgres_outage)
        postgres.start()
        ended = time.time()
        smtp.slow()
        result.outages.append((began, ended))
        wanted = set(result.emails)
        meanwhile = [
            entry
            for entry in smtp.accepted()
            if parseaddr(str(entry["to"]))[1].lower() in wanted
            and down <= float(str(entry["at"])) <= ended
        ]
        result.notes.append(f"emails the SMTP server accepted while it was down: {len(meanwhile)}")
        during = reporters.during(began, ended)
        answers = Counter("no answer" if code is None else str(code) for _, code, _ in during)
        result.notes.append(
            f"PostgreSQL down {ended - began:.0f}s: "
            f"{sum(1 for post in during if post[1] and 200 <= post[1] < 300)} of {len(during)} "
            "updates posted meanwhile accepted; answers: "
            + ", ".join(f"{code} x{count}" for code, count in sorted(answers.items()))
        )
        # Refused is right while the database is down, but as "try again" (503 with
        # Retry-After), not as a server error.
        result.server_errors_during_outage = sum(
            count for code, count in answers.items() if code.startswith("5") and code != "503"
        )

    def run(self, only: list[str]) -> list[Result]:
        faults = {
            "smtp": self.smtp_down,
            "redis": self.redis_down,
            "worker": self.worker_killed,
            "beats": self.two_beats,
            "postgres": self.postgres_down,
        }
        for name, body in faults.items():
            if only and name not in only:
                continue
            self.fault(name, body)
            second = getattr(self, "_second_beat", None)
            if second is not None:
                second.kill()
                self._second_beat = None
        # Late copies of earlier batches count too.
        for result in self.results:
            self.count(result)
        return self.results


def row_text(result: Result) -> str:
    return (
        f"{result.fault}: expected {result.expected}, delivered {result.delivered}, "
        f"duplicated {result.duplicated} (+{result.in_window} in window), lost {result.lost}, "
        f"updates {result.updates_accepted} accepted / {result.updates_stored} stored"
    )


def table(results: list[Result]) -> str:
    header = (
        "fault",
        "expected",
        "delivered",
        "duplicated",
        "in window",
        "lost",
        "updates accepted",
        "updates stored",
        "seconds",
    )
    rows = [
        (
            r.fault,
            str(r.expected),
            str(r.delivered),
            str(r.duplicated),
            str(r.in_window),
            str(r.lost),
            str(r.updates_accepted),
            str(r.updates_stored),
            f"{r.seconds:.0f}",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in rows]
    notes = [f"- {r.fault}: {note}" for r in results for note in r.notes]
    return "\n".join([*out, "", *notes])


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m faults", description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="small batches, short outages (CI)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--keep", action="store_true", help="keep the logs folder afterwards")
    parser.add_argument(
        "--logs", type=Path, help="make the logs folder in this folder (default: the system's temp)"
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated faults to run (smtp,redis,worker,beats,postgres)",
    )
    args = parser.parse_args(argv)
    profile = SHORT if args.short else FULL
    folder = Path(tempfile.mkdtemp(prefix="faults-", dir=args.logs))
    harness = Harness(profile, folder)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    began = time.monotonic()
    failed = False
    try:
        print(f"Starting the stack ({profile.name} run; logs in {folder})", flush=True)
        harness.start()
        print(f"Stack up in {time.monotonic() - began:.0f}s", flush=True)
        only = [name.strip() for name in args.only.split(",") if name.strip()]
        results = harness.run(only)
    except StackError as exc:
        print(f"faults: {exc}", file=sys.stderr)
        failed = True
        results = harness.results
    except KeyboardInterrupt:
        print(
            "faults: interrupted; everything the harness started is being stopped", file=sys.stderr
        )
        failed = True
        results = harness.results
    finally:
        harness.stack.close()
    total = time.monotonic() - began
    print()
    print(table(results))
    print(f"\n{profile.name} run: {total:.0f}s in all")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "profile": profile.name,
                    "seconds": total,
                    "completed": not failed,
                    "results": [
                        {
                            k: v
                            for k, v in asdict(r).items()
                            if k not in ("emails", "windows", "outages")
                        }
                        | {"ok": r.ok}
                        for r in results
                    ],
                },
                indent=2,
            )
        )
    bad = [r.fault for r in results if not r.ok]
    if failed or bad or (not args.only and len(results) < 5):
        if bad:
            print(f"faults: lost or repeated work under: {', '.join(bad)}", file=sys.stderr)
        if failed or bad:
            print(f"logs kept in {folder}", file=sys.stderr)
        return 1
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0
