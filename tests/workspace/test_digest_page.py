"""A stored digest read again as a workspace page, and the emails' link to it.

The snapshots are those the sweeps stored for the digests' fixture plan on Monday 23 and
Monday 30 November 2026 (``tests/workspace/factories.plan_after_two_digests``).
"""

import datetime as dt
import re
from collections.abc import Iterator
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from actions.models import BoardAudience
from actions.services import action_update_status
from digests.chart import chart_alt_text
from digests.emails import snapshot_message
from digests.models import DigestSnapshot
from notifications.delivery import notification_deliver
from notifications.models import Notification
from tests.digests.conftest import SET_UP, Clock, World, london
from tests.factories import PlanFactory, RecommendationFactory
from tests.plan_pages.html import read_page
from tests.workspace.factories import plan_after_two_digests

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Iterator[Clock]:
    with time_machine.travel(london(SET_UP, dt.time(9)), tick=False) as traveller:
        yield Clock(traveller)


@pytest.fixture
def world(db: None, clock: Clock) -> World:
    return plan_after_two_digests(clock)


def latest(world: World, audience: str) -> DigestSnapshot:
    return DigestSnapshot.objects.filter(plan=world.plan, audience=audience).latest("as_of")


def digest_url(snapshot: DigestSnapshot) -> str:
    return reverse("workspace:digest", args=[snapshot.pk])


def page_of(client: Client, user: User, snapshot: DigestSnapshot) -> str:
    client.force_login(user)
    response = client.get(digest_url(snapshot))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def h2s(html: str) -> list[str]:
    """The main content's second-level headings (not the footer's)."""
    main = html[html.index("<main") : html.index("</main>")]
    return [text for level, text in read_page(main).headings if level == 2]


def test_a_board_member_reads_the_weekly_digest_with_the_emails_sections(
    client: Client, world: World
) -> None:
    snapshot = latest(world, BoardAudience.EXECUTIVE)
    html = page_of(client, world.executive[0], snapshot)
    text = text_of(html)

    assert read_page(html).headings[0] == (
        1,
        "Weekly digest: Northshire SEND Written Statement of Action",
    )
    assert h2s(html) == [
        "Headline",
        "RAG mix over the last 8 weeks",
        "Since the last digest",
        "Open escalations",
        "No update for 30 days or more",
        "Success measures against target",
        "Milestones due in the next four weeks",
        "Updates not received for the next board meeting",
    ]
    assert "Figures as at 30 November 2026." in text
    assert (
        "Actions as at 30 November 2026 Actions 6 Complete 1 On track 3 At risk 1 Off track 1 "
        "Overdue 2 Complete (%) 17% Milestones met on time 1 of 3 due" in text
    )
    assert "1.4 Action 1.4: on track to off track (worse)" in text
    assert "New commissioning strategy (recommendation 2) 7 December 2026 14 December 2026" in (
        text
    )
    assert "1.2 Action 1.2 Owen Owner Never 90" in text


def test_the_rag_chart_is_drawn_and_its_figures_are_in_a_table(
    client: Client, world: World
) -> None:
    snapshot = latest(world, BoardAudience.EXECUTIVE)
    html = page_of(client, world.executive[0], snapshot)

    points = snapshot.content["chart"]
    assert f'role="img" aria-label="{chart_alt_text(points)}"' in unescape(html)
    assert html.count("<rect ") == sum(
        1 for p in points for key in ("complete", "on_track", "at_risk", "off_track") if p[key]
    )
    table = html[html.index("Actions by RAG rating at each date") :]
    table = table[: table.index("</table>")]
    rows = [text_of(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)]
    assert rows[0] == "As at Complete On track At risk Off track Total"
    assert len(rows) == 1 + 8
    assert rows[-1] == "30 Nov 1 3 1 1 6"
    assert rows[1] == "12 Oct 0 6 0 0 6"


def test_the_page_shows_what_was_stored_not_the_plan_as_it_is_now(
    client: Client, world: World
) -> None:
    snapshot = latest(world, BoardAudience.EXECUTIVE)
    world.clock.go_to(dt.date(2026, 12, 1), dt.time(10))
    action_update_status(
        action=world.action("1.2"),
        by=world.owner,
        status="completed",
        completed_on=dt.date(2026, 12, 1),
        commentary="Done.",
    )

    text = text_of(page_of(client, world.executive[0], snapshot))
    assert "Actions 6 Complete 1 On track 3" in text
    assert "1.2 Action 1.2 Owen Owner Never 90" in text


