"""A valid plan file as a council officer writes it, and the problems an import finds.

``DETAILS`` are the plan's details above the table (rows 1 to 7), ``valid_rows`` the rows
below the header (rows 9 to 13, with dates as text or as date cells) and ``valid_file`` the
whole file as CSV or XLSX. ``problems`` imports a file, checks it wrote nothing, and answers
each problem as the person importing reads it.
"""

import datetime as dt
from typing import Any

from accounts.models import User
from actions.spreadsheets import plan_import
from tests.spreadsheets.conftest import HEADER, csv_bytes, row, table_counts, xlsx_bytes

DETAILS = [
    ["plan title", "Westvale SEND Written Statement of Action"],
    ["plan slug", "westvale-wsoa"],
    ["Plan type:", "written statement of action (wsoa)"],
    ["local area", "Westvale"],
    ["plan start", "01/04/2026"],
    ["plan end", "2028-03-31"],
    [],
]


def valid_rows(*, dates_as_cells: bool = False) -> list[list[Any]]:
    """Rows 9 to 13 of a valid file (rows 1 to 7 are the plan details, 8 the header)."""

    def date(text: str) -> Any:
        if not dates_as_cells:
            return text
        day, month, year = (int(part) for part in text.split("/"))
        return dt.date(year, month, day)

    return [
        row(
            recommendation="1 Improve the timeliness of EHC plans",
            outcome="Plans are issued within 20 weeks",
            action_reference="1.1",
            title="Recruit four EHC coordinators",
            owner_email="Owner@Westvale.gov.uk",
            start=date("01/05/2026"),
            due=date("30/09/2026"),
            status="Completed",
            milestone="Coordinators in post",
            completed_on=date("15/09/2026"),
            milestone_due=date("31/10/2026"),
            milestone_achieved=date("20/09/2026"),
            lead_email="lead@westvale.gov.uk",
        ),
        row(
            recommendation="1",
            outcome="Plans are issued within 20 weeks",
            action_reference="1.2",
            title="Clear the backlog of assessments",
            owner_email="owner@westvale.gov.uk",
            due=date("31/01/2027"),
            status="in progress",
            rag="amber",
            milestone="Coordinators in post\nBacklog cleared",
            supporting_owners="helper@westvale.gov.uk; lead@westvale.gov.uk",
        ),
        row(recommendation="1", milestone="Backlog cleared", milestone_due="2027-03-31"),
        row(recommendation="1", outcome="Families say their plan describes their child"),
        row(
            recommendation="Recommendation 2: Strengthen inclusion in mainstream schools",
            action_reference=2.1 if dates_as_cells else "2.1",
            title="Launch a graduated approach toolkit",
            owner_email="helper@westvale.gov.uk",
            start="2026-06-01",
            due=date("18/12/2026"),
            status="not_started",
            rag="G",
            lead_email="lead2@westvale.gov.uk",
        ),
    ]


def valid_file(file_format: str) -> bytes:
    lines = [*DETAILS, HEADER, *valid_rows(dates_as_cells=file_format == "xlsx")]
    return xlsx_bytes(lines) if file_format == "xlsx" else csv_bytes(lines)


def problems(data: bytes, *, by: User, filename: str = "plan.csv", **kwargs: Any) -> list[str]:
    before = table_counts()
    result = plan_import(data=data, by=by, filename=filename, **kwargs)
    assert table_counts() == before
    return [str(problem) for problem in result.problems]
