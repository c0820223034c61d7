"""A plan's page: the board's "plan on a page", and the plan's action list as a spreadsheet.

The plan is the digests' fixture plan (``tests/digests/conftest.py``), read on Monday 30
November 2026 after its second weekly digest: its figures are known exactly there.
"""

import datetime as dt
import io
import re
from collections.abc import Iterator
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from actions.models import Action, ActionStatus, BoardAudience, BoardMeeting, Plan, Rag
from digests.models import DigestSnapshot
from digests.services import digest_snapshot
from notifications.models import Audience
from tests.digests.conftest import MONDAY, SET_UP, Clock, World, london
from tests.factories import (
    BoardFactory,
    MilestoneFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.plan_pages.html import read_page
from tests.workspace.factories import EscalationFactory, plan_after_two_digests

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Iterator[Clock]:
    with time_machine.travel(london(SET_UP, dt.time(9)), tick=False) as traveller:
        yield Clock(traveller)


@pytest.fixture
def world(db: None, clock: Clock) -> World:
    return plan_after_two_digests(clock)


def plan_url(plan: Plan) -> str:
    return reverse("workspace:plan", args=[plan.pk])


def xlsx_url(plan: Plan) -> str:
    return reverse("workspace:plan-xlsx", args=[plan.pk])


def page_of(client: Client, user: User, path: str) -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text_of(html: str) -> str:
    """The words of a page or a piece of one, as a reader sees them, on one line."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def rows_of(html: str, section_id: str) -> list[str]:
    """The text of each body row of the table that follows a heading, one string a row."""
    start = html.index(f'id="{section_id}"')
    table = html[start : html.index("</table>", start)]
    body = table[table.index("<tbody") :]
    return [text_of(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)]


# --- The board's view ------------------------------------------------------------------------


def test_a_board_member_sees_each_recommendations_progress_lead_and_rag_mix_in_words(
    client: Client, world: World
) -> None:
    html = page_of(client, world.executive[0], plan_url(world.plan))

    assert read_page(html).headings[0] == (1, "Northshire SEND Written Statement of Action")
    assert rows_of(html, "recommendations") == [
        "1. Improve the timeliness of EHC plans Priya Lead 4 1 1 "
        "1 complete, 1 on track, 1 at risk, 1 off track",
        "2. Reduce waits for health assessments Rahul Health 2 0 1 2 on track",
    ]
    links = read_page(html).links
    assert (
        reverse("workspace:recommendation", args=[world.first.pk]),
        "1. Improve the timeliness of EHC plans",
    ) in links
    text = text_of(html)
    # The plan as a whole, as the digest of the same day counts it.
    assert "Actions 6 (and 1 cancelled, not counted)" in text
    assert "Complete 1 (17%)" in text
    assert "Overdue 2" in text
    assert "RAG mix 1 complete, 3 on track, 1 at risk, 1 off track" in text
    assert "You see this plan's overall figures and the parts of it you work on" not in text


def test_a_board_member_sees_the_open_escalations_by_level(client: Client, world: World) -> None:
    text = text_of(page_of(client, world.executive[0], plan_url(world.plan)))

    section = text[text.index("Open escalations") : text.index("Milestones in the next four")]
    assert section == (
        "Open escalations "
        "Level 1: The recommendation's accountable lead 1 item "
        "Milestone of recommendation 2: Health advice pathway agreed. Was due 25 November 2026, "
        "3 working days overdue. "
        "Level 1: The action's owner 1 item "
        "Action 1.4: Action 1.4. Was due 20 November 2026, 6 working days overdue. "
        "Level 2: The recommendation's accountable lead 1 item "
        "Action 1.4: Action 1.4. Was due 20 November 2026, 6 working days overdue. "
        "Level 4: The Lead Member 1 item "
        "Action 2.1: Action 2.1. Was due 27 November 2026, 1 working day overdue. "
    )
    # The resolved escalation of 1.3 is not open.
    assert "Action 1.3" not in section


def test_a_board_member_sees_the_milestones_of_the_next_four_weeks_and_the_updates_owed(
    client: Client, world: World
) -> None:
    html = page_of(client, world.executive[0], plan_url(world.plan))

    assert rows_of(html, "milestones") == [
        "14 December 2026 New commissioning strategy Recommendation 2 Rahul Health"
    ]
    assert "Annual review" not in html  # due in February
    text = text_of(html)
    assert "The board meets on 3 December 2026; papers are due on 1 December 2026." in text
    assert rows_of(html, "updates-owed") == [
        "1.2 Action 1.2 Owen Owner Never",
        "2.1 Action 2.1 Owen Owner Never",
        "2.3 Action 2.3 Owen Owner Never",
    ]
    owed = world.action("2.1")
    assert (reverse("workspace:action", args=[owed.pk]), "2.1 Action 2.1") in read_page(html).links


def test_the_archive_lists_the_plans_digests_newest_first_each_linking_to_its_page(
    client: Client, world: World
) -> None:
    html = page_of(client, world.executive[0], plan_url(world.plan))

    snapshots = list(DigestSnapshot.objects.filter(plan=world.plan).order_by("-as_of", "-id"))
    assert len(snapshots) == 6
    names = {
        BoardAudience.EXECUTIVE: "Weekly digest",
        BoardAudience.LEAD_MEMBER: "Lead Member briefing",
        BoardAudience.PARENT_CARER_FORUM: "Parent Carer Forum summary",
    }
    assert rows_of(html, "digests") == [
        f"{day} : {s.board.name} {s.board.name} {names[s.audience]}"  # type: ignore[index]
        for day, s in zip(
            ["30 November 2026"] * 3 + ["23 November 2026"] * 3,
            snapshots,
            strict=True,
        )
    ]
    hrefs = [href for href, _ in read_page(html).links if href.startswith("/workspace/digests/")]
    assert hrefs == [reverse("workspace:digest", args=[s.pk]) for s in snapshots]


def test_a_long_archive_comes_in_pages_of_twenty(client: Client, world: World) -> None:
    stored = DigestSnapshot.objects.filter(plan=world.plan).latest("as_of")
    DigestSnapshot.objects.bulk_create(
        DigestSnapshot(
            plan=world.plan,
            board=stored.board,
            audience=stored.audience,
            period=f"2025-W{week:02}",
            as_of=dt.date(2025, 1, 6) + dt.timedelta(weeks=week),
            created_at=stored.created_at,
            content=stored.content,
        )
        for week in range(19)
    )

    first = page_of(client, world.executive[0], plan_url(world.plan))
    second = page_of(client, world.executive[0], plan_url(world.plan) + "?page=2")

    assert "25 digests" in text_of(first)
    assert len(rows_of(first, "digests")) == 20
    assert rows_of(first, "digests")[0].startswith("30 November 2026")
    assert ("?page=2#digests", "Older digests") in read_page(first).links
    assert len(rows_of(second, "digests")) == 5
    assert ("?page=1#digests", "Newer digests") in read_page(second).links


def test_an_administrator_sees_the_whole_plan_and_a_link_to_change_it_in_the_admin(
    client: Client, world: World, admin_user: User
) -> None:
    html = page_of(client, admin_user, plan_url(world.plan))

    assert len(rows_of(html, "recommendations")) == 2
    assert (
        reverse("admin:actions_plan_change", args=[world.plan.pk]),
        f"Change in the admin: {world.plan.title}",
    ) in read_page(html).links
    assert "Change in the admin" not in page_of(Client(), world.executive[0], plan_url(world.plan))


# --- People who work on part of the plan --------------------------------------------------------


def test_a_lead_sees_the_plans_figures_and_only_their_own_recommendation_in_detail(
    client: Client, world: World
) -> None:
    html = page_of(client, world.lead, plan_url(world.plan))
    text = text_of(html)

    assert "You see this plan's overall figures and the parts of it you work on" in text
    assert "Actions 6 (and 1 cancelled, not counted)" in text
    assert [row.split(" Priya")[0] for row in rows_of(html, "recommendations")] == [
        "1. Improve the timeliness of EHC plans"
    ]
    escalations = text[text.index("Open escalations") : text.index("Milestones in the next")]
    assert escalations.count("Action 1.4: Action 1.4.") == 2
    assert "Health advice pathway" not in escalations
    assert "Action 2.1" not in escalations
    # Recommendation 2's milestone is not theirs to see.
    assert "New commissioning strategy" not in text
    # Digests are the boards'.
    assert "/workspace/digests/" not in html
    assert "you are not on one" in text


def test_an_owner_sees_the_escalations_and_owed_updates_of_their_own_actions_only(
    client: Client, world: World
) -> None:
    html = page_of(client, world.owner, plan_url(world.plan))
    text = text_of(html)

    assert len(rows_of(html, "recommendations")) == 2  # they own actions in both
    escalations = text[text.index("Open escalations") : text.index("Milestones in the next")]
    assert "Action 2.1: Action 2.1." in escalations
    assert "Action 1.4" not in escalations  # Olga's
    assert "Health advice pathway" not in escalations
    assert [row.split(" Owen")[0] for row in rows_of(html, "updates-owed")] == [
        "1.2 Action 1.2",
        "2.1 Action 2.1",
        "2.3 Action 2.3",
    ]


def test_an_owner_whose_action_is_up_to_date_is_told_nothing_is_owed(
    client: Client, world: World
) -> None:
    text = text_of(page_of(client, world.other_owner, plan_url(world.plan)))

    assert "Every update on the actions you can see has been received." in text
    assert "Action 2.1" not in text


def test_someone_from_another_plan_gets_not_found_for_the_page_and_the_spreadsheet(
    client: Client, world: World
) -> None:
    stranger = RecommendationFactory.create(plan=PlanFactory.create()).lead
    client.force_login(stranger)

    assert client.get(plan_url(world.plan)).status_code == 404
    assert client.get(xlsx_url(world.plan)).status_code == 404
    missing = Plan.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1
    assert client.get(reverse("workspace:plan", args=[missing])).status_code == 404


def test_a_published_plan_shows_its_figures_but_no_names_to_someone_who_takes_no_part(
    client: Client, world: World
) -> None:
    Plan.objects.filter(pk=world.plan.pk).update(published=True)
    stranger = UserFactory.create(name="Sid Stranger")

    html = page_of(client, stranger, plan_url(world.plan))
    text = text_of(html)
    assert "Actions 6 (and 1 cancelled, not counted)" in text
    for name in ("Priya Lead", "Rahul Health", "Owen Owner", "Olga Owner"):
        assert name not in text
    assert "Action 1.4" not in text
    client.force_login(stranger)
    sheet = load_workbook(io.BytesIO(client.get(xlsx_url(world.plan)).content))["Actions"]
    assert sheet.max_row == 1  # the headings, and no action


def test_someone_signed_out_is_sent_to_sign_in(client: Client, world: World) -> None:
    response = client.get(plan_url(world.plan))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("workspace:sign-in"))


# --- The spreadsheet ----------------------------------------------------------------------------


def test_a_board_member_downloads_every_action_as_a_spreadsheet_that_opens(
    client: Client, world: World
) -> None:
    client.force_login(world.executive[0])
    response = client.get(xlsx_url(world.plan))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="northshire-wsoa-actions-2026-11-30.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content))["Actions"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Recommendation", "Reference", "Action", "Owner")
    assert [row[1] for row in rows[1:]] == ["1.4", "1.1", "1.3", "1.2", "2.1", "2.2", "2.3"]
    assert rows[1][3] == "Olga Owner"
    assert rows[1][7] == "Red"


def test_an_owner_downloads_only_the_actions_they_may_read(client: Client, world: World) -> None:
    client.force_login(world.other_owner)
    sheet = load_workbook(io.BytesIO(client.get(xlsx_url(world.plan)).content))["Actions"]

    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["1.4"]


def test_the_page_links_to_the_spreadsheet(client: Client, world: World) -> None:
    html = page_of(client, world.executive[0], plan_url(world.plan))

    assert (xlsx_url(world.plan), "Download the action list (XLSX spreadsheet)") in read_page(
        html
    ).links


# --- Cost ---------------------------------------------------------------------------------------


def busy_plan(*, actions: int, member: User, owners: list[User], now: dt.datetime) -> Plan:
    """A plan with ``actions`` actions of three ``owners`` (who lead its four recommendations
    too), some late and escalated, milestones soon, a board meeting asking for updates, and
    stored digests: two for a small plan, twenty for a large one."""
    board = BoardFactory.create(members=[member])
    plan = PlanFactory.create(board=board)
    today = now.date()
    BoardMeeting.objects.create(
        board=board,
        meets_on=today + dt.timedelta(days=3),
        papers_due_on=today + dt.timedelta(days=1),
    )
    recommendations = [
        RecommendationFactory.create(plan=plan, number=n, lead=owners[n % 3]) for n in range(1, 5)
    ]
    mixes = [
        (ActionStatus.IN_PROGRESS, Rag.GREEN),
        (ActionStatus.IN_PROGRESS, Rag.AMBER),
        (ActionStatus.BLOCKED, Rag.RED),
        (ActionStatus.COMPLETED, Rag.BLUE),
        (ActionStatus.NOT_STARTED, Rag.GREEN),
    ]
    rows = []
    for index in range(actions):
        status, rag = mixes[index % len(mixes)]
        recommendation = recommendations[index % 4]
        rows.append(
            Action(
                plan=plan,
                recommendation=recommendation,
                reference=f"{recommendation.number}.{index + 1}",
                title=f"Action number {index + 1}",
                owner=owners[index % 3],
                due_date=today + dt.timedelta(days=(index % 40) - 20),
                status=status,
                rag=rag,
                completed_on=today if status == ActionStatus.COMPLETED else None,
            )
        )
    Action.objects.bulk_create(rows)
    for recommendation in recommendations:
        MilestoneFactory.create(recommendation=recommendation, due_date=today + dt.timedelta(7))
    late = Action.objects.filter(plan=plan, due_date__lt=today, status=ActionStatus.BLOCKED)
    for action in late[:10]:
        EscalationFactory.create(action=action, audience=Audience.OWNER, created_at=now)
    snapshot, _ = digest_snapshot(plan=plan, board=board, as_of=today, now=now)
    # Earlier weeks' digests: one for the small plan, a page of them for the large one.
    DigestSnapshot.objects.bulk_create(
        DigestSnapshot(
            plan=plan,
            board=board,
            audience=snapshot.audience,
            period=f"earlier-{weeks}",
            as_of=today - dt.timedelta(weeks=weeks),
            created_at=now,
            content=snapshot.content,
        )
        for weeks in range(1, 2 if actions < 100 else 20)
    )
    return plan


@pytest.mark.parametrize("who", ["board member", "owner"])
def test_the_page_costs_the_same_queries_for_a_plan_of_5_actions_and_one_of_400(
    client: Client, db: None, django_assert_max_num_queries: DjangoAssertNumQueries, who: str
) -> None:
    now = london(MONDAY, dt.time(10))
    member = UserFactory.create()
    owners = UserFactory.create_batch(3)
    with time_machine.travel(now, tick=False):
        small = busy_plan(actions=5, member=member, owners=owners, now=now)
        large = busy_plan(actions=400, member=member, owners=owners, now=now)
        client.force_login(member if who == "board member" else owners[2])
        counts = []
        for plan in (small, large):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(plan_url(plan)).status_code == 200
            counts.append(len(captured))
        with django_assert_max_num_queries(counts[0]):
            html = client.get(plan_url(large)).content.decode()

    assert counts[0] == counts[1]
    assert "Complete 80 (20%)" in text_of(html)
    # The third owner leads recommendation 3 and owns actions in each of the four.
    assert len(rows_of(html, "recommendations")) == 4
    if who == "board member":
        assert len(rows_of(html, "digests")) == 20
