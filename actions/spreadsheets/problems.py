"""A problem of a file, where it is (row and column) and what to correct; the list of them.

An import is all or nothing, so a person correcting a file needs every problem at once, each
with the row as their spreadsheet program numbers it and the column's name, in plain words.
``Report`` collects them while the file is checked, with the cell checks shared by every
column (a date, a choice from a list) and every email given, so that all the people are
looked up in one query at the end.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from actions.spreadsheets.cells import Cell, cell_text, is_blank, parse_date
from actions.spreadsheets.columns import key


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


def count(number: int, word: str) -> str:
    return f"{number:,} {word if number == 1 else word + 's'}"


class Report:
    """The problems found so far, and every email given with where (row, column) it was."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.emails: dict[str, list[tuple[int, str]]] = {}

    def add(self, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(row, column, message))

    def email(self, row: int, column: str, email: str) -> None:
        self.emails.setdefault(email, []).append((row, column))

    def date(
        self, row: int, column: str, value: Cell, *, required: str | None = None
    ) -> dt.date | None:
        if is_blank(value):
            if required:
                self.add(row, column, f"missing: {required}.")
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            self.add(row, column, f"{exc}.")
            return None

    def choice(
        self,
        row: int,
        column: str,
        value: Cell,
        by_key: dict[str, str],
        choices: Sequence[tuple[str, Any]],
    ) -> str | None:
        if is_blank(value):
            return None
        found = by_key.get(key(cell_text(value)))
        if found is None:
            allowed = ", ".join(str(label) for _, label in choices)
            self.add(
                row, column, f'"{cell_text(value)[:40]}" is not a {column} (use one of: {allowed}).'
            )
        return found
