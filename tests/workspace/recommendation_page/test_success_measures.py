"""Success measures on a recommendation's page: the figures in words, an accessible SVG
chart with a table of the same figures, and readings recorded through the API's service and
policy, refused with the messages on the page, or refused to a board member."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from actions.models import MeasureReading
from tests.factories import SuccessMeasureFactory
from tests.plan_pages.html import read_page
from tests.workspace.recommendation_page.helpers import (
    as_,
    elements,
    get,
    listed_references,
    reading_data,
)
from tests.workspace.recommendation_page.world import World

pytestmark = pytest.mark.django_db


# --- Success measures: chart, table, readings ------------------------------------------


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
