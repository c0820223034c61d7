"""``make bench-api``'s per-person lists: who reads each list, what they send, and the aims.

Every list endpoint a person opens runs as the roles that use it, each beside its floor
(benchmarks/floor_lists.py: the same JSON from ``.values()``) in the same rounds:

- ``/api/me/actions/`` as owners and supporting owners, with an owner's filters, and
  ``/api/actions/`` with the same filters as the same people: they own or support every
  action they may read, so both lists hold the same rows (aim: me/actions' median latency
  at most 1.2 times the action list's);
- ``/api/plans/`` as administrators (all 150 plans), board members and owners;
- ``/api/recommendations/`` and ``/api/milestones/`` as board members and leads;
- ``/api/escalations/`` as board members, leads and owners;
- ``/api/me/notifications/`` as owners and leads;
- ``/api/digests/`` as board members and administrators (every digest stored).

Aim for each: the API's throughput at least half its floor's.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ListScenario:
    key: str
    label: str
    api: str
    floor: str | None
    roles: tuple[str, ...]
    queries: tuple[str, ...] = ("",)


OWNER_QUERIES = ("?status=not_started,in_progress,blocked", "?overdue=false", "?rag=red,amber", "")
LISTS = [
    ListScenario(
        "me-actions",
        "me/actions",
        "/api/me/actions/",
        "/bench/floor/me/actions/",
        ("owner", "supporter"),
        OWNER_QUERIES,
    ),
    # The same people and filters through /api/actions/: the same rows, as the yardstick.
    ListScenario(
        "same-actions",
        "actions, same rows",
        "/api/actions/",
        None,
        ("owner", "supporter"),
        OWNER_QUERIES,
    ),
    ListScenario(
        "plans",
        "plans",
        "/api/plans/",
        "/bench/floor/plans/",
        ("administrator", "executive member", "owner"),
    ),
    ListScenario(
        "recommendations",
        "recommendations",
        "/api/recommendations/",
        "/bench/floor/recommendations/",
        ("executive member", "recommendation lead"),
    ),
    ListScenario(
        "milestones",
        "milestones",
        "/api/milestones/",
        "/bench/floor/milestones/",
        ("executive member", "recommendation lead"),
    ),
    ListScenario(
        "escalations",
        "escalations",
        "/api/escalations/",
        "/bench/floor/escalations/",
        ("executive member", "recommendation lead", "owner"),
    ),
    ListScenario(
        "notifications",
        "me/notifications",
        "/api/me/notifications/",
        "/bench/floor/me/notifications/",
        ("owner", "recommendation lead"),
    ),
    ListScenario(
        "digests",
        "digests",
        "/api/digests/",
        "/bench/floor/digests/",
        ("executive member", "administrator"),
    ),
]
AIM_FLOOR = 0.5
AIM_SAME_ROWS = 1.2


def scenarios() -> list[tuple[str, str]]:
    """(scenario, label) of every list, API then floor: names start "list-" as the load
    driver's lists do."""
    named = []
    for scenario in LISTS:
        named.append((f"list-{scenario.key}-api", f"{scenario.label} (API)"))
        if scenario.floor:
            named.append((f"list-{scenario.key}-floor", f"{scenario.label} (floor)"))
    return named


def chosen(only: str | None, action_scenarios: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The scenarios ``--only`` names: "actions" (the action list, read and progress
    update), "lists" (every per-person list), or list keys such as "plans,me-actions"."""
    everything = action_scenarios + scenarios()
    if not only:
        return everything
    wanted = {word.strip() for word in only.split(",") if word.strip()}
    if "me-actions" in wanted:
        wanted.add("same-actions")  # its yardstick
    keys = {scenario.key for scenario in LISTS}
    unknown = wanted - keys - {"actions", "lists"}
    if unknown:
        raise SystemExit(
            f"--only: no scenario {', '.join(sorted(unknown))}; choose from actions, lists, "
            + ", ".join(sorted(keys))
        )
    picked = []
    for name, label in everything:
        key = name.removeprefix("list-").rsplit("-", 1)[0]
        is_list = key in keys
        if (
            ("actions" in wanted and not is_list)
            or ("lists" in wanted and is_list)
            or key in wanted
        ):
            picked.append((name, label))
    return picked


def plan_entries(people: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """One entry per person of each list's roles: their token and the lists they send."""
    entries: dict[str, list[dict[str, Any]]] = {}
    for scenario in LISTS:
        users = [p for p in people if p.role in scenario.roles]
        for side, prefix in (("api", scenario.api), ("floor", scenario.floor)):
            if prefix is None:
                continue
            entries[f"list-{scenario.key}-{side}"] = [
                {
                    "role": person.role,
                    "token": person.token,
                    "lists": [prefix + query for query in scenario.queries],
                    "reads": [],
                    "updates": [],
                }
                for person in users
            ]
    return entries


def ratios(results: dict[str, Any]) -> list[str]:
    """Each list's API/floor throughput, and me/actions against the action list."""
    lines = []
    for scenario in LISTS:
        api = results.get(f"list-{scenario.key}-api")
        floor = results.get(f"list-{scenario.key}-floor")
        if api and floor and floor.per_second:
            share = api.per_second / floor.per_second
            lines.append(
                f"{scenario.label} API/floor throughput: {share:.2f}  "
                f"(aim: at least {AIM_FLOOR:.2f}){'' if share >= AIM_FLOOR else '  MISSED'}"
            )
    mine, theirs = results.get("list-me-actions-api"), results.get("list-same-actions-api")
    if mine and theirs and theirs.p50:
        ratio = mine.p50 / theirs.p50
        lines.append(
            f"me/actions p50 / actions p50 (same people, same rows): {ratio:.2f}  "
            f"(aim: at most {AIM_SAME_ROWS:.2f}){'' if ratio <= AIM_SAME_ROWS else '  MISSED'}"
        )
    return lines
