"""Benchmark: every list a person opens, in-process, at national scale, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench make bench-lists

On the national data set (150 plans x 400 actions, 10,000 people, seed 1; generated if
missing, with the sweeps' escalations and ledger and a digest per board per week, see
benchmarks/lists_world.py), for three people of each role that uses each list:

- **requests**: ``GET`` of the list through Django's test client with a real token (the
  whole API: authentication, filters, paging, serializer), median of the repeats, with its
  query count; ``/api/me/actions/`` beside ``/api/actions/`` for the same people (owners
  and supporting owners read exactly their own actions through both);
- **before and after**: each list's count and first page with the rule as the selectors
  write it, and as it was written before (benchmarks/lists_old.py: one OR of EXISTS, and the
  plan list counting every plan's actions), median of the repeats, in the same run;
- **jit**: with PostgreSQL's JIT off, as the service's connections have it
  (config/settings); ``--jit`` times everything with JIT on and off in turn, and the two
  sweeps' main reads too;
- ``--explain`` prints EXPLAIN ANALYZE of both forms' count and page for one person each.

Read only, apart from the administrators, tokens and chasing rows it adds the first time.
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import django

REPEATS = 7
PEOPLE_PER_ROLE = 3
PAGE = 50

# (label, address, roles that use it). Owners and supporting owners read the same rows
# through /api/me/actions/ and /api/actions/: they lead nothing and sit on no board.
REQUESTS = [
    ("me/actions", "/api/me/actions/", ("owner", "supporter")),
    ("actions (same rows)", "/api/actions/", ("owner", "supporter")),
    ("plans", "/api/plans/", ("administrator", "executive member", "owner", "signed out")),
    ("recommendations", "/api/recommendations/", ("executive member", "recommendation lead")),
    ("milestones", "/api/milestones/", ("executive member", "recommendation lead")),
    ("escalations", "/api/escalations/", ("executive member", "recommendation lead", "owner")),
    ("notifications", "/api/me/notifications/", ("owner", "recommendation lead")),
    ("digests", "/api/digests/", ("executive member", "administrator")),
]


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE")
    parser.add_argument(
        "--jit", action="store_true", help="also time requests and sweeps with JIT on and off"
    )
    parser.add_argument("--repeats", type=int, default=REPEATS, help="per measurement")
    return parser.parse_args()


def _settings() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("SITE_URL", "https://127.0.0.1")
    os.environ.setdefault("DEFAULT_FROM_EMAIL", "bench@example.org")
    django.setup()


def _jit(on: bool) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return  # SQLite (the tests) has no JIT
    with connection.cursor() as cursor:
        cursor.execute(f"SET jit = {'on' if on else 'off'}")


def _medians_ms(run: Callable[[], Any], repeats: int, modes: tuple[bool, ...]) -> list[float]:
    """Median ms of ``run`` with JIT in each mode, the modes taken in turn on every repeat, so
    that a machine whose speed drifts treats them alike."""
    took: dict[bool, list[float]] = {mode: [] for mode in modes}
    for mode in modes:  # warm: imports, plans, caches
        _jit(mode)
        run()
    for _ in range(repeats):
        for mode in modes:
            _jit(mode)
            started = time.perf_counter()
            run()
            took[mode].append(time.perf_counter() - started)
    _jit(False)  # back to the service's setting
    return [statistics.median(took[mode]) * 1000 for mode in modes]


# --- Requests ----------------------------------------------------------------------------


def _tokens(people: dict[str, list[Any]]) -> dict[str, list[str | None]]:
    from accounts.tokens import create_token

    tokens: dict[str, list[str | None]] = {
        role: [create_token(user=user, name="List benchmark")[1] for user in users]
        for role, users in people.items()
    }
    tokens["signed out"] = [None]
    return tokens


def _get(client: Any, url: str, token: str | None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    answer = client.get(url, **headers)
    assert answer.status_code == 200, (url, answer.status_code, answer.content[:300])
    return answer


def request_figures(
    tokens: dict[str, list[str | None]], repeats: int, modes: tuple[bool, ...]
) -> list[dict[str, Any]]:
    """Median ms of each list as each role (per JIT mode), its queries and how many rows."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    rows = []
    for label, url, roles in REQUESTS:
        for role in roles:
            times, queries, counts = [], [], []
            for token in tokens[role]:

                def one(token: str | None = token, url: str = url) -> Any:
                    return _get(client, url, token)

                times.append(_medians_ms(one, repeats, modes))
                with CaptureQueriesContext(connection) as captured:
                    counts.append(_get(client, url, token).json()["count"])
                queries.append(len(captured))
            low, high = min(counts), max(counts)
            rows.append(
                {
                    "list": label,
                    "role": role,
                    "ms": [statistics.median(t[i] for t in times) for i in range(len(modes))],
                    "queries": max(queries),
                    "rows": f"{low}-{high}" if low != high else f"{low}",
                }
            )
    return rows


