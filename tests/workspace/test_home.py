"""The home page: signed out, an invitation to sign in and the published plans; signed in,
what needs the person, from what the API lets them read."""

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from actions.dates import LONDON
from actions.models import ActionStatus, BoardMeeting, PlanStatus, Rag
from notifications.models import Audience, Escalation
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MilestoneFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Wednesday 2 December 2026, mid-morning in London.
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def page(client: Client, path: str = "/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def plan_world() -> dict[str, object]:
    owner = UserFactory.create(name="Olu Owner")
    helper = UserFactory.create(name="Sam Supporter")
    lead = UserFactory.create(name="Lena Lead")
    member = UserFactory.create(name="Bo Board")
    plan = PlanFactory.create(title="Northshire WSOA", board=BoardFactory.create(members=[member]))
    recommendation = RecommendationFactory.create(plan=plan, lead=lead, number=1)
    late = ActionFactory.create(
        recommendation=recommendation,
        reference="1.1",
        title="Clear the assessment backlog",
        owner=owner,
        supporting_owners=[helper],
        due_date=dt.date(2026, 11, 25),
        rag=Rag.AMBER,
    )
    soon = ActionFactory.create(
        recommendation=recommendation,
        reference="1.2",
        title="Publish the local offer",
        owner=owner,
        due_date=dt.date(2026, 12, 9),
    )
    far = ActionFactory.create(
        recommendation=recommendation,
        reference="1.3",
        title="Review the panel's terms",
        owner=owner,
        due_date=dt.date(2027, 3, 1),
    )
    MilestoneFactory.create(
        recommendation=recommendation,
        title="Backlog cleared",
        due_date=dt.date(2026, 11, 30),
    )
    return {
        "owner": owner,
        "helper": helper,
        "lead": lead,
        "member": member,
        "plan": plan,
        "late": late,
        "soon": soon,
        "far": far,
    }


def test_signed_out_it_invites_signing_in_and_lists_only_public_plans(client: Client) -> None:
    PlanFactory.create(title="The published plan", published=True)
    PlanFactory.create(title="A plan still in draft", status=PlanStatus.DRAFT)
    PlanFactory.create(title="An unpublished plan")
    html = page(client)
    assert "Sign in" in html and 'href="/sign-in/"' in html
    assert "The published plan" in html
    assert "A plan still in draft" not in html
    assert "An unpublished plan" not in html


def test_an_owner_sees_their_late_and_due_soon_actions_in_words(
    client: Client, plan_world: dict
) -> None:
    html = page(signed_in(client, plan_world["owner"]))
    assert "What needs you" in html
    assert "1.1 Clear the assessment backlog" in html
    # 25 November to 2 December: 26, 27, 30 November, 1 and 2 December.
    assert "5 working days overdue" in html
    assert "1.2 Publish the local offer" in html
    assert "Due in 5 working days" in html
    # Beyond the next ten working days: not yet.
    assert "Review the panel" not in html
    # The milestone belongs to the lead, not to the owner.
    assert "Backlog cleared" not in html
    assert f'href="/workspace/actions/{plan_world["late"].pk}/"' in html


def test_a_supporting_owner_sees_the_action_they_support_and_their_part(
    client: Client, plan_world: dict
) -> None:
    html = page(signed_in(client, plan_world["helper"]))
    assert "Clear the assessment backlog" in html
    assert "Supporting owner" in html
    assert "Publish the local offer" not in html


def test_a_lead_sees_their_recommendations_actions_and_late_milestones(
    client: Client, plan_world: dict
) -> None:
    html = page(signed_in(client, plan_world["lead"]))
    assert "Clear the assessment backlog" in html
    assert "Milestone, recommendation 1: Backlog cleared" in html
    # 30 November to 2 December: 1 and 2 December.
    assert "2 working days overdue" in html
    assert "Lead" in html


def test_a_board_member_sees_what_their_plan_holds(client: Client, plan_world: dict) -> None:
    html = page(signed_in(client, plan_world["member"]))
    assert "Clear the assessment backlog" in html
    assert "Board member" in html


def test_someone_from_another_plan_sees_nothing_of_this_one(
    client: Client, plan_world: dict
) -> None:
    stranger = ActionFactory.create(due_date=dt.date(2026, 12, 3)).owner
    html = page(signed_in(client, stranger))
    assert "Clear the assessment backlog" not in html
    assert "Backlog cleared" not in html
    assert "Due in 1 working day" in html


def test_completed_actions_and_draft_plans_need_nobody(client: Client, plan_world: dict) -> None:
    late = plan_world["late"]
    late.status = ActionStatus.COMPLETED
    late.completed_on = dt.date(2026, 12, 1)
    late.rag = Rag.BLUE
    late.save()
    html = page(signed_in(client, plan_world["owner"]))
    assert "Clear the assessment backlog" not in html
    plan = plan_world["plan"]
    plan.status = PlanStatus.DRAFT
    plan.save()
    html = page(signed_in(client, plan_world["owner"]))
    assert "Publish the local offer" not in html


def test_an_escalation_that_names_you_comes_first(client: Client, plan_world: dict) -> None:
    late = plan_world["late"]
    escalation = Escalation.objects.create(
        plan=plan_world["plan"],
        action=late,
        due_date=late.due_date,
        level=2,
        audience=Audience.ACCOUNTABLE_LEAD,
        working_days_overdue=3,
        created_at=NOW,
    )
    escalation.told.add(plan_world["lead"])
    html = page(signed_in(client, plan_world["lead"]))
    assert "Escalated to you" in html
    assert "Escalation level 2" in html
    assert html.index("Escalated to you") < html.index('id="overdue"')
    assert "Escalated to you" not in page(signed_in(Client(), plan_world["owner"]))


def test_an_owner_who_owes_an_update_for_the_next_meeting_is_told(
    client: Client, plan_world: dict
) -> None:
    board = plan_world["plan"].board
    BoardMeeting.objects.create(
        board=board, meets_on=dt.date(2026, 12, 10), papers_due_on=dt.date(2026, 12, 4)
    )
    html = page(signed_in(client, plan_world["owner"]))
    assert "Updates owed for the next board meeting" in html
    assert "Review the panel" in html  # far off, but owed to the meeting


def test_with_nothing_due_it_says_so(client: Client) -> None:
    html = page(signed_in(client, UserFactory.create()))
    assert "Nothing needs you today" in html


def test_the_page_costs_the_same_queries_for_five_actions_or_sixty(
    client: Client, django_assert_max_num_queries, plan_world: dict
) -> None:
    owner = plan_world["owner"]
    client = signed_in(client, owner)
    client.get("/")  # the session is loaded once
    with django_assert_max_num_queries(14) as few:
        page(client)
    recommendation = plan_world["late"].recommendation
    for number in range(60):
        ActionFactory.create(
            recommendation=recommendation,
            owner=owner,
            reference=f"9.{number}",
            due_date=dt.date(2026, 11, 2) + dt.timedelta(days=number % 40),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page(client)
    assert "the first 25 shown" in html


def test_an_action_due_at_the_weekend_is_due_on_that_day_not_today(client: Client) -> None:
    owner = UserFactory.create()
    ActionFactory.create(
        owner=owner, title="Send the weekend return", due_date=dt.date(2026, 12, 5)
    )
    # Friday 4 December: Saturday is no working day ahead, but it is not today either.
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 0, tzinfo=LONDON), tick=False):
        html = page(signed_in(client, owner))
    assert "Due on Saturday" in html
    assert "Due today" not in html


def test_an_address_with_nothing_there_is_a_plain_404_in_the_sites_layout(client: Client) -> None:
    response = client.get("/workspace/actions/999999/")
    assert response.status_code == 302  # signed out: sign in first, then the 404
    client.force_login(UserFactory.create())
    response = client.get("/workspace/actions/999999/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and 'id="main-content"' in html
    assert "Go to what needs you" in html
