"""A local stand-in for GOV.UK Notify's API, for the tests and the fault run.

It speaks the part of Notify's REST API that ``notifications-python-client`` calls, with
Notify's documented request and response shapes and error bodies:

- ``POST /v2/notifications/email``: 201 with the notification's id, reference, content and
  template; 400 ``ValidationError``/``BadRequestError`` for a bad request;
- ``GET /v2/notifications`` (``reference``, ``status``, ``template_type``, ``older_than``):
  ``{"notifications": [...], "links": {...}}``, newest first;
- ``GET /v2/notifications/<id>``: one notification, 404 ``NoResultFound`` if unknown.

Every request must carry ``Authorization: Bearer <JWT>`` signed with HS256 by the secret part
of the API key, its ``iss`` the service id and its ``iat`` within 30 seconds of now (401 or
403 ``AuthError`` otherwise), as Notify checks it.

It can be told, from Python or over HTTP (``/_stand_in/...``, for a stand-in in another
process), to answer the next requests with 500 or 429, to hang, to drop the connection, to be
slow, and to call a delivery-status callback as Notify does. Run on its own with
``python -m faults.notify_stand_in --port P --api-key KEY --template-id ID``.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import time_machine

from faults.notify_api import (
    EMAIL_STATUSES,
    Fault,
    Refused,
    State,
    Template,
    callback_payload,
    check_token,
    create_email,
    created_answer,
    error_body,
    fault_body,
    list_notifications,
    notify_time,
    one_notification,
    parse_api_key,
    validated_email,
)
from tests.e2e.pinned_clock import START, now_on_the_shared_clock


class NotifyStandIn:
    """The server on 127.0.0.1 (a free port unless given), in a thread of this process."""

    def __init__(
        self,
        *,
        api_key: str,
        template_ids: list[str],
        reply_to_ids: list[str] | None = None,
        port: int = 0,
    ) -> None:
        service_id, secret = parse_api_key(api_key)
        self.state = State(
            service_id=service_id,
            secret=secret,
            templates={tid: Template(tid) for tid in template_ids},
            reply_to_ids=set(reply_to_ids or []),
        )
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self.server.daemon_threads = True
        self.server.stand_in = self  # type: ignore[attr-defined]
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "NotifyStandIn":
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def __enter__(self) -> "NotifyStandIn":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- telling it what to do ---------------------------------------------------------------

    def fail_next(self, count: int = 1, *, status: int = 500, create: bool = False) -> None:
        self._queue(count, Fault("status", status=status, create=create))

    def hang_next(self, count: int = 1, *, seconds: float = 60.0, create: bool = True) -> None:
        self._queue(count, Fault("hang", seconds=seconds, create=create))

    def drop_next(self, count: int = 1, *, create: bool = False) -> None:
        self._queue(count, Fault("drop", create=create))

    def slow_down(self, seconds: float, *, jitter: bool = False) -> None:
        with self.state.lock:
            self.state.slow, self.state.jitter = seconds, jitter

    def _queue(self, count: int, fault: Fault) -> None:
        with self.state.lock:
            self.state.faults.extend([fault] * count)

    def reset(self) -> None:
        with self.state.lock:
            self.state.faults.clear()
            self.state.notifications.clear()
            self.state.requests.clear()
            self.state.slow, self.state.jitter = 0.0, False

    # --- what it saw -------------------------------------------------------------------------

    def notifications(self) -> list[dict[str, Any]]:
        """Every email accepted, oldest first, with the personalisation it was sent with."""
        with self.state.lock:
            return [dict(n) for n in self.state.notifications]

    def requests(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [dict(r) for r in self.state.requests]

    def settle(
        self,
        notification_id: str,
        status: str,
        *,
        callback_url: str = "",
        bearer_token: str = "",
    ) -> int | None:
        """The email reaches its final status; with a URL, Notify's callback is posted to it.
        Answers the callback's HTTP status (None when there was no callback)."""
        if status not in EMAIL_STATUSES:
            raise ValueError(f"{status!r} is not an email status")
        with self.state.lock:
            found = next(n for n in self.state.notifications if n["id"] == notification_id)
            now = notify_time(dt.datetime.now(dt.UTC))
            found["status"] = status
            if status not in ("created", "sending"):
                found["completed_at"] = now
            found["sent_at"] = found["sent_at"] or now
            payload = callback_payload(found)
        if not callback_url:
            return None
        return post_callback(callback_url, payload, bearer_token)


