"""Locust virtual users for ``make bench-api`` (started by benchmarks/api_load.py).

The driver writes a plan (JSON, path in API_LOAD_PLAN): one entry per virtual user, with a
real token of a person of some role, the list query strings, the actions to read, and the
actions to report progress on (each action given to one virtual user only, with its current
version). API_LOAD_SCENARIO names what every user does for this run; API_LOAD_RESULT is
where the exact latencies are summed up when the run stops, as locust's own percentiles are
rounded to two significant figures.

A progress update sends ``If-Match`` with the version the user last saw, and keeps the ETag
of the answer: as no two users share an action, a 412 is a real lost update, counted as an
error (and the action read again, so that the user carries on).
"""

import itertools
import json
import os
import time
from pathlib import Path
from typing import Any

from locust import FastHttpUser, events, task
from locust.env import Environment

PLAN: dict[str, Any] = json.loads(Path(os.environ["API_LOAD_PLAN"]).read_text())
SCENARIO = os.environ["API_LOAD_SCENARIO"]
RESULT = os.environ["API_LOAD_RESULT"]

_next_user = itertools.count()
_latencies: list[float] = []
_statuses: dict[str, int] = {}
_errors: list[str] = []
_clock: dict[str, float] = {}


@events.test_start.add_listener
def _started(environment: Environment, **kwargs: Any) -> None:
    _clock["start"] = time.monotonic()


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any, response: Any, **kwargs: Any) -> None:
    if name != SCENARIO:
        return
    _latencies.append(response_time)
    code = str(getattr(response, "status_code", 0))
    _statuses[code] = _statuses.get(code, 0) + 1
    if exception is not None and len(_errors) < 20:
        _errors.append(f"{code}: {exception}"[:300])


@events.test_stop.add_listener
def _stopped(environment: Environment, **kwargs: Any) -> None:
    summary = {
        "seconds": time.monotonic() - _clock.get("start", time.monotonic()),
        "latencies_ms": _latencies,
        "statuses": _statuses,
        "failures": environment.stats.total.num_failures,
        "sample_errors": _errors,
    }
    with open(RESULT, "w") as out:
        json.dump(summary, out)


def _version(response: Any) -> int:
    """The action's version from the answer's ETag ("7")."""
    return int(str(response.headers["ETag"]).strip('"'))


class PlanReader(FastHttpUser):
    """One person of the plan: does this run's scenario, and only it, as fast as it can."""

    # Closed loop: each user sends its next request when the last is answered.
    wait_time = staticmethod(lambda: 0)

    def on_start(self) -> None:
        users = PLAN["users"][SCENARIO]
        self.me = users[next(_next_user) % len(users)]
        self.headers = {"Authorization": f"Token {self.me['token']}"}
        self.turn = 0

    def _turn(self, items: list[Any]) -> Any:
        item = items[self.turn % len(items)]
        self.turn += 1
        return item

    def _get(self, url: str) -> None:
        with self.client.get(url, headers=self.headers, name=SCENARIO, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.text[:200]}")

    @task
    def act(self) -> None:
        if SCENARIO.startswith("list"):
            self._get(self._turn(self.me["lists"]))
        elif SCENARIO.startswith("read"):
            self._get(self._turn(self.me["reads"]))
        else:
            self._report_progress(self._turn(self.me["updates"]))

    def _report_progress(self, item: dict[str, Any]) -> None:
        # Amber and green in turn, with commentary (which amber needs).
        item["rag"] = "green" if item.get("rag") == "amber" else "amber"
        body = {
            "status": "in_progress",
            "rag": item["rag"],
            "commentary": f"Load test: {item['rag']} after review.",
        }
        headers = {**self.headers, "If-Match": f'"{item["version"]}"'}
        with self.client.post(
            f"/api/actions/{item['id']}/updates/",
            json=body,
            headers=headers,
            name=SCENARIO,
            catch_response=True,
        ) as r:
            if r.status_code == 201:
                item["version"] = _version(r)
                return
            r.failure(f"{r.status_code} {r.text[:200]}")
        if r.status_code == 412:
            fresh = self.client.get(
                f"/api/actions/{item['id']}/", headers=self.headers, name="re-read after 412"
            )
            item["version"] = _version(fresh)
