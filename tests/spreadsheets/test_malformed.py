"""A damaged workbook or CSV file gets one clear message and writes nothing, wherever it
comes in: the import itself, ``manage.py import_plan`` and the admin's upload.

The fuzz tests start from a valid file (tests/spreadsheets/plan_file.py), damage it as
files are damaged (XML edited by hand or by a faulty tool, shared-string numbers that point
nowhere, a download cut short, flipped bytes, CSV text mangled) and check that the import
answers with problems, never an exception, and writes nothing when it finds any. The
examples are derandomised, so each run tries the same files.
"""

import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from actions.models import Plan, PlanType
from actions.spreadsheets import DAMAGED_CSV, DAMAGED_XLSX, NUL_IN_CSV, plan_import
from tests.spreadsheets.conftest import HEADER, csv_bytes, table_counts, xlsx_bytes
from tests.spreadsheets.plan_file import DETAILS, valid_rows
from tests.spreadsheets.test_commands import manage

pytestmark = pytest.mark.django_db

# Enough to reach each way of failing in well under a minute; FUZZ_EXAMPLES=1000 for a
# deeper run by hand.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings",
)
_INLINE = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', re.S
)


# --- Files ------------------------------------------------------------------------------------


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def valid_xlsx() -> bytes:
    return xlsx_bytes([*DETAILS, HEADER, *valid_rows(dates_as_cells=True)])


def valid_csv() -> bytes:
    return csv_bytes([*DETAILS, HEADER, *valid_rows()])


def with_shared_strings(data: bytes, *, only: str | None = None) -> dict[str, bytes]:
    """The workbook's parts with its text in a shared-string table, as Excel saves it.

    openpyxl writes each text in its cell; ``only`` moves just that cell's text.
    """
    parts = unzip(data)
    strings: list[bytes] = []

    def shared(match: re.Match[bytes]) -> bytes:
        if only is not None and match.group(1).decode() != only:
            return match.group(0)
        strings.append(match.group(3))
        style = match.group(2) or b""
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), style, len(strings) - 1)

    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = _INLINE.sub(shared, parts[sheet])
    items = b"".join(b"<si><t xml:space='preserve'>%s</t></si>" % text for text in strings)
    parts["xl/sharedStrings.xml"] = b'<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>' % (
        MAIN.encode(),
        len(strings),
        len(strings),
        items,
    )
    content_type, relationship = SHARED_STRINGS
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="%s"/></Types>'
        % content_type.encode(),
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdStrings" Type="%s" Target="sharedStrings.xml"/></Relationships>'
        % relationship.encode(),
    )
    return parts


def missing_shared_string() -> bytes:
    """The report's workbook: cell A1 names shared string 7; the table has one string."""
    parts = with_shared_strings(valid_xlsx(), only="A1")
    sheet = "xl/worksheets/sheet1.xml"
    assert parts[sheet].count(b"<v>0</v>") == 1
    parts[sheet] = parts[sheet].replace(
        b'<c r="A1" t="s"><v>0</v></c>', b'<c r="A1" t="s"><v>7</v></c>'
    )
    assert b'<c r="A1" t="s"><v>7</v></c>' in parts[sheet]
    assert parts["xl/sharedStrings.xml"].count(b"<si>") == 1
    return rezip(parts)


# The files the fuzz tests damage. A note above the table (ignored) puts the CSV's table past
# the first 4 KB, where the import stops looking for signs of a binary file.
INLINE_PARTS = unzip(valid_xlsx())
SHARED_PARTS = with_shared_strings(valid_xlsx())
NOTE = "Version 3, agreed by the SEND Executive. " * 100
VALID_CSV = csv_bytes([[NOTE], *DETAILS, HEADER, *valid_rows()])


# --- The import -------------------------------------------------------------------------------


@pytest.fixture
def importer(people: dict[str, User], wsoa: PlanType) -> User:
    return people["admin"]


def import_changes_nothing_unless_valid(data: bytes, *, by: User, filename: str) -> list[str]:
    """Import ``data``; any problem must leave every table as it was. Undone afterwards."""
    before = table_counts()
    with transaction.atomic():
        result = plan_import(data=data, by=by, filename=filename)
        if result.problems:
            assert table_counts() == before
        transaction.set_rollback(True)
    return [str(problem) for problem in result.problems]


