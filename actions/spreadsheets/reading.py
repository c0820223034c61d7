"""Opening a file as a table: XLSX or CSV (decided by its content) into rows of cells.

Files come from council staff's spreadsheet programs and sometimes from elsewhere: a file may
be saved in another format, renamed, cut short by an email gateway or damaged on the way.
Whatever the damage, reading ends in a ``SpreadsheetError`` whose one message says what to
do (save the file again as XLSX or CSV UTF-8), never in a crash. Size is limited before and
while reading, so that a file that is far larger than any plan costs little to refuse.

``read_table`` then finds the table in the rows: the plan details above it (a label in the
first cell, its value in the second), the header row (the first row with a "recommendation"
cell) and the rows below it, each with its number as the spreadsheet program shows it.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from openpyxl import load_workbook

from actions.spreadsheets.cells import Cell, cell_text, is_blank
from actions.spreadsheets.columns import DETAIL_BY_KEY, RECOMMENDATION, REQUIRED_COLUMNS, key
from actions.tabular import csv_unescape

# A plan is a few hundred actions (the national data set's largest, 400); ten times that
# is still a plan, more is a mistake or an attack, and is refused before it is read.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 40
# An XLSX is a zip: its unpacked size, not its file size, is what reading costs.
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024

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


class SpreadsheetError(Exception):
    """The file cannot be read as a table at all (wrong type, too large, empty)."""


@dataclass
class Table:
    """The file's rows as (spreadsheet row number, cells), with the plan details above them."""

    details: dict[str, tuple[int, Cell]]
    header_row: int
    header: list[str]
    rows: list[tuple[int, list[Cell]]]


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
        if all(is_blank(cell) for cell in cells):
            continue
        if header is None:
            names = [key(cell_text(cell)).rstrip("*").strip() for cell in cells]
            if key(RECOMMENDATION) in names:
                header, header_row = [cell_text(cell) for cell in cells], number
                continue
            label = names[0].rstrip(":").strip() if names else ""
            if label in DETAIL_BY_KEY:
                details[DETAIL_BY_KEY[label]] = (number, cells[1] if len(cells) > 1 else None)
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
        header = [cell_text(cell) for cell in first]
    return Table(details=details, header_row=header_row, header=header, rows=rows)
