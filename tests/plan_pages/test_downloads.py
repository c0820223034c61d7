"""The CSV and XLSX downloads: the page's figures, as a table, with no personal data."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import User
from actions.models import Recommendation
from plan_pages.exports import HEADERS
from tests.factories import PlanFactory, UserFactory
from tests.plan_pages.conftest import PublicFixture, add_recommendation

pytestmark = pytest.mark.django_db


def csv_rows(client: Client, slug: str) -> list[dict[str, str]]:
    response = client.get(f"/plans/{slug}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{slug}.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def xlsx_rows(client: Client, slug: str) -> list[dict[str, Any]]:
    response = client.get(f"/plans/{slug}.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == f'attachment; filename="{slug}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]


def as_csv_text(value: Any) -> str:
    """An XLSX cell as the CSV writes the same value."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float):
        return f"{Decimal(str(value)).normalize():f}"
    return str(value)


def page_figures(html: str) -> dict[int, dict[str, str]]:
    """Each recommendation's figures as the page shows them."""
    figures = {}
    for section in re.findall(r'<section[^>]*data-recommendation="\d+".*?</section>', html, re.S):
        number = int(re.search(r'data-recommendation="(\d+)"', section).group(1))  # type: ignore[union-attr]
        figures[number] = {
            "Per cent complete": re.search(r'data-percent="(\d+)"', section).group(1),  # type: ignore[union-attr]
            **{
                name: re.search(rf'data-rag="{key}">(\d+)<', section).group(1)  # type: ignore[union-attr]
                for name, key in [
                    ("Red (off track)", "red"),
                    ("Amber (at risk)", "amber"),
                    ("Green (on track)", "green"),
                    ("Blue (complete)", "blue"),
                    ("Overdue", "overdue"),
                ]
            },
        }
    return figures


def test_the_csv_has_the_figures_the_page_shows(client: Client, public: PublicFixture) -> None:
    html = client.get(f"/plans/{public.plan.slug}/").content.decode()
    rows = csv_rows(client, public.plan.slug)
    recommendations = {
        int(r["Recommendation"]): r for r in rows if r["Section"] == "Recommendation"
    }

    shown = page_figures(html)
    assert set(shown) == set(recommendations) == {1, 2}
    for number, figures in shown.items():
        for column, value in figures.items():
            assert recommendations[number][column] == value, (number, column)
    first = recommendations[1]
    assert first["Lead role"] == "Head of SEND, Northshire County Council"
    assert first["Actions (not cancelled)"] == "4"
    assert first["Cancelled"] == "1"
    assert first["Last updated"] == "2026-11-25"


def test_the_csv_lists_outcomes_milestones_and_measures(
    client: Client, public: PublicFixture
) -> None:
    rows = csv_rows(client, public.plan.slug)
    plan_row = rows[0]
    assert plan_row["Section"] == "Plan"
    assert plan_row["Item"] == "Northshire SEND Written Statement of Action"
    assert plan_row["Per cent complete"] == "20"

    assert [r["Item"] for r in rows if r["Section"] == "Outcome"] == [
        "Families receive EHC plans within 20 weeks",
        "Plans describe each child's needs well",
        "Children are seen sooner",
    ]
    milestones = {r["Item"]: r for r in rows if r["Section"] == "Milestone"}
    assert milestones["Backlog of assessments cleared"]["Due"] == "2026-10-30"
    assert milestones["Backlog of assessments cleared"]["Achieved"] == "2026-10-28"
    assert milestones["Quality audit published"]["Milestone status"] == "Overdue"
    measure = next(r for r in rows if r["Item"] == "EHC plans issued within 20 weeks")
    assert {
        k: measure[k]
        for k in ("Unit", "Baseline", "Latest reading", "Latest reading date", "Target")
    } == {
        "Unit": "%",
        "Baseline": "38",
        "Latest reading": "51.25",
        "Latest reading date": "2026-10-31",
        "Target": "65",
    }
    assert measure["Better when"] == "Higher"


def test_the_xlsx_holds_the_same_rows_as_the_csv(client: Client, public: PublicFixture) -> None:
    from_csv = csv_rows(client, public.plan.slug)
    from_xlsx = xlsx_rows(client, public.plan.slug)
    assert len(from_xlsx) == len(from_csv) > 5
    for csv_row, xlsx_row in zip(from_csv, from_xlsx, strict=True):
        assert {k: as_csv_text(v) for k, v in xlsx_row.items()} == csv_row
    # Figures are numbers and dates in the spreadsheet, not text.
    first = next(r for r in from_xlsx if r["Section"] == "Recommendation")
    assert first["Per cent complete"] == 25
    milestone = next(r for r in from_xlsx if r["Section"] == "Milestone")
    assert isinstance(milestone["Due"], dt.datetime)


def test_no_personal_data_is_in_either_download(client: Client, public: PublicFixture) -> None:
    csv_text = client.get(f"/plans/{public.plan.slug}.csv").content.decode().lower()
    sheet = load_workbook(io.BytesIO(client.get(f"/plans/{public.plan.slug}.xlsx").content)).active
    assert sheet is not None
    xlsx_text = " ".join(
        str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None
    ).lower()
    people = list(User.objects.values_list("name", "email"))
    assert len(people) >= 4
    for text in (csv_text, xlsx_text):
        for name, email in people:
            assert name.lower() not in text, name
            assert email.lower() not in text, email
        assert "@" not in text
        assert "off sick" not in text and "figures checked" not in text


def test_text_that_a_spreadsheet_would_run_as_a_formula_stays_text(
    client: Client, public: PublicFixture
) -> None:
    Recommendation.objects.filter(plan=public.plan, number=2).update(
        title='=HYPERLINK("http://evil.example","Click")'
    )
    rows = csv_rows(client, public.plan.slug)
    second = next(
        r for r in rows if r["Section"] == "Recommendation" and r["Recommendation"] == "2"
    )
    assert second["Item"] == '\'=HYPERLINK("http://evil.example","Click")'

    response = client.get(f"/plans/{public.plan.slug}.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)


def test_downloads_take_the_same_queries_whatever_the_plans_size(client: Client, db: None) -> None:
    person = UserFactory.create()
    small = PlanFactory.create(published=True)
    add_recommendation(small, number=1, lead=person, owner=person, actions=1)
    large = PlanFactory.create(published=True)
    for number in range(1, 7):
        add_recommendation(large, number=number, lead=person, owner=person, actions=10)
    for suffix in (".csv", ".xlsx"):
        counts = []
        for plan in (small, large):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"/plans/{plan.slug}{suffix}").status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1] == 6, (suffix, counts)


def test_downloads_are_cached_briefly_by_anyone(client: Client, public: PublicFixture) -> None:
    for suffix in (".csv", ".xlsx"):
        response = client.get(f"/plans/{public.plan.slug}{suffix}")
        assert response["Cache-Control"] == "public, max-age=60"
