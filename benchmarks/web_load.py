"""Benchmark: the workspace's heaviest pages under HTTP load, each beside the API's answer
about the same rows, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_web make bench-web

Starts gunicorn on loopback with config.settings.bench (the production settings, DEBUG off,
plain HTTP) on a PostgreSQL database holding the national data set (150 plans x 400
actions, 10,000 people, seed 1; generated first if missing), then drives it with locust,
headless. Each page is opened by the person who uses it, signed in through ``/sign-in/``
once per virtual user, and set beside the API request for the same rows by the same person
with a token (benchmarks/web_scenarios.py says which). Page and API runs alternate in short
rounds, so that both meet the same machine. It prints requests per second, p50/p95/p99
latency, errors and queries per request for each, the page's throughput as a share of its
API list's, and whether the aims are met: no page below half its API list's throughput, and
every page's p95 under 300 ms at 10 users.

Queries per request are counted once before the load, with Django's test client and
CaptureQueriesContext against the same database (a page in a signed-in session, an API
request with the token alone).

The database should be one of its own: the run adds staff users, tokens and sessions, and
gives the people it signs in as a password.
"""

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks import api_load
from benchmarks.api_load import Figures

REPO = Path(__file__).resolve().parent.parent
# The sign-in page allows 5 attempts a minute per email address and 20 per network address.
# Every virtual user signs in once per round, all from 127.0.0.1: ten users on four pages
# are 40 sign-ins per round, over the per-address limit within the first minute. Those
# limits stop password guessing, which this run does not measure; the server it starts gets
# limits it cannot reach.
SIGN_IN_LIMITS = {"THROTTLE_LOGIN_ACCOUNT": "10000/min", "THROTTLE_LOGIN_ADDRESS": "10000/min"}
# Room for locust to start and every user to sign in before the timed part; only a safety
# stop, as each run ends itself when its timed part is over.
START_ALLOWANCE_SECONDS = 120
AIM_SHARE = 0.5
AIM_P95_MS = 300.0
AIM_USERS = 10


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=int, default=30, help="per scenario, all rounds (default 30)"
    )
    parser.add_argument(
        "--users", type=int, default=10, help="concurrent virtual users (default 10)"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (default 1)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="split each scenario's time into this many rounds, page and API in turn (default 5)",
    )
    args = parser.parse_args(argv)
    for name in ("seconds", "users", "workers", "threads", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1.")
    return args


def _check_database() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(
            "bench-web needs PostgreSQL: set DATABASE_URL, e.g. "
            "postgres://postgres@127.0.0.1:5432/bench_web"
        )


# --- The load --------------------------------------------------------------------------------


def drive(host: str, plan_path: Path, scenario: str, users: int, seconds: int) -> dict[str, Any]:
    """One locust run: every virtual user does ``scenario`` for ``seconds`` once all are ready."""
    with tempfile.TemporaryDirectory() as folder:
        result = Path(folder) / "result.json"
        env = {
            **os.environ,
            "WEB_LOAD_PLAN": str(plan_path),
            "WEB_LOAD_SCENARIO": scenario,
            "WEB_LOAD_RESULT": str(result),
            "WEB_LOAD_USERS": str(users),
            "WEB_LOAD_SECONDS": str(seconds),
        }
        command = [
            sys.executable,
            "-m",
            "locust",
            "--locustfile=benchmarks/web_locustfile.py",
            "--headless",
            f"--host={host}",
            f"--users={users}",
            f"--spawn-rate={users}",
            f"--run-time={seconds + START_ALLOWANCE_SECONDS}s",
            "--only-summary",
            "--loglevel=ERROR",
            "--exit-code-on-error=0",
        ]
        finished = subprocess.run(
            command, cwd=REPO, env=env, capture_output=True, text=True, check=False
        )
        if finished.returncode != 0 or not result.exists():
            sys.exit(f"locust failed ({finished.returncode}):\n{finished.stderr[-3000:]}")
        data: dict[str, Any] = json.loads(result.read_text())
    return data


def _warm_up(host: str, plan: dict[str, Any], workers: int) -> None:
    """Every worker loads its code and templates and opens its database connection first."""
    from django.conf import settings

    from benchmarks.web_scenarios import session_cookie

    for scenario, entries in plan["users"].items():
        for index in range(2 * workers):
            entry = entries[index % len(entries)]
            if scenario.endswith("-page"):
                cookie = session_cookie(entry["email"])
                headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
            else:
                headers = {"Authorization": f"Token {entry['token']}"}
            request = urllib.request.Request(host + entry["url"], headers=headers)
            with urllib.request.urlopen(request, timeout=120) as answer:
                answer.read()
                if urlsplit(answer.geturl()).path != urlsplit(entry["url"]).path:
                    sys.exit(f"{scenario}: {entry['url']} sent the warm-up elsewhere.")


def _rounds(args: argparse.Namespace, plan: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    from benchmarks.web_scenarios import SCENARIOS, round_order

    port = api_load._free_port()
    host = f"http://127.0.0.1:{port}"
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in SCENARIOS}
    # Short rounds in turn rather than one long run each: a machine shared with others
    # changes speed over minutes, and a page and its API list should meet the same conditions.
    slice_seconds = max(1, args.seconds // args.rounds)
    with tempfile.TemporaryDirectory() as folder:
        plan_path = Path(folder) / "plan.json"
        plan_path.write_text(json.dumps(plan))
        server = api_load._start_server(port, args.workers, args.threads)
        try:
            _warm_up(host, plan, args.workers)
            for number in range(1, args.rounds + 1):
                for name in round_order(number):
                    _say(
                        f"round {number}/{args.rounds}, {name}: {args.users} users for "
                        f"{slice_seconds} s..."
                    )
                    runs[name].append(drive(host, plan_path, name, args.users, slice_seconds))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return runs


# --- The output ------------------------------------------------------------------------------


def _span(values: list[int]) -> str:
    if not values:
        return "-"
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"


def _share(page: Figures | None, api: Figures | None) -> float | None:
    if page is None or api is None or not api.per_second:
        return None
    return page.per_second / api.per_second


def table(results: dict[str, Figures], queries: dict[str, list[int]]) -> str:
    """A row per page, its API list's row under it; the page's share of the API's throughput."""
    from benchmarks.web_scenarios import PAIRS

    lines = [
        f"{'scenario':32} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'requests':>9} {'queries':>8} {'page/API':>9}"
    ]
    for pair in PAIRS:
        page, api = results.get(pair.page_scenario), results.get(pair.api_scenario)
        share = _share(page, api)
        for label, figures, scenario, last in (
            (pair.page, page, pair.page_scenario, "-" if share is None else f"{share:.2f}"),
            ("  " + pair.api, api, pair.api_scenario, ""),
        ):
            if figures is None:
                continue
            lines.append(
                f"{label:32} {figures.per_second:7.1f} {figures.p50:8.1f} {figures.p95:8.1f} "
                f"{figures.p99:8.1f} {figures.errors:7d} {figures.requests:9d} "
                f"{_span(queries.get(scenario, [])):>8} {last:>9}"
            )
    return "\n".join(lines)


def aims(results: dict[str, Figures], users: int) -> list[str]:
    """The two aims, each met or missed, naming the pages that miss it."""
    from benchmarks.web_scenarios import PAIRS

    slow_share, slow_p95 = [], []
    for pair in PAIRS:
        page = results.get(pair.page_scenario)
        share = _share(page, results.get(pair.api_scenario))
        if share is not None and share < AIM_SHARE:
            slow_share.append(f"{pair.key} {share:.2f}")
        if page is not None and not page.p95 < AIM_P95_MS:
            slow_p95.append(f"{pair.key} {page.p95:.0f} ms")
    at = f"at {AIM_USERS} users" + ("" if users == AIM_USERS else f" (this run: {users} users)")
    return [
        f"aim: no page below {AIM_SHARE:.2f} of its API list's throughput: "
        + ("met" if not slow_share else "missed by " + ", ".join(slow_share)),
        f"aim: every page's p95 under {AIM_P95_MS:.0f} ms {at}: "
        + ("met" if not slow_p95 else "missed by " + ", ".join(slow_p95)),
    ]


def _report(
    args: argparse.Namespace,
    runs: dict[str, list[dict[str, Any]]],
    queries: dict[str, list[int]],
    described: list[str],
    load: tuple[tuple[float, ...], tuple[float, ...]],
) -> int:
    results = {name: api_load._figures(done) for name, done in runs.items() if done}
    sign_in_failures = sum(int(run["sign_in_failures"]) for done in runs.values() for run in done)
    before, after = (" ".join(f"{n:.2f}" for n in figures) for figures in load)
    print(
        f"gunicorn {args.workers} workers x {args.threads} threads "
        f"({'gthread' if args.threads > 1 else 'sync'}); locust {args.users} users, "
        f"{args.seconds} s per scenario in {args.rounds} rounds, page and API in turn, "
        f"loopback; {os.cpu_count()} CPUs; load average {before} before, {after} after"
    )
    for line in described:
        print(f"  {line}")
    print(table(results, queries))
    for line in aims(results, args.users):
        print(line)
    for name, figures in results.items():
        if figures.errors:
            print(f"{name}: statuses {figures.statuses}; e.g. {figures.sample_errors[:3]}")
    if sign_in_failures:
        print(f"{sign_in_failures} virtual users could not sign in.")
    errors = sum(f.errors for f in results.values()) + sign_in_failures
    return 1 if errors else 0


def main() -> int:
    args = _arguments()
    # Before the settings are read: the server started later inherits them.
    os.environ.update(SIGN_IN_LIMITS)
    api_load._settings()
    _check_database()
    api_load._ensure_dataset()

    from benchmarks.web_scenarios import load_plan, objects_described, queries_per_request

    plan = load_plan(args.users, secrets.token_urlsafe(18))
    described = objects_described(plan)
    _say("Counting the queries each request runs...")
    queries = queries_per_request(plan)
    before = os.getloadavg()
    runs = _rounds(args, plan)
    return _report(args, runs, queries, described, (before, os.getloadavg()))


if __name__ == "__main__":
    sys.exit(main())
