"""Benchmark: the action API under HTTP load, against a bare Django floor, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench make bench-api

Starts gunicorn on loopback with config.settings.bench (the production settings, DEBUG
off, plain HTTP) on a PostgreSQL database holding the national data set (150 plans x 400
actions, 10,000 people, seed 1; generated first if missing), then drives it with locust,
headless, for a fixed time per scenario:

- list: ``GET /api/actions/?<filters>`` (50 per page), filters chosen per role;
- read: ``GET /api/actions/<id>/`` of actions the person can read;
- progress update: ``POST /api/actions/<id>/updates/`` with ``If-Match``; every virtual
  user has actions of its own, so a 412 is a real lost update and counts as an error;

as a mix of roles, each with a real token: plan administrators, SEND Executive members,
recommendation leads, action owners and supporting owners (board members only read:
they may not report progress). The list and the read run a second time against the floor
(benchmarks/floor.py): the same JSON straight from ``.values()``, with the same token
look-up, visibility rule, filters, order and count, on the same server.

Every other list a person opens runs too, as the roles that use it, each beside a floor of
its own (benchmarks/api_lists.py says who sends what; the sweeps' escalations and ledger and
the boards' digests are made first if missing, benchmarks/lists_world.py). ``--only``
chooses: "actions" (the five scenarios above), "lists", or lists by name. It prints
requests per second, p50/p95/p99 latency and errors per scenario, and each API's throughput
as a fraction of its floor's (aim: at least 0.5 for every list), and ``/api/me/actions/``'s
median latency against ``/api/actions/``'s for the same rows (aim: at most 1.2).

``--profile`` instead profiles the list requests in-process with pyinstrument.

The database should be one of its own: the run adds a staff user, tokens and progress
updates on a few hundred in-progress actions.
"""

import argparse
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django

from benchmarks import api_lists

REPO = Path(__file__).resolve().parent.parent
SEED = 1
TODAY = "2026-11-25"
NATIONAL = {"plans": 150, "actions_per_plan": 400, "people": 10000}
ROLES = ["administrator", "executive member", "recommendation lead", "owner", "supporter"]
# Board members read only: they may not report progress.
WRITERS = [role for role in ROLES if role != "executive member"]
READS_PER_USER = 20
UPDATES_PER_USER = 10

SCENARIOS = [
    ("list-api", "list actions (API)"),
    ("list-floor", "list actions (floor)"),
    ("read-api", "read one action (API)"),
    ("read-floor", "read one action (floor)"),
    ("post-api", "progress update (API)"),
]


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=int, default=12, help="per scenario, all rounds (default 12)"
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
        default=3,
        help="split each scenario's time into this many rounds, scenarios in turn (default 3)",
    )
    parser.add_argument(
        "--only",
        help='scenarios to run: "actions", "lists", or lists by name, e.g. "plans,me-actions" '
        "(default: all)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the list requests in-process with pyinstrument instead of the load run",
    )
    return parser.parse_args()


def _check_database() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(
            "bench-api needs PostgreSQL: set DATABASE_URL, e.g. "
            "postgres://postgres@127.0.0.1:5432/bench"
        )


def _ensure_dataset() -> None:
    from django.core.management import call_command

    from actions.dataset import slug_prefix
    from actions.models import Plan

    if Plan.objects.filter(slug__startswith=slug_prefix(SEED)).exists():
        return
    _say(f"Generating the national data set (seed {SEED}, around {TODAY})...")
    call_command(
        "generate_dataset",
        f"--plans={NATIONAL['plans']}",
        f"--actions-per-plan={NATIONAL['actions_per_plan']}",
        f"--people={NATIONAL['people']}",
        f"--seed={SEED}",
        f"--today={TODAY}",
    )


# --- Who does what ---------------------------------------------------------------------


@dataclass
class Person:
    role: str
    user: Any
    token: str


def _token(user: Any) -> str:
    from accounts.tokens import create_token

    return create_token(user=user, name="Load test")[1]


