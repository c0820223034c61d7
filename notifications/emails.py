"""One way to build an email: ``make_message(name, to, context)`` and one builder per kind.

Each kind has three templates under ``templates/emails/``: ``<name>-subject.txt``,
``<name>-body.txt`` and ``<name>-body.html``. The HTML part has no images, so it reads the
same in a mail program that blocks them and through a screen reader.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from actions.dates import LONDON, working_days_between
from actions.models import Action, BoardMeeting, Milestone
from notifications.links import absolute, milestone_url, preferences_url, update_url
from notifications.models import Audience, ItemType, Notification, NotificationKind
from notifications.unsubscribe import unsubscribe_headers

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


def _short_date(day: dt.date, *, year_of: dt.date) -> str:
    """ "Monday 30 November", with the year only when it differs from ``year_of``'s."""
    return _long_date(day) if day.year != year_of.year else f"{day:%A} {day.day} {day:%B}"


def _lateness_now(due: dt.date, day: dt.date | None) -> str:
    """An action's due date as seen on the day the email is for (an update request's line)."""
    if day is None:
        return ""
    if due < day:
        return f"{_plural(working_days_between(due, day), 'working day')} overdue"
    ahead = working_days_between(day, due)
    return "today" if ahead == 0 else f"in {_plural(ahead, 'working day')}"


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
    actions, milestones, meetings = _items_of(notification)
    entries = []
    sent_on = _day_of(notification)
    for item in notification.items:
        entry: dict[str, Any] | None
        if item["reason"] == "update_requested":
            entry = _update_request_entry(item, actions, meetings, notification, sent_on)
        elif item["type"] == ItemType.ACTION:
            entry = _action_entry(item, actions, notification, sent_on)
        else:
            entry = _milestone_entry(item, milestones, notification, sent_on)
        if entry is not None:
            entries.append(entry)
    return entries


def _items_of(
    notification: Notification,
) -> tuple[dict[int, Action], dict[int, Milestone], dict[int, BoardMeeting]]:
    """The actions, milestones and meetings a ledger row names, as they are now: one query
    for each kind, whatever the number of items."""
    action_ids = [item["id"] for item in notification.items if item["type"] == ItemType.ACTION]
    milestone_ids = [
        item["id"] for item in notification.items if item["type"] == ItemType.MILESTONE
    ]
    actions = Action.objects.select_related("plan", "owner", "recommendation").in_bulk(action_ids)
    milestones = Milestone.objects.select_related(
        "recommendation__plan", "recommendation__lead"
    ).in_bulk(milestone_ids)
    meeting_ids = [item["meeting"] for item in notification.items if "meeting" in item]
    meetings = (
        BoardMeeting.objects.select_related("board").in_bulk(meeting_ids) if meeting_ids else {}
    )
    return actions, milestones, meetings


def _due_entry(item: dict[str, Any], *, due: dt.date, sent_on: dt.date | None) -> dict[str, Any]:
    """What an email says about any due, overdue or escalated item, action or milestone."""
    return {
        "type": item["type"],
        "item_id": item["id"],
        "reason": item["reason"],
        "lateness": _lateness(
            "overdue" if item["reason"] == "escalated" else item["reason"],
            item["days"],
            due=due,
            day=sent_on,
        ),
        "due": _long_date(due),
        "level": item.get("level"),
        "was_due": _was_due(item, sent_on),
    }


def _was_due(item: dict[str, Any], sent_on: dt.date | None) -> str | None:
    """A line sent late because the service was down on its day says which day that was."""
    if "was_due" not in item:
        return None
    day = dt.date.fromisoformat(item["was_due"])
    what = "request" if item["reason"] == "update_requested" else "reminder"
    return (
        f"This {what} was due on {_short_date(day, year_of=sent_on or day)}; "
        "the service could not send it then."
    )


