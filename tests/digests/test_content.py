"""What the weekly digest says, section by section, on the fixture plan (tests/digests/conftest.py).

The first digest is built by the sweep of Monday 23 November, the second by that of Monday
30 November after the week's changes; each figure below is counted by hand from the fixture.
"""

import datetime as dt
import io
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from typing import Any

import pytest
from django.core import mail
from openpyxl import load_workbook

from actions.models import BoardAudience
from digests.models import DigestSnapshot
from digests.services import digests_queue
from notifications.delivery import notification_deliver
from notifications.models import Notification, NotificationKind, NotificationStatus
from tests.digests.conftest import FIRST_MONDAY, MONDAY, World, london

pytestmark = pytest.mark.django_db


def sweep(world: World, day: dt.date) -> list[int]:
    now = world.clock.go_to(day)
    return digests_queue(today=day, now=now).queued_ids


def two_weeks(world: World) -> DigestSnapshot:
    sweep(world, FIRST_MONDAY)
    world.week_of_the_23rd()
    sweep(world, MONDAY)
    return DigestSnapshot.objects.get(
        plan=world.plan, audience=BoardAudience.EXECUTIVE, period="2026-W49"
    )


def delivered(world: World, kind: str, period: str = "2026-W49") -> list[EmailMessage]:
    """Deliver the period's rows of one kind; the emails as a mail program parses them."""
    mail.outbox.clear()
    for row in Notification.objects.filter(kind=kind, occurrence=period).order_by("pk"):
        assert notification_deliver(notification_id=row.pk) == "sent"
    return [
        BytesParser(policy=default).parsebytes(message.message().as_bytes())  # type: ignore[misc]
        for message in mail.outbox
    ]


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def test_the_headline_counts_actions_by_rag_overdue_and_milestones_met_on_time(
    world: World,
) -> None:
    snapshot = two_weeks(world)

    assert snapshot.content["headline"] == {
        "actions": 6,
        "complete": 1,
        "on_track": 3,
        "at_risk": 1,
        "off_track": 1,
        "overdue": 2,
        "cancelled": 1,
        "percent_complete": 17,
        "milestones": 5,
        "milestones_due": 3,
        "milestones_met_on_time": 1,
    }
    [email, *_] = delivered(world, NotificationKind.DIGEST)
    text, html = parts(email)
    assert "6 actions: 1 complete, 3 on track, 1 at risk, 1 off track." in text
    assert "Overdue: 2." in text
    assert "17% complete." in text
    assert "Milestones met on time: 1 of the 3 due by 30 November 2026." in text
    assert "Cancelled actions (not counted above): 1." in text
    assert '<th scope="row" style="text-align: left; padding: 4px;">Overdue</th>' in html
    assert "17%" in html


def test_since_the_last_digest_lists_rag_changes_completions_newly_overdue_and_slips(
    world: World,
) -> None:
    first = None
    sweep(world, FIRST_MONDAY)
    first = DigestSnapshot.objects.get(plan=world.plan, audience=BoardAudience.EXECUTIVE)
    assert first.period == "2026-W48"
    assert first.content["since"] == {"first": True}

    world.week_of_the_23rd()
    sweep(world, MONDAY)
    second = DigestSnapshot.objects.get(
        plan=world.plan, audience=BoardAudience.EXECUTIVE, period="2026-W49"
    )

    assert second.content["since"] == {
        "first": False,
        "since": "23 November 2026",
        "rag_changes": [
            {
                "reference": "1.4",
                "title": "Action 1.4",
                "from": "on track",
                "to": "off track",
                "worse": True,
            }
        ],
        "completions": [{"reference": "1.1", "title": "Action 1.1"}],
        "newly_overdue": [{"reference": "2.1", "title": "Action 2.1"}],
        "slipped": [
            {
                "title": "New commissioning strategy",
                "recommendation": 2,
                "old": "7 December 2026",
                "new": "14 December 2026",
            }
        ],
        "added": 0,
    }
    [email, *_] = delivered(world, NotificationKind.DIGEST)
    text, html = parts(email)
    assert "Changes since 23 November 2026." in text
    assert "- 1.4 Action 1.4: on track to off track" in text
    assert "Completed: \n- 1.1 Action 1.1" in text
    assert "Newly overdue: \n- 2.1 Action 2.1" in text
    assert (
        "- New commissioning strategy (recommendation 2): was due 7 December 2026, now "
        "14 December 2026" in text
    )
    assert '<td style="padding: 4px;">7 December 2026</td>' in html


