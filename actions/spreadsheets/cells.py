"""What a cell holds: its text, its lines, its date, and a row's cells by column name.

The same plan arrives as XLSX, where a cell may be a number, a date or text, and as CSV,
where every cell is text; a reference typed as 2.3 may come back as a number, a date as
"31/03/2027" or as a date cell. These helpers read each cell as the person typed it, so that
checking never depends on which of the two the file was. Dates are UK dates (day first): a
date that only makes sense month first is refused with the date written the right way round,
rather than read as a different day.
"""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | None

DATE_HELP = "write it as DD/MM/YYYY (for example 31/03/2027) or use a date cell"


def is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Cell) -> str:
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


def cell_lines(value: Cell) -> list[str]:
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
        raise ValueError(f"{cell_text(value)} is a number, not a date: {DATE_HELP}")
    else:
        day = _parse_date_text(cell_text(value))
    if not 1990 <= day.year <= 2100:
        raise ValueError(f"{day:%d/%m/%Y} is not a plausible date for a plan: check the year")
    return day


def _parse_date_text(text: str) -> dt.date:
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
            return dt.date(year, second, first)
        if iso:
            return dt.date(*(int(part) for part in iso.groups()))
        raise ValueError(f"{text} is not a date: {DATE_HELP}")
    except ValueError as exc:
        if "not a date" in str(exc) or "US date" in str(exc):
            raise
        raise ValueError(f"{text} is not a date: {DATE_HELP}") from None


@dataclass(frozen=True)
class Row:
    """One row below the header: its spreadsheet row number and its cells by column name."""

    number: int
    cells: list[Cell]
    positions: Mapping[str, int]  # column name -> index in the row

    def cell(self, column: str) -> Cell:
        index = self.positions.get(column)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]
