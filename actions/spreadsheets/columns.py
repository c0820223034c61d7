"""The format's names: the table's columns, the plan details above it, the words a cell may use.

Reading, checking and writing all use these names, so that a file the service writes is read
back as the same plan. A column is found by its name, not its place: the header may list the
columns in any order and in any case, with a trailing ``*`` (a spreadsheet's usual mark for a
required column), so every name is compared by its ``key``. Statuses and RAG ratings are
accepted as a person would write them ("In progress", "in_progress"; "Red (off track)", "Red",
"R", "off track").
"""

from actions.models import ActionStatus, Rag

RECOMMENDATION = "recommendation"
OUTCOME = "outcome"
REFERENCE = "action reference"
TITLE = "title"
OWNER = "owner email"
START = "start"
DUE = "due"
STATUS = "status"
RAG = "RAG"
MILESTONE = "milestone"
MILESTONE_DUE = "milestone due"
MILESTONE_ACHIEVED = "milestone achieved"
COMPLETED_ON = "completed on"
LEAD = "lead email"
SUPPORTING = "supporting owners"

# The ten columns every file has.
REQUIRED_COLUMNS = (
    RECOMMENDATION,
    OUTCOME,
    REFERENCE,
    TITLE,
    OWNER,
    START,
    DUE,
    STATUS,
    RAG,
    MILESTONE,
)
# What a round trip needs besides: a file without them imports if it never needs them (no
# completed actions, milestones' dates, new recommendations' leads, supporting owners).
OPTIONAL_COLUMNS = (MILESTONE_DUE, MILESTONE_ACHIEVED, COMPLETED_ON, LEAD, SUPPORTING)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# Plan details, above the header row: a label in the first cell, its value in the second.
PLAN_TITLE = "plan title"
PLAN_SLUG = "plan slug"
PLAN_TYPE = "plan type"
LOCAL_AREA = "local area"
PLAN_START = "plan start"
PLAN_END = "plan end"
PLAN_DETAILS = (PLAN_TITLE, PLAN_SLUG, PLAN_TYPE, LOCAL_AREA, PLAN_START, PLAN_END)


def key(text: str) -> str:
    return " ".join(text.split()).lower()


COLUMN_BY_KEY = {key(name): name for name in COLUMNS}
DETAIL_BY_KEY = {key(name): name for name in PLAN_DETAILS}

STATUS_BY_KEY: dict[str, str] = {}
for _code, _label in ActionStatus.choices:
    STATUS_BY_KEY[key(_code)] = _code
    STATUS_BY_KEY[key(_code.replace("_", " "))] = _code
    STATUS_BY_KEY[key(str(_label))] = _code

RAG_BY_KEY: dict[str, str] = {}
for _code, _label in Rag.choices:
    # "Red (off track)": also "red", "r" and "off track".
    RAG_BY_KEY[key(_code)] = _code
    RAG_BY_KEY[key(_code[0])] = _code
    RAG_BY_KEY[key(str(_label))] = _code
    RAG_BY_KEY[key(str(_label).split("(", 1)[1].rstrip(")"))] = _code
