"""The Lead Member briefing and the Parent Carer Forum summary, from the same data."""

import re

import pytest
from django.core import mail

from accounts.models import User
from actions.models import BoardAudience, Cadence
from digests.models import DigestSnapshot
from digests.services import digests_queue
from notifications.delivery import notification_deliver
from notifications.models import Notification, NotificationKind
from tests.digests.conftest import FIRST_MONDAY, MONDAY, World

pytestmark = pytest.mark.django_db


def both_weeks(world: World) -> None:
    digests_queue(today=FIRST_MONDAY, now=world.clock.go_to(FIRST_MONDAY))
    world.week_of_the_23rd()
    digests_queue(today=MONDAY, now=world.clock.go_to(MONDAY))


def sent(kind: str, period: str = "2026-W49") -> tuple[str, str, str]:
    mail.outbox.clear()
    [row] = Notification.objects.filter(kind=kind, occurrence=period)
    assert notification_deliver(notification_id=row.pk) == "sent"
    [message] = mail.outbox
    html = str(message.alternatives[0][0])  # type: ignore[union-attr]
    return str(message.subject), str(message.body), html


def test_the_briefing_puts_decisions_then_escalations_before_the_headline(world: World) -> None:
    both_weeks(world)
    snapshot = DigestSnapshot.objects.get(audience=BoardAudience.LEAD_MEMBER, period="2026-W49")

    assert [(d["label"], d["why"]) for d in snapshot.content["decisions"]["shown"]] == [
        ("Action 2.1", "escalated to you: 1 working day overdue"),
        ("Action 1.4", "off track and overdue"),
    ]
    subject, text, html = sent(NotificationKind.BRIEFING)
    assert subject == (
        "Lead Member briefing: Northshire SEND Written Statement of Action, 30 November 2026"
    )
    headings = re.findall(r"^[A-Z][A-Z0-9 ]+$", text, flags=re.MULTILINE)
    assert headings == ["DECISIONS NEEDED", "ESCALATIONS", "HEADLINE"]
    assert "- Action 1.4 Action 1.4: off track and overdue (lead: Priya Lead)" in text
    assert "17% complete: 1 of 6 actions." in text
    assert "Since 23 November 2026: 1 completed, 1 newly overdue, 1 milestone slipped." in text
    assert re.findall(r"<h2[^>]*>([^<]+)</h2>", html) == [
        "Decisions needed",
        "Escalations",
        "Headline",
        "Milestones in the next 4 weeks",
    ]
    # Short: no spreadsheet, no chart.
    assert mail.outbox[0].attachments == []


def test_the_forum_summary_is_plain_english_without_any_officer_names_or_addresses(
    world: World,
) -> None:
    both_weeks(world)

    subject, text, html = sent(NotificationKind.SUMMARY)
    assert subject == "How the SEND improvement plan is going: Northshire, 30 November 2026"
    assert "1 of the 6 actions in the plan are finished (17%)." in text
    assert "3 are going to plan, 1 may be late, and 1 are behind." in text
    assert "2 are past the date they were due to be finished." in text
    assert "Since our last summary on 23 November 2026: 1 action finished" in text
    assert (
        'The date for "New commissioning strategy" has moved from 7 December 2026 to '
        "14 December 2026." in text
    )
    assert "Led by: Head of SEND. 1 of 4 actions finished (25%)." in text
    assert "- 14 December 2026: New commissioning strategy (led by: Head of Health " in text
    assert "It is getting worse." in text
    people = User.objects.exclude(name="")
    for body in (subject, text, html):
        for person in people:
            assert person.name not in body, person.name
            assert person.email not in body, person.email
            assert person.email.split("@")[0] not in body
        assert "@" not in body


def test_each_audience_has_its_own_cadence_period(world: World) -> None:
    world.plan.other_boards.filter(audience=BoardAudience.PARENT_CARER_FORUM).update(
        cadence=Cadence.MONTHLY
    )
    world.plan.other_boards.filter(audience=BoardAudience.LEAD_MEMBER).update(
        cadence=Cadence.FORTNIGHTLY
    )
    both_weeks(world)

    assert sorted(
        DigestSnapshot.objects.values_list("audience", "period").order_by("audience", "period")
    ) == [
        ("executive", "2026-W48"),
        ("executive", "2026-W49"),
        ("lead_member", "2026-W47-fortnight"),
        ("lead_member", "2026-W49-fortnight"),
        ("parent_carer_forum", "2026-11"),
    ]
    # The forum's November summary went once, on the 23rd; the 30th is still November.
    assert Notification.objects.filter(kind=NotificationKind.SUMMARY).count() == 1