def _people(rng: random.Random, per_role: int) -> list[Person]:
    """``per_role`` people of each role, each with a real token."""
    from accounts.models import User
    from actions.models import Action, BoardMembership, Recommendation

    through = Action.supporting_owners.through
    leads = set(Recommendation.objects.values_list("lead_id", flat=True))
    members = set(
        BoardMembership.objects.filter(board__plans__isnull=False).values_list("user_id", flat=True)
    )
    owners = set(Action.objects.values_list("owner_id", flat=True))
    supporters = set(through.objects.values_list("user_id", flat=True))
    # The purest example of each role, so that each role's cost shows.
    pools = {
        "executive member": sorted(members - leads),
        "recommendation lead": sorted(leads - members),
        "owner": sorted(owners - leads - members),
        "supporter": sorted(supporters - owners - leads - members),
    }
    admins = []
    for number in range(1, per_role + 1):
        admin, _ = User.objects.get_or_create(
            email=f"api-load-admin-{number}@bench.invalid",
            defaults={"name": f"Load test administrator {number}", "is_staff": True},
        )
        admins.append(admin)
    chosen = {"administrator": admins}
    for role in ROLES[1:]:
        chosen[role] = list(User.objects.filter(pk__in=rng.sample(pools[role], per_role)))
    # Roles interleaved, so that any first n virtual users are a mix.
    return [
        Person(role, chosen[role][i], _token(chosen[role][i]))
        for i in range(per_role)
        for role in ROLES
    ]


def _list_queries(person: Person, rng: random.Random) -> list[str]:
    """Filtered list queries a person of this role would send (50 a page, the default)."""
    from actions.models import Plan

    if person.role == "administrator":
        plan = rng.choice(list(Plan.objects.values_list("pk", flat=True)))
        return [
            "?status=in_progress&rag=red,amber",
            f"?plan={plan}&status=not_started,in_progress",
            "?overdue=true&page=2",
            "?rag=red",
        ]
    if person.role == "executive member":
        return ["?rag=red,amber", "?status=in_progress", "?overdue=true", "?status=blocked"]
    if person.role == "recommendation lead":
        return ["?status=in_progress,not_started", "?rag=red,amber", "?overdue=true"]
    return ["?status=not_started,in_progress,blocked", "?overdue=false", "?rag=red,amber"]


def _updates(people: list[Person], rng: random.Random) -> dict[int, list[dict[str, Any]]]:
    """In-progress actions each writer may report on, none given to two people.

    Supporters and owners have the fewest actions, so they choose first.
    """
    from actions import selectors
    from actions.models import Action, ActionStatus
    from actions.permissions import may_report_progress

    taken: set[int] = set()
    chosen: dict[int, list[dict[str, Any]]] = {}
    for index in sorted(
        (i for i, person in enumerate(people) if person.role in WRITERS),
        key=lambda i: -ROLES.index(people[i].role),
    ):
        person = people[index]
        visible = selectors.actions_visible_to(person.user)
        open_ones = list(
            Action.objects.filter(
                pk__in=visible.filter(status=ActionStatus.IN_PROGRESS).values("pk")
            )
            .exclude(pk__in=taken)
            .order_by("pk")[:500]
        )
        rng.shuffle(open_ones)
        updates = chosen.setdefault(index, [])
        for action in open_ones:
            if len(updates) < UPDATES_PER_USER and may_report_progress(person.user, action):
                taken.add(action.pk)
                updates.append({"id": action.pk, "version": action.version, "rag": action.rag})
    return chosen


