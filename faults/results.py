"""What a fault run counts and prints: the profiles, one result per fault, the table."""

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import requests

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
