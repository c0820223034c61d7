"""A recommendation's page: what each role sees, the action list (filtered as the API filters,
sorted, paged), milestones marked achieved and readings recorded through the API's services
and policies, the measure's chart and table, escalations and quiet actions, and a constant
number of queries."""

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from django.test import Client
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from accounts.models import User
from actions.dates import LONDON
from actions.models import (
    ActionStatus,
    MeasureReading,
    Milestone,
    Rag,
)
from notifications.models import Audience
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    OutcomeFactory,
    PlanFactory,
    RecommendationFactory,
    SuccessMeasureFactory,
    UserFactory,
)
from tests.plan_pages.html import read_page
from tests.workspace.factories import EscalationFactory

pytestmark = pytest.mark.django_db

# Wednesday 2 December 2026, mid-morning in London.
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON)


class World:
    """A plan with one recommendation, the people around it, and another plan beside it."""

    def __init__(self) -> None:
        self.owner = UserFactory.create(name="Olu Owner")
        self.other_owner = UserFactory.create(name="Ola Other")
        self.helper = UserFactory.create(name="Sam Supporter")
        self.lead = UserFactory.create(name="Lena Lead", job_title="Head of SEND")
        self.member = UserFactory.create(name="Bo Board")
        self.admin = UserFactory.create(name="Ada Admin", is_staff=True)
        self.stranger = UserFactory.create(name="Stan Stranger")
        plan = PlanFactory.create(
            title="Northshire WSOA", board=BoardFactory.create(members=[self.member])
        )
        self.plan = plan
        self.recommendation = RecommendationFactory.create(
            plan=plan,
            lead=self.lead,
            number=2,
            title="Improve the timeliness of EHC plans",
            description="Families wait too long for plans.",
        )
        rec = self.recommendation
        OutcomeFactory.create(recommendation=rec, number=1, title="Plans issued in 20 weeks")
        OutcomeFactory.create(recommendation=rec, number=2, title="Families feel heard")
        self.late = ActionFactory.create(
            recommendation=rec,
            reference="2.1",
            title="Clear the assessment backlog",
            owner=self.owner,
            supporting_owners=[self.helper],
            due_date=dt.date(2026, 11, 25),
            rag=Rag.AMBER,
            last_progress_at=at(dt.date(2026, 10, 1)),
        )
        self.soon = ActionFactory.create(
            recommendation=rec,
            reference="2.2",
            title="Publish the local offer",
            owner=self.other_owner,
            due_date=dt.date(2026, 12, 9),
            last_progress_at=at(dt.date(2026, 11, 25)),
        )
        self.done = ActionFactory.create(
            recommendation=rec,
            reference="2.3",
            title="Train the SENCOs",
            owner=self.owner,
            due_date=dt.date(2026, 11, 1),
            status=ActionStatus.COMPLETED,
            rag=Rag.BLUE,
            completed_on=dt.date(2026, 10, 30),
        )
        self.red = ActionFactory.create(
            recommendation=rec,
            reference="2.10",
            title="Review the panel's terms",
            owner=self.other_owner,
            due_date=dt.date(2027, 3, 1),
            status=ActionStatus.NOT_STARTED,
            rag=Rag.RED,
        )
        self.overdue_milestone = MilestoneFactory.create(
            recommendation=rec, title="Backlog cleared", due_date=dt.date(2026, 11, 30)
        )
        self.future_milestone = MilestoneFactory.create(
            recommendation=rec, title="Panel reformed", due_date=dt.date(2026, 12, 16)
        )
        self.met_milestone = MilestoneFactory.create(
            recommendation=rec,
            title="Plan agreed",
            due_date=dt.date(2026, 10, 1),
            achieved_on=dt.date(2026, 9, 28),
        )
        self.measure = SuccessMeasureFactory.create(
            recommendation=rec,
            name="EHC plans issued within 20 weeks",
            unit="%",
            baseline=Decimal("38"),
            baseline_date=dt.date(2026, 1, 1),
            target=Decimal("65"),
            target_date=dt.date(2027, 9, 30),
        )
        for day, value in [
            (dt.date(2026, 3, 31), "41.5"),
            (dt.date(2026, 6, 30), "47"),
            (dt.date(2026, 9, 30), "52"),
        ]:
            MeasureReadingFactory.create(measure=self.measure, taken_on=day, value=Decimal(value))
        EscalationFactory.create(
            action=self.late, level=2, audience=Audience.ACCOUNTABLE_LEAD, working_days_overdue=3
        )
        EscalationFactory.create(
            action=None,
            milestone=self.overdue_milestone,
            level=1,
            audience=Audience.OWNER,
            created_at=at(dt.date(2026, 12, 1)),
        )
        EscalationFactory.create(action=self.soon, level=1, resolved_at=at(dt.date(2026, 11, 26)))
        other = RecommendationFactory.create(number=1, title="Another plan's recommendation")
        ActionFactory.create(recommendation=other, owner=self.stranger, reference="1.1")
        self.other_measure = SuccessMeasureFactory.create(recommendation=other)
        self.other_milestone = MilestoneFactory.create(recommendation=other)
        MilestoneFactory.create(recommendation=other)
        self.stranger_lead = other.lead

    @property
    def url(self) -> str:
        return f"/workspace/recommendations/{self.recommendation.pk}/"


