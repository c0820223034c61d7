"""One way to build an email: ``make_message(name, to, context)`` and one builder per kind.

Each kind has three templates under ``templates/emails/``: ``<name>-subject.txt``,
``<name>-body.txt`` and ``<name>-body.html``. The HTML part has no images, so it reads the
same in a mail program that blocks them and through a screen reader.
"""

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from actions.dates import LONDON
from actions.models import Action, Milestone
from notifications.links import absolute, milestone_url, preferences_url, update_url
from notifications.models import Audience, ItemType, Notification, NotificationKind

_ROLE_PREFIX = {
    Audience.ACCOUNTABLE_LEAD: "You are the accountable lead for this recommendation.",
    Audience.OWNER: "You own this action.",
    Audience.EXECUTIVE: "You are told as a member of the SEND Executive.",
    Audience.LEAD_MEMBER: "You are told as the Lead Member.",
}


def make_message(
    name: str, to: str, context: dict[str, Any], headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.extra_headers.update(headers or {})
    return message


def message_id_for(notification: Notification) -> str:
    """The same Message-ID on every attempt, so a copy sent twice can be recognised."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}@{host}>"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _things(actions: int, milestones: int) -> str:
    parts = [_plural(n, w) for n, w in ((actions, "action"), (milestones, "milestone")) if n]
    return " and ".join(parts)


def _long_date(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _lateness(reason: str, days: int, *, due: dt.date, day: dt.date | None) -> str:
    """What follows "Due <date>" in brackets."""
    if reason == "due_today":
        if day is not None and due != day:
            # Due on a weekend or bank holiday: today is the last working day before it.
            return "today is the last working day before it"
        return "today"
    if reason == "due_soon":
        return f"in {_plural(days, 'working day')}"
    return f"{_plural(days, 'working day')} overdue"


def _day_of(notification: Notification) -> dt.date | None:
    """The working day a ledger row was queued for (its occurrence starts with it)."""
    try:
        return dt.date.fromisoformat(notification.occurrence[:10])
    except ValueError:
        return None


def _entries(notification: Notification) -> list[dict[str, Any]]:
    """The items of a ledger row, with what an email says about each, most urgent first."""
    action_ids = [item["id"] for item in notification.items if item["type"] == ItemType.ACTION]
    milestone_ids = [
        item["id"] for item in notification.items if item["type"] == ItemType.MILESTONE
    ]
    actions = Action.objects.select_related("plan", "owner", "recommendation").in_bulk(action_ids)
    milestones = Milestone.objects.select_related(
        "recommendation__plan", "recommendation__lead"
    ).in_bulk(milestone_ids)
    entries = []
    sent_on = _day_of(notification)
    for item in notification.items:
        due = dt.date.fromisoformat(item["due"])
        entry: dict[str, Any] = {
            "type": item["type"],
            "reason": item["reason"],
            "lateness": _lateness(
                "overdue" if item["reason"] == "escalated" else item["reason"],
                item["days"],
                due=due,
                day=sent_on,
            ),
            "due": _long_date(due),
            "level": item.get("level"),
        }
        if item["type"] == ItemType.ACTION:
            action = actions.get(item["id"])
            if action is None or not action.is_open or action.due_date != due:
                # Deleted, finished or given a new date since the sweep: no longer true.
                continue
            entry.update(
                label=f"Action {action.reference}",
                title=action.title,
                plan=action.plan.title,
                owner=action.owner.name,
                last_update=_long_date(action.last_progress_at.astimezone(LONDON).date())
                if action.last_progress_at
                else None,
            )
            if item["role"] in ("owner", "supporting", Audience.ACCOUNTABLE_LEAD, Audience.OWNER):
                entry["update_url"] = update_url(
                    action_id=action.pk,
                    user_id=notification.recipient_id,
                    notification_id=notification.pk,
                )
            entry["show_owner"] = item["role"] not in ("owner", "supporting", Audience.OWNER)
            if item["role"] == "supporting":
                entry["role"] = f"You support this action; {action.owner.name} owns it."
            elif item["role"] == "owner":
                entry["role"] = "You own this action."
            else:
                entry["role"] = _ROLE_PREFIX.get(item["role"], "")
        else:
            milestone = milestones.get(item["id"])
            if milestone is None or milestone.achieved_on or milestone.due_date != due:
                continue
            entry.update(
                label=f"Milestone of recommendation {milestone.recommendation.number}",
                title=milestone.title,
                plan=milestone.recommendation.plan.title,
                owner=milestone.recommendation.lead.name,
                last_update=None,
                role="You are the accountable lead for this milestone."
                if item["role"] in ("lead", Audience.ACCOUNTABLE_LEAD, Audience.OWNER)
                else _ROLE_PREFIX.get(item["role"], ""),
            )
            if milestone.recommendation.lead_id == notification.recipient_id:
                entry["update_url"] = milestone_url(
                    milestone_id=milestone.pk,
                    user_id=notification.recipient_id,
                    notification_id=notification.pk,
                )
                entry["link_text"] = "Record it as achieved"
        entries.append(entry)
    return entries


# Kinds whose email is built from a stored digest snapshot by ``digests.emails``, which
# also attaches what they carry (chart, spreadsheet): the same call on first send and retry.
SNAPSHOT_KINDS = frozenset(
    {NotificationKind.DIGEST, NotificationKind.BRIEFING, NotificationKind.SUMMARY}
)


def build_message(notification: Notification) -> EmailMultiAlternatives | None:
    """The email for one ledger row (reminders or escalation), or None if nothing is left.

    Items that stopped being true between the sweep and now (completed, achieved, given a new
    due date) are left out; it goes to the person's address as it is now.
    """
    if notification.kind in SNAPSHOT_KINDS:
        from digests.emails import build_snapshot_message  # the app depends on this one

        return build_snapshot_message(notification, headers_for(notification))
    entries = _entries(notification)
    if not entries:
        return None
    actions = sum(1 for e in entries if e["type"] == ItemType.ACTION)
    milestones = len(entries) - actions
    context: dict[str, Any] = {
        "name": notification.recipient.name or notification.recipient.email,
        "things": _things(actions, milestones),
        "verb": "needs" if len(entries) == 1 else "need",
        "entries": entries,
        "overdue": [e for e in entries if e["reason"] == "overdue"],
        "due_today": [e for e in entries if e["reason"] == "due_today"],
        "due_soon": [e for e in entries if e["reason"] == "due_soon"],
        "escalated": [e for e in entries if e["reason"] == "escalated"],
        "has_links": any("update_url" in e for e in entries),
        "site_url": absolute("/"),
        "link_days": settings.UPDATE_LINK_MAX_AGE_DAYS,
    }
    headers = headers_for(notification)
    if notification.kind == NotificationKind.REMINDERS:
        context["preferences_url"] = preferences_url(user_id=notification.recipient_id)
        name = "reminders"
    else:
        name = "escalation"
    return make_message(name, notification.recipient.email, context, headers)


def headers_for(notification: Notification) -> dict[str, str]:
    headers = {
        "Message-ID": message_id_for(notification),
        # Out-of-office replies should not answer a machine (RFC 3834).
        "Auto-Submitted": "auto-generated",
    }
    if notification.kind == NotificationKind.REMINDERS:
        headers["List-Unsubscribe"] = f"<{preferences_url(user_id=notification.recipient_id)}>"
    return headers


def stored_message(notification: Notification) -> EmailMultiAlternatives:
    """The email as first rendered, from the ledger row: what a retry sends again."""
    if notification.kind in SNAPSHOT_KINDS:
        # Built again from the same stored snapshot: the same words and attachments.
        from digests.emails import build_snapshot_message

        rebuilt = build_snapshot_message(notification, headers_for(notification))
        if rebuilt is not None:
            return rebuilt
    message = EmailMultiAlternatives(
        notification.subject,
        notification.body_text,
        settings.DEFAULT_FROM_EMAIL,
        [notification.to_email],
        headers=headers_for(notification),
    )
    message.attach_alternative(notification.body_html, "text/html")
    return message
