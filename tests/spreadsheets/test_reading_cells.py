"""Reading the cells of a plan file: dates (UK, ISO or date cells), statuses and ratings in
any of their spellings, a recommendation or milestone given alike on every row, and problems
named by row and column."""

import datetime as dt
from typing import Any

import pytest

from accounts.models import User
from actions.models import Action, ActionStatus, PlanType, Rag
from actions.spreadsheets import Problem, parse_date, plan_import
from tests.spreadsheets.conftest import HEADER, csv_bytes, row
from tests.spreadsheets.plan_file import DETAILS, problems, valid_rows

pytestmark = pytest.mark.django_db


def test_milestone_dates_and_titles_must_agree_across_rows(
    people: dict[str, User], wsoa: PlanType
) -> None:
    lines = [*DETAILS, HEADER, *valid_rows()]
    lines[10][HEADER.index("recommendation")] = "1 Another title"
    lines.append(row(recommendation="1", milestone="Backlog cleared", milestone_due="1/4/2027"))
    lines[9][HEADER.index("milestone due")] = "01/04/2027"  # a cell naming two milestones

    assert problems(csv_bytes(lines), by=people["admin"]) == [
        "Row 10, milestone due: a milestone's dates go on a row that names exactly one "
        "milestone (this row names 2).",
        'Row 11, recommendation: recommendation 1 is called "Improve the timeliness of EHC '
        'plans" on row 9: one number, one title.',
        'Row 14, milestone due: 01/04/2027 differs from 31/03/2027, given for "Backlog '
        'cleared" on an earlier row.',
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("31/03/2027", dt.date(2027, 3, 31)),
        ("1/4/2027", dt.date(2027, 4, 1)),
        ("03/04/2027", dt.date(2027, 4, 3)),  # UK: 3 April, never 4 March
        ("2027-04-03", dt.date(2027, 4, 3)),
        ("2027-04-03 00:00:00", dt.date(2027, 4, 3)),
        (dt.datetime(2027, 4, 3, 0, 0), dt.date(2027, 4, 3)),
        (dt.date(2027, 4, 3), dt.date(2027, 4, 3)),
    ],
)
def test_dates_are_uk_or_iso_or_date_cells(cell: Any, expected: dt.date) -> None:
    assert parse_date(cell) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("04/31/2027", "04/31/2027 looks like a US date (month first)"),
        ("31/02/2027", "31/02/2027 is not a date"),
        ("31/03/27", "31/03/27 is not a date"),
        ("next Tuesday", "next Tuesday is not a date"),
        (46000, "46000 is a number, not a date"),
        ("01/01/1900", "01/01/1900 is not a plausible date for a plan: check the year"),
    ],
)
def test_a_date_that_is_not_one_says_why(cell: Any, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_date(cell)


def test_problems_read_as_row_and_column() -> None:
    assert str(Problem(7, "due", "31/02/2026 is not a date.")) == (
        "Row 7, due: 31/02/2026 is not a date."
    )
    assert str(Problem(8, "", "missing columns: due.")) == "Row 8: missing columns: due."
    assert str(Problem(0, "", "The file is empty.")) == "The file is empty."


def test_statuses_and_ratings_by_name_code_or_letter(
    people: dict[str, User], wsoa: PlanType
) -> None:
    lines = [*DETAILS, HEADER]
    spellings = [
        ("Not started", "Green (on track)", ActionStatus.NOT_STARTED, Rag.GREEN),
        ("IN_PROGRESS", "at risk", ActionStatus.IN_PROGRESS, Rag.AMBER),
        ("blocked", "R", ActionStatus.BLOCKED, Rag.RED),
        ("Cancelled", "", ActionStatus.CANCELLED, Rag.GREEN),
        ("COMPLETED", "b", ActionStatus.COMPLETED, Rag.BLUE),
    ]
    for n, (status, rag, _, _) in enumerate(spellings, start=1):
        lines.append(
            row(
                recommendation="1 Title",
                lead_email="lead@westvale.gov.uk",
                action_reference=f"1.{n}",
                title=f"Action {n}",
                owner_email="owner@westvale.gov.uk",
                due="01/11/2026",
                status=status,
                rag=rag,
                completed_on="01/11/2026" if status == "COMPLETED" else "",
            )
        )

    assert plan_import(data=csv_bytes(lines), by=people["admin"]).problems == []

    for n, (_, _, status, rag) in enumerate(spellings, start=1):
        action = Action.objects.get(reference=f"1.{n}")
        assert (action.status, action.rag) == (status, rag)
