"""What an import checks of the file as a whole before its rows: the header row and its
columns, the kind of file, its size, its encoding, and a title or notes above the table."""

import pytest

from accounts.models import User
from actions.models import Action, PlanType
from actions.spreadsheets import MAX_BYTES, MAX_ROWS, plan_import
from tests.factories import PlanFactory, RecommendationFactory
from tests.spreadsheets.conftest import HEADER, csv_bytes, row
from tests.spreadsheets.plan_file import DETAILS, problems, valid_rows

pytestmark = pytest.mark.django_db


def test_wrong_headers_are_named_missing_and_unexpected(people: dict[str, User]) -> None:
    header = [name for name in HEADER if name not in ("due", "RAG")] + ["Notes", "Owner Email"]
    data = csv_bytes([*DETAILS, header, ["1 Title", "", "1.1"]])

    assert problems(data, by=people["admin"]) == [
        "Row 8: missing columns: due, RAG.",
        "Row 8: unexpected columns: Notes (the columns are recommendation, outcome, action "
        "reference, title, owner email, start, due, status, RAG, milestone, milestone due, "
        "milestone achieved, completed on, lead email, supporting owners; see "
        "docs/spreadsheets.md).",
        'Row 8, owner email: the column "Owner Email" appears twice.',
    ]


def test_the_optional_columns_may_be_left_out(people: dict[str, User], wsoa: PlanType) -> None:
    plan = PlanFactory.create(slug="empty-plan", plan_type=wsoa)
    RecommendationFactory  # noqa: B018 (imported for the non-empty test below)
    header = HEADER[:10]
    data = csv_bytes(
        [
            [name.upper() for name in header],
            ["1 Title", "", "1.1", "Do it", "owner@westvale.gov.uk", "", "31/12/2026"],
        ]
    )

    found = problems(data, by=people["admin"], plan_slug=plan.slug)

    # Without a "lead email" column, a new recommendation cannot have its lead.
    assert found == [
        "Row 2, lead email: missing: recommendation 1 needs its accountable lead's email on "
        "one of its rows."
    ]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "plan.csv", "The file is empty."),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00",
            "plan.png",
            "The file is not an XLSX or CSV spreadsheet.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "plan.xls",
            "The file is an old Excel 97-2003 workbook (.xls): save it as Excel Workbook "
            "(.xlsx) or CSV and try again.",
        ),
        (
            b"recommendation,outcome\n",
            "plan.xlsx",
            "The file is named .xlsx but is not an XLSX spreadsheet.",
        ),
        (
            b"PK\x03\x04 not really a zip",
            "plan.xlsx",
            "This file could not be read as a spreadsheet: it is damaged or incomplete; open it "
            "in your spreadsheet program and save it again as Excel Workbook (.xlsx) or CSV UTF-8.",
        ),
        (
            b"\n\n,,\n",
            "plan.csv",
            "The file has no header row: the first row of the table names the columns "
            "(recommendation, outcome, action reference, title, owner email, start, due, "
            "status, RAG, milestone).",
        ),
        (
            ",".join(HEADER).encode(),
            "plan.csv",
            "The file has a header row but no rows of actions below it.",
        ),
    ],
)
def test_a_file_that_is_not_a_plan_gets_one_clear_message(
    data: bytes, filename: str, message: str, people: dict[str, User]
) -> None:
    assert problems(data, by=people["admin"], filename=filename) == [message]


def test_an_opendocument_spreadsheet_is_refused_by_name(people: dict[str, User]) -> None:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")

    assert problems(out.getvalue(), by=people["admin"], filename="plan.ods") == [
        "The file is not an XLSX spreadsheet (perhaps an OpenDocument or Word file): save it "
        "from your spreadsheet program as Excel Workbook (.xlsx) or CSV."
    ]


def test_too_many_rows_or_bytes_are_refused_before_anything_is_checked(
    people: dict[str, User],
) -> None:
    many = [HEADER] + [
        row(recommendation="1", action_reference=str(n)) for n in range(MAX_ROWS + 1)
    ]
    assert problems(csv_bytes(many), by=people["admin"]) == [
        "The file has more than 5,000 rows below its header: a plan fits in fewer; split the file."
    ]
    huge = b"a" * (MAX_BYTES + 1)
    assert problems(huge, by=people["admin"]) == [
        "The file is too large (5.0 MB; at most 5 MB): a plan fits in 5,000 rows."
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_from_excel_in_any_of_its_encodings_keeps_its_accents(
    encoding: str, people: dict[str, User], wsoa: PlanType
) -> None:
    lines = [*DETAILS, HEADER, *valid_rows()]
    lines[9][3] = "Zo\u00eb\u2019s caf\u00e9: clear the backlog \u2013 \u00a32,000"
    result = plan_import(data=csv_bytes(lines, encoding=encoding), by=people["admin"])

    assert result.problems == []
    assert (
        Action.objects.get(reference="1.2").title
        == "Zo\u00eb\u2019s caf\u00e9: clear the backlog \u2013 \u00a32,000"
    )


def test_a_title_and_notes_above_the_table_are_not_read_as_its_header(
    people: dict[str, User], wsoa: PlanType
) -> None:
    lines = [
        ["Westvale local area SEND Written Statement of Action: action plan"],
        ["Version 3, agreed by the SEND Executive"],
        *DETAILS,
        ["Recommendation*", *HEADER[1:]],
        *valid_rows(),
    ]

    result = plan_import(data=csv_bytes(lines), by=people["admin"])

    assert result.problems == []
    assert result.actions == 3
