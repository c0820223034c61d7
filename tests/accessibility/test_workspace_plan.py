"""The plan, digest and settings pages of the workspace in a real headless Chromium: no WCAG
2.2 A or AA violation that axe-core finds, on a phone and on a desktop, signed in as the
demo's head of SEND (a recommendation lead and a member of the SEND Executive), the settings
form in its error state too, and nothing blocked by the Content-Security-Policy.
"""

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from actions.dates import local_today
from actions.demo import DEMO_PASSWORD, PLAN_SLUG, demo_load
from actions.models import Plan
from digests.models import DigestSnapshot
from digests.services import boards_of, digest_snapshot
from tests.accessibility.axe import BEST_PRACTICE, WCAG_TAGS, assert_no_violations

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = [{"width": 375, "height": 800}, {"width": 1280, "height": 900}]
HEAD_OF_SEND = "head.of.send@northshire.example"

# Runs in every document before its own scripts: what the policy blocks is kept to be read.
LISTEN_FOR_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def demo(live_server: "LiveServer") -> tuple[Plan, list[DigestSnapshot]]:
    """The demo plan, with today's digest, briefing and summary stored."""
    demo_load(today=local_today())
    plan = Plan.objects.get(slug=PLAN_SLUG)
    now = timezone.now()
    snapshots = [
        digest_snapshot(plan=plan, board=board, as_of=local_today(), now=now)[0]
        for board in boards_of(plan)
    ]
    return plan, snapshots


@pytest.fixture
def signed_in_page(
    browser: "Browser",
    live_server: "LiveServer",
    demo: tuple[Plan, list[DigestSnapshot]],
    request: pytest.FixtureRequest,
) -> Iterator["Page"]:
    context = browser.new_context(viewport=request.param)
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", HEAD_OF_SEND)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    assert page.url.rstrip("/") == live_server.url, "the demo's head of SEND did not sign in"
    yield page
    assert console == [], console
    context.close()


def check(page: "Page", url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, url
    page.wait_for_load_state("load")
    check_here(page)


def check_here(page: "Page") -> None:
    """axe, reflow and the policy, on the page as it is now."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None
    assert width <= viewport["width"], f"{page.url} is {width}px wide"
    assert_no_violations(page, tags=WCAG_TAGS + BEST_PRACTICE)
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")
    assert page.evaluate("window.cspViolations") == [], page.url


@pytest.mark.parametrize("signed_in_page", VIEWPORTS, ids=["phone", "desktop"], indirect=True)
def test_the_plan_and_its_digests_have_no_accessibility_violations(
    signed_in_page: "Page", live_server: "LiveServer", demo: tuple[Plan, list[DigestSnapshot]]
) -> None:
    plan, snapshots = demo
    page = signed_in_page

    check(page, f"{live_server.url}/workspace/plans/{plan.pk}/")
    assert page.locator("h1").inner_text() == plan.title
    assert page.locator("#recommendations ~ div table tbody tr").count() > 0
    for snapshot in snapshots:
        check(page, f"{live_server.url}/workspace/digests/{snapshot.pk}/")


@pytest.mark.parametrize("signed_in_page", VIEWPORTS, ids=["phone", "desktop"], indirect=True)
def test_the_settings_page_and_its_error_state_have_no_accessibility_violations(
    signed_in_page: "Page", live_server: "LiveServer"
) -> None:
    page = signed_in_page

    check(page, f"{live_server.url}/workspace/settings/")
    page.get_by_label("Which working days before").fill("ten, three")
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_load_state("load")

    assert page.title().startswith("Error:")
    assert page.locator(".govuk-error-summary").is_visible()
    check_here(page)
