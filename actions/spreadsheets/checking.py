"""Checking a file: every problem by row and column, and the plan it describes if there are none.

A plan typed by hand has mistakes, and an import is all or nothing, so the check never stops
at the first one: ``plan_check`` reads the table, checks the header, the plan details
(``checking_details``), each row (an action's cells in ``checking_actions``) and what spans
rows (one title and one lead per recommendation, one date per milestone, people who exist and
are active), and builds the ``PlannedPlan`` from the valid cells only. It reads the database
(the plan, plan types, people) but never writes to it.
"""

import datetime as dt
import re

from django.db.models.functions import Lower
from openpyxl.utils import get_column_letter

from accounts.models import User
from actions.dates import local_today
from actions.spreadsheets.cells import Cell, Row, cell_lines, cell_text, is_blank
from actions.spreadsheets.checking_actions import check_action, check_not_an_action
from actions.spreadsheets.checking_details import check_plan_details
from actions.spreadsheets.columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    LEAD,
    MILESTONE,
    MILESTONE_ACHIEVED,
    MILESTONE_DUE,
    OUTCOME,
    RECOMMENDATION,
    REFERENCE,
    REQUIRED_COLUMNS,
    key,
)
from actions.spreadsheets.planned import (
    PlannedMilestone,
    PlannedPlan,
    PlannedRecommendation,
    RowAction,
)
from actions.spreadsheets.problems import Problem, Report
from actions.spreadsheets.reading import SpreadsheetError, Table, read_table

_RECOMMENDATION_CELL = re.compile(
    r"(?:recommendation|priority)?\s*(\d{1,5})\s*[.):\-\u2013]?\s*(.*)", re.IGNORECASE | re.DOTALL
)


def plan_check(
    *, data: bytes, filename: str = "", plan_slug: str | None = None
) -> tuple[PlannedPlan, list[Problem]]:
    """Every problem of the file, by row and column; the checked plan when there are none."""
    try:
        table = read_table(data, filename=filename)
    except SpreadsheetError as exc:
        return PlannedPlan(), [Problem(0, "", str(exc))]
    checker = _Checker(table, plan_slug=plan_slug)
    planned = checker.check()
    return planned, sorted(set(checker.report.problems))


