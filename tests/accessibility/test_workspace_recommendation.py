"""A recommendation's page in a real headless Chromium: no WCAG 2.2 A or AA violation that
axe-core finds at a phone's and a desktop's width, for its lead (with the forms) and for a
board member (without), with a refused reading and a refused milestone date; no
Content-Security-Policy violation; and a milestone marked achieved in a real browser.
"""

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import time_machine

from actions.dates import LONDON
from actions.demo import PLAN_SLUG, demo_load
from actions.models import Milestone, Recommendation
from notifications.models import Audience
from tests.accessibility.axe import BEST_PRACTICE, WCAG_TAGS, assert_no_violations
from tests.factories import ActionFactory
from tests.workspace.factories import EscalationFactory

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

# Wednesday 2 December 2026, mid-morning in London; the clock ticks on from there, in the
# test and in the live server's thread alike.
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)
LEAD = "head.of.send@northshire.example"  # leads recommendation 1, and sits on the board
BOARD_MEMBER = "director.childrens@northshire.example"
PASSWORD = "demo-password-1"
VIEWPORTS = [{"width": 375, "height": 800}, {"width": 1280, "height": 900}]

LISTEN_FOR_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture(autouse=True)
def recommendation() -> Iterator[Recommendation]:
    """The demo's first recommendation, with enough actions for a second page and an open
    escalation."""
    with time_machine.travel(NOW, tick=True):
        demo_load(today=NOW.date())
        found = Recommendation.objects.get(plan__slug=PLAN_SLUG, number=1)
        for number in range(50):
            ActionFactory.create(
                recommendation=found,
                reference=f"1.{number + 20}",
                title=f"Run the weekly EHC panel, week {number + 1}",
                due_date=dt.date(2027, 1, 4) + dt.timedelta(days=7 * number),
            )
        late = found.actions.order_by("due_date").first()
        EscalationFactory.create(action=late, level=2, audience=Audience.ACCOUNTABLE_LEAD)
        yield found


def open_browser_page(browser: "Browser", viewport: dict[str, int]) -> tuple["Page", list[str]]:
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []

    def on_console(message: "ConsoleMessage") -> None:
        if "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", on_console)
    return page, console


def sign_in_and_open(page: "Page", origin: str, email: str, recommendation: Recommendation) -> None:
    page.goto(f"{origin}/sign-in/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    page.goto(f"{origin}/workspace/recommendations/{recommendation.pk}/")
    assert page.locator("h1").inner_text() == recommendation.title


def assert_accessible_and_clean(page: "Page", console: list[str], width: int) -> None:
    # Violation events are queued as tasks: let those already queued run first.
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")
    assert page.evaluate("window.cspViolations") == [], page.url
    assert console == [], page.url
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the page is {scrolled}px wide at {width}px"
    assert_no_violations(page, tags=WCAG_TAGS + BEST_PRACTICE)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
@pytest.mark.parametrize("email", [LEAD, BOARD_MEMBER], ids=["lead", "board-member"])
def test_the_recommendation_page_has_no_accessibility_or_policy_violations(
    browser: "Browser",
    live_server: "LiveServer",
    recommendation: Recommendation,
    viewport: dict[str, int],
    email: str,
) -> None:
    page, console = open_browser_page(browser, viewport)
    sign_in_and_open(page, live_server.url, email, recommendation)

    # Every part of the page is there: chart, pagination, escalation, and forms for the lead.
    assert page.locator("svg.app-measure-chart[role=img]").count() > 0
    assert page.locator("nav.govuk-pagination").count() == 1
    assert page.locator("#escalations + .app-table-container").count() == 1
    forms = page.get_by_role("button", name="Record the reading").count()
    assert (forms > 0) == (email == LEAD)
    # The chart is scaled to the column, not wider than the phone.
    chart_width = page.evaluate(
        "document.querySelector('svg.app-measure-chart').getBoundingClientRect().width"
    )
    assert 0 < chart_width <= viewport["width"]
    assert_accessible_and_clean(page, console, viewport["width"])


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_a_refused_reading_has_no_accessibility_violations(
    browser: "Browser",
    live_server: "LiveServer",
    recommendation: Recommendation,
    viewport: dict[str, int],
) -> None:
    page, console = open_browser_page(browser, viewport)
    sign_in_and_open(page, live_server.url, LEAD, recommendation)
    form = page.locator("form.app-reading-form").first
    form.get_by_role("textbox", name="Day").fill("31")
    form.get_by_role("textbox", name="Month").fill("2")
    form.get_by_role("textbox", name="Year").fill("2026")
    form.get_by_label("Value", exact=False).fill("a lot")
    readings_before = sum(m.readings.count() for m in recommendation.measures.all())
    form.get_by_role("button", name="Record the reading").click()
    page.wait_for_load_state("load")

    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Date of the reading must be a real date" in summary
    assert "Enter the value as a number" in summary
    assert sum(m.readings.count() for m in recommendation.measures.all()) == readings_before
    assert_accessible_and_clean(page, console, viewport["width"])


def test_a_refused_milestone_date_has_no_accessibility_violations(
    browser: "Browser", live_server: "LiveServer", recommendation: Recommendation
) -> None:
    page, console = open_browser_page(browser, VIEWPORTS[1])
    sign_in_and_open(page, live_server.url, LEAD, recommendation)
    form = page.locator("form.app-milestone-form").first
    form.get_by_role("textbox", name="Day").fill("")
    form.get_by_role("button", name="Mark as achieved").click()
    page.wait_for_load_state("load")

    assert page.title().startswith("Error: ")
    assert "Date achieved must include a day" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible_and_clean(page, console, VIEWPORTS[1]["width"])


def test_the_lead_marks_a_milestone_achieved_in_a_real_browser(
    browser: "Browser", live_server: "LiveServer", recommendation: Recommendation
) -> None:
    milestone = (
        Milestone.objects.filter(recommendation=recommendation, achieved_on=None)
        .order_by("due_date", "pk")
        .first()
    )
    assert milestone is not None
    page, console = open_browser_page(browser, VIEWPORTS[0])
    sign_in_and_open(page, live_server.url, LEAD, recommendation)
    # Today is already in the boxes.
    page.locator("form.app-milestone-form").first.get_by_role(
        "button", name="Mark as achieved"
    ).click()
    page.wait_for_load_state("load")

    banner = page.locator(".govuk-notification-banner--success").inner_text()
    assert f"{milestone.title} is marked as achieved on 2 December 2026." in banner
    milestone.refresh_from_db()
    assert milestone.achieved_on == NOW.date()
    assert_accessible_and_clean(page, console, VIEWPORTS[0]["width"])
