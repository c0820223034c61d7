"""The workspace's other pages in a real headless Chromium, with the demo data: the signed-out
home page, the published plans, the sign-in page (as it first shows, after a wrong password and
after too many attempts), "What needs you" and the plans list for each demo role, and the page
someone gets for an object they may not see. At a phone's and a desktop's width each has no
WCAG 2.2 A or AA violation that axe-core finds, nothing blocked by the Content-Security-Policy,
no sideways scrolling and an English ``lang``.

Each test gathers every problem of its pages before it fails, so one run says all that is wrong.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest
import time_machine

from accounts.models import User
from accounts.throttles import LoginAccountThrottle
from actions.dates import LONDON
from actions.demo import DEMO_PASSWORD, PLAN_SLUG, demo_load
from actions.models import Action, Plan
from actions.selectors import actions_visible_to
from tests.accessibility.axe import AXE_VERSION, BEST_PRACTICE, WCAG_TAGS, describe, run_axe

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Response
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

# Wednesday 2 December 2026, mid-morning in London: the demo's dates are relative to today.
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)
VIEWPORTS = [{"width": 375, "height": 800}, {"width": 1280, "height": 900}]
OWNER = "ehc.manager@northshire.example"
ROLES = {
    "owner": OWNER,
    "lead": "head.of.send@northshire.example",
    "board-member": "director.childrens@northshire.example",
    "administrator": "admin@northshire.example",
}

# Runs in every document before the page's own scripts (added through the DevTools
# protocol, which the policy does not govern).
LISTEN_FOR_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
});
"""

# What makes the page scroll sideways: the elements whose right edge is past the viewport's
# and that no scrolling box clips. A box clips an absolutely positioned element only from its
# containing block (the nearest positioned ancestor) outwards.
STICKING_OUT = """(width) => {
  const clipped = (element) => {
    let clips = getComputedStyle(element).position !== "absolute";
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      clips = clips || style.position !== "static";
      if (clips && style.overflowX !== "visible") return true;
    }
    return false;
  };
  return [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > width && !clipped(element))
    .filter((element, _, all) => !all.some((other) => other !== element && element.contains(other)))
    .slice(0, 5)
    .map((element) => `${element.outerHTML.slice(0, 160)} (right edge at `
      + `${Math.round(element.getBoundingClientRect().right)}px)`);
}"""


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def demo() -> Plan:
    demo_load(today=NOW.date())
    return Plan.objects.get(slug=PLAN_SLUG)


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
        response = self.page.goto(self.origin + path)
        self.expect_status(response, status)

    def submit(self, button: str, *, status: int) -> None:
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("button", name=button).click()
        self.expect_status(navigation.value, status)

    def expect_status(self, response: "Response | None", status: int) -> None:
        assert response is not None
        assert response.status == status, f"{response.url}: {response.status}, not {status}"
        self.page.wait_for_load_state("load")

    def check(self, what: str) -> None:
        """Every rule, on the page as it is now; what breaks one is kept, not raised."""
        width = self.page.viewport_size["width"] if self.page.viewport_size else 0
        where = f"{what} at {width}px ({self.page.url})"
        if self.page.locator('html[lang^="en"]').count() != 1:
            self.problems.append(f"{where}: <html> has no English lang")
        # Violation events are queued as tasks: let those already queued run first.
        self.page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")
        blocked = self.page.evaluate("window.cspViolations") + self.blocked
        if blocked:
            self.problems.append(f"{where}: the policy blocked {blocked}")
        self.blocked.clear()
        scrolled = self.page.evaluate("document.documentElement.scrollWidth")
        if scrolled > width:
            sticking_out = self.page.evaluate(STICKING_OUT, width)
            self.problems.append(
                f"{where}: the page is {scrolled}px wide, because of {sticking_out}"
            )
        result = run_axe(self.page, tags=WCAG_TAGS + BEST_PRACTICE)
        assert result["version"] == AXE_VERSION, "the vendored axe-core is not the pinned version"
        # A page where axe checked nothing would pass vacuously.
        assert result["passes"] > 0, f"{where}: axe-core checked nothing"
        if result["violations"]:
            self.problems.append(f"{where}: axe-core found\n{describe(result['violations'])}")

    def fill_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(password)

    def heading(self) -> str:
        return self.page.locator("h1").inner_text()

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