class _Checker:
    """Collects every problem of a table; builds the plan only from what is valid."""

    def __init__(self, table: Table, *, plan_slug: str | None) -> None:
        self.table = table
        self.plan_slug = plan_slug
        self.report = Report()
        self.planned = PlannedPlan()

    def add(self, row: int, column: str, message: str) -> None:
        self.report.add(row, column, message)

    def check(self) -> PlannedPlan:
        positions = self._check_header()
        if positions is None:
            return self.planned
        check_plan_details(
            self.report,
            details=self.table.details,
            plan_slug=self.plan_slug,
            planned=self.planned,
        )
        references: dict[str, int] = {}
        for number, cells in self.table.rows:
            self._check_row(Row(number, cells, positions), references)
        self._check_recommendations()
        self._check_people()
        return self.planned

    # The header row -------------------------------------------------------------------

    def _check_header(self) -> dict[str, int] | None:
        row = self.table.header_row
        positions: dict[str, int] = {}
        unexpected: list[str] = []
        for index, name in enumerate(self.table.header):
            if not name:
                continue
            column = COLUMN_BY_KEY.get(key(name).rstrip("*").strip())
            if column is None:
                unexpected.append(name)
            elif column in positions:
                self.add(row, column, f'the column "{name}" appears twice.')
            else:
                positions[column] = index
        missing = [name for name in REQUIRED_COLUMNS if name not in positions]
        if missing:
            self.add(row, "", f"missing columns: {', '.join(missing)}.")
        if unexpected:
            self.add(
                row,
                "",
                f"unexpected columns: {', '.join(unexpected)} (the columns are "
                f"{', '.join(COLUMNS)}; see docs/spreadsheets.md).",
            )
        if self.report.problems:
            return None
        if not self.table.rows:
            self.add(0, "", "The file has a header row but no rows of actions below it.")
            return None
        return positions

    # One row ---------------------------------------------------------------------------

    def _check_row(self, row: Row, references: dict[str, int]) -> None:
        self._check_outside_table(row)
        recommendation = self._recommendation(row.number, row.cell(RECOMMENDATION))
        outcome = self._outcome(row)
        milestones = self._milestone_titles(row)
        lead = cell_text(row.cell(LEAD)).lower()
        if lead:
            self.report.email(row.number, LEAD, lead)
        reference = cell_text(row.cell(REFERENCE))
        action: RowAction | None = None
        if reference:
            action = check_action(self.report, row, reference=reference, references=references)
        else:
            check_not_an_action(self.report, row)
        if recommendation is None:
            return
        if lead:
            self._lead(row.number, recommendation, lead)
        if outcome and outcome not in recommendation.outcomes:
            recommendation.outcomes.append(outcome)
        self._milestones(row, recommendation, milestones, reference)
        if action is not None:
            action.outcome = outcome
            action.milestones = milestones
            recommendation.actions.append(action)

    def _check_outside_table(self, row: Row) -> None:
        known = set(row.positions.values())
        for index, value in enumerate(row.cells):
            if index not in known and not is_blank(value):
                self.add(
                    row.number,
                    f"column {get_column_letter(index + 1)}",
                    f"{cell_text(value)[:40]} is outside the table (its column has no header).",
                )

    def _outcome(self, row: Row) -> str:
        outcome = cell_text(row.cell(OUTCOME))
        if len(outcome) > 300:
            self.add(row.number, OUTCOME, f"at most 300 characters (this has {len(outcome)}).")
        return outcome

    def _milestone_titles(self, row: Row) -> list[str]:
        milestones = cell_lines(row.cell(MILESTONE))
        for title in milestones:
            if len(title) > 300:
                self.add(row.number, MILESTONE, f"at most 300 characters (this has {len(title)}).")
        return milestones

    def _lead(self, row: int, recommendation: PlannedRecommendation, lead: str) -> None:
        if recommendation.lead and recommendation.lead != lead:
            self.add(
                row,
                LEAD,
                f"{lead} differs from {recommendation.lead}, the lead given for "
                f"recommendation {recommendation.number} on an earlier row.",
            )
        recommendation.lead = recommendation.lead or lead

    def _recommendation(self, row: int, value: Cell) -> PlannedRecommendation | None:
        if is_blank(value):
            self.add(row, RECOMMENDATION, "missing: give its number and title, e.g. 1 Title.")
            return None
        if isinstance(value, float) and not value.is_integer():
            self.add(row, RECOMMENDATION, f"{cell_text(value)} is not a recommendation number.")
            return None
        match = _RECOMMENDATION_CELL.fullmatch(cell_text(value))
        if not match or int(match.group(1)) < 1 or int(match.group(1)) > 32767:
            self.add(
                row,
                RECOMMENDATION,
                f'"{cell_text(value)[:60]}" does not start with the recommendation\'s number: '
                'write it as "1 Title" (or just the number on the rows after the first).',
            )
            return None
        number, title = int(match.group(1)), match.group(2).strip()
        if len(title) > 300:
            self.add(row, RECOMMENDATION, f"the title has {len(title)} characters; at most 300.")
        planned = self.planned.recommendations.setdefault(
            number, PlannedRecommendation(number=number, row=row)
        )
        if title:
            if planned.title and planned.title != title:
                self.add(
                    row,
                    RECOMMENDATION,
                    f'recommendation {number} is called "{planned.title}" on row '
                    f"{planned.row}: one number, one title.",
                )
            elif not planned.title:
                planned.title, planned.row = title, row
        return planned

    # Milestones ------------------------------------------------------------------------

    def _milestones(
        self,
        row: Row,
        recommendation: PlannedRecommendation,
        titles: list[str],
        reference: str,
    ) -> None:
        due = self.report.date(row.number, MILESTONE_DUE, row.cell(MILESTONE_DUE))
        achieved = self.report.date(row.number, MILESTONE_ACHIEVED, row.cell(MILESTONE_ACHIEVED))
        if achieved and achieved > local_today():
            self.add(
                row.number,
                MILESTONE_ACHIEVED,
                f"{achieved:%d/%m/%Y} is in the future: a milestone is achieved on or before "
                "today.",
            )
            achieved = None
        due_given = not is_blank(row.cell(MILESTONE_DUE))
        if (due_given or not is_blank(row.cell(MILESTONE_ACHIEVED))) and len(titles) != 1:
            self.add(
                row.number,
                MILESTONE_DUE if due_given else MILESTONE_ACHIEVED,
                "a milestone's dates go on a row that names exactly one milestone"
                + (
                    " (this row names none)." if not titles else f" (this row names {len(titles)})."
                ),
            )
            return
        for title in titles:
            milestone = recommendation.milestones.setdefault(
                title, PlannedMilestone(title=title, row=row.number)
            )
            if reference and reference not in milestone.actions:
                milestone.actions.append(reference)
            self._milestone_dates(row.number, milestone, due=due, achieved=achieved)

    def _milestone_dates(
        self,
        row: int,
        milestone: PlannedMilestone,
        *,
        due: dt.date | None,
        achieved: dt.date | None,
    ) -> None:
        """Note the row's dates on the milestone: one milestone, one due and achieved date."""
        for column, value, current in (
            (MILESTONE_DUE, due, milestone.due),
            (MILESTONE_ACHIEVED, achieved, milestone.achieved),
        ):
            if value is None:
                continue
            if current is not None and current != value:
                self.add(
                    row,
                    column,
                    f"{value:%d/%m/%Y} differs from {current:%d/%m/%Y}, given for "
                    f'"{milestone.title}" on an earlier row.',
                )
            elif column == MILESTONE_DUE:
                milestone.due = value
            else:
                milestone.achieved = value

    # Across rows -----------------------------------------------------------------------

    def _check_recommendations(self) -> None:
        for number, recommendation in sorted(self.planned.recommendations.items()):
            if not recommendation.title:
                self.add(
                    recommendation.row,
                    RECOMMENDATION,
                    f'recommendation {number} has no title on any row: write "{number} Title" '
                    "on one of its rows.",
                )
            if not recommendation.lead:
                self.add(
                    recommendation.row,
                    LEAD,
                    f"missing: recommendation {number} needs its accountable lead's email on "
                    "one of its rows.",
                )
            for milestone in recommendation.milestones.values():
                if milestone.due is None:
                    self.add(
                        milestone.row,
                        MILESTONE_DUE,
                        f'missing: the milestone "{milestone.title}" needs a due date on one of '
                        "its rows.",
                    )

    def _check_people(self) -> None:
        emails = self.report.emails
        if not emails:
            return
        found = {
            email: active
            for email, active in User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=list(emails))
            .values_list("email_lower", "is_active")
        }
        for email, places in emails.items():
            if found.get(email) is True:
                continue
            why = (
                "belongs to an account that is closed (not active)"
                if email in found
                else "is not the email of anyone in the service (add them in the admin first)"
            )
            for row, column in places:
                self.add(row, column, f"{email} {why}.")
