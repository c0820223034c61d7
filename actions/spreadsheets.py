"""A plan as a spreadsheet (XLSX or CSV): read, check, import, and export in the same format.

The format (docs/spreadsheets.md) is one table with a header row and one row per action,
optionally preceded by "plan details" rows (label, value) that name the plan and say how
to create it. A row without an action reference names a recommendation, an outcome or a
milestone that has no actions, so that a plan exported and imported again is the same plan.

Import is all or nothing: ``plan_import`` checks every row and cell first and reports each
problem with its row (as the spreadsheet program numbers it) and column; only a file without
problems is written, in one transaction, validated as any other change and with the audit
history (who imported it) of any other change: recommendations, outcomes and milestones
through ``actions.services.model_create``, the actions in bulk (``_create_actions``). It fills a
new plan or an empty one and never changes an existing action: progress recorded in the
service is never overwritten by an older spreadsheet.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models.functions import Lower
from openpyxl import load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from actions.dates import local_today
from actions.models import (
    Action,
    ActionStatus,
    Milestone,
    Outcome,
    Plan,
    PlanStatus,
    PlanType,
    Rag,
    Recommendation,
)
from actions.services import model_create
from actions.tabular import append_row, csv_text, csv_unescape, new_workbook, workbook_bytes

# --- The format ----------------------------------------------------------------------------

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

# The ten columns: every file has them.
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

# A plan is a few hundred actions (the national data set's largest, 400); ten times that
# is still a plan, more is a mistake or an attack, and is refused before it is read.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 40
# An XLSX is a zip: its unpacked size, not its file size, is what reading costs.
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024

DATE_HELP = "write it as DD/MM/YYYY (for example 31/03/2027) or use a date cell"


def _key(text: str) -> str:
    return " ".join(text.split()).lower()


_COLUMN_BY_KEY = {_key(name): name for name in COLUMNS}
_DETAIL_BY_KEY = {_key(name): name for name in PLAN_DETAILS}

_STATUS_BY_KEY: dict[str, str] = {}
for _code, _label in ActionStatus.choices:
    _STATUS_BY_KEY[_key(_code)] = _code
    _STATUS_BY_KEY[_key(_code.replace("_", " "))] = _code
    _STATUS_BY_KEY[_key(str(_label))] = _code

_RAG_BY_KEY: dict[str, str] = {}
for _code, _label in Rag.choices:
    # "Red (off track)": also "red", "r" and "off track".
    _RAG_BY_KEY[_key(_code)] = _code
    _RAG_BY_KEY[_key(_code[0])] = _code
    _RAG_BY_KEY[_key(str(_label))] = _code
    _RAG_BY_KEY[_key(str(_label).split("(", 1)[1].rstrip(")"))] = _code


@dataclass(frozen=True, order=True)
class Problem:
    """One thing to correct: where (spreadsheet row, column name) and what."""

    row: int  # 0: the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        if not self.column:
            return f"Row {self.row}: {self.message}"
        return f"Row {self.row}, {self.column}: {self.message}"


class SpreadsheetError(Exception):
    """The file cannot be read as a table at all (wrong type, too large, empty)."""


# --- Reading cells -------------------------------------------------------------------------

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | None


@dataclass
class Table:
    """The file's rows as (spreadsheet row number, cells), with the plan details above them."""

    details: dict[str, tuple[int, Cell]]
    header_row: int
    header: list[str]
    rows: list[tuple[int, list[Cell]]]


