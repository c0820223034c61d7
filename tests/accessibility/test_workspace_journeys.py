"""One journey per demo role in a real headless Chromium, as a new person would take it after
``make run``: from the signed-out home page, through the sign-in page with a demo login, to
what they came to do. Each journey checks what the person sees and that what they changed is
stored, with nothing blocked by the Content-Security-Policy on the way.
"""

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.utils import timezone

from accounts.models import User
from actions.dates import LONDON
from actions.demo import DEMO_PASSWORD, PLAN_SLUG, demo_load
from actions.models import (
    Action,
    ActionStatus,
    MeasureReading,
    Milestone,
    Plan,
    ProgressUpdate,
    Rag,
    Recommendation,
)
from actions.services import action_update_status
from digests.models import DigestSnapshot
from digests.services import boards_of, digest_snapshot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Locator, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

# Wednesday 2 December 2026, mid-morning in London: the demo's dates are relative to today,
# so the clock is pinned (and ticks on, in the test and in the live server's thread alike).
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)
TODAY_WORDS = "2 December 2026"
OWNER = "ehc.manager@northshire.example"
LEAD = "head.of.send@northshire.example"
BOARD_MEMBER = "director.childrens@northshire.example"
ADMINISTRATOR = "admin@northshire.example"
BACKLOG = "1.2 Clear the backlog of EHC needs assessments older than 20 weeks"
OVERDUE_MILESTONE = "All EHC needs assessments older than 20 weeks completed"
# What the plan page says to someone who sees only their part of it.
PARTS_ONLY = "You see this plan's overall figures and the parts of it you work on"
AMBER_NOTE = "Agency cover agreed: two assessors start on Monday, 40 cases left."

# Runs in every document before the page's own scripts (added through the DevTools
# protocol, which the policy does not govern).
LISTEN_FOR_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture(autouse=True)
def plan() -> Iterator[Plan]:
    with time_machine.travel(NOW, tick=True):
        demo_load(today=NOW.date())
        yield Plan.objects.get(slug=PLAN_SLUG)


@dataclass
class Person:
    """A browser tab of one person, and what the policy blocked in it."""

    page: "Page"
    origin: str
    blocked: list[str] = field(default_factory=list)

    def on_console(self, message: "ConsoleMessage") -> None:
        if "Content Security Policy" in message.text:
            self.blocked.append(message.text)

    def heading(self) -> str:
        return self.page.locator("h1").inner_text()

    def follow(self, link: "Locator") -> None:
        link.click()
        self.page.wait_for_load_state("load")
        self.assert_clean()

    def assert_clean(self) -> None:
        # Violation events are queued as tasks: let those already queued run first.
        self.page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")
        events: list[str] = self.page.evaluate("window.cspViolations")
        assert events + self.blocked == [], self.page.url

    def sign_in(self, email: str) -> None:
        """From the signed-out home page, through the sign-in page, as the README says."""
        self.page.goto(f"{self.origin}/")
        assert self.heading() == "Keep the improvement plan moving"
        self.follow(self.page.get_by_role("button", name="Sign in"))
        assert self.heading() == "Sign in"
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(DEMO_PASSWORD)
        self.follow(self.page.get_by_role("button", name="Sign in"))
        assert self.heading() == "What needs you", f"{email} did not sign in"

    def section_rows(self, section_id: str) -> list[str]:
        """The rows of one table of "What needs you", as text."""
        rows = self.page.locator(f"#{section_id} + .app-table-container tbody tr")
        return [" ".join(text.split()) for text in rows.all_inner_texts()]

    def banner(self) -> str:
        return self.page.locator(".govuk-notification-banner--success").inner_text()


@pytest.fixture
def person(browser: "Browser", live_server: "LiveServer") -> Iterator[Person]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    # A missing link or button fails in seconds, not Playwright's default half-minute.
    context.set_default_timeout(10_000)
    someone = Person(page=context.new_page(), origin=live_server.url)
    someone.page.on("console", someone.on_console)
    yield someone
    context.close()


def by_email(email: str) -> User:
    return User.objects.get(email=email)


def backlog_action(plan: Plan) -> Action:
    return Action.objects.get(plan=plan, reference="1.2")


