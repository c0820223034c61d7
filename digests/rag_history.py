"""The RAG mix week by week for a digest's chart, rebuilt from the progress history.

Pure functions of ``PlanData`` (no queries), kept apart from the rest of the digest's content
because it is the one part that walks the history.
"""

import datetime as dt
from collections import Counter
from typing import Any

from actions.models import ActionStatus, Rag
from digests.selectors import PlanData, chart_days, end_of_day


def rag_mix(data: PlanData) -> list[dict[str, Any]]:
    """The RAG mix at the end of each of the last weeks, from the progress history.

    The last point is the digest's own day: each action as the headline counts it, so the
    chart and the headline always agree. Before it, an action's RAG at a moment is that of its
    last update up to then; with none in the window up to then, the previous RAG of its first
    update after it; with no update in the window at all, its RAG on the digest's day. Updates
    before the window cannot change the answer, so they are not read. Cancelled actions are
    not counted.
    """
    by_action: dict[int, list[dict[str, Any]]] = {}
    for update in data.updates:
        by_action.setdefault(update["action_id"], []).append(update)
    days = chart_days(data.as_of)
    moments = [end_of_day(day) for day in days[:-1]]
    # An action not updated in the window counts the same at every point: counted once.
    steady: Counter[str] = Counter()
    moved: list[Counter[str]] = [Counter() for _ in moments]
    for action in data.actions:
        updates = by_action.get(action["id"])
        if not updates:
            if action["status"] != ActionStatus.CANCELLED:
                steady[action["rag"]] += 1
            continue
        for counts, moment in zip(moved, moments, strict=True):
            status, rag = _status_and_rag_at(action, updates, moment)
            if status != ActionStatus.CANCELLED:
                counts[rag] += 1
    # The digest's own day: every action as it stands.
    today = Counter(a["rag"] for a in data.actions if a["status"] != ActionStatus.CANCELLED)
    return [
        {
            "on": day.isoformat(),
            "label": f"{day.day} {day:%b}",
            "complete": counts[Rag.BLUE],
            "on_track": counts[Rag.GREEN],
            "at_risk": counts[Rag.AMBER],
            "off_track": counts[Rag.RED],
        }
        for day, counts in zip(days, [steady + past for past in moved] + [today], strict=True)
    ]


def _status_and_rag_at(
    action: dict[str, Any], updates: list[dict[str, Any]], moment: dt.datetime
) -> tuple[str, str]:
    before = [u for u in updates if u["created_at"] < moment]
    if before:
        return before[-1]["status"], before[-1]["rag"]
    if updates:
        return updates[0]["previous_status"], updates[0]["previous_rag"]
    return action["status"], action["rag"]
