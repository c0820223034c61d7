"""The action page in a real headless Chromium: no WCAG 2.2 A or AA violation that axe-core
finds at a phone's and a desktop's width, in its normal state, with an error in the update form
and after a conflicting update; no Content-Security-Policy violation; and a whole journey done
with the keyboard alone, from signing in to seeing the update in the history.
"""

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import time_machine

from accounts.models import User
from actions.dates import LONDON
from actions.demo import demo_load
from actions.models import Action, ActionStatus, ProgressUpdate, Rag
from actions.services import action_update_status
from tests.accessibility.axe import BEST_PRACTICE, WCAG_TAGS, assert_no_violations
from workspace.needs import needs_of

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

# Wednesday 2 December 2026, mid-morning in London; the clock ticks on from there, in the
# test and in the live server's thread alike.
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)
OWNER = "ehc.manager@northshire.example"
LEAD = "head.of.send@northshire.example"
PASSWORD = "demo-password-1"
VIEWPORTS = [{"width": 375, "height": 800}, {"width": 1280, "height": 900}]

# Runs in every document before the page's own scripts (added through the DevTools
# protocol, which the policy does not govern).
LISTEN_FOR_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture(autouse=True)
def demo() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        demo_load(today=NOW.date())
        yield


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


def sign_in(page: "Page", origin: str, email: str) -> None:
    page.goto(f"{origin}/sign-in/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "What needs you"


def most_urgent_action() -> Action:
    """The first action "What needs you" lists for the owner: the longest overdue."""
    needs = needs_of(user=User.objects.get(email=OWNER), today=NOW.date())
    rows = needs.escalated.rows + needs.overdue.rows + needs.due_soon.rows
    first = next(row for row in rows if row.kind == "action")
    return Action.objects.get(pk=first.pk)


def assert_accessible_and_clean(page: "Page", console: list[str], width: int) -> None:
    # Violation events are queued as tasks: let those already queued run first.
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")
    assert page.evaluate("window.cspViolations") == [], page.url
    assert console == [], page.url
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the page is {scrolled}px wide at {width}px"
    assert_no_violations(page, tags=WCAG_TAGS + BEST_PRACTICE)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_the_action_page_has_no_accessibility_or_policy_violations(
    browser: "Browser", live_server: "LiveServer", viewport: dict[str, int]
) -> None:
    action = most_urgent_action()
    page, console = open_browser_page(browser, viewport)
    sign_in(page, live_server.url, OWNER)

    page.goto(f"{live_server.url}/workspace/actions/{action.pk}/")

    assert page.locator("h1").inner_text() == f"{action.reference} {action.title}"
    assert page.locator(".app-timeline__item").count() > 0
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert font.lower().startswith("arial"), "the GOV.UK Frontend stylesheet did not load"
    assert_accessible_and_clean(page, console, viewport["width"])


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_the_update_form_with_an_error_has_no_accessibility_violations(
    browser: "Browser", live_server: "LiveServer", viewport: dict[str, int]
) -> None:
    action = most_urgent_action()
    page, console = open_browser_page(browser, viewport)
    sign_in(page, live_server.url, OWNER)
    page.goto(f"{live_server.url}/workspace/actions/{action.pk}/")

    page.get_by_label("Red (off track)").check()
    page.get_by_role("button", name="Save update").click()
    page.wait_for_load_state("load")

    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "commentary is required when an action is rated red" in summary
    assert not ProgressUpdate.objects.filter(action=action, created_at__gte=NOW).exists()
    assert_accessible_and_clean(page, console, viewport["width"])


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_a_conflicting_update_has_no_accessibility_violations(
    browser: "Browser", live_server: "LiveServer", viewport: dict[str, int]
) -> None:
    action = most_urgent_action()
    page, console = open_browser_page(browser, viewport)
    sign_in(page, live_server.url, OWNER)
    page.goto(f"{live_server.url}/workspace/actions/{action.pk}/")
    # Someone else reports progress while the owner is writing.
    action_update_status(
        action=action,
        by=User.objects.get(email=LEAD),
        status=ActionStatus.BLOCKED,
        commentary="Waiting for the new assessors to start.",
    )

    page.get_by_label("Amber (at risk)").check()
    page.get_by_label("Commentary").fill("Agency cover agreed.")
    page.get_by_role("button", name="Save update").click()
    page.wait_for_load_state("load")

    summary = page.locator(".govuk-error-summary").inner_text()
    assert "changed the status from In progress to Blocked" in summary
    assert page.get_by_label("Commentary").input_value() == "Agency cover agreed."
    assert_accessible_and_clean(page, console, viewport["width"])


def tab_to(page: "Page", selector: str, *, key: str = "Tab", presses: int = 60) -> None:
    """Press a key until the focused element matches ``selector``, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press(key)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    focused = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    pytest.fail(f"{key} never reached {selector}; focus is on {focused}")


def test_an_owner_records_an_amber_update_with_the_keyboard_alone(
    browser: "Browser", live_server: "LiveServer"
) -> None:
    action = most_urgent_action()
    page, console = open_browser_page(browser, VIEWPORTS[1])
    page.goto(f"{live_server.url}/sign-in/")

    tab_to(page, "#id_username")
    page.keyboard.type(OWNER)
    tab_to(page, "#id_password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "What needs you"

    # The first action the page lists is the most urgent.
    tab_to(page, 'main a[href^="/workspace/actions/"]')
    href = page.evaluate("document.activeElement.getAttribute('href')")
    assert href == f"/workspace/actions/{action.pk}/"
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == f"{action.reference} {action.title}"

    tab_to(page, 'input[name="rag"]')
    tab_to(page, 'input[name="rag"][value="amber"]', key="ArrowDown", presses=4)
    tab_to(page, "#commentary")
    page.keyboard.type("Two agency assessors start on Monday.")
    tab_to(page, 'main form button[type="submit"]')
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")

    assert "Your update has been saved" in page.locator(".govuk-notification-banner").inner_text()
    newest = page.locator(".app-timeline__item").first.inner_text()
    assert "Two agency assessors start on Monday." in newest
    assert "Amber (at risk)" in newest
    stored = Action.objects.select_related("latest_update").get(pk=action.pk)
    assert stored.rag == Rag.AMBER
    assert stored.latest_update is not None
    assert stored.latest_update.commentary == "Two agency assessors start on Monday."
    assert page.evaluate("window.cspViolations") == [] and console == []