def print_requests(rows: list[dict[str, Any]], modes: tuple[bool, ...]) -> None:
    names = [f"JIT {'on' if mode else 'off'} ms" for mode in modes]
    print("requests through the API, in-process, median of the repeats (ms)")
    print(f"{'list':22} {'as':20} {'rows':>12} {'queries':>8}" + "".join(f"{n:>12}" for n in names))
    for row in rows:
        print(
            f"{row['list']:22} {row['role']:20} {row['rows']:>12} {row['queries']:8d}"
            + "".join(f"{ms:12.1f}" for ms in row["ms"])
        )
    mine = {r["role"]: r["ms"] for r in rows if r["list"] == "me/actions"}
    theirs = {r["role"]: r["ms"] for r in rows if r["list"] == "actions (same rows)"}
    for role in mine:
        for index, name in enumerate(names):
            ratio = mine[role][index] / theirs[role][index]
            print(
                f"me/actions / actions, {role}, {name.removesuffix(' ms')}: {ratio:.2f}"
                "  (aim: at most 1.20)"
            )


# --- Before and after: the rule as the selectors write it, and as it was ----------------


def _page(queryset: Any, order: tuple[str, ...]) -> Callable[[], Any]:
    """What a list costs the database: the count, then one page of rows."""
    return lambda: (queryset.count(), list(queryset.order_by(*order)[:PAGE]))


def _plans_page(user: Any, *, everywhere: bool) -> Callable[[], Any]:
    from actions import selectors
    from actions.dates import local_today
    from benchmarks import lists_old

    plans = selectors.plans_visible_to(user)
    if everywhere:
        return _page(lists_old.plans_with_progress_everywhere(plans, today=local_today()), ())

    def page() -> Any:
        ordered = plans.order_by("title", "pk")
        rows = list(ordered[:PAGE])
        selectors.plans_attach_progress(rows, today=local_today())
        return ordered.count(), rows

    return page


def form_pairs(people: dict[str, list[Any]]) -> list[tuple[str, str, Any, Callable, Callable]]:
    """(list, role, person, selector's page, old form's page) for each list and role."""
    from actions import selectors
    from benchmarks import lists_old
    from digests.selectors import snapshots_visible_to
    from notifications.apis import escalations_visible_to

    action_order = ("plan__title", "recommendation__number", "due_date", "reference", "pk")
    pairs = []
    for role in ("owner", "supporter"):
        for user in people[role]:
            new = _page(selectors.actions_of(user), action_order)
            old = _page(lists_old.actions_of(user), action_order)
            pairs.append(("me/actions", role, user, new, old))
    for role in ("administrator", "executive member", "owner"):
        for user in people[role]:
            pairs.append(
                (
                    "plans",
                    role,
                    user,
                    _plans_page(user, everywhere=False),
                    _plans_page(user, everywhere=True),
                )
            )
    for role in ("executive member", "recommendation lead"):
        for user in people[role]:
            order: tuple[str, ...] = ("plan__title", "number", "pk")
            pairs.append(
                (
                    "recommendations",
                    role,
                    user,
                    _page(selectors.recommendations_visible_to(user), order),
                    _page(lists_old.recommendations_visible_to(user), order),
                )
            )
            order = ("recommendation__plan__title", "recommendation__number", "due_date", "pk")
            pairs.append(
                (
                    "milestones",
                    role,
                    user,
                    _page(selectors.milestones_visible_to(user), order),
                    _page(lists_old.milestones_visible_to(user), order),
                )
            )
            order = ("-as_of", "-id")
            pairs.append(
                (
                    "digests",
                    role,
                    user,
                    _page(snapshots_visible_to(user), order),
                    _page(lists_old.snapshots_visible_to(user), order),
                )
            )
    for role in ("executive member", "recommendation lead", "owner"):
        for user in people[role]:
            order = ("-created_at", "-id")
            pairs.append(
                (
                    "escalations",
                    role,
                    user,
                    _page(escalations_visible_to(user), order),
                    _page(lists_old.escalations_visible_to(user), order),
                )
            )
    return pairs