def test_open_escalations_are_grouped_by_level_and_who_was_told(world: World) -> None:
    snapshot = two_weeks(world)

    assert [
        (level["level"], level["told"], [(i["label"], i["days"]) for i in level["items"]])
        for level in snapshot.content["escalations"]
    ] == [
        (1, "The recommendation's accountable lead", [("Milestone of recommendation 2", 3)]),
        (1, "The action's owner", [("Action 1.4", 6)]),
        (2, "The recommendation's accountable lead", [("Action 1.4", 6)]),
        (4, "The Lead Member", [("Action 2.1", 1)]),
    ]
    text, _ = parts(delivered(world, NotificationKind.DIGEST)[0])
    assert "Level 4, The Lead Member: 1\n- Action 2.1 Action 2.1 (1 working day overdue)" in text
    # The resolved escalation of 1.3 is not open.
    assert "Action 1.3 (" not in text


def test_actions_without_an_update_for_30_days_leave_out_those_not_started_yet(
    world: World,
) -> None:
    snapshot = two_weeks(world)

    assert snapshot.content["stale"] == {
        "count": 1,
        "shown": [
            {
                "reference": "1.2",
                "title": "Action 1.2",
                "owner": "Owen Owner",
                "last_update": "never",
                "days": 90,
            }
        ],
        "more": 0,
    }
    text, _ = parts(delivered(world, NotificationKind.DIGEST)[0])
    assert "- 1.2 Action 1.2, Owen Owner: last update never (90 days)" in text


def test_success_measures_show_the_latest_reading_against_target_and_the_direction(
    world: World,
) -> None:
    snapshot = two_weeks(world)

    assert [
        (m["name"], m["latest"], m["target"], m["travel"], m["met"])
        for m in snapshot.content["measures"]
    ] == [
        ("EHC plans issued within 20 weeks", "45.5%", "65%", "improving", False),
        ("Average wait for autism assessment", "51 weeks", "30 weeks", "worsening", False),
        ("Families who feel listened to", None, "60%", "no readings yet", False),
    ]
    text, _ = parts(delivered(world, NotificationKind.DIGEST)[0])
    assert (
        "- Average wait for autism assessment: 51 weeks on 27 November 2026; target 30 weeks "
        "by 30 September 2027 (baseline 52 weeks, lower is better). Direction of travel: "
        "worsening against the previous reading." in text
    )
    assert "- Families who feel listened to: no readings yet;" in text


def test_milestones_due_in_the_next_four_weeks_and_updates_not_received(world: World) -> None:
    snapshot = two_weeks(world)

    assert snapshot.content["milestones_ahead"] == [
        {
            "title": "New commissioning strategy",
            "recommendation": 2,
            "due": "14 December 2026",
            "lead": "Rahul Health",
        }
    ]
    awaiting = snapshot.content["awaiting"]
    assert awaiting["meets_on"] == "3 December 2026"
    assert awaiting["papers_due_on"] == "1 December 2026"
    assert [a["reference"] for a in awaiting["actions"]] == ["1.2", "2.1", "2.3"]
    text, _ = parts(delivered(world, NotificationKind.DIGEST)[0])
    assert "- 14 December 2026: New commissioning strategy (recommendation 2, Rahul Health)" in text
    assert "Meeting on 3 December 2026; papers due 1 December 2026." in text
    assert "- 2.1 Action 2.1, Owen Owner (last update never)" in text


def test_before_the_update_window_opens_the_digest_says_so(world: World) -> None:
    sweep(world, FIRST_MONDAY)
    snapshot = DigestSnapshot.objects.get(plan=world.plan, audience=BoardAudience.EXECUTIVE)
    assert snapshot.content["awaiting"] is None
    text, _ = parts(delivered(world, NotificationKind.DIGEST, "2026-W48")[0])
    assert "No meeting's update window is open." in text