def test_the_starting_files_import_and_their_shared_string_form_too(importer: User) -> None:
    for data, name in (
        (rezip(INLINE_PARTS), "plan.xlsx"),
        (rezip(SHARED_PARTS), "plan.xlsx"),
        (valid_csv(), "plan.csv"),
        (VALID_CSV, "plan.csv"),
    ):
        assert import_changes_nothing_unless_valid(data, by=importer, filename=name) == []


def test_a_cell_naming_a_shared_string_that_is_not_there_is_one_clear_problem(
    importer: User,
) -> None:
    before = table_counts()

    result = plan_import(data=missing_shared_string(), by=importer, filename="plan.xlsx")

    assert [str(p) for p in result.problems] == [DAMAGED_XLSX]
    assert DAMAGED_XLSX.startswith("This file could not be read as a spreadsheet: ")
    assert table_counts() == before


def test_a_csv_with_a_nul_character_past_its_start_is_one_clear_problem(
    importer: User,
) -> None:
    rows = valid_rows()
    rows[0][HEADER.index("title")] = "Recruit\x00 four EHC coordinators"
    data = csv_bytes([[NOTE], *DETAILS, HEADER, *rows])
    assert data.index(b"\x00") > 4096
    before = table_counts()

    result = plan_import(data=data, by=importer, filename="plan.csv")

    assert [str(p) for p in result.problems] == [NUL_IN_CSV]
    assert table_counts() == before


def test_a_csv_cell_that_never_ends_is_one_clear_problem(importer: User) -> None:
    data = valid_csv() + b'1,"an outcome whose closing quote is missing' + b" and so on" * 20_000

    result = plan_import(data=data, by=importer, filename="plan.csv")

    assert [str(p) for p in result.problems] == [DAMAGED_CSV]


# --- The command and the admin ------------------------------------------------------------------


@pytest.fixture
def keep_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # The command closes the database connections when it ends, as it would in the shell.
    monkeypatch.setattr(connections, "close_all", lambda: None)


