"""The action list on a recommendation's page: filters that list what the API lists for
the same query, a filter the API would refuse shown as an error summary, sorting by the column
chosen, and 50 actions a page with GOV.UK pagination that keeps the filters and the sort."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.plan_pages.html import read_page
from tests.workspace.recommendation_page.helpers import as_, elements, get, listed_references
from tests.workspace.recommendation_page.world import World, many_actions

pytestmark = pytest.mark.django_db


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
