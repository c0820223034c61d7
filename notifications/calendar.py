"""A person's calendar feed (iCalendar, RFC 5545): their due dates and milestones.

One all-day event per open action they own or support and per unachieved milestone of a
recommendation they lead, in active plans. Calendar programs subscribe to the feed's signed
URL (``notifications.links.calendar_url``) and poll it; each item keeps the same UID, so a
new due date moves the event rather than adding another.

Written by hand (a few dozen lines, no dependency): CRLF line endings, lines folded at 75
octets without splitting a UTF-8 character, text values escaped (backslash, semicolon, comma,
newline), dates as ``VALUE=DATE``, times in UTC.
"""

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from accounts.models import User
from actions.dates import LONDON
from actions.models import OPEN_STATUSES, Action, Milestone, PlanStatus
from notifications.links import LinkError, calendar_link_is_current, read_calendar_token

_LIMIT = 75  # octets per line, CRLF not counted (RFC 5545, 3.1)


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545, 3.3.11): backslash first, then ; , and newlines."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """One content line folded into lines of at most 75 octets, joined by CRLF and a space.

    Characters are never split: a character whose UTF-8 bytes would cross the limit starts
    the next line. The space that begins a continuation line counts in its 75 octets.
    """
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = _LIMIT
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, _LIMIT - 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _long_date(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _event(
    *,
    uid: str,
    day: dt.date,
    summary: str,
    description: str,
    changed_at: dt.datetime,
    sequence: int,
) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        # Without a METHOD, DTSTAMP is when the item last changed (RFC 5545, 3.8.7.2): the
        # same feed for the same data, which calendar programs can compare.
        f"DTSTAMP:{_utc(changed_at)}",
        f"LAST-MODIFIED:{_utc(changed_at)}",
        f"SEQUENCE:{sequence}",
        f"DTSTART;VALUE=DATE:{_date(day)}",
        f"DTEND;VALUE=DATE:{_date(day + dt.timedelta(days=1))}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        "TRANSP:TRANSPARENT",  # a due date does not make anyone busy
        "END:VEVENT",
    ]


def _uid_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def calendar_items(*, user: User) -> tuple[list[Action], list[Milestone]]:
    """What the person's calendar shows: two queries whatever the number of items."""
    supports = Action.supporting_owners.through.objects.filter(
        action_id=OuterRef("pk"), user_id=user.pk
    )
    actions = list(
        Action.objects.filter(
            Q(owner=user) | Q(Exists(supports)),
            status__in=OPEN_STATUSES,
            plan__status=PlanStatus.ACTIVE,
        )
        .select_related("plan", "owner", "recommendation")
        .order_by("due_date", "plan__title", "reference", "pk")
    )
    milestones = list(
        Milestone.objects.filter(
            recommendation__lead=user,
            achieved_on__isnull=True,
            recommendation__plan__status=PlanStatus.ACTIVE,
        )
        .select_related("recommendation__plan")
        .order_by("due_date", "recommendation__plan__title", "pk")
    )
    return actions, milestones


def _action_lines(action: Action, *, user: User, host: str) -> list[str]:
    if action.owner_id == user.pk:
        role = "You own this action."
    else:
        role = f"You support this action; {action.owner.name} owns it."
    last = (
        _long_date(action.last_progress_at.astimezone(LONDON).date())
        if action.last_progress_at
        else "none yet"
    )
    description = "\n".join(
        [
            f"{action.plan.title}, recommendation {action.recommendation.number}.",
            role,
            f"Status: {action.get_status_display()}. RAG: {action.get_rag_display()}.",
            f"Last update: {last}.",
        ]
    )
    return _event(
        uid=f"action-{action.pk}@{host}",
        day=action.due_date,
        summary=f"Due: action {action.reference} {action.title}",
        description=description,
        changed_at=action.updated_at,
        sequence=action.version,
    )


def _milestone_lines(milestone: Milestone, *, host: str) -> list[str]:
    recommendation = milestone.recommendation
    description = "\n".join(
        [
            f"{recommendation.plan.title}, recommendation {recommendation.number}.",
            "You are the accountable lead for this milestone.",
        ]
    )
    return _event(
        uid=f"milestone-{milestone.pk}@{host}",
        day=milestone.due_date,
        summary=f"Milestone: {milestone.title}",
        description=description,
        changed_at=milestone.updated_at,
        sequence=milestone.version,
    )


def calendar_for(*, user: User) -> str:
    """The person's whole feed, as the text of an iCalendar object (CRLF line endings)."""
    host = _uid_host()
    actions, milestones = calendar_items(user=user)
    lines: list[str] = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Action plan delivery service//Due dates//EN",
        "CALSCALE:GREGORIAN",
        "NAME:Action plan due dates",
        "X-WR-CALNAME:Action plan due dates",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
    ]
    for action in actions:
        lines += _action_lines(action, user=user, host=host)
    for milestone in milestones:
        lines += _milestone_lines(milestone, host=host)
    lines.append("END:VCALENDAR")
    return _serialise(lines)


def _serialise(lines: Iterable[str]) -> str:
    return "".join(fold(line) + "\r\n" for line in lines)


def calendar_person(token: str) -> User:
    """The person whose feed a token opens; Http404 or ``Gone`` otherwise.

    A token that is not ours is a 404 (nothing said about anyone). A genuine one whose
    person has left, or whose password changed since (the link was revoked), is a 410: the
    calendar program should stop asking.
    """
    try:
        link = read_calendar_token(token)
    except LinkError:
        raise Http404("No such calendar.") from None
    person = User.objects.filter(pk=link.user_id).first()
    if (
        person is None
        or not person.is_active
        or not calendar_link_is_current(link, password=person.password)
    ):
        raise Gone()
    return person


class Gone(Exception):
    """The calendar link was real but no longer works."""


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        person = calendar_person(token)
    except Gone:
        return HttpResponse(
            "This calendar link no longer works. Get your new link from your preferences.\n",
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(calendar_for(user=person), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="action-plan.ics"'
    # The feed is one person's: no shared cache keeps it, and the link is not passed on.
    response["Cache-Control"] = "private, max-age=900"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
