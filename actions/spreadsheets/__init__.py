"""A plan as a spreadsheet (XLSX or CSV): read, check, import, and export in the same format.

The format (docs/spreadsheets.md) is one table with a header row and one row per action,
optionally preceded by "plan details" rows (label, value) that name the plan and say how
to create it. A row without an action reference names a recommendation, an outcome or a
milestone that has no actions, so that a plan exported and imported again is the same plan.

Import is all or nothing: ``plan_import`` checks every row and cell first and reports each
problem with its row (as the spreadsheet program numbers it) and column; only a file without
problems is written, in one transaction, validated as any other change and with the audit
history (who imported it) of any other change: recommendations, outcomes and milestones
through ``actions.services.model_create``, the actions in bulk. It fills a new plan or an
empty one and never changes an existing action: progress recorded in the service is never
overwritten by an older spreadsheet.

The modules, in the order a file goes through them:

- ``columns``: the format's names (columns, plan details, the words for statuses and RAG);
- ``cells``: what a cell holds (text, lines, a UK date) and a row's cells by column;
- ``reading``: XLSX or CSV into rows, damaged files refused with one clear message;
- ``problems``: a problem's row, column and words, and the report that collects them;
- ``planned``: the plan the file describes, once checked;
- ``checking`` (with ``checking_details`` and ``checking_actions``): every problem of a file;
- ``building``: the checked plan written into the database, the actions in bulk;
- ``importing``: ``plan_import``, check then build, and its result;
- ``writing``: a plan exported in the same format, through ``actions.tabular``.
"""

from actions.spreadsheets.cells import DATE_HELP, Cell, parse_date
from actions.spreadsheets.checking import plan_check
from actions.spreadsheets.columns import (
    COLUMNS,
    COMPLETED_ON,
    DUE,
    LEAD,
    LOCAL_AREA,
    MILESTONE,
    MILESTONE_ACHIEVED,
    MILESTONE_DUE,
    OPTIONAL_COLUMNS,
    OUTCOME,
    OWNER,
    PLAN_DETAILS,
    PLAN_END,
    PLAN_SLUG,
    PLAN_START,
    PLAN_TITLE,
    PLAN_TYPE,
    RAG,
    RECOMMENDATION,
    REFERENCE,
    REQUIRED_COLUMNS,
    START,
    STATUS,
    SUPPORTING,
    TITLE,
)
from actions.spreadsheets.importing import ImportResult, plan_import
from actions.spreadsheets.planned import (
    PlannedMilestone,
    PlannedPlan,
    PlannedRecommendation,
    RowAction,
)
from actions.spreadsheets.problems import Problem
from actions.spreadsheets.reading import (
    DAMAGED_CSV,
    DAMAGED_XLSX,
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNZIPPED_BYTES,
    NUL_IN_CSV,
    UNREADABLE,
    SpreadsheetError,
    Table,
    read_rows,
    read_table,
)
from actions.spreadsheets.writing import plan_export, plan_rows, write_table

__all__ = [
    "COLUMNS",
    "COMPLETED_ON",
    "DAMAGED_CSV",
    "DAMAGED_XLSX",
    "DATE_HELP",
    "DUE",
    "LEAD",
    "LOCAL_AREA",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UNZIPPED_BYTES",
    "MILESTONE",
    "MILESTONE_ACHIEVED",
    "MILESTONE_DUE",
    "NUL_IN_CSV",
    "OPTIONAL_COLUMNS",
    "OUTCOME",
    "OWNER",
    "PLAN_DETAILS",
    "PLAN_END",
    "PLAN_SLUG",
    "PLAN_START",
    "PLAN_TITLE",
    "PLAN_TYPE",
    "RAG",
    "RECOMMENDATION",
    "REFERENCE",
    "REQUIRED_COLUMNS",
    "START",
    "STATUS",
    "SUPPORTING",
    "TITLE",
    "UNREADABLE",
    "Cell",
    "ImportResult",
    "PlannedMilestone",
    "PlannedPlan",
    "PlannedRecommendation",
    "Problem",
    "RowAction",
    "SpreadsheetError",
    "Table",
    "parse_date",
    "plan_check",
    "plan_export",
    "plan_import",
    "plan_rows",
    "read_rows",
    "read_table",
    "write_table",
]
