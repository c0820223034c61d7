"""What a digest sweep stored, to check that ``make bench-digest`` compares like with like.

``stored_since`` reads back the snapshots and ledger rows a sweep stored (within its own
rolled-back transaction); ``figures_of`` picks out of a snapshot's content the figures the
floor (``benchmarks.digest_floor``) gathers; ``differences`` says, one line each, where the
floor's stored work differs from the engine's: figures, state, recipients, spreadsheet
(its parts, without the moments it was saved at) and ledger rows.
"""

import datetime as dt
import io
import json
import re
import zipfile
from typing import Any

from digests.models import DigestSnapshot
from notifications.models import Notification


def figures_of(content: dict[str, Any]) -> dict[str, Any]:
    """The figures of a snapshot's content that the floor gathers (see the module)."""
    figures: dict[str, Any] = {
        "headline": content["headline"],
        "chart": [
            (p["on"], p["label"], p["complete"], p["on_track"], p["at_risk"], p["off_track"])
            for p in content["chart"]
        ],
        "since": content["since"]["first"],
        "milestones_ahead": [
            (m["title"], m["recommendation"], m["lead"]) for m in content["milestones_ahead"]
        ],
    }
    if "escalations" in content:
        figures["escalations"] = [
            (
                level["level"],
                level["audience"],
                level["count"],
                [(item["label"], item["title"], item["days"]) for item in level["items"]],
            )
            for level in content["escalations"]
        ]
    if "measures" in content:
        figures["measures"] = [
            (m["name"], m["recommendation"], m["latest"], m["travel"], m["met"])
            for m in content["measures"]
        ]
    if "stale" in content:
        stale = content["stale"]
        figures["stale"] = (
            stale["count"],
            stale["more"],
            [(line["reference"], line["owner"], line["days"]) for line in stale["shown"]],
        )
    if "decisions" in content:
        figures["decisions"] = content["decisions"]["count"]
    if "recommendations" in content:
        figures["recommendations"] = [
            (
                r["number"],
                r["title"],
                r["lead_role"],
                r["actions"],
                r["complete"],
                r["percent_complete"],
            )
            for r in content["recommendations"]
        ]
    if "awaiting" in content:
        owed = content["awaiting"]
        figures["awaiting"] = None if owed is None else [len(owed["actions"])]
    if "unreachable" in content:
        figures["unreachable"] = [
            (p["name"], p["email"], p["since"], p["roles"]) for p in content["unreachable"]
        ]
    return figures


# openpyxl stamps a workbook "modified" with the clock when it saves it.
SAVED_AT = re.compile(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>")


def _sheet(book: bytes) -> dict[str, bytes]:
    """A workbook's parts, without the times it was saved at (in the zip and its properties)."""
    if not book:
        return {}
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        return {name: SAVED_AT.sub(b"", archive.read(name)) for name in archive.namelist()}


def stored_since(now: dt.datetime) -> dict[str, Any]:
    """The snapshots and ledger rows a sweep at ``now`` stored, by plan and board."""
    snapshots, by_id = {}, {}
    for row in DigestSnapshot.objects.filter(created_at=now).values(
        "id", "plan_id", "board_id", "audience", "period", "content", "state", "recipients"
    ):
        by_id[row["id"]] = (row["plan_id"], row["board_id"])
        snapshots[(row["plan_id"], row["board_id"])] = {
            "audience": row["audience"],
            "period": row["period"],
            "figures": figures_of(row["content"]),
            "state": row["state"],
            "recipients": row["recipients"],
        }
    for pk, book in DigestSnapshot.objects.filter(created_at=now).values_list("id", "spreadsheet"):
        snapshots[by_id[pk]]["spreadsheet"] = _sheet(bytes(book))
    ledger = sorted(
        (*by_id[int(key.removeprefix("snapshot:"))], recipient, kind, occurrence, email, status)
        for key, recipient, kind, occurrence, email, status in Notification.objects.filter(
            created_at=now, subject_key__startswith="snapshot:"
        ).values_list("subject_key", "recipient_id", "kind", "occurrence", "to_email", "status")
    )
    return {"snapshots": snapshots, "ledger": ledger}


def differences(engine: dict[str, Any], floor: dict[str, Any]) -> list[str]:
    """Where the floor's stored work differs from the engine's, one line each (none: equal)."""
    lines = []
    mine, theirs = engine["snapshots"], floor["snapshots"]
    for key in sorted(set(mine) | set(theirs)):
        plan_id, board_id = key
        if key not in theirs or key not in mine:
            who = "the floor" if key not in theirs else "the engine"
            lines.append(f"plan {plan_id}, board {board_id}: no snapshot from {who}")
            continue
        for part, value in mine[key].items():
            other = theirs[key].get(part)
            if part == "figures":
                for name in sorted(set(value) | set(other)):
                    if value.get(name) != other.get(name):
                        lines.append(
                            f"plan {plan_id}, board {board_id}, {name}: engine "
                            f"{json.dumps(value.get(name), default=str)[:300]}, floor "
                            f"{json.dumps(other.get(name), default=str)[:300]}"
                        )
            elif value != other:
                lines.append(f"plan {plan_id}, board {board_id}: the {part} differs")
    if engine["ledger"] != floor["ledger"]:
        only = set(engine["ledger"]) ^ set(floor["ledger"])
        lines.append(f"the ledger rows differ ({len(only)} rows in one only)")
    return lines
