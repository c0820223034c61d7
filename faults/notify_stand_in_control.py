"""Telling a Notify stand-in in another process what to do, over HTTP under ``/_stand_in/``.

The server side (``control``) is called by the stand-in for those paths; ``StandInRemote`` is
the harness's side. None of this is part of Notify's API: a request to these paths needs no
token, which is why the stand-in listens on loopback only.

| request | does |
| --- | --- |
| ``POST /_stand_in/faults`` ``{"kind", "count", "status", "seconds", "create"}`` | queues faults |
| ``POST /_stand_in/slow`` ``{"seconds", "jitter"}`` | holds every send that long |
| ``POST /_stand_in/settle`` ``{"id", "status", "callback_url", "bearer_token"}`` | final status |
| ``GET /_stand_in/notifications`` | every email accepted, oldest first |
| ``GET /_stand_in/state`` | sends in flight, faults still queued, requests seen |
"""

import json
import time
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from faults.notify_stand_in import NotifyStandIn


def control(stand_in: "NotifyStandIn", method: str, path: str, raw: bytes) -> tuple[int, Any]:
    """The answer (status, JSON body) to one control request."""
    from faults.notify_stand_in import Fault

    data = json.loads(raw) if raw else {}
    name = path.removeprefix("/_stand_in/")
    state = stand_in.state
    if method == "POST" and name == "faults":
        fault = Fault(
            kind=data["kind"],
            status=int(data.get("status", 500)),
            seconds=float(data.get("seconds", 60)),
            create=bool(data.get("create", False)),
        )
        stand_in._queue(int(data.get("count", 1)), fault)
        return 200, {"queued": int(data.get("count", 1))}
    if method == "POST" and name == "slow":
        stand_in.slow_down(float(data.get("seconds", 0)), jitter=bool(data.get("jitter")))
        return 200, {}
    if method == "POST" and name == "settle":
        answered = stand_in.settle(
            data["id"],
            data["status"],
            callback_url=data.get("callback_url", ""),
            bearer_token=data.get("bearer_token", ""),
        )
        return 200, {"callback_status": answered}
    if method == "GET" and name == "notifications":
        return 200, stand_in.notifications()
    if method == "GET" and name == "state":
        with state.lock:
            return 200, {
                "in_flight": state.in_flight,
                "faults": len(state.faults),
                "requests": len(state.requests),
                "clock": time.time(),
            }
    return 404, {"error": f"no control {method} {path}"}


class StandInRemote:
    """The control side of a stand-in running as its own process (the fault run's)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def _post(self, name: str, body: dict[str, Any]) -> Any:
        answer = requests.post(f"{self.url}/_stand_in/{name}", json=body, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def _get(self, name: str) -> Any:
        answer = requests.get(f"{self.url}/_stand_in/{name}", timeout=10)
        answer.raise_for_status()
        return answer.json()

    def queue(
        self, kind: str, count: int, *, status: int = 500, seconds: float = 60, create: bool = False
    ) -> None:
        self._post(
            "faults",
            {"kind": kind, "count": count, "status": status, "seconds": seconds, "create": create},
        )

    def slow_down(self, seconds: float, *, jitter: bool = False) -> None:
        self._post("slow", {"seconds": seconds, "jitter": jitter})

    def notifications(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._get("notifications")
        return found

    def state(self) -> dict[str, int]:
        found: dict[str, int] = self._get("state")
        return found
