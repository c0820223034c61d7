"""The "Forgotten your password?" pages in a real headless Chromium: asking for a link (as it
first shows and with an error), "Check your email", choosing a new password (as it first shows
and refused by the validators), the confirmation, and a link that does not work. At a phone's
and a desktop's width each has no WCAG 2.2 A or AA violation that axe-core finds, nothing
blocked by the Content-Security-Policy and no sideways scrolling. The journey is driven by
keyboard and clicks only, without JavaScript of the site's own.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

from accounts.models import User
from accounts.password_reset import password_reset_link_parts
from tests.accessibility.axe import AXE_VERSION, BEST_PRACTICE, WCAG_TAGS, describe, run_axe
from tests.factories import UserFactory

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Response
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = [{"width": 375, "height": 800}, {"width": 1280, "height": 900}]
NEW_PASSWORD = "plum-orchard-lantern-42"

LISTEN_FOR_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@dataclass
class Tab:
    """One browser tab, and every problem found on the pages it was checked on."""

    page: "Page"
    origin: str
    blocked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def on_console(self, message: "ConsoleMessage") -> None:
        if "Content Security Policy" in message.text:
            self.blocked.append(message.text)

    def open(self, path: str, *, status: int = 200) -> None:
        self.expect_status(self.page.goto(self.origin + path), status)

    def submit(self, button: str, *, status: int) -> None:
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("button", name=button).click()
        self.expect_status(navigation.value, status)

    def expect_status(self, response: "Response | None", status: int) -> None:
        assert response is not None
        assert response.status == status, f"{response.url}: {response.status}, not {status}"
        self.page.wait_for_load_state("load")

    def heading(self) -> str:
        return self.page.locator("h1").inner_text().strip()

    def check(self, what: str) -> None:
        """Every rule on the page as it is now, at each width; problems are kept, not raised."""
        for viewport in VIEWPORTS:
            self.page.set_viewport_size(viewport)  # type: ignore[arg-type]
            where = f"{what} at {viewport['width']}px ({self.page.url})"
            self.page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")
            blocked = self.page.evaluate("window.cspViolations") + self.blocked
            if blocked:
                self.problems.append(f"{where}: the policy blocked {blocked}")
            self.blocked.clear()
            scrolled = self.page.evaluate("document.documentElement.scrollWidth")
            if scrolled > viewport["width"]:
                self.problems.append(f"{where}: the page is {scrolled}px wide")
            result = run_axe(self.page, tags=WCAG_TAGS + BEST_PRACTICE)
            assert result["version"] == AXE_VERSION
            assert result["passes"] > 0, f"{where}: axe-core checked nothing"
            if result["violations"]:
                self.problems.append(f"{where}: axe-core found\n{describe(result['violations'])}")

    def assert_no_problems(self) -> None:
        assert not self.problems, "\n\n".join(self.problems)


@pytest.fixture
def tab(browser: "Browser", live_server: "LiveServer") -> Iterator[Tab]:
    context = browser.new_context(viewport=VIEWPORTS[0])  # type: ignore[arg-type]
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    context.set_default_timeout(10_000)
    opened = Tab(page=context.new_page(), origin=live_server.url)
    opened.page.on("console", opened.on_console)
    yield opened
    context.close()


@pytest.fixture
def jo() -> User:
    return UserFactory.create(email="jo.bloggs@northshire.gov.uk", name="Jo Bloggs")


def test_asking_for_a_link_has_no_violations(tab: Tab, jo: User) -> None:
    tab.open("/sign-in/")
    with tab.page.expect_navigation():
        tab.page.get_by_role("link", name="Forgotten your password?").click()
    assert tab.heading() == "Reset your password"
    tab.check("the reset request page")

    tab.submit("Send the link", status=400)
    assert tab.page.title().startswith("Error: Reset your password")
    summary = tab.page.locator(".govuk-error-summary")
    assert "Enter your email address." in summary.inner_text()
    # The summary's link takes the keyboard to the field.
    summary.get_by_role("link", name="Enter your email address.").click()
    assert tab.page.evaluate("document.activeElement.id") == "id_email"
    tab.check("the reset request page with an error")

    # An address that is no one's: the same answer as anyone's, and nothing to deliver.
    tab.page.get_by_label("Email address").fill("no.one@northshire.gov.uk")
    tab.submit("Send the link", status=200)
    assert tab.heading() == "Check your email"
    tab.check("the check-your-email page")
    tab.assert_no_problems()


def test_choosing_a_new_password_has_no_violations(tab: Tab, jo: User) -> None:
    uidb64, token = password_reset_link_parts(jo)
    tab.open(f"/password-reset/{uidb64}/{token}/")
    assert tab.heading() == "Choose a new password"
    assert token not in tab.page.url
    tab.check("the new password page")

    tab.page.get_by_label("New password", exact=True).fill("JoBloggs2024")
    tab.page.get_by_label("Type the new password again").fill("JoBloggs2024")
    tab.submit("Save the new password", status=400)
    assert tab.page.title().startswith("Error: Choose a new password")
    assert (
        "Your password is too like your name"
        in tab.page.locator(".govuk-error-summary").inner_text()
    )
    tab.check("the new password page with an error")

    tab.page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    tab.page.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    tab.submit("Save the new password", status=200)
    assert tab.heading() == "Your password has been changed"
    tab.check("the password changed page")

    tab.open(f"/password-reset/{uidb64}/{token}/", status=404)
    assert tab.heading() == "This link does not work"
    tab.check("the link does not work page")
    tab.assert_no_problems()
    jo.refresh_from_db()
    assert jo.check_password(NEW_PASSWORD)