def test_import_plan_refuses_the_workbook_in_one_line_and_creates_no_plan(
    tmp_path: Path,
    importer: User,
    keep_the_test_connection: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "westvale.xlsx"
    path.write_bytes(missing_shared_string())
    before = table_counts()

    code, out, err = manage("import_plan", str(path), capsys=capsys)

    assert (code, out) == (1, "")
    assert err == f"CommandError: westvale.xlsx: {DAMAGED_XLSX} Nothing was imported.\n"
    assert table_counts() == before
    assert not Plan.objects.exists()


@pytest.mark.parametrize("mode", ["check", "import"])
def test_the_admin_upload_shows_the_problem_on_its_page_and_saves_nothing(
    mode: str, admin_client: Client, importer: User
) -> None:
    before = table_counts()

    response = admin_client.post(
        "/admin/actions/plan/import/",
        {"file": SimpleUploadedFile("westvale.xlsx", missing_shared_string()), "mode": mode},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "westvale.xlsx: 1 problem found; nothing was imported." in html
    assert "This file could not be read as a spreadsheet: it is damaged or incomplete" in html
    assert table_counts() == before


# --- Fuzzing ------------------------------------------------------------------------------------


# Fragments a faulty tool or a hand edit leaves in the XML.
XML_DEBRIS = [
    b"<",
    b">",
    b"</c>",
    b"<c>",
    b'"',
    b"&",
    b"&amp;",
    b"<v>",
    b"<v>99</v>",
    b' t="s"',
    b' t="e"',
    b' t="b"',
    b' r="XFE1048577"',
    b' s="999"',
    b"\xff\xfe",
    b"\x00",
    b"<!DOCTYPE x [<!ENTITY e 'e'>]>",
    b"<row r='0'>",
    b"<si><r><t>",
]


READ_PARTS = {
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/_rels/workbook.xml.rels",
    "xl/workbook.xml",
    "xl/styles.xml",
    "xl/sharedStrings.xml",
    "xl/worksheets/sheet1.xml",
}


def damaged_xml(data: st.DataObject, parts: dict[str, bytes]) -> bytes:
    # The parts the reader uses; openpyxl ignores most of the document properties and theme.
    name = data.draw(st.sampled_from(sorted(set(parts) & READ_PARTS)), label="part")
    content = parts[name]
    start = data.draw(st.integers(0, len(content)), label="at")
    end = data.draw(st.integers(start, min(len(content), start + 40)), label="to")
    debris = data.draw(st.sampled_from(XML_DEBRIS) | st.binary(max_size=6), label="with")
    return rezip({**parts, name: content[:start] + debris + content[end:]})


@FUZZ
@given(data=st.data())
def test_a_workbook_with_damaged_xml_is_refused_or_imported_never_a_crash(
    importer: User, data: st.DataObject
) -> None:
    parts = data.draw(st.sampled_from([INLINE_PARTS, SHARED_PARTS]), label="workbook")
    file = damaged_xml(data, parts)

    import_changes_nothing_unless_valid(file, by=importer, filename="plan.xlsx")


@FUZZ
@given(
    changes=st.dictionaries(
        st.integers(0, 200),
        st.integers(-3, 2**40).map(lambda n: str(n).encode())
        | st.sampled_from([b"", b"x", b"1.5", b"1e3", b"-0", b" 1"]),
        min_size=1,
        max_size=4,
    )
)
def test_shared_string_numbers_that_point_nowhere_are_refused_never_a_crash(
    importer: User, changes: dict[int, bytes]
) -> None:
    parts = dict(SHARED_PARTS)
    sheet = "xl/worksheets/sheet1.xml"
    cells = re.findall(rb'<c r="[A-Z]+[0-9]+"[^>]* t="s"><v>[0-9]+</v></c>', parts[sheet])
    for index, value in changes.items():
        cell = cells[index % len(cells)]
        parts[sheet] = parts[sheet].replace(
            cell, re.sub(rb"<v>.*</v>", b"<v>" + value + b"</v>", cell)
        )

    import_changes_nothing_unless_valid(rezip(parts), by=importer, filename="plan.xlsx")


@FUZZ
@given(data=st.data())
def test_a_workbook_cut_short_or_with_flipped_bytes_is_refused_never_a_crash(
    importer: User, data: st.DataObject
) -> None:
    file = bytearray(
        rezip(data.draw(st.sampled_from([INLINE_PARTS, SHARED_PARTS]), label="workbook"))
    )
    if data.draw(st.booleans(), label="cut short"):
        # The first four bytes say "zip": the file is still taken for a workbook.
        file = file[: data.draw(st.integers(5, len(file) - 1), label="length")]
    flips = data.draw(
        st.lists(st.tuples(st.integers(4, len(file) - 1), st.integers(1, 255)), max_size=6),
        label="flips",
    )
    for at, mask in flips:
        file[at] ^= mask

    import_changes_nothing_unless_valid(bytes(file), by=importer, filename="plan.xlsx")


@FUZZ
@given(data=st.data())
def test_mangled_csv_text_is_refused_or_imported_never_a_crash(
    importer: User, data: st.DataObject
) -> None:
    text = VALID_CSV
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        start = data.draw(st.integers(len(NOTE), len(text)), label="at")
        end = data.draw(st.integers(start, min(len(text), start + 30)), label="to")
        debris = data.draw(
            st.sampled_from([b'"', b",", b"\r", b"\n", b"\x00", b"'=", b"\xef\xbb\xbf", b"\x81"])
            | st.text(max_size=8).map(lambda t: t.encode("utf-8"))
            | st.binary(max_size=4),
            label="with",
        )
        text = text[:start] + debris + text[end:]

    import_changes_nothing_unless_valid(text, by=importer, filename="plan.csv")


def test_the_fuzzed_files_start_from_a_workbook_with_shared_strings() -> None:
    assert b"inlineStr" not in SHARED_PARTS["xl/worksheets/sheet1.xml"]
    assert SHARED_PARTS["xl/sharedStrings.xml"].count(b"<si>") > 50