def _plan(people: list[Person], users: int, rng: random.Random) -> dict[str, Any]:
    """What each virtual user does in each scenario; progress on actions nobody else gets."""
    from actions import selectors

    updates = _updates(people, rng)
    entries: list[dict[str, Any]] = []
    for index, person in enumerate(people):
        ids = list(
            selectors.actions_visible_to(person.user).order_by("pk").values_list("pk", flat=True)
        )
        reads = rng.sample(ids, min(READS_PER_USER, len(ids)))
        queries = _list_queries(person, rng)
        entries.append(
            {
                "role": person.role,
                "token": person.token,
                "queries": queries,
                "reads": reads,
                "updates": updates.get(index, []),
            }
        )
    plan: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in SCENARIOS}
    plan.update(api_lists.plan_entries(people))
    for entry in entries:
        for prefix, name in (("/api/actions/", "api"), ("/bench/floor/actions/", "floor")):
            plan[f"list-{name}"].append(
                {**entry, "lists": [prefix + query for query in entry["queries"]]}
            )
            plan[f"read-{name}"].append(
                {**entry, "reads": [f"{prefix}{pk}/" for pk in entry["reads"]]}
            )
        if entry["role"] in WRITERS and entry["updates"]:
            plan["post-api"].append(entry)
    # One virtual user per entry, roles interleaved; never two on one person's updates.
    # Where there are fewer people than users (a list read by two roles), they take the
    # people in turn: reading the same list twice at once is what a real service sees.
    if len(plan["post-api"]) < users:
        sys.exit(f"post-api: {len(plan['post-api'])} people for {users} virtual users.")
    for name in plan:
        plan[name] = plan[name][:users]
    return {"users": plan}


# --- The server and the load ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_server(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=" + ("gthread" if threads > 1 else "sync"),
        "--log-level=warning",
        "--timeout=60",
    ]
    server = subprocess.Popen(command, cwd=REPO, env=os.environ.copy())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn stopped while starting: see the lines above.")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return server
        except urllib.error.HTTPError:
            return server  # any answer means it serves
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not answer on loopback within 30 seconds.")


def _warm_up(port: int, plan: dict[str, Any], workers: int, names: list[str]) -> None:
    """Every worker loads its code and opens its database connection before timing."""
    for name in names:
        if not name.startswith(("list", "read")):
            continue
        for entry in plan["users"][name]:
            urls = entry["lists"] if name.startswith("list") else entry["reads"][:2]
            for url in urls * workers:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}{url}",
                    headers={"Authorization": f"Token {entry['token']}"},
                )
                with urllib.request.urlopen(request, timeout=60) as answer:
                    answer.read()


@dataclass
class Figures:
    requests: int
    per_second: float
    p50: float
    p95: float
    p99: float
    errors: int
    statuses: dict[str, int]
    sample_errors: list[str]


def _percentile(ordered: list[float], share: float) -> float:
    """Nearest rank: the smallest latency at or above ``share`` of the requests."""
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * share // 100))
    return ordered[int(rank) - 1]


