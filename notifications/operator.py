"""What the operator commands print: one line per recipient and item queued (or not)."""

import datetime as dt
import re

from django.core.management.base import CommandError

from actions.models import Action, Milestone
from notifications.due import Due, QueueResult
from notifications.models import Audience, ItemType, Notification

_REASONS = {
    "due_soon": "due in {days} working day{s}",
    "due_today": "due today",
    "overdue": "{days} working day{s} overdue",
    "escalated": "level {level} ({audience}), {days} working day{s} overdue",
    "update_requested": "update requested for the meeting on {meets_on} (papers due {papers_due})",
}


def count(number: int, word: str, plural: str | None = None) -> str:
    return f"{number} {word if number == 1 else plural or word + 's'}"


def _first_lower(label: str) -> str:
    # "The SEND Executive" reads "the SEND Executive", not "the send executive".
    return label[:1].lower() + label[1:]


def parse_day(value: str) -> dt.date:
    try:
        # fromisoformat also takes 20261125 and 2026-W48-3; the operator wrote a date.
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f'--as-of "{value}" is not a date: write it as YYYY-MM-DD, for example 2026-11-25.'
        ) from None


def _labels(lines: list[Due]) -> dict[tuple[str, int], str]:
    action_ids = [line.item_id for line in lines if line.item_type == ItemType.ACTION]
    milestone_ids = [line.item_id for line in lines if line.item_type == ItemType.MILESTONE]
    labels: dict[tuple[str, int], str] = {
        (ItemType.ACTION, pk): f"action {reference} {plan}"
        for pk, reference, plan in Action.objects.filter(pk__in=action_ids).values_list(
            "pk", "reference", "plan__slug"
        )
    }
    labels.update(
        {
            (ItemType.MILESTONE, pk): f'milestone "{title}" {plan}'
            for pk, title, plan in Milestone.objects.filter(pk__in=milestone_ids).values_list(
                "pk", "title", "recommendation__plan__slug"
            )
        }
    )
    return labels


def report(result: QueueResult, *, dry_run: bool) -> list[str]:
    labels = _labels(result.due)
    queued_for = set(
        Notification.objects.filter(pk__in=result.queued_ids).values_list("recipient_id", flat=True)
    )
    audiences = dict(Audience.choices)
    out = []
    for line in sorted(
        result.due, key=lambda d: (result.recipients.get(d.recipient_id, ""), d.urgency())
    ):
        email = result.recipients.get(line.recipient_id)
        if email is None:
            continue
        if dry_run:
            verb = "would queue"
        elif line.recipient_id in queued_for or (
            line.reason == "escalated" and line.recipient_id in result.added_to
        ):
            verb = "queued"
        else:
            verb = "already queued"
        reason = _REASONS[line.reason].format(
            days=line.days,
            s="" if line.days == 1 else "s",
            level=line.escalation_level,
            audience=_first_lower(audiences.get(line.role, line.role)),
            meets_on=line.meets_on,
            papers_due=line.papers_due_on,
        )
        if line.was_due is not None:
            reason += f" (was due on {line.was_due}; not sent then)"
        label = labels.get((line.item_type, line.item_id), f"{line.item_type} {line.item_id}")
        out.append(f"{verb}: {email} | {label} | {reason} | role {line.role}")
    return out
