"""The pages about people we could not reach and about stopping reminders, in a real headless
Chromium: the plan page with its warning, the action page with its note beside the owner, and
the unsubscribe page before and after its button is pressed. On a phone and a desktop each has
no WCAG 2.2 A or AA violation that axe-core finds, no sideways scrolling, and nothing blocked
by the Content-Security-Policy.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import User
from actions.models import Action, Plan
from notifications.models import NotificationPreference, UnreachableAddress
from notifications.unsubscribe import unsubscribe_url
from tests.accessibility.axe import BEST_PRACTICE, WCAG_TAGS, assert_no_violations
from tests.factories import (
    ActionFactory,
    BoardFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = [{"width": 375, "height": 800}, {"width": 1280, "height": 900}]

LISTEN_FOR_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@dataclass
class World:
    plan: Plan
    action: Action
    lead: User
    owner: User


@pytest.fixture
def world(db: None) -> World:
    """A plan whose action's owner Notify could not reach, led by Priya."""
    lead = UserFactory.create(name="Priya Lead", email="priya.lead@northshire.gov.uk")
    owner = UserFactory.create(name="Owen Owner", email="owen.owner@northshire.gov.uk")
    plan = PlanFactory.create(board=BoardFactory.create(members=[lead]))
    recommendation = RecommendationFactory.create(plan=plan, number=1, lead=lead)
    action = ActionFactory.create(
        recommendation=recommendation,
        owner=owner,
        due_date=timezone.localdate() + dt.timedelta(days=20),
    )
    UnreachableAddress.objects.create(
        email=owner.email,
        since=timezone.now() - dt.timedelta(days=3),
        reason="GOV.UK Notify: permanent failure.",
    )
    return World(plan=plan, action=action, lead=lead, owner=owner)


@pytest.fixture(params=VIEWPORTS, ids=["phone", "desktop"])
def tab(browser: "Browser", request: pytest.FixtureRequest) -> Iterator["Page"]:
    context = browser.new_context(viewport=request.param)
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    page = context.new_page()
    yield page
    context.close()


def signed_in(page: "Page", live_server: "LiveServer", person: User) -> None:
    """The person's session, made by Django's test client, given to the browser."""
    client = Client()
    client.force_login(person)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def check(page: "Page", url: str | None = None) -> None:
    if url is not None:
        response = page.goto(url)
        assert response is not None and response.ok, url
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None
    assert width <= viewport["width"], f"{page.url} is {width}px wide"
    assert_no_violations(page, tags=WCAG_TAGS + BEST_PRACTICE)
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")
    assert page.evaluate("window.cspViolations") == [], page.url


def test_the_plan_page_with_its_warning_and_the_action_page_have_no_violations(
    tab: "Page", live_server: "LiveServer", world: World
) -> None:
    signed_in(tab, live_server, world.lead)

    check(tab, f"{live_server.url}/workspace/plans/{world.plan.pk}/")
    warning = tab.locator(".govuk-warning-text").inner_text()
    assert "We could not reach these people by email: Owen Owner" in warning

    check(tab, f"{live_server.url}/workspace/actions/{world.action.pk}/")
    assert tab.locator("#owner-unreachable").inner_text().startswith("Not reachable by email")


def test_the_unsubscribe_page_and_its_answer_have_no_violations(
    tab: "Page", live_server: "LiveServer", world: World
) -> None:
    url = unsubscribe_url(user_id=world.owner.pk).removeprefix(settings.SITE_URL)

    check(tab, live_server.url + url)
    assert tab.locator("h1").inner_text() == "Stop your reminder emails"
    tab.get_by_role("button", name="Stop my reminder emails").click()
    check(tab)

    assert tab.locator("h1").inner_text() == "Your reminder emails are stopped"
    preference = NotificationPreference.objects.get(user=world.owner)
    assert (preference.before_due, preference.on_due_date, preference.overdue) == (
        False,
        False,
        False,
    )