def _action_entry(
    item: dict[str, Any],
    actions: dict[int, Action],
    notification: Notification,
    sent_on: dt.date | None,
) -> dict[str, Any] | None:
    """A due, overdue or escalated action, or None if that is no longer true."""
    due = dt.date.fromisoformat(item["due"])
    entry = _due_entry(item, due=due, sent_on=sent_on)
    action = actions.get(item["id"])
    if action is None or not action.is_open or action.due_date != due:
        # Deleted, finished or given a new date since the sweep: no longer true.
        return None
    entry.update(
        label=f"Action {action.reference}",
        title=action.title,
        plan=action.plan.title,
        owner=action.owner.name,
        last_update=_last_update(action),
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
    return entry


def _milestone_entry(
    item: dict[str, Any],
    milestones: dict[int, Milestone],
    notification: Notification,
    sent_on: dt.date | None,
) -> dict[str, Any] | None:
    """A due, overdue or escalated milestone, or None if that is no longer true."""
    due = dt.date.fromisoformat(item["due"])
    entry = _due_entry(item, due=due, sent_on=sent_on)
    milestone = milestones.get(item["id"])
    if milestone is None or milestone.achieved_on or milestone.due_date != due:
        return None
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
    # The page behind the link is the accountable lead's, so only the lead's email has it.
    if milestone.recommendation.lead_id == notification.recipient_id:
        entry["update_url"] = milestone_url(
            milestone_id=milestone.pk,
            user_id=notification.recipient_id,
            notification_id=notification.pk,
        )
        entry["link_text"] = "Record it as achieved"
    return entry


def _last_update(action: Action) -> str | None:
    """The day of the action's last progress update, in London, if it has had one."""
    if action.last_progress_at is None:
        return None
    return _long_date(action.last_progress_at.astimezone(LONDON).date())


def _update_request_entry(
    item: dict[str, Any],
    actions: dict[int, Action],
    meetings: dict[int, BoardMeeting],
    notification: Notification,
    sent_on: dt.date | None,
) -> dict[str, Any] | None:
    """A board meeting's request for an update on one action, or None if no longer owed.

    The action and the meeting are read as they are now: a closed action, a cancelled
    meeting, or an update made after the sweep asked leaves the line out.
    """
    action = actions.get(item["id"])
    meeting = meetings.get(item["meeting"])
    if action is None or not action.is_open or meeting is None:
        return None
    if action.last_progress_at is not None and action.last_progress_at >= notification.created_at:
        return None
    board = meeting.board.name
    heading = (
        f"Updates requested for the {board} meeting on {_long_date(meeting.meets_on)} "
        f"(papers due {_short_date(meeting.papers_due_on, year_of=meeting.meets_on)})"
    )
    return {
        "type": ItemType.ACTION,
        "item_id": action.pk,
        "reason": "update_requested",
        "meeting": meeting.pk,
        "heading": heading,
        "board": board,
        "meets_on": _long_date(meeting.meets_on),
        "lateness": _lateness_now(action.due_date, sent_on),
        "due": _long_date(action.due_date),
        "level": None,
        "label": f"Action {action.reference}",
        "title": action.title,
        "plan": action.plan.title,
        "owner": action.owner.name,
        "last_update": _last_update(action),
        "update_url": update_url(
            action_id=action.pk,
            user_id=notification.recipient_id,
            notification_id=notification.pk,
        ),
        "show_owner": False,
        "role": "You own this action.",
        "was_due": _was_due(item, sent_on),
    }


def _update_requests(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Update requests grouped by meeting, soonest first: one section of the email each."""
    groups: dict[int, dict[str, Any]] = {}
    listed = {e["item_id"] for e in entries if e["reason"] != "update_requested"}
    for entry in entries:
        if entry["reason"] == "update_requested":
            # Already listed as due or overdue: named again without repeating its details.
            entry["listed_above"] = entry["item_id"] in listed
            group = groups.setdefault(
                entry["meeting"],
                {
                    "heading": entry["heading"],
                    "board": entry["board"],
                    "meets_on": entry["meets_on"],
                    "entries": [],
                },
            )
            group["entries"].append(entry)
    for group in groups.values():
        group["fresh"] = [e for e in group["entries"] if not e["listed_above"]]
        group["repeated"] = [e for e in group["entries"] if e["listed_above"]]
    return list(groups.values())


# Kinds whose email is built from a stored digest snapshot by ``digests.emails``, which
# also attaches what they carry (chart, spreadsheet): the same call on first send and retry.
# The email of a kind that a higher app renders (the digests app's digests, briefings and
# summaries, built from their stored snapshots). Such an app registers its builder when it
# starts (``AppConfig.ready``), so this app never imports it.
MessageBuilder = Callable[[Notification, dict[str, str]], EmailMultiAlternatives | None]
_builders: dict[str, MessageBuilder] = {}


def register_message_builder(kinds: Iterable[str], builder: MessageBuilder) -> None:
    for kind in kinds:
        _builders[kind] = builder


def _registered_builder(notification: Notification) -> MessageBuilder | None:
    builder = _builders.get(notification.kind)
    if builder is None and notification.kind not in (
        NotificationKind.REMINDERS,
        NotificationKind.ESCALATION,
    ):
        raise LookupError(
            f"No app renders {notification.kind} emails: is its app in INSTALLED_APPS?"
        )
    return builder


def build_message(notification: Notification) -> EmailMultiAlternatives | None:
    """The email for one ledger row (reminders or escalation), or None if nothing is left.

    Items that stopped being true between the sweep and now (completed, achieved, given a new
    due date) are left out; it goes to the person's address as it is now.
    """
    builder = _registered_builder(notification)
    if builder is not None:
        return builder(notification, headers_for(notification))
    entries = _entries(notification)
    if not entries:
        return None
    context = content(notification, entries)
    headers = headers_for(notification)
    if notification.kind == NotificationKind.REMINDERS:
        context["preferences_url"] = preferences_url(user_id=notification.recipient_id)
        name = "reminders"
    else:
        name = "escalation"
    return make_message(name, notification.recipient.email, context, headers)


def _count_things(entries: list[dict[str, Any]]) -> str:
    # An action both due and asked for by a meeting is one thing needing an update.
    actions = len({e["item_id"] for e in entries if e["type"] == ItemType.ACTION})
    milestones = len({e["item_id"] for e in entries if e["type"] == ItemType.MILESTONE})
    return _things(actions, milestones)


def content(notification: Notification, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """What a reminders or escalation email says, as data its templates (and any other
    rendering of the same email) read.

    In the day's email what escalated to the person comes first ("Escalated to you"), then
    what needs their update: overdue, due today, due soon, and the board meetings' requests.
    """
    escalated = [e for e in entries if e["reason"] == "escalated"]
    others = [e for e in entries if e["reason"] != "escalated"]
    return {
        "name": notification.recipient.name or notification.recipient.email,
        "things": _count_things(others or entries),
        "verb": "needs" if len(others or entries) == 1 else "need",
        "escalated_things": _count_things(escalated),
        "entries": entries,
        "overdue": [e for e in entries if e["reason"] == "overdue"],
        "due_today": [e for e in entries if e["reason"] == "due_today"],
        "due_soon": [e for e in entries if e["reason"] == "due_soon"],
        "escalated": escalated,
        "reminders": others,
        "update_requests": _update_requests(entries),
        "has_links": any("update_url" in e for e in entries),
        "caught_up": any(e.get("was_due") for e in entries),
        "site_url": absolute("/"),
        "link_days": settings.UPDATE_LINK_MAX_AGE_DAYS,
    }


def headers_for(notification: Notification) -> dict[str, str]:
    headers = {
        "Message-ID": message_id_for(notification),
        # Out-of-office replies should not answer a machine (RFC 3834).
        "Auto-Submitted": "auto-generated",
    }
    if notification.kind == NotificationKind.REMINDERS:
        # One click in the mail program switches reminders off (RFC 8058).
        headers.update(unsubscribe_headers(user_id=notification.recipient_id))
    return headers


def stored_message(notification: Notification) -> EmailMultiAlternatives:
    """The email as first rendered, from the ledger row: what a retry sends again."""
    builder = _registered_builder(notification)
    if builder is not None:
        # A digest is built again from the same stored snapshot: the same words and files.
        rebuilt = builder(notification, headers_for(notification))
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
