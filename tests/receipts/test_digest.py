"""The board's weekly digest lists the people we could not reach, and keeps the list.

The list is read when the digest is built and stored in its snapshot: the email sent (and
sent again on a retry), the digest's page in the workspace and a digest rebuilt for a past day
all say what was true for that digest, whatever has changed since.
"""

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse

from accounts.models import User
from actions.models import BoardAudience
from digests.models import DigestSnapshot
from digests.services import digest_snapshot, digests_queue
from notifications.delivery import notification_deliver
from notifications.models import Notification, NotificationKind, NotificationStatus
from notifications.reachability import address_clear
from tests.notifications.conftest import TODAY, Clock, SmallPlan, london
from tests.receipts.conftest import post, receipt

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 30)
HEADING = "People we could not reach"


def bounce(person: User, *, at: dt.datetime) -> None:
    """Notify says an email to the person's address was refused for good."""
    row = Notification.objects.create(
        recipient=person,
        kind=NotificationKind.ESCALATION,
        subject_key=f"test:{uuid.uuid4()}",
        occurrence=at.date().isoformat(),
        to_email=person.email,
        status=NotificationStatus.SENT,
        provider_id=str(uuid.uuid4()),
        created_at=at,
        next_attempt_at=at,
        updated_at=at,
    )
    assert post(Client(), receipt(row, "permanent-failure", completed=at)).status_code == 200


def digest_to(person: User) -> EmailMultiAlternatives:
    row = Notification.objects.get(recipient=person, kind=NotificationKind.DIGEST)
    mail.outbox.clear()
    assert notification_deliver(notification_id=row.pk) == "sent"
    [message] = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    return message


def html_of(message: EmailMultiAlternatives) -> str:
    return str(next(content for content, kind in message.alternatives if kind == "text/html"))


@pytest.fixture
def bounced(small_plan: SmallPlan, sent: Notification) -> SmallPlan:
    """The owner bounced on Wednesday 25 November; Eddie, on the board, on Friday 27th."""
    bounce(small_plan.owner, at=london(TODAY, dt.time(9, 45)))
    bounce(small_plan.executive[1], at=london(dt.date(2026, 11, 27), dt.time(14)))
    return small_plan


def test_the_weekly_digest_lists_the_people_we_could_not_reach(
    bounced: SmallPlan, clock: Clock
) -> None:
    now = clock.go_to(MONDAY, dt.time(8, 30))
    digests_queue(today=MONDAY, now=now)

    message = digest_to(bounced.executive[0])

    text = str(message.body)
    assert f"\n{HEADING.upper()}\n" in text
    assert (
        "- Eddie Executive (exec2@icb.example), board member: not reachable since "
        "27 November 2026\n"
        "- Owen Owner (owner@northshire.gov.uk), action owner: not reachable since "
        "25 November 2026\n"
    ) in text
    html = html_of(message)
    assert f">{HEADING}</h2>" in html
    assert (
        "<li>Owen Owner (owner@northshire.gov.uk), action owner: not reachable since "
        "25 November 2026</li>"
    ) in html


def test_the_unreachable_board_member_is_not_sent_the_digest(
    bounced: SmallPlan, clock: Clock
) -> None:
    now = clock.go_to(MONDAY, dt.time(8, 30))
    digests_queue(today=MONDAY, now=now)
    row = Notification.objects.get(recipient=bounced.executive[1], kind=NotificationKind.DIGEST)

    assert notification_deliver(notification_id=row.pk) == "skipped"
    row.refresh_from_db()
    assert row.last_error.startswith("Address not reachable since 27 November 2026")


def test_the_list_is_kept_in_the_snapshot_and_the_digest_reads_the_same_later(
    bounced: SmallPlan, clock: Clock, client: Client
) -> None:
    now = clock.go_to(MONDAY, dt.time(8, 30))
    digests_queue(today=MONDAY, now=now)
    snapshot = DigestSnapshot.objects.get(audience=BoardAudience.EXECUTIVE)
    assert [p["email"] for p in snapshot.content["unreachable"]] == [
        "exec2@icb.example",
        "owner@northshire.gov.uk",
    ]

    # The owner's inbox works again: today's plan page would not name them, the digest still
    # says what was true on the day.
    address_clear(email=bounced.owner.email)
    text = str(digest_to(bounced.executive[0]).body)
    assert "Owen Owner (owner@northshire.gov.uk), action owner" in text

    client.force_login(bounced.executive[0])
    page = client.get(reverse("workspace:digest", args=[snapshot.pk])).content.decode()
    assert f'id="unreachable">{HEADING}</h2>' in page
    assert "Owen Owner (owner@northshire.gov.uk), action owner: not reachable since" in page


def test_a_digest_of_a_past_day_lists_only_those_not_reached_by_then(
    bounced: SmallPlan, clock: Clock
) -> None:
    now = clock.go_to(MONDAY, dt.time(8, 30))
    thursday = dt.date(2026, 11, 26)

    board = bounced.plan.board
    assert board is not None
    snapshot, _ = digest_snapshot(plan=bounced.plan, board=board, as_of=thursday, now=now)

    assert [p["name"] for p in snapshot.content["unreachable"]] == ["Owen Owner"]


def test_the_briefing_and_the_summary_have_no_such_list(bounced: SmallPlan, clock: Clock) -> None:
    now = clock.go_to(MONDAY, dt.time(8, 30))
    digests_queue(today=MONDAY, now=now)

    for snapshot in DigestSnapshot.objects.exclude(audience=BoardAudience.EXECUTIVE):
        assert "unreachable" not in snapshot.content


def test_a_digest_with_everyone_reachable_has_no_such_section(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=MONDAY)
    now = clock.go_to(MONDAY, dt.time(8, 30))
    digests_queue(today=MONDAY, now=now)

    message = digest_to(small_plan.executive[0])

    assert HEADING.upper() not in str(message.body)
    assert HEADING not in html_of(message)
    assert DigestSnapshot.objects.get(audience=BoardAudience.EXECUTIVE).content["unreachable"] == []
