"""A person's calendar feed (iCalendar, RFC 5545): their due dates and milestones.

One all-day event per open action they own or support and per unachieved milestone of a
recommendation they lead, in active plans. Calendar programs subscribe to the feed's signed
URL (``notifications.links.calendar_url``) and poll it; each item keeps the same UID, so a
new due date moves the event rather than adding another.

The ``icalendar`` library writes the text: CRLF line endings, lines folded at 75 octets,
text values escaped, dates as ``VALUE=DATE``, times in UTC.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event, vDuration, vText

from accounts.models import User
from actions.dates import LONDON
from actions.models import OPEN_STATUSES, Action, Milestone, PlanStatus
from notifications.links import LinkError, calendar_link_is_current, read_calendar_token

_REFRESH = dt.timedelta(hours=6)


class _Text(vText):
    """A TEXT value whose every backslash is the person's own.

    The library reads a backslash followed by a capital N as a line break (its shorthand
    for a newline), which would turn a title such as "S:\\SEND\\New posts" into two lines. The
    text is escaped piece by piece around each such pair, and the backslash written escaped.
    """

    def to_ical(self) -> bytes:
        return b"\\\\N".join(vText(part).to_ical() for part in self.split("\\N"))


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
) -> Event:
    event = Event()
    event.add("UID", uid)
    # Without a METHOD, DTSTAMP is when the item last changed (RFC 5545, 3.8.7.2): the same
    # feed for the same data, which calendar programs can compare.
    changed = changed_at.astimezone(dt.UTC)
    event.add("DTSTAMP", changed)
    event.add("LAST-MODIFIED", changed)
    event.add("SEQUENCE", sequence)
    event.add("DTSTART", day)
    event.add("DTEND", day + dt.timedelta(days=1))
    event.add("SUMMARY", _Text(summary))
    event.add("DESCRIPTION", _Text(description))
    event.add("TRANSP", "TRANSPARENT")  # a due date does not make anyone busy
    return event


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


def _action_event(action: Action, *, user: User, host: str) -> Event:
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


def _milestone_event(milestone: Milestone, *, host: str) -> Event:
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


def calendar_for(*, user: User) -> bytes:
    """The person's whole feed, as an iCalendar object (UTF-8, CRLF line endings)."""
    host = _uid_host()
    actions, milestones = calendar_items(user=user)
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", "-//Action plan delivery service//Due dates//EN")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.calendar_name = "Action plan due dates"  # NAME and X-WR-CALNAME
    calendar.add("REFRESH-INTERVAL", _REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(_REFRESH))
    for action in actions:
        calendar.add_component(_action_event(action, user=user, host=host))
    for milestone in milestones:
        calendar.add_component(_milestone_event(milestone, host=host))
    return calendar.to_ical()


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
