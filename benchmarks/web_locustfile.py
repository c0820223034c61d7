"""Locust virtual users for ``make bench-web`` (started by benchmarks/web_load.py).

The driver writes a plan (JSON, path in WEB_LOAD_PLAN): one entry per virtual user, each a
person of their own with the one address they open, and the password every one of them
signs in with. WEB_LOAD_SCENARIO names what every user does in this run, WEB_LOAD_USERS how
many users there are, WEB_LOAD_SECONDS how long the timed part lasts, and WEB_LOAD_RESULT
where the exact latencies go when the run stops (locust's own percentiles are rounded to two
significant figures).

A page scenario's user signs in once, through the sign-in page as a browser does (the form's
CSRF token, then the session cookie); an API scenario's user sends its token. Sign-in is
slow on purpose (the password hash), so it is not timed: every user waits until all have
signed in, and only then does the clock start for everyone. The run stops itself when the
timed part is over; locust's ``--run-time`` is only a safety stop.
"""

import itertools
import json
import os
import re
import time
from http.cookiejar import Cookie, DefaultCookiePolicy
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import FastHttpUser, events, task
from locust.env import Environment

PLAN: dict[str, Any] = json.loads(Path(os.environ["WEB_LOAD_PLAN"]).read_text())
SCENARIO = os.environ["WEB_LOAD_SCENARIO"]
RESULT = os.environ["WEB_LOAD_RESULT"]
USERS = int(os.environ["WEB_LOAD_USERS"])
SECONDS = float(os.environ["WEB_LOAD_SECONDS"])

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The layout's sign-out form, on every page for someone signed in and on none for others.
SIGNED_IN = 'action="/sign-out/"'

_next_user = itertools.count()
_ready = Event()
_signed_in = itertools.count(1)
_latencies: list[float] = []
_statuses: dict[str, int] = {}
_errors: list[str] = []
_counts = {"failures": 0, "sign_in_failures": 0}
_clock: dict[str, float] = {}


def _timing() -> bool:
    """Between the moment every user is ready and the end of the timed part."""
    start = _clock.get("start")
    return start is not None and time.monotonic() <= start + SECONDS


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any, response: Any, **kwargs: Any) -> None:
    if name != SCENARIO or not _timing():
        return
    _latencies.append(response_time)
    code = str(getattr(response, "status_code", 0))
    _statuses[code] = _statuses.get(code, 0) + 1
    if exception is not None:
        _counts["failures"] += 1
        if len(_errors) < 20:
            _errors.append(f"{code}: {exception}"[:300])


@events.test_stop.add_listener
def _stopped(environment: Environment, **kwargs: Any) -> None:
    start = _clock.get("start")
    timed = 0.0 if start is None else min(time.monotonic() - start, SECONDS)
    summary = {
        "seconds": timed,
        "latencies_ms": _latencies,
        "statuses": _statuses,
        "failures": _counts["failures"],
        "sign_in_failures": _counts["sign_in_failures"],
        "sample_errors": _errors,
    }
    with open(RESULT, "w") as out:
        json.dump(summary, out)


def _one_more_ready(environment: Environment) -> None:
    """The last user to be ready starts the clock, and the stop at its end."""
    if next(_signed_in) < USERS:
        return
    _clock["start"] = time.monotonic()
    runner = environment.runner
    assert runner is not None, "users run under a runner"
    gevent.spawn_later(SECONDS, runner.quit)
    _ready.set()


class _KeepOnly(DefaultCookiePolicy):
    """The jar keeps the server's cookies but sends none: the user sends them itself.

    They are marked Secure (production settings), and the HTTP client's jar would not send
    them over the loopback's plain HTTP; with settings where they are not, it would send
    them beside the user's own header.
    """

    def return_ok(self, cookie: Cookie, request: Any) -> bool:
        return False


class WorkspaceUser(FastHttpUser):
    """One person: opens this run's address, and only it, as fast as the server answers."""

    # Closed loop: each user sends its next request when the last is answered.
    wait_time = staticmethod(lambda: 0)

    def on_start(self) -> None:
        users = PLAN["users"][SCENARIO]
        self.me = users[next(_next_user) % len(users)]
        self.headers: dict[str, str] = {}
        self.client.cookiejar.set_policy(_KeepOnly())
        if SCENARIO.endswith("-api"):
            self.headers["Authorization"] = f"Token {self.me['token']}"
        elif not self._sign_in():
            _counts["sign_in_failures"] += 1
        _one_more_ready(self.environment)
        _ready.wait()

    def _sign_in(self) -> bool:
        """Through the sign-in page, as a browser: its CSRF token, then the session cookie."""
        form = self.client.get("/sign-in/", name="sign-in page")
        found = CSRF_FIELD.search(form.text or "")
        if form.status_code != 200 or found is None:
            _errors.append(f"sign-in page: {form.status_code}")
            return False
        body = urlencode(
            {
                "csrfmiddlewaretoken": found.group(1),
                "username": self.me["email"],
                "password": PLAN["password"],
                "next": "",
            }
        )
        # Not followed: the redirect goes to the home page, which is itself a scenario.
        answer = self.client.post(
            "/sign-in/",
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": self._cookies(),
            },
            allow_redirects=False,
            name="sign-in",
        )
        self.headers["Cookie"] = self._cookies()
        signed_in = answer.status_code == 302 and "sessionid=" in self.headers["Cookie"]
        if not signed_in:
            _errors.append(f"sign-in as {self.me['role']}: {answer.status_code}")
        return signed_in

    def _cookies(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.client.cookiejar)

    @task
    def open(self) -> None:
        # Not followed either: a page that sends the person to sign in has failed.
        with self.client.get(
            self.me["url"],
            headers=self.headers,
            allow_redirects=False,
            name=SCENARIO,
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {(answer.text or '')[:200]}")
            elif SCENARIO.endswith("-page") and SIGNED_IN not in (answer.text or ""):
                # The home page answers 200 to anyone: only its signed-in form counts.
                answer.failure("200 but not signed in: the page has no sign-out button")
