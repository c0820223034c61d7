"""The API token pages of "Your settings" in a real headless Chromium: the list with tokens in
every state, the page that shows a new secret once, and the confirmation before revoking. On a
phone and a desktop, no WCAG 2.2 A or AA violation that axe-core finds, no sideways scrolling
and nothing blocked by the Content-Security-Policy; and the whole journey works without script.
"""

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from accounts.models import ApiToken
from accounts.tokens import create_token, revoke_token
from tests.accessibility.axe import BEST_PRACTICE, WCAG_TAGS, assert_no_violations
from tests.factories import UserFactory

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = [{"width": 375, "height": 800}, {"width": 1280, "height": 900}]
EMAIL = "tokens.person@example.gov.uk"
PASSWORD = "correct horse battery"

LISTEN_FOR_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def signed_in_page(
    browser: "Browser", live_server: "LiveServer", request: pytest.FixtureRequest
) -> Iterator["Page"]:
    person = UserFactory.create(email=EMAIL, name="Tess Tokens")
    create_token(user=person, name="Monthly returns spreadsheet")
    create_token(user=person, name="Old script", max_age=dt.timedelta(seconds=1))
    leaked, _ = create_token(user=person, name="Pasted in a chat by mistake")
    revoke_token(leaked, reason="revoked by its owner")
    context = browser.new_context(viewport=request.param)
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    page = context.new_page()
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", EMAIL)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    yield page
    context.close()


def check_here(page: "Page") -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None
    assert width <= viewport["width"], f"{page.url} is {width}px wide"
    assert_no_violations(page, tags=WCAG_TAGS + BEST_PRACTICE)
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")
    assert page.evaluate("window.cspViolations") == [], page.url


@pytest.mark.parametrize("signed_in_page", VIEWPORTS, ids=["phone", "desktop"], indirect=True)
def test_listing_creating_and_revoking_tokens_has_no_accessibility_violations(
    signed_in_page: "Page", live_server: "LiveServer"
) -> None:
    page = signed_in_page
    response = page.goto(f"{live_server.url}/workspace/settings/")
    assert response is not None and response.ok
    assert page.locator(".govuk-summary-card").count() == 3
    check_here(page)

    # A name left empty: the error state.
    page.get_by_role("button", name="Create token").click()
    page.wait_for_load_state("load")
    assert page.title().startswith("Error:")
    check_here(page)

    page.get_by_label("Name of the new token").fill("Board dashboard")
    page.get_by_role("button", name="Create token").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Your new API token"
    assert page.input_value("#new-token").startswith("apt_")
    check_here(page)

    page.get_by_role("link", name="I have copied it: back to your settings").click()
    page.wait_for_load_state("load")
    assert page.locator(".govuk-summary-card").count() == 4
    page.get_by_role("link", name="Revoke the token Board dashboard").click()
    page.wait_for_load_state("load")
    assert "Revoke the API token" in page.locator("h1").inner_text()
    check_here(page)
    page.get_by_role("button", name="Revoke this token").click()
    page.wait_for_load_state("load")
    assert "has been revoked" in page.locator(".govuk-notification-banner").inner_text()
    check_here(page)
    assert ApiToken.objects.get(name="Board dashboard").revoked is not None