def _is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Cell) -> str:
    """A cell as text: what the person typed, as far as the file kept it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # A reference typed as 2.3 arrives as a number; 2.0 was typed as 2.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y}" if value.time() == dt.time(0) else str(value)
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return " ".join(str(value).split())


def _lines(value: Cell) -> list[str]:
    """A cell holding several values, one a line (Alt+Enter in Excel)."""
    if value is None:
        return []
    return [" ".join(line.split()) for line in str(value).splitlines() if line.strip()]


_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?")


def parse_date(value: Cell) -> dt.date:
    """A date cell, DD/MM/YYYY (UK) or YYYY-MM-DD; ValueError says what is wrong in words."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float):  # bool is an int too
        raise ValueError(f"{_text(value)} is a number, not a date: {DATE_HELP}")
    else:
        text = _text(value)
        uk = _UK_DATE.fullmatch(text)
        iso = _ISO_DATE.fullmatch(text)
        try:
            if uk:
                first, second, year = (int(part) for part in uk.groups())
                if second > 12 and first <= 12:
                    raise ValueError(
                        f"{text} looks like a US date (month first): {DATE_HELP} "
                        f"({second:02d}/{first:02d}/{year})"
                    )
                day = dt.date(year, second, first)
            elif iso:
                day = dt.date(*(int(part) for part in iso.groups()))
            else:
                raise ValueError(f"{text} is not a date: {DATE_HELP}")
        except ValueError as exc:
            if "not a date" in str(exc) or "US date" in str(exc):
                raise
            raise ValueError(f"{text} is not a date: {DATE_HELP}") from None
    if not 1990 <= day.year <= 2100:
        raise ValueError(f"{day:%d/%m/%Y} is not a plausible date for a plan: check the year")
    return day


# --- Reading files -------------------------------------------------------------------------


UNREADABLE = "This file could not be read as a spreadsheet: "
_SAVE_AGAIN = (
    "open it in your spreadsheet program and save it again as Excel Workbook (.xlsx) or CSV UTF-8."
)
DAMAGED_XLSX = f"{UNREADABLE}it is damaged or incomplete; {_SAVE_AGAIN}"
NUL_IN_CSV = (
    f"{UNREADABLE}it holds a NUL character, which the text of a CSV file never does; {_SAVE_AGAIN}"
)
DAMAGED_CSV = (
    f"{UNREADABLE}a cell holds more text than a spreadsheet cell can (often a quote mark "
    f"that is never closed); {_SAVE_AGAIN}"
)


