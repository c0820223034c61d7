"""No WCAG 2.2 A or AA violations that axe-core finds, in a real headless Chromium.

The pages are served by a live server with their real stylesheets (colour contrast depends
on them) and reached as people reach them: the public plan by its address, the update form
through a signed link from a reminder, and its error state by sending it wrong.
"""

from typing import TYPE_CHECKING

import pytest
from django.conf import settings

from accounts.models import User
from actions.dates import local_today
from actions.demo import PLAN_SLUG, demo_load
from actions.models import OPEN_STATUSES, Action, Milestone, Recommendation
from notifications.links import milestone_url, preferences_url, update_url
from tests.accessibility.axe import BEST_PRACTICE, WCAG_TAGS, assert_no_violations
from tests.snapshots import action_state

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

# A phone and a desktop: reflow and target sizes differ between them.
VIEWPORTS = [{"width": 375, "height": 800}, {"width": 1280, "height": 900}]


def open_page(browser: "Browser", url: str, viewport: dict[str, int]) -> "Page":
    page = browser.new_page(viewport=viewport)  # type: ignore[arg-type]
    response = page.goto(url)
    assert response is not None
    page.wait_for_load_state("load")
    return page


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_the_public_plan_page_has_no_accessibility_violations(
    browser: "Browser", live_server: "LiveServer", viewport: dict[str, int]
) -> None:
    demo_load(today=local_today())
    page = open_page(browser, f"{live_server.url}/plans/{PLAN_SLUG}/", viewport)

    assert page.title().startswith("Northshire Local Area SEND Written Statement of Action")
    # The GOV.UK Frontend stylesheet really loaded (contrast is checked against it), with
    # Arial, not the GOV.UK-only typeface.
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert font.lower().startswith("arial"), font
    weight = page.evaluate("getComputedStyle(document.querySelector('h1')).fontWeight")
    assert weight == "700", "the GOV.UK Frontend stylesheet did not load"
    # Reflow: wide tables scroll in their own box; the page itself never scrolls sideways.
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= viewport["width"], f"the page is {page_width}px wide"

    assert_no_violations(page, tags=WCAG_TAGS + BEST_PRACTICE)


def test_the_public_plan_page_works_without_javascript(
    browser: "Browser", live_server: "LiveServer"
) -> None:
    demo_load(today=local_today())
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/plans/{PLAN_SLUG}/")
    assert (
        page.locator("h1").inner_text() == "Northshire Local Area SEND Written Statement of Action"
    )
    sections = page.locator("section[data-recommendation]").count()
    assert sections == Recommendation.objects.filter(plan__slug=PLAN_SLUG).count() > 0
    context.close()


def _update_link(live_server: "LiveServer") -> tuple[str, Action]:
    demo_load(today=local_today())
    action = (
        Action.objects.filter(plan__slug=PLAN_SLUG, status__in=OPEN_STATUSES)
        .order_by("reference")
        .first()
    )
    assert action is not None
    owner = User.objects.get(pk=action.owner_id)
    url = update_url(action_id=action.pk, user_id=owner.pk, notification_id=1)
    # The link as the email carries it, pointed at this test's server.
    assert url.startswith(settings.SITE_URL)
    return live_server.url + url.removeprefix(settings.SITE_URL), action


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_the_update_form_from_a_reminder_link_has_no_accessibility_violations(
    browser: "Browser", live_server: "LiveServer", viewport: dict[str, int]
) -> None:
    url, action = _update_link(live_server)
    page = open_page(browser, url, viewport)
    assert page.locator("h1").inner_text() == f"Update action {action.reference}"

    assert_no_violations(page, tags=WCAG_TAGS)


def _send_red_without_commentary(page: "Page") -> None:
    # Red with no commentary: the status service asks for a narrative.
    page.get_by_label("Red (off track)").check()
    page.get_by_role("button", name="Record the update").click()
    page.wait_for_load_state("load")


def test_a_real_browser_can_send_the_update_form(
    browser: "Browser", live_server: "LiveServer"
) -> None:
    url, action = _update_link(live_server)
    page = open_page(browser, url, VIEWPORTS[1])
    # A refusal first (the page came back, not Django's CSRF 403), then a real update.
    _send_red_without_commentary(page)
    assert page.locator(".error-summary").is_visible(), page.locator("h1").inner_text()
    page.get_by_label("What has happened since the last update").fill(
        "Recruitment paused: the post was not funded."
    )
    page.get_by_role("button", name="Record the update").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Update recorded"
    fresh = Action.objects.select_related("latest_update").get(pk=action.pk)
    assert fresh.rag == "red"
    assert fresh.latest_update is not None
    assert fresh.latest_update.commentary == "Recruitment paused: the post was not funded."


def test_the_update_form_with_errors_has_no_accessibility_violations(
    browser: "Browser", live_server: "LiveServer"
) -> None:
    url, action = _update_link(live_server)
    page = open_page(browser, url, VIEWPORTS[1])
    before = action_state(action)
    _send_red_without_commentary(page)

    assert page.locator(".error-summary").is_visible(), page.locator("h1").inner_text()
    assert page.title().startswith("Error:")
    assert_no_violations(page, tags=WCAG_TAGS)
    assert action_state(action) == before, "the refused update changed the action"


@pytest.mark.parametrize("which", ["milestone", "preferences"])
def test_the_other_pages_from_reminder_links_have_no_accessibility_violations(
    browser: "Browser", live_server: "LiveServer", which: str
) -> None:
    demo_load(today=local_today())
    milestone = (
        Milestone.objects.filter(recommendation__plan__slug=PLAN_SLUG, achieved_on=None)
        .select_related("recommendation")
        .order_by("due_date")
        .first()
    )
    assert milestone is not None
    lead_id = milestone.recommendation.lead_id
    if which == "milestone":
        url = milestone_url(milestone_id=milestone.pk, user_id=lead_id, notification_id=1)
        heading = "milestone"
    else:
        url = preferences_url(user_id=lead_id)
        heading = "reminder emails"
    page = open_page(browser, live_server.url + url.removeprefix(settings.SITE_URL), VIEWPORTS[1])
    assert heading in page.locator("h1").inner_text().lower()

    assert_no_violations(page, tags=WCAG_TAGS)


def test_a_page_with_problems_fails_and_says_what_and_where(browser: "Browser") -> None:
    """The check can fail: a page with known violations is caught, and described readably."""
    page = browser.new_page()
    page.set_content(
        '<html lang="en"><head><title>Broken</title></head><body><main><h1>Broken</h1>'
        '<img src="chart.png"><p style="color:#bbb">Faint text</p>'
        '<input type="text" id="q"></main></body></html>'
    )
    with pytest.raises(AssertionError) as failure:
        assert_no_violations(page, tags=WCAG_TAGS)
    message = str(failure.value)
    for rule in ("image-alt", "color-contrast", "label"):
        assert f"- {rule} (" in message, message
    assert 'at img: <img src="chart.png">' in message
