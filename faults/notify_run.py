"""The fault run's GOV.UK Notify variant: ``python -m faults --notify [--short]``.

The same stack as the SMTP run, with every email going through the Notify stand-in
(``faults.notify_stand_in``, a process of its own on a free loopback port) and four faults of
Notify's, one at a time, each while a fresh batch of reminders is due:

1. notify-worker  the worker is killed with SIGKILL while sends are held in Notify's hands;
2. notify-500     Notify answers 500 (half of them after accepting the email);
3. notify-429     Notify answers 429 (too many requests);
4. notify-hang    Notify holds requests past our timeout (half of them after accepting).

Counted from what the stand-in accepted: every email once, none twice, no window allowed.
"""

import time
import uuid
from typing import Any

from faults.notify_stand_in_control import StandInRemote
from faults.results import CONCURRENCY, Reporters, Result
from faults.scenarios import FaultRun
from faults.stack import PYTHON, free_port, port_open, wait_for

SERVICE_ID = "2b7e1c4d-6f3a-4e8b-9c0d-5a1f2e3d4c5b"
API_KEY = f"faults-{SERVICE_ID}-{uuid.UUID('7d3c2b1a-0f9e-4d8c-b7a6-95847362a1b0')}"
TEMPLATE_ID = "5e4d3c2b-1a09-4f8e-a7d6-c5b4a3928170"
# Well under the harness's stuck-row time, so a hung request is given up before the row
# could count as stuck.
NOTIFY_TIMEOUT = 3
HANG_SECONDS = 8


class NotifyFaultRun(FaultRun):
    notify: StandInRemote
    found = 0

    def _start_smtp(self, env: dict[str, str]) -> None:
        """The SMTP server as in every run (nothing reaches it), then the Notify stand-in."""
        super()._start_smtp(env)
        port = free_port()
        env.update(
            NOTIFY_API_KEY=API_KEY,
            NOTIFY_TEMPLATE_ID=TEMPLATE_ID,
            NOTIFY_BASE_URL=f"http://127.0.0.1:{port}",
            NOTIFY_TIMEOUT=str(NOTIFY_TIMEOUT),
        )
        self.stack.process(
            "notify",
            [
                PYTHON,
                "-m",
                "faults.notify_stand_in",
                "--port",
                str(port),
                "--api-key",
                API_KEY,
                "--template-id",
                TEMPLATE_ID,
            ],
        )
        wait_for(lambda: port_open(port), what="the Notify stand-in to listen", timeout=20)
        self.notify = StandInRemote(f"http://127.0.0.1:{port}")

    # --- the faults ----------------------------------------------------------------------------

    def notify_worker_killed(self, result: Result, reporters: Reporters) -> None:
        assert self.worker is not None
        # Every send held in Notify's hands, some before and some after it accepts them.
        self.notify.slow_down(0.6, jitter=True)
        result.emails = self.world.batch("notify-worker", self.profile.owners)
        self.wait_accepted(result, max(1, self.profile.owners // 3))
        wait_for(
            lambda: self.notify.state()["in_flight"] > 0,
            what="a send in Notify's hands",
            timeout=self.profile.timeout,
        )
        in_flight = self.notify.state()["in_flight"]
        self.worker.kill()
        self.notify.slow_down(0)
        result.notes.append(f"sends in Notify's hands when the worker was killed: {in_flight}")
        time.sleep(1)
        self.worker = self.stack.worker(concurrency=CONCURRENCY)
        self.wait_ready(self.worker, "ready.")

    def notify_500(self, result: Result, reporters: Reporters) -> None:
        for number in range(self.profile.owners):
            self.notify.queue("status", 1, status=500, create=number % 2 == 1)
        result.emails = self.world.batch("notify-500", self.profile.owners)

    def notify_429(self, result: Result, reporters: Reporters) -> None:
        self.notify.queue("status", self.profile.owners, status=429)
        result.emails = self.world.batch("notify-429", self.profile.owners)

    def notify_hang(self, result: Result, reporters: Reporters) -> None:
        for number in range(self.profile.owners // 2):
            self.notify.queue("hang", 1, seconds=HANG_SECONDS, create=number % 2 == 0)
        result.emails = self.world.batch("notify-hang", self.profile.owners)

    def run(self, only: list[str]) -> list[Result]:
        faults = {
            "notify-worker": self.notify_worker_killed,
            "notify-500": self.notify_500,
            "notify-429": self.notify_429,
            "notify-hang": self.notify_hang,
        }
        for name, body in faults.items():
            if not only or name in only:
                self.fault(name, body)
        for result in self.results:
            self.count(result)
        return self.results

    # --- counting: what Notify accepted ------------------------------------------------------

    def _arrived(self, result: Result) -> dict[str, list[dict[str, Any]]]:
        wanted = set(result.emails)
        copies: dict[str, list[dict[str, Any]]] = {}
        for email in self.notify.notifications():
            address = str(email["email_address"]).lower()
            if address in wanted:
                copies.setdefault(address, []).append(email)
        return copies

    def wait_accepted(self, result: Result, at_least: int) -> None:
        def enough() -> bool:
            self.check_alive()
            return len(self._arrived(result)) >= at_least

        wait_for(enough, what=f"{at_least} emails of the batch", timeout=self.profile.timeout)

    def settled(self, result: Result) -> bool:
        from faults.notify_world import ledger

        rows = ledger(result.emails)
        return (
            set(self._arrived(result)) == set(result.emails)
            and len(rows) == len(result.emails)
            and all(row.status in ("sent", "failed", "skipped") for row in rows)
        )

    def count(self, result: Result) -> None:
        from faults.notify_world import ledger

        copies = self._arrived(result)
        rows = ledger(result.emails)
        result.delivered = len(copies)
        result.lost = result.expected - result.delivered
        result.duplicated = sum(len(arrived) - 1 for arrived in copies.values())
        result.in_window = 0
        result.max_attempts = max((row.attempts for row in rows), default=0)
        statuses: dict[str, int] = {}
        for row in rows:
            statuses[row.status] = statuses.get(row.status, 0) + 1
        ids = {email["id"] for arrived in copies.values() for email in arrived}
        unmatched = [row for row in rows if row.status == "sent" and row.provider_id not in ids]
        result.notes = [n for n in result.notes if not n.startswith(("ledger", "FAIL ledger"))]
        result.notes.append(
            "ledger: "
            + ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
            + f"; most attempts {result.max_attempts}"
        )
        if unmatched:
            result.notes.append(
                f"FAIL ledger: {len(unmatched)} sent row(s) without the id of an email Notify has"
            )
        if len(rows) != result.expected:
            result.notes.append(f"FAIL ledger has {len(rows)} rows for {result.expected} owners")

    def finish(self, result: Result, reporters: Reporters, started: float) -> None:
        super().finish(result, reporters, started)
        # The workers' logs (a killed worker's too): each line is an email found by its
        # reference after an answer the worker never saw, and not sent again.
        found = sum(
            process.output().count("Notify already has it")
            for process in self.stack.processes
            if process.name.startswith("worker")
        )
        result.notes.append(f"found by reference instead of sent again: {found - self.found}")
        self.found = found
