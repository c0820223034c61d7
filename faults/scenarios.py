"""The faults themselves, one method each, injected one at a time by ``FaultRun.run``."""

import time
from collections import Counter
from email.utils import parseaddr

from faults.harness import Harness
from faults.results import CONCURRENCY, Reporters, Result


class FaultRun(Harness):
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
        # And a send in flight right now: on a loaded machine the batch can finish between
        # two polls, and a kill then would cut nothing.
        self.wait_held(result)
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
