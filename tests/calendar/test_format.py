"""The text of the feed: the same items and UIDs for the same data, and text that survives
escaping and folding when a calendar library reads it back."""

import datetime as dt
from urllib.parse import urlsplit

import icalendar
import pytest
from django.test import Client

from accounts.models import User
from notifications.links import calendar_url
from tests.calendar.ical import Component, parse, physical_lines
from tests.notifications.conftest import Clock, SmallPlan

d = dt.date
pytestmark = pytest.mark.django_db

# The feed for `pinned_items` as the service wrote it before the library wrote it: subscribed
# calendars match events by UID, so a changed UID would duplicate every event once.
PINNED_CALENDAR = [
    "VERSION:2.0",
    "PRODID:-//Action plan delivery service//Due dates//EN",
    "CALSCALE:GREGORIAN",
    "NAME:Action plan due dates",
    "X-WR-CALNAME:Action plan due dates",
    "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
    "X-PUBLISHED-TTL:PT6H",
]
PINNED_EVENTS = {
    "action-91001@127.0.0.1": [
        "UID:action-91001@127.0.0.1",
        "DTSTAMP:20261125T093000Z",
        "LAST-MODIFIED:20261125T093000Z",
        "SEQUENCE:1",
        "DTSTART;VALUE=DATE:20261218",
        "DTEND;VALUE=DATE:20261219",
        "SUMMARY:Due: action 1.1 Recruit two educational psychologists\\, one\\; more\\\\ Zoë",
        "DESCRIPTION:Northshire Local Area SEND Written Statement of Action\\, recommendation 1."
        "\\nYou own this action.\\nStatus: In progress. RAG: Green (on track)."
        "\\nLast update: none yet.",
        "TRANSP:TRANSPARENT",
    ],
    "milestone-91002@127.0.0.1": [
        "UID:milestone-91002@127.0.0.1",
        "DTSTAMP:20261125T093000Z",
        "LAST-MODIFIED:20261125T093000Z",
        "SEQUENCE:1",
        "DTSTART;VALUE=DATE:20270226",
        "DTEND;VALUE=DATE:20270227",
        "SUMMARY:Milestone: Assessments within 20 weeks",
        "DESCRIPTION:Northshire Local Area SEND Written Statement of Action\\, recommendation 1."
        "\\nYou are the accountable lead for this milestone.",
        "TRANSP:TRANSPARENT",
    ],
}

# Everything TEXT escaping touches, a backslash before N and n (the library's shorthand for a
# line break, here typed by a person), and long text whose characters take 2 to 4 octets.
AWKWARD = (
    'Speech, language; and "OT"\nfrom S:\\SEND\\New posts\\next\\\\ year\\'
    + " Zoë Ødegård\u2019s café — ½ time, 特別支援 ✓ 🙂" * 4
)


def feed(person: User) -> bytes:
    path = urlsplit(calendar_url(user_id=person.pk, password=person.password)).path
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return bytes(response.content)


def content_lines(component: Component) -> list[str]:
    """Each property as one unfolded content line, still escaped."""
    lines = []
    for name, params, value in component.properties:
        written = "".join(f";{key}={val}" for key, val in params.items())
        lines.append(f"{name}{written}:{value}")
    return lines


def pinned_items(small_plan: SmallPlan) -> User:
    small_plan.plan.title = "Northshire Local Area SEND Written Statement of Action"
    small_plan.plan.save()
    small_plan.recommendation.lead = small_plan.owner
    small_plan.recommendation.save()
    small_plan.action(
        pk=91001,
        due=d(2026, 12, 18),
        reference="1.1",
        title="Recruit two educational psychologists, one; more\\ Zoë",
    )
    small_plan.milestone(pk=91002, due=d(2027, 2, 26), title="Assessments within 20 weeks")
    return small_plan.owner


def test_the_feed_keeps_the_uids_and_content_it_had_for_the_same_data(
    small_plan: SmallPlan, clock: Clock
) -> None:
    calendar = parse(feed(pinned_items(small_plan)))

    assert content_lines(calendar) == PINNED_CALENDAR
    found = {event.get("UID"): event for event in calendar.children}
    assert list(found) == list(PINNED_EVENTS)
    assert [child.name for child in calendar.children] == ["VEVENT", "VEVENT"]
    for uid, expected in PINNED_EVENTS.items():
        assert sorted(content_lines(found[uid])) == sorted(expected), uid


def test_awkward_text_comes_back_whole_through_a_calendar_library(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.plan.title = AWKWARD
    small_plan.plan.save()
    small_plan.action(due=d(2026, 12, 18), reference="1.1", title=AWKWARD)

    calendar = icalendar.Calendar.from_ical(feed(small_plan.owner))

    [event] = calendar.events
    assert str(event["SUMMARY"]) == f"Due: action 1.1 {AWKWARD}"
    assert str(event["DESCRIPTION"]).startswith(f"{AWKWARD}, recommendation 1.\nYou own")
    assert event.start == d(2026, 12, 18)
    assert event.end == d(2026, 12, 19)


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=d(2026, 12, 18), reference="1.1", title="é" * 100 + "🙂" * 40)

    data = feed(small_plan.owner)

    # physical_lines refuses a line over 75 octets, a bare CR or LF, and a fold inside a
    # character (the line would not decode as UTF-8).
    lines = physical_lines(data)
    summary = next(i for i, line in enumerate(lines) if line.startswith(b"SUMMARY:"))
    continued = []
    for line in lines[summary + 1 :]:
        if not line.startswith(b" "):
            break
        continued.append(line)
    assert len(continued) >= 4
    # Folded late, not early: no line but the last had room left for a four-octet 🙂.
    assert all(len(line) > 75 - 4 - 1 for line in [lines[summary], *continued[:-1]])
    [event] = parse(data).children
    assert event.text("SUMMARY") == "Due: action 1.1 " + "é" * 100 + "🙂" * 40
