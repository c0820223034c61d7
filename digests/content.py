"""What a digest says: each section's figures and words, from one plan's ``PlanData``.

Pure functions of the data read by ``digests.selectors``: no queries here. The snapshot
stores what ``content_for`` returns, so a digest reads the same when it is opened again.
"""

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from actions.dates import LONDON, working_days_between
from actions.models import OPEN_STATUSES, ActionStatus, Board, BoardAudience, Direction, Rag
from digests.rag_history import rag_mix
from digests.selectors import PlanData
from notifications.models import Audience

STALE_DAYS = 30
MILESTONE_HORIZON_DAYS = 28
# Longer lists are cut in the email (with how many more); the spreadsheet lists every action.
LIST_LIMIT = 20

RAG_WORDS: dict[str, str] = {
    Rag.BLUE: "complete",
    Rag.GREEN: "on track",
    Rag.AMBER: "at risk",
    Rag.RED: "off track",
}
LEVEL_AUDIENCE_WORDS: dict[str, str] = dict(Audience.choices)


def long_date(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def number(value: Decimal | None) -> str:
    """12.50 -> "12.5", 40.00 -> "40": as people write figures."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def with_unit(value: Decimal, unit: str) -> str:
    """ "45%", "33.1 weeks": a percentage sign sticks to its figure, other units do not."""
    unit = unit.strip()
    if not unit or unit == "%":
        return f"{number(value)}{unit}"
    return f"{number(value)} {unit}"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(LONDON).date() if moment else None


def _is_overdue(action: dict[str, Any], on: dt.date) -> bool:
    return action["status"] in OPEN_STATUSES and action["due_date"] < on


def headline(data: PlanData) -> dict[str, Any]:
    on = data.as_of
    counted = [a for a in data.actions if a["status"] != ActionStatus.CANCELLED]
    rags = Counter(a["rag"] for a in counted)
    complete = sum(1 for a in counted if a["status"] == ActionStatus.COMPLETED)
    due = [m for m in data.milestones if m["due_date"] <= on]
    met = [m for m in due if m["achieved_on"] is not None and m["achieved_on"] <= m["due_date"]]
    return {
        "actions": len(counted),
        "complete": complete,
        "on_track": rags[Rag.GREEN],
        "at_risk": rags[Rag.AMBER],
        "off_track": rags[Rag.RED],
        "overdue": sum(1 for a in counted if _is_overdue(a, on)),
        "cancelled": len(data.actions) - len(counted),
        "percent_complete": _percent(complete, len(counted)),
        "milestones": len(data.milestones),
        "milestones_due": len(due),
        "milestones_met_on_time": len(met),
    }


def state_of(data: PlanData) -> dict[str, Any]:
    """What the next digest compares against: each action's and milestone's state."""
    return {
        "actions": {
            str(a["id"]): {
                "reference": a["reference"],
                "title": a["title"],
                "status": a["status"],
                "rag": a["rag"],
                "due": a["due_date"].isoformat(),
                "overdue": _is_overdue(a, data.as_of),
            }
            for a in data.actions
        },
        "milestones": {
            str(m["id"]): {
                "title": m["title"],
                "recommendation": m["recommendation__number"],
                "due": m["due_date"].isoformat(),
                "achieved_on": m["achieved_on"].isoformat() if m["achieved_on"] else None,
            }
            for m in data.milestones
        },
    }


def changes_since(
    *, state: dict[str, Any], previous: dict[str, Any] | None, previous_as_of: dt.date | None
) -> dict[str, Any]:
    """RAG changes, completions, newly overdue actions and slipped milestones since then."""
    if previous is None or previous_as_of is None:
        return {"first": True}
    before = previous.get("actions", {})
    rag_changes, completions, newly_overdue, added = [], [], [], 0
    for key, now in state["actions"].items():
        then = before.get(key)
        line = {"reference": now["reference"], "title": now["title"]}
        if then is None:
            added += 1
            if now["overdue"]:
                newly_overdue.append(line)
            continue
        if now["status"] == ActionStatus.COMPLETED and then["status"] != ActionStatus.COMPLETED:
            completions.append(line)
        elif now["rag"] != then["rag"] and now["rag"] != Rag.BLUE:
            rag_changes.append(
                {
                    **line,
                    "from": RAG_WORDS.get(then["rag"], then["rag"]),
                    "to": RAG_WORDS.get(now["rag"], now["rag"]),
                    "worse": _rag_rank(now["rag"]) > _rag_rank(then["rag"]),
                }
            )
        if now["overdue"] and not then["overdue"]:
            newly_overdue.append(line)
    slipped = []
    milestones_before = previous.get("milestones", {})
    for key, now in state["milestones"].items():
        then = milestones_before.get(key)
        if then is not None and now["due"] > then["due"]:
            slipped.append(
                {
                    "title": now["title"],
                    "recommendation": now["recommendation"],
                    "old": long_date(dt.date.fromisoformat(then["due"])),
                    "new": long_date(dt.date.fromisoformat(now["due"])),
                }
            )
    return {
        "first": False,
        "since": long_date(previous_as_of),
        "rag_changes": rag_changes,
        "completions": completions,
        "newly_overdue": newly_overdue,
        "slipped": slipped,
        "added": added,
    }


RAG_RANK: dict[str, int] = {Rag.BLUE: 0, Rag.GREEN: 1, Rag.AMBER: 2, Rag.RED: 3}


def _rag_rank(rag: str) -> int:
    return RAG_RANK.get(rag, 0)


def open_escalations(data: PlanData) -> list[dict[str, Any]]:
    """The escalations open at the digest's moment whose item is still late against the due
    date it was escalated for, each with its working days overdue counted to ``as_of``.

    The escalation sweep resolves an escalation only when it next runs: until then, one of an
    action since completed, or of a milestone since achieved or given a later date, would say
    "overdue" beside "complete" or "due in three weeks".
    """
    on = data.as_of
    late_actions = {a["id"]: a["due_date"] for a in data.actions if _is_overdue(a, on)}
    late_milestones = {
        m["id"]: m["due_date"]
        for m in data.milestones
        if m["achieved_on"] is None and m["due_date"] < on
    }
    rows = []
    for row in data.escalations:
        if row["action_id"] is not None:
            still_late = late_actions.get(row["action_id"]) == row["due_date"]
        else:
            still_late = late_milestones.get(row["milestone_id"]) == row["due_date"]
        if still_late:
            rows.append({**row, "days": working_days_between(row["due_date"], on)})
    rows.sort(key=lambda row: (row["level"], -row["days"], row["id"]))
    return rows


def escalations_by_level(data: PlanData) -> list[dict[str, Any]]:
    # Actions and milestones climb ladders of their own, so one level can reach different
    # people: grouped by level and by who was told.
    levels: dict[tuple[int, str], dict[str, Any]] = {}
    for row in open_escalations(data):
        level = levels.setdefault(
            (row["level"], row["audience"]),
            {
                "level": row["level"],
                "audience": row["audience"],
                "told": LEVEL_AUDIENCE_WORDS.get(row["audience"], row["audience"]),
                "items": [],
            },
        )
        if row["action__reference"] is not None:
            label, title = f"Action {row['action__reference']}", row["action__title"]
        else:
            label = f"Milestone of recommendation {row['milestone__recommendation__number']}"
            title = row["milestone__title"]
        level["items"].append(
            {
                "label": label,
                "title": title,
                "days": row["days"],
                "due": long_date(row["due_date"]),
            }
        )
    for level in levels.values():
        level["count"] = len(level["items"])
    return [levels[key] for key in sorted(levels)]


def stale_actions(data: PlanData) -> list[dict[str, Any]]:
    """Open, started actions with no progress update for STALE_DAYS days or more."""
    cutoff = data.as_of - dt.timedelta(days=STALE_DAYS)
    stale = []
    for action in data.actions:
        if action["status"] not in OPEN_STATUSES:
            continue
        if action["start_date"] and action["start_date"] > data.as_of:
            continue
        last = _local_date(action["last_progress_at"])
        since = last or _local_date(action["created_at"])
        if since is None or since > cutoff:
            continue
        stale.append(
            {
                "reference": action["reference"],
                "title": action["title"],
                "owner": action["owner__name"],
                "last_update": long_date(last) if last else "never",
                "days": (data.as_of - since).days,
            }
        )
    stale.sort(key=lambda line: (-line["days"], line["reference"]))
    return stale


def at_most(lines: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    """The first ``limit`` lines, and how many more there are (the spreadsheet has all)."""
    return {"count": len(lines), "shown": lines[:limit], "more": max(0, len(lines) - limit)}


def measures_against_target(data: PlanData) -> list[dict[str, Any]]:
    lines = []
    for measure in data.measures:
        readings = data.readings.get(measure["id"], [])
        higher = measure["direction"] == Direction.HIGHER_IS_BETTER
        latest = readings[-1] if readings else None
        compared = readings[-2]["value"] if len(readings) > 1 else measure["baseline"]
        if latest is None:
            travel = "no readings yet"
        elif latest["value"] == compared:
            travel = "no change"
        elif (latest["value"] > compared) == higher:
            travel = "improving"
        else:
            travel = "worsening"
        met = latest is not None and (
            latest["value"] >= measure["target"] if higher else latest["value"] <= measure["target"]
        )
        lines.append(
            {
                "name": measure["name"],
                "recommendation": measure["recommendation__number"],
                "unit": measure["unit"],
                "baseline": with_unit(measure["baseline"], measure["unit"]),
                "target": with_unit(measure["target"], measure["unit"]),
                "target_date": long_date(measure["target_date"]),
                "latest": with_unit(latest["value"], measure["unit"]) if latest else None,
                "latest_on": long_date(latest["taken_on"]) if latest else None,
                "compared_with": "the previous reading" if len(readings) > 1 else "the baseline",
                "direction": "higher is better" if higher else "lower is better",
                "travel": travel,
                "met": met,
            }
        )
    return lines


def milestones_ahead(data: PlanData, *, names: bool = True) -> list[dict[str, Any]]:
    until = data.as_of + dt.timedelta(days=MILESTONE_HORIZON_DAYS)
    leads = _lead_roles(data)
    return [
        {
            "title": m["title"],
            "recommendation": m["recommendation__number"],
            "due": long_date(m["due_date"]),
            "lead": m["recommendation__lead__name"]
            if names
            else leads.get(m["recommendation__number"], ""),
        }
        for m in data.milestones
        if m["achieved_on"] is None and data.as_of <= m["due_date"] <= until
    ]


def _lead_roles(data: PlanData) -> dict[int, str]:
    return {r["number"]: r["lead__job_title"] or "Accountable lead" for r in data.recommendations}


def awaiting_updates(data: PlanData) -> dict[str, Any] | None:
    if data.meeting is None:
        return None
    return {
        "meets_on": long_date(data.meeting["meets_on"]),
        "papers_due_on": long_date(data.meeting["papers_due_on"]),
        "actions": [
            {
                "reference": a["reference"],
                "title": a["title"],
                "owner": a["owner__name"],
                "last_update": long_date(_local_date(a["last_progress_at"]))
                if a["last_progress_at"]
                else "never",
            }
            for a in data.awaiting
        ],
    }


def recommendations_progress(data: PlanData) -> list[dict[str, Any]]:
    totals: Counter[int] = Counter()
    done: Counter[int] = Counter()
    for action in data.actions:
        if action["status"] == ActionStatus.CANCELLED:
            continue
        totals[action["recommendation__number"]] += 1
        done[action["recommendation__number"]] += action["status"] == ActionStatus.COMPLETED
    roles = _lead_roles(data)
    return [
        {
            "number": r["number"],
            "title": r["title"],
            "lead_role": roles[r["number"]],
            "actions": totals[r["number"]],
            "complete": done[r["number"]],
            "percent_complete": _percent(done[r["number"]], totals[r["number"]]),
        }
        for r in data.recommendations
    ]


def decisions_needed(data: PlanData) -> list[dict[str, Any]]:
    """For the Lead Member: off-track actions and what the ladder has brought to them."""
    leads = {r["number"]: r["lead__name"] for r in data.recommendations}
    decisions = []
    for level in escalations_by_level(data):
        if level["audience"] != Audience.LEAD_MEMBER:
            continue
        for item in level["items"]:
            decisions.append(
                {
                    "label": item["label"],
                    "title": item["title"],
                    "why": f"escalated to you: {_plural(item['days'], 'working day')} overdue",
                    "lead": "",
                    "due": item["due"],
                }
            )
    off_track = [a for a in data.actions if a["rag"] == Rag.RED and a["status"] in OPEN_STATUSES]
    # The longest overdue first, then those not yet overdue by due date.
    off_track.sort(key=lambda a: (not _is_overdue(a, data.as_of), a["due_date"], a["reference"]))
    decisions += [
        {
            "label": f"Action {a['reference']}",
            "title": a["title"],
            "why": "off track" + (" and overdue" if _is_overdue(a, data.as_of) else ""),
            "lead": leads.get(a["recommendation__number"], ""),
            "due": long_date(a["due_date"]),
        }
        for a in off_track
    ]
    return decisions


def content_for(
    *,
    data: PlanData,
    board: Board,
    period: str,
    state: dict[str, Any],
    previous: dict[str, Any] | None,
    previous_as_of: dt.date | None,
) -> dict[str, Any]:
    """Everything one audience's email says, computed once."""
    plan = data.plan
    changes = changes_since(state=state, previous=previous, previous_as_of=previous_as_of)
    common: dict[str, Any] = {
        "audience": board.audience,
        "plan": {"id": plan.pk, "title": plan.title, "slug": plan.slug, "area": plan.local_area},
        "board": board.name,
        "cadence": board.cadence,
        "period": period,
        "as_of": data.as_of.isoformat(),
        "as_of_text": long_date(data.as_of),
        "headline": headline(data),
        "chart": rag_mix(data),
    }
    if board.audience == BoardAudience.PARENT_CARER_FORUM:
        # Plain English and no officers' names or addresses: roles of leads only.
        return {
            **common,
            "since": {
                "first": changes["first"],
                "since": changes.get("since"),
                "completed": len(changes.get("completions", [])),
                "newly_late": len(changes.get("newly_overdue", [])),
                "slipped": changes.get("slipped", []),
            },
            "recommendations": recommendations_progress(data),
            "measures": measures_against_target(data),
            "milestones_ahead": milestones_ahead(data, names=False),
        }
    if board.audience == BoardAudience.LEAD_MEMBER:
        return {
            **common,
            "decisions": at_most(decisions_needed(data), LIST_LIMIT),
            "escalations": escalations_by_level(data),
            "since": changes,
            "milestones_ahead": milestones_ahead(data),
        }
    return {
        **common,
        "since": changes,
        "escalations": escalations_by_level(data),
        "stale": at_most(stale_actions(data), LIST_LIMIT),
        "measures": measures_against_target(data),
        "milestones_ahead": milestones_ahead(data),
        "awaiting": awaiting_updates(data),
    }