def _read_xlsx(data: bytes) -> Iterator[list[Cell]]:
    # A damaged file can fail at any step, and openpyxl then raises whatever the damage
    # leads to (IndexError for a missing shared string, KeyError, ValueError, TypeError,
    # zipfile and XML errors): each step turns any of them into the one message.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except Exception as exc:
        raise SpreadsheetError(DAMAGED_XLSX) from exc
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(
            "The file is not an XLSX spreadsheet (perhaps an OpenDocument or Word file): "
            "save it from your spreadsheet program as Excel Workbook (.xlsx) or CSV."
        )
    if unpacked > MAX_UNZIPPED_BYTES:
        raise SpreadsheetError(
            f"The spreadsheet is too large: a plan fits in {MAX_ROWS:,} rows; split the file."
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise SpreadsheetError(DAMAGED_XLSX) from exc
    try:
        # Read only: the cells are parsed as the rows are read, so damage shows up here too.
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield list(row)
    except Exception as exc:
        raise SpreadsheetError(DAMAGED_XLSX) from exc
    finally:
        book.close()


def _read_csv(data: bytes) -> Iterator[list[Cell]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # Excel's "CSV" (not "CSV UTF-8") on Windows writes Windows-1252.
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise SpreadsheetError(
                "The CSV file's text is not UTF-8 or Windows-1252: save it from your "
                'spreadsheet program as "CSV UTF-8".'
            ) from None
    if "\x00" in text:
        # read_rows looks for it near the start only; PostgreSQL cannot store it in any text.
        raise SpreadsheetError(NUL_IN_CSV)
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            yield [csv_unescape(cell) for cell in row[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise SpreadsheetError(DAMAGED_CSV) from exc


def read_rows(data: bytes, *, filename: str = "") -> Iterator[list[Cell]]:
    """The first sheet's rows (XLSX) or the records (CSV), decided by the content."""
    if not data:
        raise SpreadsheetError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise SpreadsheetError(
            f"The file is too large ({len(data) / 1024 / 1024:.1f} MB; at most "
            f"{MAX_BYTES // 1024 // 1024} MB): a plan fits in {MAX_ROWS:,} rows."
        )
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            "The file is an old Excel 97-2003 workbook (.xls): save it as Excel Workbook "
            "(.xlsx) or CSV and try again."
        )
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise SpreadsheetError("The file is named .xlsx but is not an XLSX spreadsheet.")
    if b"\x00" in data[:4096]:
        raise SpreadsheetError("The file is not an XLSX or CSV spreadsheet.")
    return _read_csv(data)


def read_table(data: bytes, *, filename: str = "") -> Table:
    """Plan details, the header row and the rows below it; SpreadsheetError if there are none.

    The header is the first row with a "recommendation" cell; rows above it that are not plan
    details (a title, a note) are ignored. A file with no such row has its first row taken
    as the header, so that what is missing from it can be named.
    """
    details: dict[str, tuple[int, Cell]] = {}
    above: list[tuple[int, list[Cell]]] = []
    header: list[str] | None = None
    header_row = 0
    rows: list[tuple[int, list[Cell]]] = []
    for number, cells in enumerate(read_rows(data, filename=filename), start=1):
        if all(_is_blank(cell) for cell in cells):
            continue
        if header is None:
            names = [_key(_text(cell)).rstrip("*").strip() for cell in cells]
            if _key(RECOMMENDATION) in names:
                header, header_row = [_text(cell) for cell in cells], number
                continue
            label = names[0].rstrip(":").strip() if names else ""
            if label in _DETAIL_BY_KEY:
                details[_DETAIL_BY_KEY[label]] = (number, cells[1] if len(cells) > 1 else None)
                continue
            above.append((number, cells))
            if len(above) <= MAX_ROWS:
                continue
        elif len(rows) < MAX_ROWS:
            rows.append((number, cells))
            continue
        raise SpreadsheetError(
            f"The file has more than {MAX_ROWS:,} rows below its header: a plan fits in "
            "fewer; split the file."
        )
    if header is None:
        if not above:
            raise SpreadsheetError(
                "The file has no header row: the first row of the table names the columns "
                f"({', '.join(REQUIRED_COLUMNS)})."
            )
        (header_row, first), *rows = above
        header = [_text(cell) for cell in first]
    return Table(details=details, header_row=header_row, header=header, rows=rows)


# --- Checking ------------------------------------------------------------------------------


@dataclass
class RowAction:
    row: int
    reference: str
    title: str
    owner: str  # email, lower case
    start: dt.date | None
    due: dt.date
    status: str
    rag: str
    completed_on: dt.date | None
    supporting: list[str]  # emails, lower case
    outcome: str
    milestones: list[str]


@dataclass
class PlannedRecommendation:
    number: int
    row: int
    title: str = ""
    lead: str = ""  # email, lower case
    outcomes: list[str] = field(default_factory=list)
    actions: list[RowAction] = field(default_factory=list)
    milestones: dict[str, "PlannedMilestone"] = field(default_factory=dict)


@dataclass
class PlannedMilestone:
    title: str
    row: int
    due: dt.date | None = None
    achieved: dt.date | None = None
    actions: list[str] = field(default_factory=list)


@dataclass
class PlannedPlan:
    """What the file says, checked: the plan's details and its recommendations by number."""

    slug: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    recommendations: dict[int, PlannedRecommendation] = field(default_factory=dict)
    existing: Plan | None = None


@dataclass
class ImportResult:
    filename: str
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    plan: Plan | None = None
    plan_slug: str = ""
    plan_created: bool = False
    recommendations: int = 0
    outcomes: int = 0
    actions: int = 0
    milestones: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> str:
        parts = [
            _count(self.recommendations, "recommendation"),
            _count(self.outcomes, "outcome"),
            _count(self.actions, "action"),
            _count(self.milestones, "milestone"),
        ]
        return f"{', '.join(parts[:-1])} and {parts[-1]}"

    def summary(self) -> str:
        """One line: what happened, or why nothing did."""
        name = self.filename or "The file"
        if self.problems:
            return (
                f"{name}: {_count(len(self.problems), 'problem')} found; nothing was imported. "
                "Correct the file and try again."
            )
        target = f'{"the new" if self.plan_created else "the"} plan "{self.plan_slug}"'
        if self.dry_run:
            return f"{name} is ready to import: it would add {self.counts()} to {target}."
        return f"{name} imported: {self.counts()} added to {target}."


def _count(number: int, word: str) -> str:
    return f"{number:,} {word if number == 1 else word + 's'}"


_RECOMMENDATION_CELL = re.compile(
    r"(?:recommendation|priority)?\s*(\d{1,5})\s*[.):\-\u2013]?\s*(.*)", re.IGNORECASE | re.DOTALL
)


class _Checker:
    """Collects every problem of a table; builds the plan only from what is valid."""

    def __init__(self, table: Table, *, plan_slug: str | None) -> None:
        self.table = table
        self.plan_slug = plan_slug
        self.problems: list[Problem] = []
        self.planned = PlannedPlan()
        self.emails: dict[str, list[tuple[int, str]]] = {}  # email -> [(row, column)]

    def add(self, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(row, column, message))

    def check(self) -> PlannedPlan:
        positions = self._check_header()
        if positions is None:
            return self.planned
        self._check_plan()
        references: dict[str, int] = {}
        for number, cells in self.table.rows:
            self._check_row(number, cells, positions, references)
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
            column = _COLUMN_BY_KEY.get(_key(name).rstrip("*").strip())
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
        if self.problems:
            return None
        if not self.table.rows:
            self.add(0, "", "The file has a header row but no rows of actions below it.")
            return None
        return positions

    # The plan --------------------------------------------------------------------------

    def _check_plan(self) -> None:
        details = self.table.details
        slug_row, slug_cell = details.get(PLAN_SLUG, (0, None))
        slug = self.plan_slug or _text(slug_cell)
        if not slug:
            self.add(
                0,
                "",
                'Say which plan the file is for: add a "plan slug" row above the table, or '
                "choose the plan (--plan SLUG on the command line).",
            )
            return
        try:
            validate_slug(slug)
        except ValidationError:
            self.add(
                slug_row if not self.plan_slug else 0,
                PLAN_SLUG if not self.plan_slug else "",
                f'"{slug}" is not a plan slug: use letters, numbers and hyphens only.',
            )
            return
        self.planned.slug = slug
        existing = Plan.objects.filter(slug=slug).first()
        self.planned.existing = existing
        if existing is not None:
            recommendations = existing.recommendations.count()
            if recommendations:
                self.add(
                    0,
                    "",
                    f'The plan "{slug}" already has {_count(recommendations, "recommendation")}: '
                    "a spreadsheet fills a new or empty plan only, so that nothing recorded "
                    "in the service is overwritten. Change an existing plan in the admin or "
                    "the API, or import into a new plan.",
                )
            return
        # A new plan: its details come from the rows above the table.
        values: dict[str, Any] = {"slug": slug}
        for name in (PLAN_TITLE, PLAN_TYPE, LOCAL_AREA, PLAN_START, PLAN_END):
            row, cell = details.get(name, (0, None))
            if _is_blank(cell):
                where = f"row {row}" if row else "a row above the table"
                self.add(
                    row,
                    name if row else "",
                    f'There is no plan "{slug}" yet, so the file must give its "{name}" '
                    f"(in {where}: the label in the first cell, the value in the second).",
                )
                continue
            if name in (PLAN_START, PLAN_END):
                try:
                    values[name] = parse_date(cell)
                except ValueError as exc:
                    self.add(row, name, f"{exc}.")
            elif name == PLAN_TYPE:
                text = _text(cell)
                plan_type = (
                    PlanType.objects.filter(name__iexact=text).first()
                    or PlanType.objects.filter(slug__iexact=text).first()
                )
                if plan_type is None:
                    known = ", ".join(
                        PlanType.objects.order_by("name").values_list("name", flat=True)
                    )
                    self.add(
                        row,
                        name,
                        f'"{text}" is not a plan type (known: {known}); add it in the admin first.',
                    )
                else:
                    values[name] = plan_type
            else:
                text = _text(cell)
                limit = 250 if name == PLAN_TITLE else 150
                if len(text) > limit:
                    self.add(row, name, f"at most {limit} characters (this has {len(text)}).")
                values[name] = text
        start, end = values.get(PLAN_START), values.get(PLAN_END)
        if start and end and end < start:
            self.add(details[PLAN_END][0], PLAN_END, "the plan cannot end before it starts.")
        self.planned.details = values

    # One row ---------------------------------------------------------------------------

    def _check_row(
        self,
        row: int,
        cells: list[Cell],
        positions: dict[str, int],
        references: dict[str, int],
    ) -> None:
        def cell(column: str) -> Cell:
            index = positions.get(column)
            if index is None or index >= len(cells):
                return None
            return cells[index]

        known = set(positions.values())
        for index, value in enumerate(cells):
            if index not in known and not _is_blank(value):
                self.add(
                    row,
                    f"column {get_column_letter(index + 1)}",
                    f"{_text(value)[:40]} is outside the table (its column has no header).",
                )

        recommendation = self._recommendation(row, cell(RECOMMENDATION))
        outcome = _text(cell(OUTCOME))
        if len(outcome) > 300:
            self.add(row, OUTCOME, f"at most 300 characters (this has {len(outcome)}).")
        milestones = _lines(cell(MILESTONE))
        for title in milestones:
            if len(title) > 300:
                self.add(row, MILESTONE, f"at most 300 characters (this has {len(title)}).")
        lead = _text(cell(LEAD)).lower()
        if lead:
            self._email(row, LEAD, lead)

        reference = _text(cell(REFERENCE))
        action: RowAction | None = None
        if reference:
            action = self._action(row, reference, cell, references)
        else:
            for column in (TITLE, OWNER, START, DUE, STATUS, RAG, COMPLETED_ON, SUPPORTING):
                if not _is_blank(cell(column)):
                    self.add(
                        row,
                        REFERENCE,
                        f"missing: this row has a {column}, so it is an action and needs its "
                        "reference (a row without one only names a recommendation, an outcome "
                        "or a milestone).",
                    )
                    break
        if recommendation is None:
            return
        if lead:
            if recommendation.lead and recommendation.lead != lead:
                self.add(
                    row,
                    LEAD,
                    f"{lead} differs from {recommendation.lead}, the lead given for "
                    f"recommendation {recommendation.number} on an earlier row.",
                )
            recommendation.lead = recommendation.lead or lead
        if outcome and outcome not in recommendation.outcomes:
            recommendation.outcomes.append(outcome)
        self._milestones(row, recommendation, milestones, cell, reference)
        if action is not None:
            action.outcome = outcome
            action.milestones = milestones
            recommendation.actions.append(action)

    def _recommendation(self, row: int, value: Cell) -> PlannedRecommendation | None:
        if _is_blank(value):
            self.add(row, RECOMMENDATION, "missing: give its number and title, e.g. 1 Title.")
            return None
        if isinstance(value, float) and not value.is_integer():
            self.add(row, RECOMMENDATION, f"{_text(value)} is not a recommendation number.")
            return None
        match = _RECOMMENDATION_CELL.fullmatch(_text(value))
        if not match or int(match.group(1)) < 1 or int(match.group(1)) > 32767:
            self.add(
                row,
                RECOMMENDATION,
                f'"{_text(value)[:60]}" does not start with the recommendation\'s number: '
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

    def _action(
        self,
        row: int,
        reference: str,
        cell: Any,
        references: dict[str, int],
    ) -> RowAction | None:
        problems_before = len(self.problems)
        if len(reference) > 20:
            self.add(row, REFERENCE, f"{reference[:30]}... is longer than 20 characters.")
        elif reference in references:
            self.add(
                row,
                REFERENCE,
                f"{reference} is already used on row {references[reference]}: each action "
                "has its own reference.",
            )
        else:
            references[reference] = row
        title = _text(cell(TITLE))
        if not title:
            self.add(row, TITLE, "missing: every action needs a title.")
        elif len(title) > 400:
            self.add(row, TITLE, f"at most 400 characters (this has {len(title)}).")
        owner = _text(cell(OWNER)).lower()
        if not owner:
            self.add(row, OWNER, "missing: every action needs an owner.")
        else:
            self._email(row, OWNER, owner)
        supporting: list[str] = []
        for email in re.split(r"[,;\s]+", _text(cell(SUPPORTING)).lower()):
            if email and email not in supporting:
                supporting.append(email)
                self._email(row, SUPPORTING, email)

        start = self._date(row, START, cell(START))
        due = self._date(row, DUE, cell(DUE), required="every action needs a due date")
        if start and due and due < start:
            self.add(
                row,
                DUE,
                f"{due:%d/%m/%Y} is before the start, {start:%d/%m/%Y}: the due date cannot be "
                "before the start date.",
            )

        status = self._choice(row, STATUS, cell(STATUS), _STATUS_BY_KEY, ActionStatus.choices)
        rag = self._choice(row, RAG, cell(RAG), _RAG_BY_KEY, Rag.choices)
        status = status or ActionStatus.NOT_STARTED
        completed = status == ActionStatus.COMPLETED
        if rag is None and not _is_blank(cell(RAG)):
            pass  # reported by _choice
        elif rag is None:
            rag = Rag.BLUE if completed else Rag.GREEN
        elif completed and rag != Rag.BLUE:
            self.add(row, RAG, "a completed action is rated blue (complete).")
        elif not completed and rag == Rag.BLUE:
            self.add(row, RAG, "blue (complete) is the rating of completed actions only.")
        completed_on = self._date(row, COMPLETED_ON, cell(COMPLETED_ON))
        if completed and completed_on is None and _is_blank(cell(COMPLETED_ON)):
            self.add(row, COMPLETED_ON, "missing: a completed action needs its completion date.")
        elif not completed and completed_on is not None:
            self.add(row, COMPLETED_ON, "give a completion date only for a completed action.")
        elif completed_on is not None:
            if completed_on > local_today():
                self.add(
                    row,
                    COMPLETED_ON,
                    f"{completed_on:%d/%m/%Y} is in the future: an action is "
                    "completed on or before today.",
                )
            elif start and completed_on < start:
                self.add(
                    row,
                    COMPLETED_ON,
                    f"{completed_on:%d/%m/%Y} is before the action started ({start:%d/%m/%Y}).",
                )
        if len(self.problems) > problems_before or due is None or rag is None:
            return None
        return RowAction(
            row=row,
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

    def _milestones(
        self,
        row: int,
        recommendation: PlannedRecommendation,
        titles: list[str],
        cell: Any,
        reference: str,
    ) -> None:
        due = self._date(row, MILESTONE_DUE, cell(MILESTONE_DUE))
        achieved = self._date(row, MILESTONE_ACHIEVED, cell(MILESTONE_ACHIEVED))
        if achieved and achieved > local_today():
            self.add(
                row,
                MILESTONE_ACHIEVED,
                f"{achieved:%d/%m/%Y} is in the future: a milestone is achieved on or before "
                "today.",
            )
            achieved = None
        dated = not _is_blank(cell(MILESTONE_DUE)) or not _is_blank(cell(MILESTONE_ACHIEVED))
        if dated and len(titles) != 1:
            self.add(
                row,
                MILESTONE_DUE if not _is_blank(cell(MILESTONE_DUE)) else MILESTONE_ACHIEVED,
                "a milestone's dates go on a row that names exactly one milestone"
                + (
                    " (this row names none)." if not titles else f" (this row names {len(titles)})."
                ),
            )
            return
        for title in titles:
            milestone = recommendation.milestones.setdefault(
                title, PlannedMilestone(title=title, row=row)
            )
            if reference and reference not in milestone.actions:
                milestone.actions.append(reference)
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
                        f'{value:%d/%m/%Y} differs from {current:%d/%m/%Y}, given for "{title}" '
                        "on an earlier row.",
                    )
                elif column == MILESTONE_DUE:
                    milestone.due = value
                else:
                    milestone.achieved = value

    # Cells -----------------------------------------------------------------------------

    def _date(
        self, row: int, column: str, value: Cell, *, required: str | None = None
    ) -> dt.date | None:
        if _is_blank(value):
            if required:
                self.add(row, column, f"missing: {required}.")
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            self.add(row, column, f"{exc}.")
            return None

    def _choice(
        self,
        row: int,
        column: str,
        value: Cell,
        by_key: dict[str, str],
        choices: Sequence[tuple[str, Any]],
    ) -> str | None:
        if _is_blank(value):
            return None
        found = by_key.get(_key(_text(value)))
        if found is None:
            allowed = ", ".join(str(label) for _, label in choices)
            self.add(
                row, column, f'"{_text(value)[:40]}" is not a {column} (use one of: {allowed}).'
            )
        return found

    def _email(self, row: int, column: str, email: str) -> None:
        self.emails.setdefault(email, []).append((row, column))

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
        if not self.emails:
            return
        found = {
            email: active
            for email, active in User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=list(self.emails))
            .values_list("email_lower", "is_active")
        }
        for email, places in self.emails.items():
            if found.get(email) is True:
                continue
            why = (
                "belongs to an account that is closed (not active)"
                if email in found
                else "is not the email of anyone in the service (add them in the admin first)"
            )
            for row, column in places:
                self.add(row, column, f"{email} {why}.")


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
    return planned, sorted(set(checker.problems))


# --- Importing -----------------------------------------------------------------------------


def plan_import(
    *,
    data: bytes,
    by: User,
    filename: str = "",
    plan_slug: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Check the file; unless it has a problem or this is a dry run, write it in one go.

    ``plan_slug`` (the command's --plan, the admin's choice) wins over the file's "plan slug".
    """
    planned, problems = plan_check(data=data, filename=filename, plan_slug=plan_slug)
    result = ImportResult(filename=filename, dry_run=dry_run, problems=problems)
    if problems:
        return result
    result.plan_slug = planned.slug
    result.plan_created = planned.existing is None
    recommendations = planned.recommendations.values()
    result.recommendations = len(recommendations)
    result.outcomes = sum(len(r.outcomes) for r in recommendations)
    result.actions = sum(len(r.actions) for r in recommendations)
    result.milestones = sum(len(r.milestones) for r in recommendations)
    if dry_run:
        return result
    try:
        result.plan = _write(planned, by=by, reason=f"Imported from {filename or 'a spreadsheet'}")
    except ValidationError as exc:
        # Someone changed the plan or the people between the check and the write.
        result.problems = [Problem(0, "", " ".join(exc.messages))]
    return result


def _write(planned: PlannedPlan, *, by: User, reason: str) -> Plan:
    def create(model: type[Any], fields: dict[str, Any]) -> Any:
        instance = model_create(model=model, by=by, fields=fields)
        # A new row's whole history is this import's (its many-to-many rows included).
        instance.history.update(history_change_reason=reason)
        return instance

    emails = {
        email
        for r in planned.recommendations.values()
        for email in [r.lead, *(e for a in r.actions for e in [a.owner, *a.supporting])]
    }
    people = {
        user.email.lower(): user
        for user in User.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=emails, is_active=True
        )
    }
    missing = emails - set(people)
    if missing:
        raise ValidationError(f"These people were removed meanwhile: {', '.join(sorted(missing))}.")
    with transaction.atomic():
        if planned.existing is not None:
            plan = Plan.objects.select_for_update().get(pk=planned.existing.pk)
            if plan.recommendations.exists():
                raise ValidationError(
                    f'The plan "{plan.slug}" has had recommendations added since the file was '
                    "checked: nothing was imported."
                )
        else:
            details = planned.details
            plan = create(
                Plan,
                {
                    "slug": planned.slug,
                    "title": details[PLAN_TITLE],
                    "plan_type": details[PLAN_TYPE],
                    "local_area": details[LOCAL_AREA],
                    "start_date": details[PLAN_START],
                    "end_date": details[PLAN_END],
                    "status": PlanStatus.DRAFT,
                    "published": False,
                },
            )
        created: list[tuple[PlannedRecommendation, Recommendation, dict[str, Outcome]]] = []
        for number, planned_rec in sorted(planned.recommendations.items()):
            recommendation = create(
                Recommendation,
                {
                    "plan": plan,
                    "number": number,
                    "title": planned_rec.title,
                    "lead": people[planned_rec.lead],
                },
            )
            outcomes = {
                title: create(
                    Outcome,
                    {"recommendation": recommendation, "number": position, "title": title},
                )
                for position, title in enumerate(planned_rec.outcomes, start=1)
            }
            created.append((planned_rec, recommendation, outcomes))
        actions = _create_actions(plan, created, people=people, by=by, reason=reason)
        for planned_rec, recommendation, _ in created:
            for milestone in planned_rec.milestones.values():
                create(
                    Milestone,
                    {
                        "recommendation": recommendation,
                        "title": milestone.title,
                        "due_date": milestone.due,
                        "achieved_on": milestone.achieved,
                        "actions": [actions[ref] for ref in milestone.actions],
                    },
                )
    return plan


def _create_actions(
    plan: Plan,
    created: list[tuple[PlannedRecommendation, Recommendation, dict[str, Outcome]]],
    *,
    people: Mapping[str, User],
    by: User,
    reason: str,
) -> dict[str, Action]:
    """Every action of the file in a few statements, with its history and who imported it.

    ``model_create`` costs about 23 queries an action (a plan of 400 actions: ~9,000 queries
    and half a minute, too long for an admin page). The file has been checked against the
    same rules; each action is still validated field by field (in Python), the database
    constraints still hold at the insert, and the history rows are those a save writes:
    the action, and its supporting owners at creation.
    """
    actions: dict[str, Action] = {}
    supporting: dict[str, list[User]] = {}
    for planned_rec, recommendation, outcomes in created:
        for row in planned_rec.actions:
            action = Action(
                plan=plan,
                recommendation=recommendation,
                outcome=outcomes.get(row.outcome),
                reference=row.reference,
                title=row.title,
                owner=people[row.owner],
                start_date=row.start,
                due_date=row.due,
                status=row.status,
                rag=row.rag,
                completed_on=row.completed_on,
            )
            try:
                action.full_clean(
                    exclude=["plan", "recommendation", "outcome", "owner"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as exc:
                raise ValidationError(f"Row {row.row}: {' '.join(exc.messages)}") from exc
            actions[row.reference] = action
            supporting[row.reference] = [people[email] for email in row.supporting]
    bulk_create_with_history(
        list(actions.values()),
        Action,
        batch_size=500,
        default_user=by,
        default_change_reason=reason,
    )
    through = Action.supporting_owners.through
    links = through.objects.bulk_create(
        [
            through(action_id=actions[ref].pk, user_id=user.pk)
            for ref, users in supporting.items()
            for user in users
        ],
        batch_size=1000,
    )
    history_ids = dict(
        Action.history.filter(  # type: ignore[attr-defined]
            id__in=[action.pk for action in actions.values()]
        ).values_list("id", "history_id")
    )
    # The history's copy of each link keeps the link's own id, as a save would record it.
    historical_through = apps.get_model("actions", "HistoricalAction_supporting_owners")
    historical_through.objects.bulk_create(
        [
            historical_through(
                id=link.pk,
                history_id=history_ids[link.action_id],
                action_id=link.action_id,
                user_id=link.user_id,
            )
            for link in links
        ],
        batch_size=1000,
    )
    return actions


# --- Exporting -----------------------------------------------------------------------------


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

        start = len(rows)
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
        if len(rows) == start:
            rows.append(dict(base))
    return details, rows


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


def plan_export(*, plan: Plan, file_format: str) -> bytes:
    """The plan in the import format: ``xlsx`` (date cells) or ``csv`` (UTF-8, DD/MM/YYYY)."""
    details, rows = plan_rows(plan=plan)
    return write_table(details=details, rows=rows, file_format=file_format)


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
