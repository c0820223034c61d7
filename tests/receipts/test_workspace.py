"""The workspace shows who we could not reach: a warning on the plan's page naming the owners
of its open actions whose address is marked, and a note beside the owner on an action's page.
"""

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from actions.models import ActionStatus, Plan
from notifications.models import Notification
from notifications.reachability import address_clear
from tests.factories import UserFactory
from tests.notifications.conftest import TODAY, SmallPlan, london
from tests.receipts.conftest import post, receipt

pytestmark = pytest.mark.django_db

WARNING = "We could not reach these people by email"


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def page(client: Client, person: User, path: str) -> str:
    client.force_login(person)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def plan_page(client: Client, person: User, plan: Plan) -> str:
    return page(client, person, reverse("workspace:plan", args=[plan.pk]))


def warning_of(html: str) -> str:
    start = html.index(">", html.index('class="govuk-warning-text"')) + 1
    return text_of(html[start : html.index("</div>", start)])


@pytest.fixture
def unreachable_owner(client: Client, small_plan: SmallPlan, sent: Notification) -> User:
    """The owner of the small plan's action, after Notify said their inbox refused mail."""
    completed = london(TODAY, dt.time(9, 45))
    assert post(client, receipt(sent, "permanent-failure", completed=completed)).status_code == 200
    client.logout()
    return small_plan.owner


def test_the_lead_is_warned_on_the_plan_page_whom_we_could_not_reach(
    client: Client, small_plan: SmallPlan, unreachable_owner: User
) -> None:
    html = plan_page(client, small_plan.lead, small_plan.plan)

    assert warning_of(html) == (
        "! Warning We could not reach these people by email: "
        "Owen Owner (owner@northshire.gov.uk, since 25 November 2026)."
    )
    advice = text_of(html[html.index("Their reminders are not being sent") :])
    assert advice.startswith("Their reminders are not being sent. Ask them to check their email")
    # Not staff: no link to the admin.
    assert "admin/notifications/unreachableaddress" not in html


def test_everyone_of_the_owners_is_named_once_in_order(
    client: Client, small_plan: SmallPlan, unreachable_owner: User
) -> None:
    second = UserFactory.create(name="Bea Brown", email="bea.brown@nhs.example")
    small_plan.action(due=dt.date(2026, 12, 4), owner=second)
    small_plan.action(due=dt.date(2026, 12, 11))  # a second action of the same owner
    post(
        Client(),
        receipt(
            Notification.objects.create(
                recipient=second,
                kind="escalation",
                subject_key="x",
                occurrence="y",
                to_email=second.email,
                status="sent",
                provider_id="5f1c-second-owner",
                created_at=london(TODAY),
                next_attempt_at=london(TODAY),
                updated_at=london(TODAY),
            ),
            "permanent-failure",
            completed=london(dt.date(2026, 11, 20), dt.time(12)),
        ),
    )

    warning = warning_of(plan_page(client, small_plan.lead, small_plan.plan))

    assert warning.endswith(
        "Bea Brown (bea.brown@nhs.example, since 20 November 2026) and "
        "Owen Owner (owner@northshire.gov.uk, since 25 November 2026)."
    )


def test_an_administrator_gets_a_link_to_the_addresses_in_the_admin(
    client: Client, small_plan: SmallPlan, unreachable_owner: User, admin_user: User
) -> None:
    html = plan_page(client, admin_user, small_plan.plan)
    assert WARNING in html
    assert reverse("admin:notifications_unreachableaddress_changelist") in html


def test_no_warning_when_every_address_works(
    client: Client, small_plan: SmallPlan, sent: Notification
) -> None:
    assert WARNING not in plan_page(client, small_plan.lead, small_plan.plan)


def test_no_warning_once_the_address_is_cleared_or_the_action_is_closed(
    client: Client, small_plan: SmallPlan, unreachable_owner: User
) -> None:
    small_plan.plan.actions.update(status=ActionStatus.CANCELLED)
    assert WARNING not in plan_page(client, small_plan.lead, small_plan.plan)

    small_plan.plan.actions.update(status=ActionStatus.IN_PROGRESS)
    assert WARNING in plan_page(client, small_plan.lead, small_plan.plan)
    address_clear(email=unreachable_owner.email)
    assert WARNING not in plan_page(client, small_plan.lead, small_plan.plan)


def test_only_owners_of_actions_the_person_may_read_are_named(
    client: Client, small_plan: SmallPlan, unreachable_owner: User
) -> None:
    # Another owner of the plan sees their own action only: not the unreachable owner's.
    other = UserFactory.create(name="Olu Other")
    small_plan.action(due=dt.date(2026, 12, 4), owner=other)

    assert WARNING not in plan_page(client, other, small_plan.plan)
    assert WARNING in plan_page(client, small_plan.executive[0], small_plan.plan)


def test_the_action_page_says_beside_the_owner_that_we_could_not_reach_them(
    client: Client, small_plan: SmallPlan, unreachable_owner: User
) -> None:
    action = small_plan.plan.actions.get()
    html = page(client, small_plan.lead, reverse("workspace:action", args=[action.pk]))

    start = html.index("Owner</dt>")
    owner = text_of(html[start : html.index("</dd>", start)])
    assert owner == (
        "Owner Owen Owner Northshire County Council Not reachable by email since "
        "25 November 2026 : nothing is being sent to owner@northshire.gov.uk."
    )


def test_the_action_page_says_nothing_of_the_kind_for_a_working_address(
    client: Client, small_plan: SmallPlan, sent: Notification
) -> None:
    action = small_plan.plan.actions.get()
    html = page(client, small_plan.lead, reverse("workspace:action", args=[action.pk]))
    assert "Not reachable by email" not in html
