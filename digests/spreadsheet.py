"""The full action list of a plan as an XLSX workbook, attached to the board's digest.

Written with ``actions.tabular``: titles, names and commentary typed by anyone are text cells,
never formulas, in the SEND Executive's spreadsheet.
"""

import datetime as dt
from typing import Any

from openpyxl.styles import Font
from openpyxl.worksheet.table import Table, TableStyleInfo

from actions.dates import LONDON
from actions.models import OPEN_STATUSES, ActionStatus, Rag
from actions.tabular import append_row, new_workbook, workbook_bytes

COLUMNS = [
    ("Recommendation", 16),
    ("Reference", 11),
    ("Action", 60),
    ("Owner", 24),
    ("Start", 12),
    ("Due", 12),
    ("Status", 14),
    ("RAG", 10),
    ("Completed on", 14),
    ("Overdue", 9),
    ("Last update", 14),
    ("Latest commentary", 60),
]
RAG_NAMES = {Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green", Rag.BLUE: "Blue"}
STATUS_NAMES = dict(ActionStatus.choices)


def action_list_xlsx(*, data: Any, title: str, made_at: dt.datetime) -> bytes:
    """One row per action of ``data`` (a ``PlanData``), in the plan's order."""
    workbook, sheet = new_workbook("Actions")
    append_row(sheet, [name for name, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for action in data.actions:
        last = action["last_progress_at"]
        append_row(
            sheet,
            [
                action["recommendation__number"],
                action["reference"],
                action["title"],
                action["owner__name"],
                action["start_date"],
                action["due_date"],
                STATUS_NAMES.get(action["status"], action["status"]),
                RAG_NAMES.get(action["rag"], action["rag"]),
                action["completed_on"],
                "Yes"
                if action["status"] in OPEN_STATUSES and action["due_date"] < data.as_of
                else "No",
                last.astimezone(LONDON).date() if last else None,
                action["latest_update__commentary"] or "",
            ],
        )
    for index, (_, width) in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = width
        for cell in sheet[letter][1:]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A2"
    if data.actions:
        # A table gives screen readers and filters the header row.
        last_cell = sheet.cell(row=len(data.actions) + 1, column=len(COLUMNS)).coordinate
        table = Table(displayName="Actions", ref=f"A1:{last_cell}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        sheet.add_table(table)
    naive = made_at.astimezone(dt.UTC).replace(tzinfo=None)
    workbook.properties.title = f"{title}: actions"
    workbook.properties.creator = "Action plan delivery service"
    workbook.properties.created = naive
    workbook.properties.modified = naive
    return workbook_bytes(workbook)