def print_forms(
    pairs: list[tuple[str, str, Any, Callable, Callable]], repeats: int, modes: tuple[bool, ...]
) -> None:
    """Each list's count and first page, the selector's rule against the old one, per JIT mode
    (median over the people of each role of their medians)."""
    names = [f"JIT {'on' if mode else 'off'}" for mode in modes]
    print(f"count and first page of 50, median of {repeats} (ms)")
    print(
        f"{'list':16} {'as':20}"
        + "".join(f"{'selector, ' + n:>18}" for n in names)
        + "".join(f"{'old form, ' + n:>18}" for n in names)
        + f"{'old/new':>9}"
    )
    grouped: dict[tuple[str, str], list[list[float]]] = {}
    for name, role, _user, new, old in pairs:
        figures = _medians_ms(new, repeats, modes) + _medians_ms(old, repeats, modes)
        grouped.setdefault((name, role), []).append(figures)
    for (name, role), people in grouped.items():
        medians = [statistics.median(p[i] for p in people) for i in range(2 * len(modes))]
        print(
            f"{name:16} {role:20}"
            + "".join(f"{ms:18.1f}" for ms in medians)
            + f"{medians[len(modes)] / medians[0]:8.1f}x"
        )


def print_explain(pairs: list[tuple[str, str, Any, Callable, Callable]]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    done: set[str] = set()
    for name, role, _user, new, old in pairs:
        if name in done:
            continue
        done.add(name)
        for form, page in (("selector", new), ("old form", old)):
            with CaptureQueriesContext(connection) as captured:
                page()
            for query in captured.captured_queries:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + query["sql"])
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                print(f"--- {name}, {role}, {form}:\n{query['sql'][:300]}\n{plan}\n")


# --- JIT ---------------------------------------------------------------------------------


def print_sweeps_jit(repeats: int) -> None:
    from benchmarks.lists_world import TODAY, _morning
    from notifications.escalations import escalations_record
    from notifications.reminders import reminders_due

    sweeps = [
        ("reminders: who is due", lambda: reminders_due(today=TODAY)),
        (
            "escalations: who is told (dry run)",
            lambda: escalations_record(today=TODAY, now=_morning(TODAY), dry_run=True),
        ),
    ]
    print(f"{'sweep read, median ms':36} {'JIT on':>8} {'JIT off':>8}")
    for label, run in sweeps:
        on, off = _medians_ms(run, repeats, (True, False))
        print(f"{label:36} {on:8.1f} {off:8.1f}")


def main() -> int:
    args = _arguments()
    _settings()
    from benchmarks import api_load, lists_world

    api_load._check_database()
    api_load._ensure_dataset()
    lists_world.chasing_ensure()
    people = lists_world.people_by_role(random.Random(api_load.SEED), PEOPLE_PER_ROLE)
    tokens = _tokens(people)
    modes = (True, False) if args.jit else (False,)
    print_requests(request_figures(tokens, args.repeats, modes), modes)
    if args.jit:
        print_sweeps_jit(args.repeats)
    pairs = form_pairs(people)
    print_forms(pairs, args.repeats, modes)
    if args.explain:
        print_explain(pairs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
