"""Each kind of page runs in a real headless Chromium with no Content-Security-Policy violation.

The policy (config/settings/base.py) lets a page run only this site's own files: no inline
script or style, nothing from another site. Chromium enforces it, and reports everything it
blocks in the console and as a ``securitypolicyviolation`` event. Every page here must have
been sent the policy, report neither, load nothing from another site, and be in English.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django_celery_beat.models import CrontabSchedule

from accounts.models import User
from actions.dates import local_today
from actions.demo import DEMO_PASSWORD, PLAN_SLUG, demo_load
from actions.models import OPEN_STATUSES, Action, Plan, Recommendation
from notifications.links import preferences_url, update_url
from tests.factories import UserFactory

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

# Runs in every document before the page's own scripts (Playwright adds it through the
# DevTools protocol, which the policy does not govern).
LISTEN_FOR_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} `
    + `at ${event.sourceFile}:${event.lineNumber} ${event.sample}`
  );
});
"""


@dataclass
class Watch:
    page: "Page"
    origin: str
    console: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)

    def on_console(self, message: "ConsoleMessage") -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def on_request(self, request: "Request") -> None:
        parts = urlsplit(request.url)
        if parts.scheme != "data" and f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.elsewhere.append(request.url)

    def violations(self) -> list[str]:
        # Violation events are queued as tasks: let those already queued run first.
        self.page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")
        events: list[str] = self.page.evaluate("window.cspViolations")
        return events + self.console


@pytest.fixture
def watch(browser: "Browser", live_server: "LiveServer") -> Iterator[Watch]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    page = context.new_page()
    watching = Watch(page=page, origin=live_server.url)
    page.on("console", watching.on_console)
    page.on("request", watching.on_request)
    yield watching
    context.close()


def visit(watch: Watch, path: str) -> None:
    response = watch.page.goto(watch.origin + path)
    assert response is not None
    assert response.ok, f"{path}: {response.status}"
    assert "content-security-policy" in response.headers, f"{path} came without the policy"
    watch.page.wait_for_load_state("load")


def assert_clean(watch: Watch) -> None:
    page = watch.page
    assert page.locator('html[lang^="en"]').count() == 1, (
        f"{page.url}: <html lang={page.evaluate('document.documentElement.lang')!r}>"
    )
    assert watch.violations() == [], page.url
    assert watch.elsewhere == [], f"{page.url} loaded files from another site"


def _site_path(url: str) -> str:
    assert url.startswith(settings.SITE_URL)
    return url.removeprefix(settings.SITE_URL)


def _first_open_action() -> Action:
    action = (
        Action.objects.filter(plan__slug=PLAN_SLUG, status__in=OPEN_STATUSES)
        .order_by("reference")
        .first()
    )
    assert action is not None
    return action


def _update_form() -> str:
    action = _first_open_action()
    return _site_path(update_url(action_id=action.pk, user_id=action.owner_id, notification_id=1))


def _preferences() -> str:
    owner = User.objects.get(email="ehc.manager@northshire.example")
    return _site_path(preferences_url(user_id=owner.pk))


PUBLIC_PAGES = {
    "home": lambda: "/",
    "public plan": lambda: f"/plans/{PLAN_SLUG}/",
    "update form from a signed link": _update_form,
    "preferences from a signed link": _preferences,
    "workspace sign-in": lambda: "/sign-in/",
}


@pytest.mark.parametrize("which", list(PUBLIC_PAGES))
def test_the_pages_without_a_sign_in_run_with_no_policy_violation(watch: Watch, which: str) -> None:
    demo_load(today=local_today())

    visit(watch, PUBLIC_PAGES[which]())

    # The stylesheets loaded (they are the site's files, not inline styles).
    font = watch.page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert font.lower().startswith("arial"), font
    assert_clean(watch)


def _first_recommendation() -> Recommendation:
    return Recommendation.objects.get(plan__slug=PLAN_SLUG, number=1)


# Signed in as the demo's head of SEND: a recommendation's lead and a board member.
WORKSPACE_PAGES = {
    "What needs you": lambda: "/",
    "plans list": lambda: "/workspace/plans/",
    "plan": lambda: f"/workspace/plans/{Plan.objects.get(slug=PLAN_SLUG).pk}/",
    "recommendation": lambda: f"/workspace/recommendations/{_first_recommendation().pk}/",
    "action": lambda: f"/workspace/actions/{_first_open_action().pk}/",
    "settings": lambda: "/workspace/settings/",
}