def test_the_lead_member_reads_their_briefing_but_not_the_executives_digest(
    client: Client, world: World
) -> None:
    html = page_of(client, world.lead_member, latest(world, BoardAudience.LEAD_MEMBER))

    assert read_page(html).headings[0] == (
        1,
        "Lead Member briefing: Northshire SEND Written Statement of Action",
    )
    assert h2s(html)[:3] == ["Decisions needed", "Open escalations", "Headline"]
    assert "Action 1.4 Action 1.4: off track and overdue (lead: Priya Lead)" in text_of(html)
    # The plan itself is not theirs to read: no link to its page.
    assert reverse("workspace:plan", args=[world.plan.pk]) not in html
    executive = latest(world, BoardAudience.EXECUTIVE)
    assert client.get(digest_url(executive)).status_code == 404


def test_the_forum_member_reads_the_summary_with_no_officers_names(
    client: Client, world: World
) -> None:
    html = page_of(client, world.forum_member, latest(world, BoardAudience.PARENT_CARER_FORUM))
    main = html[html.index("<main") : html.index("</main>")]

    assert "Parent Carer Forum summary" in read_page(html).headings[0][1]
    assert "1 of the 6 actions in the plan are finished (17%)." in text_of(main)
    for person in User.objects.exclude(pk=world.forum_member.pk):
        assert person.name not in main, person.name


@pytest.mark.parametrize("who", ["owner", "lead", "stranger"])
def test_someone_not_on_the_plans_boards_gets_not_found(
    client: Client, world: World, who: str
) -> None:
    people = {
        "owner": world.owner,
        "lead": world.lead,
        "stranger": RecommendationFactory.create(plan=PlanFactory.create()).lead,
    }
    client.force_login(people[who])

    for snapshot in DigestSnapshot.objects.filter(plan=world.plan):
        assert client.get(digest_url(snapshot)).status_code == 404


def test_someone_signed_out_is_sent_to_sign_in(client: Client, world: World) -> None:
    response = client.get(digest_url(latest(world, BoardAudience.EXECUTIVE)))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("workspace:sign-in"))


def test_an_administrator_reads_any_digest_with_a_link_to_it_in_the_admin(
    client: Client, world: World, admin_user: User
) -> None:
    snapshot = latest(world, BoardAudience.PARENT_CARER_FORUM)
    html = page_of(client, admin_user, snapshot)

    admin_page = reverse("admin:digests_digestsnapshot_change", args=[snapshot.pk])
    assert (admin_page, "Change in the admin: this digest") in read_page(html).links
    assert admin_page not in page_of(Client(), world.forum_member, snapshot)


def test_a_board_member_goes_back_to_the_plan_from_the_digest(client: Client, world: World) -> None:
    html = page_of(client, world.executive[0], latest(world, BoardAudience.EXECUTIVE))

    plan_page = reverse("workspace:plan", args=[world.plan.pk])
    assert (plan_page, "See the plan as it is today") in read_page(html).links


# --- The emails' link ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audience", "words"),
    [
        (BoardAudience.EXECUTIVE, "Read this digest online"),
        (BoardAudience.LEAD_MEMBER, "Read this briefing online"),
        (BoardAudience.PARENT_CARER_FORUM, "Read this summary online"),
    ],
)
def test_each_email_sent_links_to_its_snapshots_page(
    world: World, audience: str, words: str
) -> None:
    snapshot = latest(world, audience)
    row = Notification.objects.filter(subject_key=f"snapshot:{snapshot.pk}").first()
    assert row is not None
    mail.outbox.clear()

    assert notification_deliver(notification_id=row.pk) == "sent"

    [message] = mail.outbox
    link = f"http://127.0.0.1:8000/workspace/digests/{snapshot.pk}/"
    assert f"{words}: {link}\n" in str(message.body)
    html = str(message.alternatives[0][0])  # type: ignore[union-attr]
    assert f'{words}: <a href="{link}">{link}</a>' in html


def test_a_preview_built_on_demand_has_no_link(world: World) -> None:
    message = snapshot_message(latest(world, BoardAudience.EXECUTIVE), to="someone@example.org")

    assert "online" not in str(message.body)


def test_the_spreadsheet_that_went_with_a_digest_downloads_from_its_page_as_it_was(
    client: Client, world: World
) -> None:
    """Where email cannot carry the attachment (GOV.UK Notify), this is where it is."""
    snapshot = latest(world, BoardAudience.EXECUTIVE)
    html = page_of(client, world.executive[0], snapshot)
    download = reverse("workspace:digest-xlsx", args=[snapshot.pk])
    assert f'href="{download}"' in html

    answer = client.get(download)
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == (
        f'attachment; filename="{world.plan.slug}-actions-{snapshot.period}.xlsx"'
    )
    stored = DigestSnapshot.objects.values_list("spreadsheet", flat=True).get(pk=snapshot.pk)
    assert b"".join(answer) == bytes(stored)
    # Only for those who may read the digest.
    client.force_login(world.owner)
    assert client.get(download).status_code == 404
