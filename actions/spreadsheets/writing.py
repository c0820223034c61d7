"""Writing a plan out in the import format, so that a plan exported and imported again is the
same plan.

``plan_rows`` lays the plan out as the format does: the plan details, then one row per
action, grouped by recommendation and outcome, in the order a person reads references
("1.10" after "1.9"); a recommendation, an outcome or a milestone without an action gets a row
of its own, and a milestone's dates go on its one action's row when it has one. The file
itself is made by ``actions.tabular``, as every file the service writes, so that no text in
it becomes a formula. XLSX keeps dates as date cells and the rest as text cells (a reference
like 1.10 must not become the number 1.1), and offers the statuses and ratings as lists.
"""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from actions.models import Action, ActionStatus, Plan, Rag, Recommendation
from actions.spreadsheets.columns import (
    COLUMNS,
    COMPLETED_ON,
    DUE,
    LEAD,
    LOCAL_AREA,
    MILESTONE,
    MILESTONE_ACHIEVED,
    MILESTONE_DUE,
    OUTCOME,
    OWNER,
    PLAN_END,
    PLAN_SLUG,
    PLAN_START,
    PLAN_TITLE,
    PLAN_TYPE,
    RAG,
    RECOMMENDATION,
    REFERENCE,
    START,
    STATUS,
    SUPPORTING,
    TITLE,
)
from actions.tabular import append_row, csv_text, new_workbook, workbook_bytes


def plan_export(*, plan: Plan, file_format: str) -> bytes:
    """The plan in the import format: ``xlsx`` (date cells) or ``csv`` (UTF-8, DD/MM/YYYY)."""
    details, rows = plan_rows(plan=plan)
    return write_table(details=details, rows=rows, file_format=file_format)


def _natural(reference: str) -> tuple[Any, ...]:
    # "1.10" after "1.9", as a person reads references.
    return tuple(
        (0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", reference)
    )


def plan_rows(*, plan: Plan) -> tuple[list[tuple[str, Any]], list[dict[str, Any]]]:
    """The plan's details and its rows (column name -> value), in the order of the format."""
    details: list[tuple[str, Any]] = [
        (PLAN_TITLE, plan.title),
        (PLAN_SLUG, plan.slug),
        (PLAN_TYPE, plan.plan_type.name),
        (LOCAL_AREA, plan.local_area),
        (PLAN_START, plan.start_date),
        (PLAN_END, plan.end_date),
    ]
    recommendations = list(
        plan.recommendations.select_related("lead")
        .prefetch_related("outcomes", "milestones")
        .order_by("number")
    )
    actions = list(
        Action.objects.filter(plan=plan)
        .select_related("owner")
        .prefetch_related("supporting_owners", "milestones")
    )
    rows: list[dict[str, Any]] = []
    for recommendation in recommendations:
        rows.extend(_recommendation_rows(recommendation, actions))
    return details, rows


def _recommendation_rows(
    recommendation: Recommendation, actions: Sequence[Action]
) -> list[dict[str, Any]]:
    """Its actions by outcome, then what has no action; at least one row."""
    base = {
        RECOMMENDATION: f"{recommendation.number} {recommendation.title}",
        LEAD: recommendation.lead.email,
    }
    own = sorted(
        (a for a in actions if a.recommendation_id == recommendation.pk),
        key=lambda a: _natural(a.reference),
    )
    milestones = sorted(recommendation.milestones.all(), key=lambda m: (m.due_date, m.title))
    dated: set[int] = set()

    rows: list[dict[str, Any]] = []
    for outcome in sorted(recommendation.outcomes.all(), key=lambda o: o.number):
        theirs = [a for a in own if a.outcome_id == outcome.pk]
        rows.extend(_action_row(a, outcome.title, base, dated) for a in theirs)
        if not theirs:
            rows.append({**base, OUTCOME: outcome.title})
    rows.extend(_action_row(a, "", base, dated) for a in own if a.outcome_id is None)
    for milestone in milestones:
        if milestone.pk not in dated:
            rows.append(
                {
                    **base,
                    MILESTONE: milestone.title,
                    MILESTONE_DUE: milestone.due_date,
                    MILESTONE_ACHIEVED: milestone.achieved_on,
                }
            )
    return rows or [dict(base)]


def _action_row(
    action: Action, outcome: str, base: dict[str, Any], dated: set[int]
) -> dict[str, Any]:
    """An action's row; a single milestone's dates go on it (``dated`` notes which did)."""
    linked = sorted(action.milestones.all(), key=lambda m: (m.due_date, m.title))
    row = {
        **base,
        OUTCOME: outcome,
        REFERENCE: action.reference,
        TITLE: action.title,
        OWNER: action.owner.email,
        START: action.start_date,
        DUE: action.due_date,
        STATUS: ActionStatus(action.status).label,
        RAG: Rag(action.rag).label,
        MILESTONE: "\n".join(m.title for m in linked),
        COMPLETED_ON: action.completed_on,
        SUPPORTING: ", ".join(sorted(u.email for u in action.supporting_owners.all())),
    }
    if len(linked) == 1:
        row[MILESTONE_DUE] = linked[0].due_date
        row[MILESTONE_ACHIEVED] = linked[0].achieved_on
        dated.add(linked[0].pk)
    return row


def write_table(
    *, details: Sequence[tuple[str, Any]], rows: Sequence[dict[str, Any]], file_format: str
) -> bytes:
    """Plan details, a blank row, the header and the rows (column name -> value) as a file."""
    table: list[list[Any]] = [[label, value] for label, value in details]
    table.append([])
    table.append(list(COLUMNS))
    table.extend([row.get(column) for column in COLUMNS] for row in rows)
    if file_format == "csv":
        # The byte order mark tells Excel the file is UTF-8 (names with accents survive).
        return ("\ufeff" + csv_text(table)).encode("utf-8")
    if file_format != "xlsx":
        raise ValueError(f"Unknown format {file_format!r}: xlsx or csv.")
    return _xlsx(table, header_row=len(details) + 2, data_rows=len(rows))


def _xlsx(table: Iterable[list[Any]], *, header_row: int, data_rows: int) -> bytes:
    book, sheet = new_workbook("Plan")
    for line in table:
        append_row(sheet, line)
    bold = Font(bold=True)
    for cell in sheet[header_row]:
        cell.font = bold
    for row in sheet.iter_rows(min_row=1, max_row=header_row - 2, max_col=1):
        row[0].font = bold
    date_columns = {START, DUE, COMPLETED_ON, MILESTONE_DUE, MILESTONE_ACHIEVED}
    for index, name in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 14 if name in date_columns else 30
        for row in sheet.iter_rows(
            min_row=header_row + 1, max_row=header_row + data_rows, min_col=index, max_col=index
        ):
            if name in date_columns:
                row[0].number_format = "DD/MM/YYYY"
            else:
                # References like 1.10 must stay text, or Excel reads them as 1.1.
                row[0].number_format = "@"
    for row in sheet.iter_rows(min_row=1, max_row=header_row - 2, min_col=2, max_col=2):
        if isinstance(row[0].value, dt.date):
            row[0].number_format = "DD/MM/YYYY"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    last = header_row + max(data_rows, 1) + 500
    for name, choices in ((STATUS, ActionStatus.choices), (RAG, Rag.choices)):
        letter = get_column_letter(COLUMNS.index(name) + 1)
        listed = ",".join(str(label) for _, label in choices)
        validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
        validation.add(f"{letter}{header_row + 1}:{letter}{last}")
        sheet.add_data_validation(validation)
    return workbook_bytes(book)