def test_the_action_owner_signs_in_and_records_an_amber_update(person: Person, plan: Plan) -> None:
    action = backlog_action(plan)
    person.sign_in(OWNER)

    summary = person.page.locator("main ul.govuk-list--bullet").inner_text()
    assert "1 item is overdue" in summary
    assert "1 update is owed for the next board meeting" in summary
    assert person.section_rows("overdue") == [
        f"{BACKLOG} Northshire Local Area SEND Written Statement of Action 22 Nov 2026 "
        "8 working days overdue Owner Red"
    ]
    owed = person.section_rows("updates-owed")
    assert len(owed) == 1 and owed[0].startswith("1.6 Review annual reviews"), owed

    person.follow(person.page.get_by_role("link", name=BACKLOG))
    assert person.heading() == BACKLOG
    assert person.page.get_by_role("heading", name="Report progress").is_visible()
    person.page.get_by_label("In progress").check()
    person.page.get_by_label("Amber (at risk)").check()
    person.page.get_by_label("Commentary").fill(AMBER_NOTE)
    person.follow(person.page.get_by_role("button", name="Save update"))

    assert "Your update has been saved" in person.banner()
    newest = " ".join(person.page.locator(".app-timeline__item").first.inner_text().split())
    assert newest.startswith("Progress update by Tom Bradley"), newest
    assert "RAG rating: from Red (off track) to Amber (at risk)" in newest
    assert AMBER_NOTE in newest
    stored = ProgressUpdate.objects.get(action=action, commentary=AMBER_NOTE)
    assert stored.author == by_email(OWNER)
    assert (stored.status, stored.rag) == (ActionStatus.IN_PROGRESS, Rag.AMBER)
    action.refresh_from_db()
    assert (action.status, action.rag) == (ActionStatus.IN_PROGRESS, Rag.AMBER)


def test_the_recommendation_lead_sees_the_owners_update_and_records_a_reading_and_a_milestone(
    person: Person, plan: Plan
) -> None:
    action = backlog_action(plan)
    # The owner reported progress this morning, before the lead signs in.
    action_update_status(
        action=action,
        by=by_email(OWNER),
        status=ActionStatus.IN_PROGRESS,
        rag=Rag.AMBER,
        commentary=AMBER_NOTE,
    )
    recommendation = Recommendation.objects.get(plan=plan, number=1)
    person.sign_in(LEAD)

    leads = [row for row in person.section_rows("overdue") if " Lead " in row]
    assert [row.split(" Northshire")[0] for row in leads] == [
        BACKLOG,
        f"Milestone, recommendation 1: {OVERDUE_MILESTONE}",
    ]
    assert leads[0].endswith("Lead Amber"), "the owner's amber rating is not shown"
    due_soon = person.section_rows("due-soon")
    assert any(row.startswith("1.3 ") and " Lead " in row for row in due_soon), due_soon

    person.follow(
        person.page.get_by_role("link", name=f"Milestone, recommendation 1: {OVERDUE_MILESTONE}")
    )
    assert person.heading() == recommendation.title
    assert "Helen Marsh" in person.page.locator(".govuk-summary-list").first.inner_text()
    backlog_row = " ".join(
        person.page.locator(".app-actions-table tbody tr", has_text="Clear the backlog")
        .inner_text()
        .split()
    )
    assert backlog_row.endswith("In progress Amber 2 Dec 2026"), backlog_row

    readings_before = MeasureReading.objects.count()
    reading_form = person.page.locator("form.app-reading-form").first
    for box, value in (("Day", "2"), ("Month", "12"), ("Year", "2026")):
        reading_form.get_by_role("textbox", name=box).fill(value)
    reading_form.get_by_label("Value", exact=False).fill("61")
    reading_form.get_by_label("Note (optional)").fill("November's figure, before agency cover.")
    person.follow(reading_form.get_by_role("button", name="Record the reading"))

    assert "Reading recorded for EHC plans issued within 20 weeks" in person.banner()
    assert "61% on 2 December 2026" in person.banner()
    reading = MeasureReading.objects.get(
        taken_on=NOW.date(), measure__recommendation=recommendation
    )
    assert reading.value == Decimal("61")
    assert reading.recorded_by == by_email(LEAD)
    assert MeasureReading.objects.count() == readings_before + 1

    milestone = Milestone.objects.get(recommendation=recommendation, title=OVERDUE_MILESTONE)
    item = person.page.locator(f"#milestone-{milestone.pk}")
    person.follow(item.get_by_role("button", name="Mark as achieved"))

    assert f"{OVERDUE_MILESTONE} is marked as achieved on {TODAY_WORDS}." in person.banner()
    assert "Achieved on 2 December 2026" in " ".join(item.inner_text().split())
    milestone.refresh_from_db()
    assert milestone.achieved_on == NOW.date()

    # The owner's own words are at the top of the action's history.
    person.follow(person.page.get_by_role("link", name="Clear the backlog", exact=False))
    assert person.heading() == BACKLOG
    newest = " ".join(person.page.locator(".app-timeline__item").first.inner_text().split())
    assert newest.startswith("Progress update by Tom Bradley") and AMBER_NOTE in newest, newest


