"""Checking an action's cells: a row with an action reference is one action of the plan.

Each action needs a reference of its own, a title, an owner and a due date; its status and
RAG rating must agree (blue means complete, and only a completed action is blue), and a
completed action says when it was completed, on or before today. A row without a reference
only names a recommendation, an outcome or a milestone, so an action's cells on it are a
mistake (most often a forgotten reference) and are reported rather than ignored.
"""

import datetime as dt
import re

from actions.dates import local_today
from actions.models import ActionStatus, Rag
from actions.spreadsheets.cells import Row, cell_text, is_blank
from actions.spreadsheets.columns import (
    COMPLETED_ON,
    DUE,
    OWNER,
    RAG,
    RAG_BY_KEY,
    REFERENCE,
    START,
    STATUS,
    STATUS_BY_KEY,
    SUPPORTING,
    TITLE,
)
from actions.spreadsheets.planned import RowAction
from actions.spreadsheets.problems import Report

ACTION_COLUMNS = (TITLE, OWNER, START, DUE, STATUS, RAG, COMPLETED_ON, SUPPORTING)


def check_action(
    report: Report, row: Row, *, reference: str, references: dict[str, int]
) -> RowAction | None:
    """The row's action, or None if any of its cells has a problem (each one reported)."""
    problems_before = len(report.problems)
    _reference(report, row.number, reference=reference, references=references)
    title = _title(report, row)
    owner = _owner(report, row)
    supporting = _supporting(report, row)
    start, due = _dates(report, row)
    status, rag = _status_and_rag(report, row)
    completed = status == ActionStatus.COMPLETED
    completed_on = _completed_on(report, row, completed=completed, start=start)
    if len(report.problems) > problems_before or due is None or rag is None:
        return None
    return RowAction(
        row=row.number,
        reference=reference,
        title=title,
        owner=owner,
        start=start,
        due=due,
        status=status,
        rag=rag,
        completed_on=completed_on if completed else None,
        supporting=supporting,
        outcome="",
        milestones=[],
    )


def check_not_an_action(report: Report, row: Row) -> None:
    """A row without a reference must not have an action's cells."""
    for column in ACTION_COLUMNS:
        if not is_blank(row.cell(column)):
            report.add(
                row.number,
                REFERENCE,
                f"missing: this row has a {column}, so it is an action and needs its "
                "reference (a row without one only names a recommendation, an outcome "
                "or a milestone).",
            )
            break


def _reference(report: Report, row: int, *, reference: str, references: dict[str, int]) -> None:
    if len(reference) > 20:
        report.add(row, REFERENCE, f"{reference[:30]}... is longer than 20 characters.")
    elif reference in references:
        report.add(
            row,
            REFERENCE,
            f"{reference} is already used on row {references[reference]}: each action "
            "has its own reference.",
        )
    else:
        references[reference] = row


def _title(report: Report, row: Row) -> str:
    title = cell_text(row.cell(TITLE))
    if not title:
        report.add(row.number, TITLE, "missing: every action needs a title.")
    elif len(title) > 400:
        report.add(row.number, TITLE, f"at most 400 characters (this has {len(title)}).")
    return title


def _owner(report: Report, row: Row) -> str:
    owner = cell_text(row.cell(OWNER)).lower()
    if not owner:
        report.add(row.number, OWNER, "missing: every action needs an owner.")
    else:
        report.email(row.number, OWNER, owner)
    return owner


def _supporting(report: Report, row: Row) -> list[str]:
    supporting: list[str] = []
    for email in re.split(r"[,;\s]+", cell_text(row.cell(SUPPORTING)).lower()):
        if email and email not in supporting:
            supporting.append(email)
            report.email(row.number, SUPPORTING, email)
    return supporting


def _dates(report: Report, row: Row) -> tuple[dt.date | None, dt.date | None]:
    start = report.date(row.number, START, row.cell(START))
    due = report.date(row.number, DUE, row.cell(DUE), required="every action needs a due date")
    if start and due and due < start:
        report.add(
            row.number,
            DUE,
            f"{due:%d/%m/%Y} is before the start, {start:%d/%m/%Y}: the due date cannot be "
            "before the start date.",
        )
    return start, due


def _status_and_rag(report: Report, row: Row) -> tuple[str, str | None]:
    """The status (not started if blank) and the rating (from the status if blank)."""
    status = report.choice(
        row.number, STATUS, row.cell(STATUS), STATUS_BY_KEY, ActionStatus.choices
    )
    rag = report.choice(row.number, RAG, row.cell(RAG), RAG_BY_KEY, Rag.choices)
    status = status or ActionStatus.NOT_STARTED
    completed = status == ActionStatus.COMPLETED
    if rag is None and not is_blank(row.cell(RAG)):
        pass  # reported by choice
    elif rag is None:
        rag = Rag.BLUE if completed else Rag.GREEN
    elif completed and rag != Rag.BLUE:
        report.add(row.number, RAG, "a completed action is rated blue (complete).")
    elif not completed and rag == Rag.BLUE:
        report.add(row.number, RAG, "blue (complete) is the rating of completed actions only.")
    return status, rag


def _completed_on(
    report: Report, row: Row, *, completed: bool, start: dt.date | None
) -> dt.date | None:
    completed_on = report.date(row.number, COMPLETED_ON, row.cell(COMPLETED_ON))
    if completed and completed_on is None and is_blank(row.cell(COMPLETED_ON)):
        report.add(
            row.number, COMPLETED_ON, "missing: a completed action needs its completion date."
        )
    elif not completed and completed_on is not None:
        report.add(row.number, COMPLETED_ON, "give a completion date only for a completed action.")
    elif completed_on is not None:
        if completed_on > local_today():
            report.add(
                row.number,
                COMPLETED_ON,
                f"{completed_on:%d/%m/%Y} is in the future: an action is "
                "completed on or before today.",
            )
        elif start and completed_on < start:
            report.add(
                row.number,
                COMPLETED_ON,
                f"{completed_on:%d/%m/%Y} is before the action started ({start:%d/%m/%Y}).",
            )
    return completed_on