@pytest.mark.parametrize("which", list(WORKSPACE_PAGES))
def test_the_workspace_pages_run_with_no_policy_violation(watch: Watch, which: str) -> None:
    demo_load(today=local_today())
    visit(watch, "/sign-in/")
    watch.page.fill("#id_username", "head.of.send@northshire.example")
    watch.page.fill("#id_password", DEMO_PASSWORD)
    watch.page.get_by_role("button", name="Sign in").click()
    watch.page.wait_for_load_state("load")

    visit(watch, WORKSPACE_PAGES[which]())

    assert watch.page.locator("#navigation").count() == 1, "not signed in"
    font = watch.page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert font.lower().startswith("arial"), font
    assert_clean(watch)


def test_the_api_docs_render_swagger_ui_from_this_site_with_no_policy_violation(
    watch: Watch,
) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    visit(watch, "/api/docs/")

    try:
        watch.page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    except PlaywrightTimeout:
        pytest.fail(
            f"Swagger UI listed no operations. Blocked: {watch.violations()}; "
            f"from other sites: {watch.elsewhere}"
        )
    assert watch.page.locator(".swagger-ui .opblock").count() > 10
    assert (
        watch.page.locator(".swagger-ui .title")
        .first.inner_text()
        .startswith("Action plan delivery service API")
    )
    assert_clean(watch)


def _sign_in_to_the_admin(watch: Watch) -> None:
    staff = UserFactory.create(
        email="csp.admin@northshire.gov.uk", is_staff=True, is_superuser=True
    )
    staff.set_password("a-test-password-for-csp")
    staff.save()
    visit(watch, "/admin/login/")
    assert_clean(watch)
    watch.page.fill("#id_username", staff.email)
    watch.page.fill("#id_password", "a-test-password-for-csp")
    watch.page.click("input[type=submit]")
    watch.page.wait_for_load_state("load")


def test_the_admin_and_the_browsable_api_run_with_no_policy_violation(watch: Watch) -> None:
    demo_load(today=local_today())
    CrontabSchedule.objects.create(minute="0", hour="7", timezone="Europe/London")
    _sign_in_to_the_admin(watch)

    plan = Plan.objects.get(slug=PLAN_SLUG)
    for path in (
        "/admin/",
        "/admin/actions/plan/",
        "/admin/actions/action/",
        # A change form with inlines and a two-list picker, all driven by the admin's scripts.
        f"/admin/actions/plan/{plan.pk}/change/",
    ):
        visit(watch, path)
        assert watch.page.locator("#user-tools").count() == 1, f"not signed in at {path}"
        assert_clean(watch)

    # django-celery-beat's form, whose script is a file here: it runs, and says the schedule.
    visit(watch, "/admin/django_celery_beat/periodictask/add/")
    watch.page.select_option("#id_crontab", index=1)
    help_text = watch.page.locator(".field-crontab .help").inner_text()
    assert "Translation: At 07:00" in help_text, help_text
    assert_clean(watch)

    visit(watch, "/api/plans/")
    assert watch.page.locator(".response-info").count() == 1
    assert_clean(watch)
    # DRF's log-out link needed an inline onclick; its replacement is a plain form button.
    watch.page.click(".navbar .dropdown-toggle")
    watch.page.click("button.api-log-out")
    watch.page.wait_for_load_state("load")
    assert watch.page.locator(".navbar").get_by_text("Log in").count() == 1
    assert_clean(watch)


def test_a_blocked_inline_script_or_style_is_reported(watch: Watch) -> None:
    """The watch can fail: what an injected script or style would do is blocked and seen."""
    visit(watch, "/")

    watch.page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.head.append(script);
            document.querySelector("h1").setAttribute("style", "color: red");
        }"""
    )

    reported = watch.violations()
    assert watch.page.evaluate("window.injected") is None
    assert any(line.startswith("script-src-elem blocked inline") for line in reported), reported
    assert any(line.startswith("style-src-attr blocked inline") for line in reported), reported
    assert any("Content Security Policy" in line for line in watch.console), watch.console