@pytest.fixture
def world() -> World:
    return World()


def as_(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def get(client: Client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.content.decode()[:500]
    return response.content.decode()


class Elements(HTMLParser):
    """Every element's tag and attributes, and each table's rows of cell text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.found.append((tag, attributes))
        if tag == "table":
            self._table = attributes.get("id") or f"table-{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def all(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [
            attrs
            for name, attrs in self.found
            if name == tag and all(attrs.get(k.replace("_", "-")) == v for k, v in wanted.items())
        ]


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def listed_references(html: str) -> list[str]:
    """The references in the action table, in the order shown."""
    table = next(
        (rows for rows in elements(html).tables.values() if rows and rows[0][0] == "Reference"),
        [],
    )
    return [row[0] for row in table[1:]]


# --- What each role sees ----------------------------------------------------------------


def test_the_lead_sees_the_heading_plan_lead_outcomes_and_every_action(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.lead), world.url)
    page = read_page(html)
    assert (1, "Improve the timeliness of EHC plans") in page.headings
    assert "Recommendation 2" in page.text
    assert (f"/workspace/plans/{world.plan.pk}/", "Northshire WSOA") in page.links
    assert "Accountable lead Lena Lead Head of SEND" in page.text
    assert "Families wait too long for plans." in page.text
    assert "Plans issued in 20 weeks" in page.text and "Families feel heard" in page.text
    assert listed_references(html) == ["2.1", "2.2", "2.3", "2.10"]
    assert (f"/workspace/actions/{world.late.pk}/", "Clear the assessment backlog") in page.links
    assert "4 actions" in page.text


def test_the_action_table_has_a_caption_and_each_column_in_words(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.lead), world.url)
    page = read_page(html)
    assert any(t.caption == "Actions under recommendation 2" for t in page.tables)
    rows = next(r for r in elements(html).tables.values() if r and r[0][0] == "Reference")
    assert rows[0] == [
        "Reference",
        "Action",
        "Owner",
        "Due date",
        "Status",
        "RAG",
        "Last update",
    ]
    assert rows[1] == [
        "2.1",
        "Clear the assessment backlog",
        "Olu Owner",
        "25 Nov 2026",
        "In progress",
        "Amber",
        "1 Oct 2026",
    ]
    assert rows[4][-3:] == ["Not started", "Red", "No update yet"]


def test_the_rag_mix_counts_each_rating_in_words_leaving_out_cancelled_actions(
    client: Client, world: World
) -> None:
    ActionFactory.create(
        recommendation=world.recommendation,
        reference="2.11",
        status=ActionStatus.CANCELLED,
        rag=Rag.RED,
    )
    html = get(as_(client, world.lead), world.url)
    found = elements(html)
    mix = {a["data-rag"] for a in found.all("td") if "data-rag" in a}
    assert mix == {"red", "amber", "green", "blue"}
    text = read_page(html).text
    assert "The actions by RAG rating: 4 actions, not counting 1 cancelled" in text
    for words, count in [
        ("Red (off track)", 1),
        ("Amber (at risk)", 1),
        ("Green (on track)", 1),
        ("Blue (complete)", 1),
    ]:
        assert f"{words} {count}" in text


def test_a_board_member_sees_everything_but_no_form(client: Client, world: World) -> None:
    html = get(as_(client, world.member), world.url)
    text = read_page(html).text
    assert listed_references(html) == ["2.1", "2.2", "2.3", "2.10"]
    assert "Backlog cleared" in text and "EHC plans issued within 20 weeks" in text
    assert "Mark as achieved" not in html
    assert "Record the reading" not in html
    assert 'method="post"' not in html.replace('action="/sign-out/"', "").split("<main")[1]


def test_an_owner_sees_only_their_own_actions_and_no_milestones_or_measures(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.owner), world.url)
    text = read_page(html).text
    assert listed_references(html) == ["2.1", "2.3"]
    assert "Publish the local offer" not in text
    assert "Backlog cleared" not in text
    assert "EHC plans issued within 20 weeks" not in text
    assert "Plans issued in 20 weeks" not in text
    # The escalation of their own action, not the milestone's.
    assert "Action 2.1: Clear the assessment backlog" in text
    assert "Milestone: Backlog cleared" not in text
    assert "Mark as achieved" not in html and "Record the reading" not in html


def test_a_supporting_owner_sees_the_action_they_support(client: Client, world: World) -> None:
    html = get(as_(client, world.helper), world.url)
    assert listed_references(html) == ["2.1"]
    assert "1 action" in read_page(html).text


def test_an_administrator_sees_everything_with_the_forms(client: Client, world: World) -> None:
    html = get(as_(client, world.admin), world.url)
    assert listed_references(html) == ["2.1", "2.2", "2.3", "2.10"]
    # Two open milestones, one measure.
    assert html.count("Mark as achieved<span") == 2
    assert html.count("Record the reading<span") == 1


@pytest.mark.parametrize("who", ["stranger", "stranger_lead"])
def test_a_person_from_another_plan_gets_404_for_the_page_and_both_forms(
    client: Client, world: World, who: str
) -> None:
    as_(client, getattr(world, who))
    assert client.get(world.url).status_code == 404
    reading = client.post(
        f"/workspace/measures/{world.measure.pk}/readings/", reading_data(world.measure.pk)
    )
    achieved = client.post(
        f"/workspace/milestones/{world.overdue_milestone.pk}/achieved/",
        achieved_data(world.overdue_milestone),
    )
    assert (reading.status_code, achieved.status_code) == (404, 404)
    assert world.measure.readings.count() == 3
    world.overdue_milestone.refresh_from_db()
    assert world.overdue_milestone.achieved_on is None


def test_someone_signed_out_is_sent_to_sign_in(client: Client, world: World) -> None:
    response = client.get(world.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_a_recommendation_that_does_not_exist_is_404(client: Client, world: World) -> None:
    get(as_(client, world.admin), "/workspace/recommendations/999999/", status=404)


# --- The action list: filters, sort, pages -------------------------------------------------


API_QUERIES = [
    "status=in_progress",
    "status=in_progress,not_started",
    "rag=red",
    "rag=amber&status=in_progress",
    "overdue=true",
    "overdue=false",
]


@pytest.mark.parametrize("query", API_QUERIES)
def test_the_filters_list_what_the_api_lists_for_the_same_query(
    client: Client, world: World, query: str
) -> None:
    html = get(as_(client, world.lead), f"{world.url}?{query}")
    api = APIClient()
    api.force_authenticate(world.lead)
    response = api.get(f"/api/actions/?recommendation={world.recommendation.pk}&{query}")
    assert response.status_code == 200
    from_api = {row["reference"] for row in response.json()["results"]}
    assert set(listed_references(html)) == from_api
    assert from_api, "the query should find something"


def test_the_owner_filter_lists_that_owners_actions_and_keeps_the_choice(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.lead), f"{world.url}?owner={world.other_owner.pk}")
    assert listed_references(html) == ["2.2", "2.10"]
    assert "2 actions match these filters" in read_page(html).text
    options = elements(html).all("option", value=str(world.other_owner.pk))
    assert options and "selected" in options[0]
    # The owners offered are those of the recommendation's actions, not of other plans.
    assert "Stan Stranger" not in html


def test_a_filter_the_api_would_refuse_is_a_400_with_an_error_summary_and_no_list(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.lead), f"{world.url}?status=lost&owner=abc", status=400)
    page = read_page(html)
    assert page.text.startswith("Error:") or "<title>Error:" in html
    assert "There is a problem" in page.text
    assert ("#filter-status", "Choose a status from the list.") in page.links
    assert ("#filter-owner", "Choose an owner from the list.") in page.links
    assert listed_references(html) == []
    assert "Correct the filters to see the actions." in page.text


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("", ["2.1", "2.2", "2.3", "2.10"]),
        ("-reference", ["2.10", "2.3", "2.2", "2.1"]),
        ("due_date", ["2.3", "2.1", "2.2", "2.10"]),
        ("-due_date", ["2.10", "2.2", "2.1", "2.3"]),
        ("owner", ["2.2", "2.10", "2.1", "2.3"]),
        ("rag", ["2.10", "2.1", "2.2", "2.3"]),
        ("status", ["2.10", "2.1", "2.2", "2.3"]),
    ],
)
def test_the_list_sorts_by_the_column_chosen(
    client: Client, world: World, ordering: str, expected: list[str]
) -> None:
    html = get(as_(client, world.lead), f"{world.url}?ordering={ordering}")
    assert listed_references(html) == expected


def test_the_sorted_column_says_so_and_its_link_reverses_it_keeping_the_filters(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.lead), f"{world.url}?ordering=due_date&rag=red,amber&page=1")
    headers = elements(html).all("th", aria_sort="ascending")
    assert len(headers) == 1
    links = dict((text, href) for href, text in read_page(html).links)
    assert links["Due date"] == f"{world.url}?ordering=-due_date&rag=red%2Camber#actions"
    assert links["Owner"] == f"{world.url}?ordering=owner&rag=red%2Camber#actions"
    assert listed_references(html) == ["2.1", "2.10"]
    # The filter form keeps the sort.
    assert elements(html).all("input", type="hidden", name="ordering", value="due_date")
    descending = get(client, f"{world.url}?ordering=-due_date")
    assert len(elements(descending).all("th", aria_sort="descending")) == 1


def many_actions(world: World, count: int) -> None:
    for number in range(count):
        ActionFactory.create(
            recommendation=world.recommendation,
            reference=f"3.{number + 1}",
            owner=world.owner if number % 2 else world.other_owner,
            due_date=dt.date(2027, 1, 4) + dt.timedelta(days=number),
            rag=Rag.GREEN if number % 3 else Rag.AMBER,
        )


def test_the_list_shows_50_actions_a_page_with_govuk_pagination_keeping_filters_and_sort(
    client: Client, world: World
) -> None:
    many_actions(world, 116)  # 120 in all
    as_(client, world.lead)
    first = get(client, f"{world.url}?ordering=-due_date")
    assert len(listed_references(first)) == 50
    assert "120 actions, showing 1 to 50" in read_page(first).text
    nav = elements(first).all("nav", aria_label="Pages of actions")
    assert nav and nav[0]["class"] == "govuk-pagination"
    links = dict((text, href) for href, text in read_page(first).links)
    assert links["Next page"] == f"{world.url}?ordering=-due_date&page=2#actions"
    assert links["3"] == f"{world.url}?ordering=-due_date&page=3#actions"
    second = get(client, f"{world.url}?ordering=-due_date&page=2")
    second_refs = listed_references(second)
    assert len(second_refs) == 50 and not set(second_refs) & set(listed_references(first))
    assert elements(second).all("a", aria_current="page", aria_label="Page 2")
    last = get(client, f"{world.url}?ordering=-due_date&page=3")
    assert listed_references(last)[-1] == "2.3"
    assert "120 actions, showing 101 to 120" in read_page(last).text


def test_a_filtered_list_pages_through_the_filtered_actions_only(
    client: Client, world: World
) -> None:
    many_actions(world, 116)
    as_(client, world.lead)
    # 77 of the 116 are green (two in three), and 2.2.
    html = get(client, f"{world.url}?rag=green&page=2")
    assert "78 actions match these filters, showing 51 to 78" in read_page(html).text
    shown = listed_references(html)
    assert len(shown) == 28
    rows = next(r for r in elements(html).tables.values() if r and r[0][0] == "Reference")
    assert {row[5] for row in rows[1:]} == {"Green"}
    links = dict((text, href) for href, text in read_page(html).links)
    assert links["Previous page"] == f"{world.url}?rag=green&page=1#actions"
    # Past the last page is the last page.
    assert listed_references(get(client, f"{world.url}?rag=green&page=9")) == shown
    amber = get(client, f"{world.url}?rag=amber")
    assert "40 actions match these filters" in read_page(amber).text
    assert "Pages of actions" not in amber


# --- Milestones ------------------------------------------------------------------------


def test_milestones_are_listed_by_date_with_their_state_in_words(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.member), world.url)
    text = read_page(html).text
    order = [text.index(t) for t in ("Plan agreed", "Backlog cleared", "Panel reformed")]
    assert order == sorted(order)
    assert "Due 1 October 2026: Achieved on 28 September 2026" in text
    # 30 November to 2 December: 1 and 2 December.
    assert "Due 30 November 2026: 2 working days overdue" in text
    assert "Due 16 December 2026: Due in 10 working days" in text


def achieved_data(
    milestone: Milestone, day: str = "1", month: str = "12", year: str = "2026"
) -> dict[str, str]:
    prefix = f"milestone-{milestone.pk}"
    return {
        f"{prefix}-version": str(milestone.version),
        f"{prefix}-achieved_on_day": day,
        f"{prefix}-achieved_on_month": month,
        f"{prefix}-achieved_on_year": year,
    }


def test_the_mark_as_achieved_form_defaults_to_today(client: Client, world: World) -> None:
    html = get(as_(client, world.lead), world.url)
    prefix = f"milestone-{world.overdue_milestone.pk}-achieved_on"
    found = elements(html)
    assert found.all("input", name=f"{prefix}_day", value="2")
    assert found.all("input", name=f"{prefix}_month", value="12")
    assert found.all("input", name=f"{prefix}_year", value="2026")
    # Only open milestones have the form.
    assert f"milestone-{world.met_milestone.pk}-achieved_on" not in html


def test_the_lead_marks_a_milestone_achieved_and_sees_a_success_banner(
    client: Client, world: World
) -> None:
    milestone = world.overdue_milestone
    as_(client, world.lead)
    response = client.post(
        f"/workspace/milestones/{milestone.pk}/achieved/", achieved_data(milestone)
    )
    assert response.status_code == 302
    assert response["Location"] == f"{world.url}#milestone-{milestone.pk}"
    milestone.refresh_from_db()
    assert milestone.achieved_on == dt.date(2026, 12, 1)
    assert milestone.history.first().history_user == world.lead  # type: ignore[attr-defined]
    text = read_page(get(client, world.url)).text
    assert "Success Backlog cleared is marked as achieved on 1 December 2026." in text
    assert "Due 30 November 2026: Achieved on 1 December 2026" in text


@pytest.mark.parametrize(
    ("parts", "message", "box"),
    [
        (("3", "12", "2026"), "A milestone cannot be achieved in the future", "day"),
        (("31", "2", "2026"), "Date achieved must be a real date", "day"),
        (("", "12", "2026"), "Date achieved must include a day.", "day"),
        (("1", "", "2026"), "Date achieved must include a month.", "month"),
        (("", "", ""), "Enter the date the milestone was achieved.", "day"),
    ],
)
def test_a_refused_date_comes_back_with_the_message_and_changes_nothing(
    client: Client, world: World, parts: tuple[str, str, str], message: str, box: str
) -> None:
    milestone = world.overdue_milestone
    before = milestone.version
    response = as_(client, world.lead).post(
        f"/workspace/milestones/{milestone.pk}/achieved/", achieved_data(milestone, *parts)
    )
    assert response.status_code == 400
    html = response.content.decode()
    page = read_page(html)
    assert "<title>Error:" in html
    # The summary links to the first box to correct.
    anchor = f"#milestone-{milestone.pk}-achieved_on_{box}"
    assert any(href == anchor and message in text for href, text in page.links), page.links
    # The message also sits by the field, and what was typed is kept.
    assert html.count(message) >= 2
    assert elements(html).all(
        "input", name=f"milestone-{milestone.pk}-achieved_on_day", value=parts[0]
    )
    milestone.refresh_from_db()
    assert (milestone.achieved_on, milestone.version) == (None, before)


def test_a_stale_mark_as_achieved_is_refused_with_the_form_again(
    client: Client, world: World
) -> None:
    milestone = world.overdue_milestone
    data = achieved_data(milestone)
    Milestone.objects.filter(pk=milestone.pk).update(title="Backlog cleared", version=9)
    response = as_(client, world.lead).post(f"/workspace/milestones/{milestone.pk}/achieved/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else changed this milestone while you had this page open." in html
    assert elements(html).all("input", name=f"milestone-{milestone.pk}-version", value="9")
    milestone.refresh_from_db()
    assert milestone.achieved_on is None


def test_a_board_member_may_not_mark_a_milestone_achieved(client: Client, world: World) -> None:
    milestone = world.overdue_milestone
    response = as_(client, world.member).post(
        f"/workspace/milestones/{milestone.pk}/achieved/", achieved_data(milestone)
    )
    assert response.status_code == 403
    assert "You cannot mark this milestone as achieved" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.achieved_on is None


def test_an_owner_cannot_even_find_the_milestone(client: Client, world: World) -> None:
    milestone = world.overdue_milestone
    response = as_(client, world.owner).post(
        f"/workspace/milestones/{milestone.pk}/achieved/", achieved_data(milestone)
    )
    assert response.status_code == 404


def test_the_forms_take_only_posts(client: Client, world: World) -> None:
    as_(client, world.lead)
    assert (
        client.get(f"/workspace/milestones/{world.overdue_milestone.pk}/achieved/").status_code
        == 405
    )
    assert client.get(f"/workspace/measures/{world.measure.pk}/readings/").status_code == 405


# --- Success measures: chart, table, readings ------------------------------------------


def reading_data(
    measure_pk: int,
    day: str = "30",
    month: str = "11",
    year: str = "2026",
    value: str = "55.5",
    note: str = "",
) -> dict[str, str]:
    prefix = f"measure-{measure_pk}"
    return {
        f"{prefix}-taken_on_day": day,
        f"{prefix}-taken_on_month": month,
        f"{prefix}-taken_on_year": year,
        f"{prefix}-value": value,
        f"{prefix}-note": note,
    }


def test_a_measure_shows_its_figures_in_words(client: Client, world: World) -> None:
    text = read_page(get(as_(client, world.member), world.url)).text
    assert "Unit %" in text
    assert "Baseline 38% on 1 January 2026" in text
    assert "Target 65% by 30 September 2027" in text
    assert "Direction Higher is better" in text


def test_the_chart_is_an_accessible_svg_and_the_table_gives_the_same_figures(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.member), world.url)
    found = elements(html)
    chart_id = f"measure-{world.measure.pk}-chart"
    svg = found.all("svg", id=chart_id)[0]
    assert svg["role"] == "img"
    assert svg["aria-labelledby"] == f"{chart_id}-title"
    assert svg["aria-describedby"] == f"{chart_id}-desc"
    assert found.all("title", id=f"{chart_id}-title") and found.all("desc", id=f"{chart_id}-desc")
    chart = html[
        html.index(f'id="{chart_id}"') : html.index("</svg>", html.index(f'id="{chart_id}"'))
    ]
    assert "style=" not in chart and "<script" not in chart
    description = re.search(r"<desc[^>]*>(.*?)</desc>", chart, re.S)
    assert description is not None
    assert description.group(1) == (
        "3 readings from 31 March 2026 to 30 September 2026. The latest is 52%. Baseline 38% "
        "(1 January 2026); target 65% by 30 September 2027. A higher figure is better."
    )
    assert chart.count("<circle") == 3 + 1  # a point per reading, and one in the key
    table = found.tables[f"measure-{world.measure.pk}-readings"]
    assert table == [
        ["Date", "Value", "Note"],
        ["31 March 2026", "41.5%", ""],
        ["30 June 2026", "47%", ""],
        ["30 September 2026", "52%", ""],
    ]


def test_a_later_reading_is_drawn_further_right_and_a_higher_one_further_up(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.member), world.url)
    points = [
        (float(x), float(y))
        for x, y in re.findall(r'<circle cx="([0-9.]+)" cy="([0-9.]+)" r="5" fill="#1d70b8">', html)
    ][:3]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    assert xs == sorted(xs) and len(set(xs)) == 3
    assert ys == sorted(ys, reverse=True) and len(set(ys)) == 3


def test_the_lead_records_a_reading_through_the_service(client: Client, world: World) -> None:
    as_(client, world.lead)
    response = client.post(
        f"/workspace/measures/{world.measure.pk}/readings/",
        reading_data(world.measure.pk, value="1,055.5", note="From the November return."),
    )
    assert response.status_code == 302
    assert response["Location"] == f"{world.url}#measure-{world.measure.pk}"
    reading = MeasureReading.objects.get(measure=world.measure, taken_on=dt.date(2026, 11, 30))
    assert reading.value == Decimal("1055.50")
    assert reading.note == "From the November return."
    assert reading.recorded_by == world.lead
    html = get(client, world.url)
    text = read_page(html).text
    assert (
        "Reading recorded for EHC plans issued within 20 weeks: 1,055.5% on 30 November 2026."
        in text
    )
    assert ["30 November 2026", "1,055.5%", "From the November return."] in elements(html).tables[
        f"measure-{world.measure.pk}-readings"
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"day": "", "value": ""},
            [
                ("taken_on_day", "Date of the reading must include a day."),
                ("value", "Enter the value of the reading."),
            ],
        ),
        ({"value": "lots"}, [("value", "Enter the value as a number, for example 52.5.")]),
        ({"value": "1.234"}, [("value", "Enter a value with no more than 2 decimal places.")]),
        (
            {"day": "3", "month": "12"},
            [
                (
                    "taken_on_day",
                    "A reading cannot be dated in the future: use the day it was taken.",
                )
            ],
        ),
        (
            {"day": "30", "month": "9"},
            [("taken_on_day", "This measure already has a reading on that date.")],
        ),
    ],
)
def test_a_refused_reading_comes_back_on_the_page_with_the_messages_and_stores_nothing(
    client: Client, world: World, changes: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    pk = world.measure.pk
    response = as_(client, world.lead).post(
        f"/workspace/measures/{pk}/readings/", reading_data(pk, **changes)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error:" in html
    page = read_page(html)
    summary = [(href, text) for href, text in page.links if href.startswith(f"#measure-{pk}-")]
    assert summary == [(f"#measure-{pk}-{anchor}", message) for anchor, message in expected]
    for anchor, _ in expected:
        assert f'id="measure-{pk}-{anchor}"' in html
    assert world.measure.readings.count() == 3
    # The rest of the page is still there.
    assert listed_references(html) == ["2.1", "2.2", "2.3", "2.10"]


def test_a_board_member_may_not_record_a_reading(client: Client, world: World) -> None:
    response = as_(client, world.member).post(
        f"/workspace/measures/{world.measure.pk}/readings/", reading_data(world.measure.pk)
    )
    assert response.status_code == 403
    assert "You cannot record readings of this measure" in response.content.decode()
    assert world.measure.readings.count() == 3


def test_a_measure_without_readings_says_so(client: Client, world: World) -> None:
    SuccessMeasureFactory.create(recommendation=world.recommendation, name="Tribunal appeals")
    text = read_page(get(as_(client, world.lead), world.url)).text
    assert "Tribunal appeals" in text
    assert "No readings have been recorded yet." in text


# --- Escalations and quiet actions -------------------------------------------------------


def test_open_escalations_are_listed_highest_first_and_resolved_ones_are_not(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.lead), world.url)
    rows = next(r for r in elements(html).tables.values() if r and r[0][0] == "Item")
    assert rows[1:] == [
        [
            "Action 2.1: Clear the assessment backlog",
            "Level 2",
            "The recommendation's accountable lead",
            "20 November 2026",
        ],
        ["Milestone: Backlog cleared", "Level 1", "The action's owner", "1 December 2026"],
    ]
    assert "Publish the local offer" not in str(rows)


def test_open_actions_with_no_update_for_30_days_are_listed_with_their_owner(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.lead), world.url)
    rows = next(
        r
        for r in elements(html).tables.values()
        if r and r[0] == ["Action", "Owner", "Last update"]
    )
    # Never updated first, then the longest ago; 2.2 is recent and 2.3 is complete.
    assert rows[1:] == [
        ["2.10 Review the panel's terms", "Ola Other", "Never"],
        ["2.1 Clear the assessment backlog", "Olu Owner", "1 October 2026"],
    ]


# --- The page as a whole -----------------------------------------------------------------


def test_the_page_has_no_inline_style_or_script(client: Client, world: World) -> None:
    html = get(as_(client, world.lead), world.url)
    assert "style=" not in html
    assert "<script" not in html
    assert read_page(html).scripts == 0


@pytest.mark.parametrize("actions", [5, 150])
def test_the_page_runs_a_constant_number_of_queries(
    client: Client,
    world: World,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    actions: int,
) -> None:
    many_actions(world, actions)
    for index in range(actions // 5):
        MeasureReadingFactory.create(
            measure=world.measure, taken_on=dt.date(2025, 1, 1) + dt.timedelta(days=index)
        )
        MilestoneFactory.create(recommendation=world.recommendation)
        measure = SuccessMeasureFactory.create(recommendation=world.recommendation)
        MeasureReadingFactory.create(measure=measure)
        EscalationFactory.create(action=ActionFactory.create(recommendation=world.recommendation))
    as_(client, world.lead)
    with django_assert_max_num_queries(14):
        response = client.get(f"{world.url}?ordering=owner&page=2&rag=green,amber")
    assert response.status_code == 200