def test_the_chart_shows_eight_weeks_of_rag_mix_as_an_image_with_alt_text_and_a_table(
    world: World,
) -> None:
    snapshot = two_weeks(world)

    mix = [
        (p["label"], p["complete"], p["on_track"], p["at_risk"], p["off_track"])
        for p in snapshot.content["chart"]
    ]
    assert mix == [
        ("12 Oct", 0, 6, 0, 0),
        ("19 Oct", 0, 6, 0, 0),
        ("26 Oct", 0, 6, 0, 0),
        ("2 Nov", 0, 6, 0, 0),
        ("9 Nov", 0, 6, 0, 0),
        ("16 Nov", 0, 5, 1, 0),
        ("23 Nov", 0, 5, 1, 0),
        ("30 Nov", 1, 3, 1, 1),
    ]
    email = delivered(world, NotificationKind.DIGEST)[0]
    text, html = parts(email)
    alt = (
        "Bar chart of the actions' RAG mix over the last 8 weeks, from 12 Oct to 30 Nov: off "
        "track from 0 to 1, at risk from 0 to 1, on track from 6 to 3, complete from 0 to 1. "
        "The figures for each week are in the table below."
    )
    assert f'<img src="cid:rag-chart" width="480" height="160" alt="{alt}">' in html.replace(
        "&#x27;", "'"
    )
    assert "<caption" in html and "Actions by RAG rating at each date" in html
    assert (
        '<tr><th scope="row" style="text-align: left; padding: 4px; font-weight: normal;">'
        '30 Nov</th><td style="text-align: right; padding: 4px;">1</td>' in html
    )
    assert "30 Nov: 1 complete, 3 on track, 1 at risk, 1 off track" in text
    [related] = [p for p in email.walk() if p.get_content_type() == "multipart/related"]
    [image] = [p for p in related.iter_parts() if p.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<rag-chart>"
    assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_spreadsheet_opens_and_lists_every_action(world: World) -> None:
    two_weeks(world)
    email = delivered(world, NotificationKind.DIGEST)[0]

    [attachment] = list(email.iter_attachments())
    assert attachment.get_filename() == "northshire-wsoa-actions-2026-W49.xlsx"
    workbook = load_workbook(io.BytesIO(attachment.get_content()))
    rows: list[tuple[Any, ...]] = list(workbook["Actions"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Recommendation", "Reference", "Action")
    assert [row[1] for row in rows[1:]] == ["1.4", "1.1", "1.3", "1.2", "2.1", "2.2", "2.3"]
    by_reference = {row[1]: row for row in rows[1:]}
    assert by_reference["1.1"][6:10] == ("Completed", "Blue", dt.datetime(2026, 11, 24), "No")
    assert by_reference["1.4"][3] == "Olga Owner"
    assert by_reference["1.4"][7:] == (
        "Red",
        None,
        "Yes",
        dt.datetime(2026, 11, 24),
        "The provider withdrew; we are re-tendering.",
    )


def test_each_member_gets_one_email_and_those_who_turned_digests_off_or_left_none(
    world: World,
) -> None:
    two_weeks(world)
    rows = Notification.objects.filter(occurrence="2026-W49").order_by("kind", "to_email")

    assert [(row.kind, row.to_email, row.status) for row in rows] == [
        (NotificationKind.BRIEFING, "cllr.member@northshire.gov.uk", NotificationStatus.QUEUED),
        (NotificationKind.DIGEST, "eddie.exec@icb.example", NotificationStatus.QUEUED),
        (NotificationKind.DIGEST, "erin.exec@northshire.gov.uk", NotificationStatus.QUEUED),
        (NotificationKind.SUMMARY, "fay@parents.example", NotificationStatus.QUEUED),
    ]
    emails = delivered(world, NotificationKind.DIGEST)
    assert [e["To"] for e in emails] == ["eddie.exec@icb.example", "erin.exec@northshire.gov.uk"]
    assert emails[0]["Subject"] == (
        "Weekly digest: Northshire SEND Written Statement of Action, 30 November 2026"
    )
    assert emails[0]["Message-ID"].startswith("<notification-")


def test_the_snapshot_records_when_and_to_whom(world: World) -> None:
    snapshot = two_weeks(world)

    assert snapshot.as_of == MONDAY
    assert snapshot.created_at == london(MONDAY)
    assert snapshot.queued_at == london(MONDAY)
    assert [r["email"] for r in snapshot.recipients] == [
        "eddie.exec@icb.example",
        "erin.exec@northshire.gov.uk",
    ]
