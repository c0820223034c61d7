"""The public plan on a page: what the public reads of a published plan, and nothing else."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from actions.models import Action, ActionStatus, Plan, PlanStatus, Rag
from actions.services import action_update_status
from tests.factories import PlanFactory, UserFactory
from tests.plan_pages.conftest import PublicFixture, add_recommendation
from tests.plan_pages.html import read_page

pytestmark = pytest.mark.django_db


def page_of(client: Client, slug: str) -> str:
    response = client.get(f"/plans/{slug}/")
    assert response.status_code == 200
    return response.content.decode()


def recommendation_html(html: str, number: int) -> str:
    match = re.search(
        rf'<section[^>]*data-recommendation="{number}".*?</section>', html, flags=re.S
    )
    assert match, f"no section for recommendation {number}"
    return match.group(0)


def words(html: str) -> str:
    return read_page(html).text


def test_it_shows_each_recommendation_with_its_leads_role_not_their_name(
    client: Client, public: PublicFixture
) -> None:
    html = page_of(client, public.plan.slug)
    first = words(recommendation_html(html, 1))
    second = words(recommendation_html(html, 2))

    assert "Recommendation 1 Improve the timeliness of EHC plans" in first
    assert "Accountable lead Head of SEND, Northshire County Council" in first
    assert "Accountable lead Designated Clinical Officer, NHS Northshire ICB" in second
    assert "Helena" not in html and "Marchetti" not in html


def test_it_shows_the_outcomes_of_each_recommendation_in_order(
    client: Client, public: PublicFixture
) -> None:
    first = recommendation_html(page_of(client, public.plan.slug), 1)
    assert re.search(
        r"<ol[^>]*>\s*<li>Families receive EHC plans within 20 weeks</li>"
        r"<li>Plans describe each child&#x27;s needs well</li>",
        first,
    )


def test_progress_is_given_in_words_and_figures_not_only_as_a_coloured_bar(
    client: Client, public: PublicFixture
) -> None:
    html = page_of(client, public.plan.slug)
    first = words(recommendation_html(html, 1))
    # 1.1 red, 1.2 amber and overdue, 1.3 complete, 1.4 cancelled (not counted), 1.5 green.
    assert "25% complete: 1 of 4 actions done." in first
    assert re.search(
        r"Red \(off track\) 1 Amber \(at risk\) 1 Green \(on track\) 1 Blue \(complete\) 1 "
        r"Overdue \(open and past their due date\) 1",
        first,
    )
    assert "1 cancelled action is not counted." in first
    # The whole plan: the second recommendation's one green action added.
    assert "20% complete: 1 of 5 actions done." in words(html)
    # The bar is as wide as the figure says, and hidden from screen readers (the text says it).
    assert re.search(
        r'<svg class="app-progress" aria-hidden="true" focusable="false">'
        r'<rect class="app-progress__bar" width="25%"',
        recommendation_html(html, 1),
    )


def test_milestones_show_due_and_achieved_dates_and_whether_they_were_met(
    client: Client, public: PublicFixture
) -> None:
    first = words(recommendation_html(page_of(client, public.plan.slug), 1))
    assert (
        "Backlog of assessments cleared 30 October 2026 28 October 2026 Achieved on time" in first
    )
    assert "Quality audit published 13 November 2026 Not yet Overdue" in first
    assert "Plans within 20 weeks 31 March 2027 Not yet Not due yet" in first
    assert "3 of 3 milestones achieved" not in words(page_of(client, public.plan.slug))
    assert "1 of 3 milestones achieved." in words(page_of(client, public.plan.slug))


def test_success_measures_show_baseline_latest_reading_and_target(
    client: Client, public: PublicFixture
) -> None:
    first = words(recommendation_html(page_of(client, public.plan.slug), 1))
    assert (
        "EHC plans issued within 20 weeks 38% 31 January 2026 51.25% 31 October 2026 "
        "65% by 30 September 2027 Higher Better than baseline"
    ) in first
    assert (
        "Weeks waiting for an assessment 30 weeks No reading yet 18 weeks by "
        "30 September 2027 Lower No reading yet"
    ) in first


def test_it_says_when_the_plan_was_last_updated_in_london_time(
    client: Client, public: PublicFixture, clock: time_machine.Traveller
) -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    clock.move_to(dt.datetime(2027, 6, 30, 23, 30, tzinfo=dt.UTC))
    action = Action.objects.get(plan=public.plan, reference="2.1")
    action_update_status(action=action, by=action.owner, rag=Rag.GREEN, commentary="On track.")

    html = page_of(client, public.plan.slug)
    assert re.search(r"Last updated\s*</dt>\s*<dd[^>]*>1 July 2027<", html)
    second = recommendation_html(html, 2)
    assert re.search(r"Last updated\s*</dt>\s*<dd[^>]*>1 July 2027<", second)
    first = recommendation_html(html, 1)
    assert re.search(r"Last updated\s*</dt>\s*<dd[^>]*>25 November 2026<", first)


def test_officers_commentary_and_notes_on_readings_are_not_published(
    client: Client, public: PublicFixture
) -> None:
    html = page_of(client, public.plan.slug)
    assert "off sick" not in html
    assert "Figures checked" not in html


def test_no_name_or_email_of_anyone_in_the_database_appears(
    client: Client, public: PublicFixture
) -> None:
    html = page_of(client, public.plan.slug).lower()
    people = list(User.objects.values_list("name", "email"))
    assert len(people) >= 4
    for name, email in people:
        assert name.lower() not in html, name
        assert email.lower() not in html, email
    assert "@" not in html


@pytest.mark.parametrize("suffix", ["/", ".csv", ".xlsx"])
@pytest.mark.parametrize(
    "change",
    [
        {"published": False},
        {"status": PlanStatus.DRAFT},
        {"published": False, "status": PlanStatus.DRAFT},
    ],
    ids=["unpublished", "draft", "unpublished-draft"],
)
def test_a_plan_that_is_not_published_is_not_found(
    client: Client, public: PublicFixture, suffix: str, change: dict[str, object]
) -> None:
    Plan.objects.filter(pk=public.plan.pk).update(**change)
    response = client.get(f"/plans/{public.plan.slug}{suffix}")
    assert response.status_code == 404
    assert public.plan.title.encode() not in response.content
    assert b"Improve the timeliness" not in response.content


@pytest.mark.parametrize("suffix", ["/", ".csv", ".xlsx"])
def test_an_unknown_plan_is_not_found(client: Client, db: None, suffix: str) -> None:
    assert client.get(f"/plans/no-such-plan{suffix}").status_code == 404


def test_a_closed_published_plan_is_still_shown(client: Client, public: PublicFixture) -> None:
    Plan.objects.filter(pk=public.plan.pk).update(status=PlanStatus.CLOSED)
    assert "Status Closed" in words(page_of(client, public.plan.slug))


def test_another_published_plans_data_does_not_leak_in(
    client: Client, public: PublicFixture
) -> None:
    other = PlanFactory.create(published=True, title="Westvale plan")
    person = UserFactory.create(job_title="Westvale lead role")
    add_recommendation(other, number=1, lead=person, owner=person, actions=3)
    html = page_of(client, public.plan.slug)
    assert "Westvale" not in html
    assert "Recommendation number 1" not in html


def test_the_number_of_queries_does_not_grow_with_the_plan(client: Client, db: None) -> None:
    person = UserFactory.create()
    small = PlanFactory.create(published=True)
    add_recommendation(small, number=1, lead=person, owner=person, actions=1)
    large = PlanFactory.create(published=True)
    for number in range(1, 9):
        add_recommendation(large, number=number, lead=person, owner=person, actions=12)

    counts = []
    for plan in (small, large):
        with CaptureQueriesContext(connection) as queries:
            page_of(client, plan.slug)
        counts.append(len(queries))
    assert counts[0] == counts[1] == 6, counts


def test_the_page_is_cached_briefly_by_anyone(client: Client, public: PublicFixture) -> None:
    response = client.get(f"/plans/{public.plan.slug}/")
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


def test_only_get_and_head_are_allowed(client: Client, public: PublicFixture) -> None:
    assert client.head(f"/plans/{public.plan.slug}/").status_code == 200
    assert client.post(f"/plans/{public.plan.slug}/").status_code == 405


def test_the_page_is_semantic_html_that_needs_no_javascript(
    client: Client, public: PublicFixture
) -> None:
    page = read_page(page_of(client, public.plan.slug))

    assert page.scripts == 0
    assert page.landmarks.count("main") == 1
    assert "header" in page.landmarks and "footer" in page.landmarks
    assert [level for level, _ in page.headings].count(1) == 1
    assert page.headings[0] == (1, "Northshire SEND Written Statement of Action")
    for (before, _), (after, text) in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, f"heading level skipped before {text!r}"
    # The skip link is the first link and leads to the main content.
    assert page.links[0] == ("#main-content", "Skip to main content")
    assert "main-content" in page.ids
    assert page.tables
    for table in page.tables:
        assert table.caption, "a table without a caption"
        assert table.header_scopes and all(
            scope in {"col", "row"} for scope in table.header_scopes
        ), table.caption


def test_it_uses_the_generic_header_and_no_gov_uk_only_branding(
    client: Client, public: PublicFixture
) -> None:
    html = page_of(client, public.plan.slug)
    assert 'class="govuk-generic-header"' in html
    assert "Northshire SEND improvement plan" in html
    for gov_uk_only in ("govuk-header__logotype", "crown", "govuk-crest", "GOV.UK"):
        assert gov_uk_only not in html


def test_a_plan_with_nothing_yet_still_reads_sensibly(client: Client, db: None) -> None:
    plan = PlanFactory.create(published=True, title="A new plan", summary="")
    text = words(page_of(client, plan.slug))
    assert "0% complete: 0 of 0 actions done." in text
    assert "No recommendations have been published for this plan yet." in text


def test_completing_an_action_moves_the_figures(client: Client, public: PublicFixture) -> None:
    action = Action.objects.get(plan=public.plan, reference="1.5")
    action_update_status(
        action=action,
        by=public.owner,
        status=ActionStatus.COMPLETED,
        completed_on=dt.date(2026, 11, 24),
    )
    assert "50% complete: 2 of 4 actions done." in words(
        recommendation_html(page_of(client, public.plan.slug), 1)
    )


def test_a_browser_asking_again_gets_not_modified_until_something_changes(
    client: Client, public: PublicFixture
) -> None:
    url = f"/plans/{public.plan.slug}/"
    first = client.get(url)
    etag = first["ETag"]

    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["Cache-Control"] == "public, max-age=60"

    Action.objects.filter(plan=public.plan, reference="1.5").update(rag=Rag.AMBER)
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