def compile_digests(plan: Plan) -> list[DigestSnapshot]:
    """This week's digest, briefing and summary, as the Monday sweep would store them."""
    return [
        digest_snapshot(plan=plan, board=board, as_of=NOW.date(), now=timezone.now())[0]
        for board in boards_of(plan)
    ]


def assert_every_recommendation_listed(person: Person, plan: Plan) -> None:
    rows = person.page.locator("#recommendations + .app-table-container tbody tr")
    recommendations = Recommendation.objects.filter(plan=plan).select_related("lead")
    assert rows.count() == recommendations.count() == 3
    listed = zip(rows.all_inner_texts(), recommendations.order_by("number"), strict=True)
    for row, recommendation in listed:
        text = " ".join(row.split())
        assert text.startswith(f"{recommendation.number}. {recommendation.title}"), text
        assert recommendation.lead.name in text
        assert re.search(r"\d+ (complete|on track|at risk|off track)$", text), text


def test_the_send_executive_member_reads_the_plan_and_its_digests_but_changes_nothing(
    person: Person, plan: Plan
) -> None:
    snapshots = compile_digests(plan)
    weekly = next(s for s in snapshots if s.board_id == plan.board_id)
    assert plan.board is not None
    person.sign_in(BOARD_MEMBER)
    assert any(" Board member " in row for row in person.section_rows("overdue"))

    person.follow(
        person.page.get_by_role("navigation", name="Menu").get_by_role("link", name="Plans")
    )
    assert person.heading() == "Plans"
    person.follow(person.page.get_by_role("link", name=plan.title))
    assert person.heading() == plan.title
    assert person.page.get_by_role("heading", name="At a glance").is_visible()
    assert PARTS_ONLY not in person.page.locator("main").inner_text()
    assert_every_recommendation_listed(person, plan)
    archive = person.page.locator("#digests ~ .app-table-container tbody tr")
    assert archive.count() == len(snapshots)
    board_name = plan.board.name
    assert archive.filter(has_text=board_name).filter(has_text="Weekly digest").count() == 1

    # The board's name is visually hidden in the link, which Chromium sets off with a space.
    digest_link = re.compile(rf"^{TODAY_WORDS}\s*: {re.escape(board_name)}$")
    person.follow(person.page.get_by_role("link", name=digest_link))
    assert person.page.url.endswith(f"/workspace/digests/{weekly.pk}/")
    assert person.heading() == f"Weekly digest: {plan.title}"
    assert f"Figures as at {TODAY_WORDS}" in person.page.locator("main").inner_text()

    person.follow(person.page.get_by_role("link", name="See the plan as it is today"))
    person.follow(person.page.get_by_role("link", name=re.compile(r"^1\. Improve the timeliness")))
    person.follow(person.page.get_by_role("link", name="Clear the backlog", exact=False))
    assert person.heading() == BACKLOG
    assert person.page.get_by_role("heading", name="History").is_visible()
    assert person.page.get_by_role("heading", name="Report progress").count() == 0
    assert person.page.get_by_role("button", name="Save update").count() == 0
    assert person.page.locator("main form textarea").count() == 0
    assert not ProgressUpdate.objects.filter(author=by_email(BOARD_MEMBER)).exists()


def test_the_plan_administrator_sees_the_whole_plan_and_goes_to_the_admin_and_back(
    person: Person, plan: Plan
) -> None:
    person.sign_in(ADMINISTRATOR)
    overdue = person.section_rows("overdue")
    assert overdue and all(" Administrator " in row for row in overdue), overdue
    menu = person.page.get_by_role("navigation", name="Menu")
    assert menu.get_by_role("link", name="Administration").is_visible()

    person.follow(menu.get_by_role("link", name="Plans"))
    person.follow(person.page.get_by_role("link", name=plan.title))
    assert person.heading() == plan.title
    main = person.page.locator("main")
    assert PARTS_ONLY not in main.inner_text()
    assert main.get_by_role("link", name="Download the action list").is_visible()
    assert_every_recommendation_listed(person, plan)

    person.follow(person.page.get_by_role("link", name="Change in the admin"))
    assert person.page.url.endswith(f"/admin/actions/plan/{plan.pk}/change/")
    assert person.heading() == "Change plan"
    assert person.page.locator("#id_title").input_value() == plan.title
    renamed = f"{plan.title} (revised)"
    person.page.locator("#id_title").fill(renamed)
    person.follow(person.page.get_by_role("button", name="Save and continue editing"))
    assert "was changed successfully" in person.page.locator(".messagelist").inner_text()
    plan.refresh_from_db()
    assert plan.title == renamed

    person.follow(person.page.get_by_role("link", name="View on site"))
    assert person.page.url.endswith(f"/workspace/plans/{plan.pk}/")
    assert person.heading() == renamed