def post_callback(url: str, payload: dict[str, Any], bearer_token: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {bearer_token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


# --- HTTP -----------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    @property
    def stand_in(self) -> NotifyStandIn:
        return self.server.stand_in  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: what it received is in ``requests()``."""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        from faults.notify_stand_in_control import control

        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        if parts.path.startswith("/_stand_in/"):
            self._answer(*control(self.stand_in, method, parts.path, raw))
            return
        state = self.stand_in.state
        with state.lock:
            state.requests.append(
                {
                    "method": method,
                    "path": parts.path,
                    "query": parts.query,
                    "authorization": self.headers.get("Authorization", ""),
                    "body": raw.decode(errors="replace"),
                    "at": time.time(),
                }
            )
            fault = (
                state.faults.popleft()
                if state.faults and state.faults[0].method == method
                else None
            )
            state.in_flight += 1
        try:
            self._api(method, parts.path, parse_qs(parts.query), raw, fault)
        finally:
            with state.lock:
                state.in_flight -= 1

    def _api(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        raw: bytes,
        fault: Fault | None,
    ) -> None:
        state = self.stand_in.state
        base = self.stand_in.url
        try:
            check_token(state, self.headers.get("Authorization"))
            data = json.loads(raw) if raw else None
        except Refused as exc:
            self._answer(exc.status, exc.body)
            return
        except ValueError:
            self._answer(
                400, error_body(400, "BadRequestError", "Invalid JSON supplied in POST data")
            )
            return
        try:
            if method == "POST" and path == "/v2/notifications/email":
                self._send_email(state, data, base, fault)
            elif method == "GET" and path == "/v2/notifications":
                self._answer(200, list_notifications(state, query, base))
            elif method == "GET" and path.startswith("/v2/notifications/"):
                self._answer(200, one_notification(state, path.rsplit("/", 1)[1]))
            else:
                self._answer(
                    404,
                    error_body(404, "NotFound", "The requested URL was not found on the server."),
                )
        except Refused as exc:
            self._answer(exc.status, exc.body)

    def _send_email(self, state: State, data: Any, base: str, fault: Fault | None) -> None:
        with state.lock:
            delay = state.slow * (random.uniform(0.2, 1.8) if state.jitter else 1.0)
        # Slow sends are held on either side of accepting: a sender killed meanwhile leaves
        # some emails accepted and unanswered, and some not yet accepted.
        before = random.random() < 0.5
        if delay and before:
            time.sleep(delay)
        if fault is None:
            record = create_email(state, data, base)
            if delay and not before:
                time.sleep(delay)
            self._answer(201, created_answer(record, base))
            return
        if fault.create:
            create_email(state, data, base)
        else:
            # A request Notify would refuse anyway is refused first.
            validated_email(state, data)
        if fault.kind == "status":
            self._answer(fault.status, fault_body(fault.status))
        elif fault.kind == "hang":
            # Cut short when the stand-in stops, so that no test waits on a hung request.
            self.stand_in.stopping.wait(fault.seconds)
            self._drop()
        else:
            self._drop()

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            # The client went away (killed, or gave up): nothing to answer.
            self.close_connection = True


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m faults.notify_stand_in")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--template-id", action="append", required=True)
    parser.add_argument("--reply-to-id", action="append", default=[])
    args = parser.parse_args()
    if START in os.environ:
        # The fault run's processes share a pinned clock (tests/e2e/pinned_clock.py); the
        # tokens they sign carry its time, which Notify checks to within 30 seconds.
        time_machine.travel(now_on_the_shared_clock(), tick=True).start()
        # time-machine's clock starts ticking when it is first read, not when travel starts:
        # read it now, or it would stand still until the first request and then run late.
        time.time()
    stand_in = NotifyStandIn(
        api_key=args.api_key,
        template_ids=args.template_id,
        reply_to_ids=args.reply_to_id,
        port=args.port,
    ).start()
    print(f"Notify stand-in listening on {stand_in.url}", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    stand_in.stop()


if __name__ == "__main__":
    main()