def at_each_width(tab: Tab) -> Iterator[int]:
    for viewport in VIEWPORTS:
        tab.page.set_viewport_size(viewport)  # type: ignore[arg-type]
        yield viewport["width"]


def test_the_signed_out_pages_and_the_sign_in_form_have_no_violations(tab: Tab, demo: Plan) -> None:
    for _ in at_each_width(tab):
        tab.open("/")
        assert tab.heading() == "Keep the improvement plan moving"
        assert tab.page.get_by_role("link", name=demo.title).count() == 1
        tab.check("the signed-out home page")

        tab.open("/published-plans/")
        assert tab.heading() == "Published plans"
        assert tab.page.get_by_role("link", name=demo.title).count() == 1
        tab.check("the published plans")

        tab.open("/sign-in/")
        assert tab.heading() == "Sign in"
        tab.check("the sign-in page")

        tab.fill_in(OWNER, password="not-the-password")
        tab.submit("Sign in", status=200)
        assert tab.page.title().startswith("Error: Sign in")
        summary = tab.page.locator(".govuk-error-summary").inner_text()
        assert "one or both are wrong" in summary
        assert tab.page.get_by_label("Email address").input_value() == OWNER
        tab.check("the sign-in page after a wrong password")
    tab.assert_no_problems()


def test_the_sign_in_page_after_too_many_attempts_has_no_violations(tab: Tab) -> None:
    # The attempts naming one email address that a minute allows.
    throttle = LoginAccountThrottle()
    allowed, _seconds = throttle.parse_rate(throttle.get_rate())
    assert allowed is not None
    tab.open("/sign-in/")
    for _attempt in range(allowed):
        tab.fill_in(OWNER, password="a-guess")
        tab.submit("Sign in", status=200)

    for _ in at_each_width(tab):
        tab.fill_in(OWNER, password="another-guess")
        tab.submit("Sign in", status=429)
        assert tab.page.title().startswith("Error: Sign in")
        assert "Too many sign-in attempts" in tab.page.locator(".govuk-error-summary").inner_text()
        tab.check("the sign-in page after too many attempts")
    tab.assert_no_problems()


@pytest.mark.parametrize("email", list(ROLES.values()), ids=list(ROLES))
def test_what_needs_you_and_the_plans_list_have_no_violations(
    tab: Tab, demo: Plan, email: str
) -> None:
    tab.open("/sign-in/")
    tab.fill_in(email)
    tab.submit("Sign in", status=200)

    for _ in at_each_width(tab):
        tab.open("/")
        assert tab.heading() == "What needs you"
        assert tab.page.locator("main table tbody tr").count() > 0, "nothing needs them"
        tab.check(f'"What needs you" for {email}')

        tab.open("/workspace/plans/")
        assert tab.heading() == "Plans"
        assert tab.page.get_by_role("link", name=demo.title).count() == 1
        tab.check(f"the plans list for {email}")
    tab.assert_no_problems()


def test_the_page_for_an_action_someone_may_not_see_has_no_violations(tab: Tab, demo: Plan) -> None:
    owner = User.objects.get(email=OWNER)
    hidden = Action.objects.filter(plan=demo).exclude(pk__in=actions_visible_to(owner))
    action = hidden.order_by("reference").first()
    assert action is not None, "the owner may see every action of the demo plan"
    tab.open("/sign-in/")
    tab.fill_in(OWNER)
    tab.submit("Sign in", status=200)

    for _ in at_each_width(tab):
        tab.open(f"/workspace/actions/{action.pk}/", status=404)
        assert action.title not in tab.page.content()
        tab.check("the page for an action the owner may not see")
    tab.assert_no_problems()