def _drive(port: int, plan_path: Path, scenario: str, users: int, seconds: int) -> dict[str, Any]:
    """One locust run: every virtual user does ``scenario`` for ``seconds``."""
    with tempfile.TemporaryDirectory() as folder:
        result = Path(folder) / "result.json"
        env = {
            **os.environ,
            "API_LOAD_PLAN": str(plan_path),
            "API_LOAD_SCENARIO": scenario,
            "API_LOAD_RESULT": str(result),
        }
        command = [
            sys.executable,
            "-m",
            "locust",
            "--locustfile=benchmarks/locustfile.py",
            "--headless",
            f"--host=http://127.0.0.1:{port}",
            f"--users={users}",
            f"--spawn-rate={users}",
            f"--run-time={seconds}s",
            "--stop-timeout=10",
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


def _figures(runs: list[dict[str, Any]]) -> Figures:
    """The runs of one scenario taken together."""
    ordered = sorted(latency for run in runs for latency in run["latencies_ms"])
    seconds = sum(run["seconds"] for run in runs)
    statuses: dict[str, int] = {}
    for run in runs:
        for code, count in run["statuses"].items():
            statuses[code] = statuses.get(code, 0) + count
    return Figures(
        requests=len(ordered),
        per_second=len(ordered) / seconds if seconds else 0.0,
        p50=_percentile(ordered, 50),
        p95=_percentile(ordered, 95),
        p99=_percentile(ordered, 99),
        errors=sum(int(run["failures"]) for run in runs),
        statuses=statuses,
        sample_errors=[error for run in runs for error in run["sample_errors"]],
    )


def _current_versions(plan: dict[str, Any]) -> None:
    """Versions as they are now, after a round of progress updates."""
    from actions.models import Action

    items = [item for entry in plan["users"]["post-api"] for item in entry["updates"]]
    found = dict(
        Action.objects.filter(pk__in=[item["id"] for item in items]).values_list("pk", "version")
    )
    for item in items:
        item["version"] = found[item["id"]]


def _table(results: dict[str, Figures], scenarios: list[tuple[str, str]]) -> str:
    lines = [
        f"{'scenario':26} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'requests':>9}"
    ]
    for name, label in scenarios:
        if name not in results:
            continue
        f = results[name]
        lines.append(
            f"{label:26} {f.per_second:8.1f} {f.p50:8.1f} {f.p95:8.1f} {f.p99:8.1f} "
            f"{f.errors:7d} {f.requests:9d}"
        )
    for what in ("list", "read"):
        api, floor = results.get(f"{what}-api"), results.get(f"{what}-floor")
        if api and floor and floor.per_second:
            lines.append(
                f"{what} API/floor throughput: {api.per_second / floor.per_second:.2f}"
                + ("  (aim: at least 0.50)" if what == "list" else "")
            )
    lines += api_lists.ratios(results)
    return "\n".join(lines)


def _load(args: argparse.Namespace, plan: dict[str, Any]) -> int:
    port = _free_port()
    scenarios = api_lists.chosen(args.only, SCENARIOS)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in scenarios}
    # Short rounds in turn rather than one long run each: a machine shared with others
    # changes speed over minutes, and API and floor should meet the same conditions.
    slice_seconds = max(1, args.seconds // args.rounds)
    with tempfile.TemporaryDirectory() as folder:
        plan_path = Path(folder) / "plan.json"
        server = _start_server(port, args.workers, args.threads)
        try:
            _warm_up(port, plan, args.workers, [name for name, _ in scenarios])
            for round_number in range(1, args.rounds + 1):
                for name, label in scenarios:
                    if not plan["users"][name]:
                        continue
                    _current_versions(plan)
                    plan_path.write_text(json.dumps(plan))
                    _say(
                        f"round {round_number}/{args.rounds}, {label}: "
                        f"{args.users} users for {slice_seconds} s..."
                    )
                    runs[name].append(_drive(port, plan_path, name, args.users, slice_seconds))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    results = {name: _figures(done) for name, done in runs.items() if done}
    print(
        f"gunicorn {args.workers} workers x {args.threads} threads "
        f"({'gthread' if args.threads > 1 else 'sync'}), the same for API and floor; "
        f"locust {args.users} users, {args.seconds} s per scenario in {args.rounds} "
        "rounds, loopback; "
        f"{os.cpu_count()} CPUs"
    )
    for scenario in api_lists.LISTS:
        if f"list-{scenario.key}-api" in results:
            strings = len(scenario.queries)
            print(
                f"  {scenario.label}: {', '.join(scenario.roles)}; "
                f"{strings} query string{'s' if strings > 1 else ''} each"
            )
    print(_table(results, scenarios))
    errors = sum(f.errors for f in results.values())
    for name, figures in results.items():
        if figures.errors:
            print(f"{name}: statuses {figures.statuses}; e.g. {figures.sample_errors[:3]}")
    return 1 if errors else 0


def _settings() -> None:
    """The bench settings, for this process and the gunicorn it starts."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    # Production refuses to start without a public https address and a real sender; the
    # load test sends no email and follows no link, so placeholders do.
    os.environ.setdefault("SITE_URL", "https://127.0.0.1")
    os.environ.setdefault("DEFAULT_FROM_EMAIL", "bench@example.org")
    django.setup()


def main() -> int:
    args = _arguments()
    _settings()
    _check_database()
    _ensure_dataset()
    from benchmarks import lists_world

    lists_world.chasing_ensure()
    rng = random.Random(SEED)
    # Enough people for one writer per virtual user (board members only read).
    per_role = -(-args.users // len(WRITERS))
    people = _people(rng, per_role)
    plan = _plan(people, args.users, rng)
    if args.profile:
        from benchmarks.api_profile import profile

        return profile(plan)
    return _load(args, plan)


if __name__ == "__main__":
    sys.exit(main())
