"""The plan on a page as one table, for the CSV and XLSX downloads.

One row per thing the page shows (the plan's totals, each recommendation, outcome,
milestone and success measure), with a "Section" column saying which; a column that does not
apply to a section is empty. Built from the same ``PublicPlan`` as the page, so the figures
always agree, and like it holds no personal data.
"""

import datetime as dt
from decimal import Decimal

from openpyxl.styles import Font

from actions.tabular import append_row, csv_text, new_workbook, workbook_bytes
from plan_pages.selectors import Counts, PublicPlan

Cell = str | int | Decimal | dt.date | None

HEADERS: tuple[str, ...] = (
    "Section",
    "Recommendation",
    "Recommendation title",
    "Item",
    "Lead role",
    "Actions (not cancelled)",
    "Complete",
    "Per cent complete",
    "Red (off track)",
    "Amber (at risk)",
    "Green (on track)",
    "Blue (complete)",
    "Overdue",
    "Cancelled",
    "Due",
    "Achieved",
    "Milestone status",
    "Unit",
    "Baseline",
    "Baseline date",
    "Latest reading",
    "Latest reading date",
    "Target",
    "Target date",
    "Better when",
    "Against baseline",
    "Last updated",
)
_COLUMN = {name: index for index, name in enumerate(HEADERS)}


def _row(values: dict[str, Cell]) -> list[Cell]:
    row: list[Cell] = [None] * len(HEADERS)
    for key, value in values.items():
        row[_COLUMN[key]] = value
    return row


def _counts(counts: Counts) -> dict[str, Cell]:
    return {
        "Actions (not cancelled)": counts.counted,
        "Complete": counts.completed,
        "Per cent complete": counts.percent_complete,
        "Red (off track)": counts.red,
        "Amber (at risk)": counts.amber,
        "Green (on track)": counts.green,
        "Blue (complete)": counts.completed,
        "Overdue": counts.overdue,
        "Cancelled": counts.cancelled,
    }


def plan_rows(plan: PublicPlan) -> list[list[Cell]]:
    rows = [
        _row(
            {
                "Section": "Plan",
                "Item": plan.title,
                **_counts(plan.counts),
                "Last updated": plan.last_updated,
            }
        )
    ]
    for rec in plan.recommendations:
        base: dict[str, Cell] = {"Recommendation": rec.number, "Recommendation title": rec.title}
        rows.append(
            _row(
                {
                    "Section": "Recommendation",
                    **base,
                    "Item": rec.title,
                    "Lead role": rec.lead_role,
                    **_counts(rec.counts),
                    "Last updated": rec.last_updated,
                }
            )
        )
        for outcome in rec.outcomes:
            rows.append(_row({"Section": "Outcome", **base, "Item": outcome.title}))
        for milestone in rec.milestones:
            rows.append(
                _row(
                    {
                        "Section": "Milestone",
                        **base,
                        "Item": milestone.title,
                        "Due": milestone.due_on,
                        "Achieved": milestone.achieved_on,
                        "Milestone status": milestone.state,
                    }
                )
            )
        for measure in rec.measures:
            rows.append(
                _row(
                    {
                        "Section": "Success measure",
                        **base,
                        "Item": measure.name,
                        "Unit": measure.unit,
                        "Baseline": measure.baseline,
                        "Baseline date": measure.baseline_on,
                        "Latest reading": measure.latest,
                        "Latest reading date": measure.latest_on,
                        "Target": measure.target,
                        "Target date": measure.target_on,
                        "Better when": measure.better_when,
                        "Against baseline": measure.travel,
                    }
                )
            )
    return rows


def plan_csv(plan: PublicPlan) -> str:
    return csv_text([HEADERS, *plan_rows(plan)], date_format="%Y-%m-%d")


def plan_xlsx(plan: PublicPlan) -> bytes:
    book, sheet = new_workbook("Plan on a page")
    append_row(sheet, HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in plan_rows(plan):
        append_row(sheet, row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    for index, header in enumerate(HEADERS, start=1):
        width = max(12, min(60, len(header) + 2))
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    return workbook_bytes(book)
