"""Importing a plan from a spreadsheet: exactly what the file says, or nothing at all."""

import datetime as dt
from typing import Any

import pytest

from accounts.models import User
from actions.models import Action, ActionStatus, Milestone, Plan, PlanStatus, PlanType, Rag
from actions.spreadsheets import MAX_BYTES, MAX_ROWS, Problem, parse_date, plan_import
from tests.factories import PlanFactory, RecommendationFactory
from tests.spreadsheets.conftest import HEADER, csv_bytes, row, table_counts, xlsx_bytes

pytestmark = pytest.mark.django_db

DETAILS = [
    ["plan title", "Westvale SEND Written Statement of Action"],
    ["plan slug", "westvale-wsoa"],
    ["Plan type:", "written statement of action (wsoa)"],
    ["local area", "Westvale"],
    ["plan start", "01/04/2026"],
    ["plan end", "2028-03-31"],
    [],
]


def valid_rows(*, dates_as_cells: bool = False) -> list[list[Any]]:
    """Rows 9 to 13 of a valid file (rows 1 to 7 are the plan details, 8 the header)."""

    def date(text: str) -> Any:
        if not dates_as_cells:
            return text
        day, month, year = (int(part) for part in text.split("/"))
        return dt.date(year, month, day)

    return [
        row(
            recommendation="1 Improve the timeliness of EHC plans",
            outcome="Plans are issued within 20 weeks",
            action_reference="1.1",
            title="Recruit four EHC coordinators",
            owner_email="Owner@Westvale.gov.uk",
            start=date("01/05/2026"),
            due=date("30/09/2026"),
            status="Completed",
            milestone="Coordinators in post",
            completed_on=date("15/09/2026"),
            milestone_due=date("31/10/2026"),
            milestone_achieved=date("20/09/2026"),
            lead_email="lead@westvale.gov.uk",
        ),
        row(
            recommendation="1",
            outcome="Plans are issued within 20 weeks",
            action_reference="1.2",
            title="Clear the backlog of assessments",
            owner_email="owner@westvale.gov.uk",
            due=date("31/01/2027"),
            status="in progress",
            rag="amber",
            milestone="Coordinators in post\nBacklog cleared",
            supporting_owners="helper@westvale.gov.uk; lead@westvale.gov.uk",
        ),
        row(recommendation="1", milestone="Backlog cleared", milestone_due="2027-03-31"),
        row(recommendation="1", outcome="Families say their plan describes their child"),
        row(
            recommendation="Recommendation 2: Strengthen inclusion in mainstream schools",
            action_reference=2.1 if dates_as_cells else "2.1",
            title="Launch a graduated approach toolkit",
            owner_email="helper@westvale.gov.uk",
            start="2026-06-01",
            due=date("18/12/2026"),
            status="not_started",
            rag="G",
            lead_email="lead2@westvale.gov.uk",
        ),
    ]


def valid_file(file_format: str) -> bytes:
    lines = [*DETAILS, HEADER, *valid_rows(dates_as_cells=file_format == "xlsx")]
    return xlsx_bytes(lines) if file_format == "xlsx" else csv_bytes(lines)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_valid_file_imports_exactly_what_it_says(
    file_format: str, people: dict[str, User], wsoa: PlanType
) -> None:
    result = plan_import(
        data=valid_file(file_format), by=people["admin"], filename=f"westvale.{file_format}"
    )

    assert result.problems == []
    assert result.summary() == (
        f"westvale.{file_format} imported: 2 recommendations, 2 outcomes, 3 actions and "
        '2 milestones added to the new plan "westvale-wsoa".'
    )
    plan = Plan.objects.get(slug="westvale-wsoa")
    assert (plan.title, plan.plan_type, plan.local_area) == (
        "Westvale SEND Written Statement of Action",
        wsoa,
        "Westvale",
    )
    assert (plan.start_date, plan.end_date) == (dt.date(2026, 4, 1), dt.date(2028, 3, 31))
    # A new plan waits for its board and for publishing, chosen in the admin.
    assert (plan.status, plan.published, plan.board) == (PlanStatus.DRAFT, False, None)

    one, two = plan.recommendations.order_by("number")
    assert (one.number, one.title, one.lead) == (
        1,
        "Improve the timeliness of EHC plans",
        people["lead"],
    )
    assert (two.number, two.title, two.lead) == (
        2,
        "Strengthen inclusion in mainstream schools",
        people["lead2"],
    )
    assert list(one.outcomes.values_list("number", "title")) == [
        (1, "Plans are issued within 20 weeks"),
        (2, "Families say their plan describes their child"),
    ]
    assert not two.outcomes.exists()

    actions = {a.reference: a for a in Action.objects.filter(plan=plan)}
    assert set(actions) == {"1.1", "1.2", "2.1"}
    first, second, third = actions["1.1"], actions["1.2"], actions["2.1"]
    assert (first.recommendation, first.outcome.title if first.outcome else None) == (
        one,
        "Plans are issued within 20 weeks",
    )
    assert (first.title, first.owner, list(first.supporting_owners.all())) == (
        "Recruit four EHC coordinators",
        people["owner"],
        [],
    )
    assert (first.start_date, first.due_date) == (dt.date(2026, 5, 1), dt.date(2026, 9, 30))
    assert (first.status, first.rag, first.completed_on) == (
        ActionStatus.COMPLETED,
        Rag.BLUE,  # a blank RAG on a completed action
        dt.date(2026, 9, 15),
    )
    assert (second.start_date, second.due_date) == (None, dt.date(2027, 1, 31))
    assert (second.status, second.rag, second.completed_on) == (
        ActionStatus.IN_PROGRESS,
        Rag.AMBER,
        None,
    )
    assert set(second.supporting_owners.all()) == {people["helper"], people["lead"]}
    assert (third.recommendation, third.outcome, third.owner) == (two, None, people["helper"])
    assert (third.start_date, third.due_date) == (dt.date(2026, 6, 1), dt.date(2026, 12, 18))
    assert (third.status, third.rag) == (ActionStatus.NOT_STARTED, Rag.GREEN)

    in_post = Milestone.objects.get(title="Coordinators in post")
    backlog = Milestone.objects.get(title="Backlog cleared")
    assert (in_post.recommendation, in_post.due_date, in_post.achieved_on) == (
        one,
        dt.date(2026, 10, 31),
        dt.date(2026, 9, 20),
    )
    assert set(in_post.actions.all()) == {first, second}
    assert (backlog.due_date, backlog.achieved_on) == (dt.date(2027, 3, 31), None)
    assert list(backlog.actions.all()) == [second]

    # The audit history says who imported each row, and from which file.
    for instance in (plan, one, two, first, second, third, in_post, backlog):
        record = instance.history.earliest("history_date")  # type: ignore[attr-defined]
        assert record.history_type == "+"
        assert record.history_user == people["admin"]
        assert record.history_change_reason == f"Imported from westvale.{file_format}"
    # ... and who supported the action when it was created.
    created = second.history.earliest("history_date")  # type: ignore[attr-defined]
    assert {link.user for link in created.supporting_owners.all()} == {
        people["helper"],
        people["lead"],
    }


def test_a_dry_run_reports_what_it_would_add_and_writes_nothing(
    people: dict[str, User], wsoa: PlanType
) -> None:
    before = table_counts()

    result = plan_import(
        data=valid_file("csv"), by=people["admin"], filename="westvale.csv", dry_run=True
    )

    assert result.ok and result.plan is None
    assert result.summary() == (
        "westvale.csv is ready to import: it would add 2 recommendations, 2 outcomes, "
        '3 actions and 2 milestones to the new plan "westvale-wsoa".'
    )
    assert table_counts() == before


BAD_ROWS = [
    HEADER,
    row(
        recommendation="1 Improve EHC plans",
        action_reference="1.1",
        title="Recruit",
        owner_email="owner@westvale.gov.uk",
        start="01/03/2026",
        due="31/02/2026",
        lead_email="lead@westvale.gov.uk",
    ),
    row(
        recommendation="1",
        action_reference="1.1",
        title="Backlog",
        owner_email="nobody@westvale.gov.uk",
        due="12/31/2026",
        status="Done",
        rag="purple",
    ),
    row(
        recommendation="1",
        action_reference="1.3",
        owner_email="owner@westvale.gov.uk",
        start="10/10/2026",
        due="01/10/2026",
        status="Not started",
        rag="Blue",
    ),
    row(
        action_reference="1.4", title="Orphan", owner_email="owner@westvale.gov.uk", due="1/1/2027"
    ),
    row(
        recommendation="1",
        action_reference="1.5",
        title="Done by someone who left",
        owner_email="left@westvale.gov.uk",
        due="31/12/2026",
        status="completed",
    ),
    row(recommendation="3", title="A title but no reference", milestone="Launch"),
]

BAD_PROBLEMS = [
    "Row 2, due: 31/02/2026 is not a date: write it as DD/MM/YYYY (for example 31/03/2027) "
    "or use a date cell.",
    "Row 3, action reference: 1.1 is already used on row 2: each action has its own reference.",
    "Row 3, due: 12/31/2026 looks like a US date (month first): write it as DD/MM/YYYY (for "
    "example 31/03/2027) or use a date cell (31/12/2026).",
    'Row 3, status: "Done" is not a status (use one of: Not started, In progress, Completed, '
    "Blocked, Cancelled).",
    'Row 3, RAG: "purple" is not a RAG (use one of: Red (off track), Amber (at risk), Green '
    "(on track), Blue (complete)).",
    "Row 3, owner email: nobody@westvale.gov.uk is not the email of anyone in the service (add "
    "them in the admin first).",
    "Row 4, title: missing: every action needs a title.",
    "Row 4, due: 01/10/2026 is before the start, 10/10/2026: the due date cannot be before the "
    "start date.",
    "Row 4, RAG: blue (complete) is the rating of completed actions only.",
    "Row 5, recommendation: missing: give its number and title, e.g. 1 Title.",
    "Row 6, completed on: missing: a completed action needs its completion date.",
    "Row 6, owner email: left@westvale.gov.uk belongs to an account that is closed (not active).",
    "Row 7, action reference: missing: this row has a title, so it is an action and needs its "
    "reference (a row without one only names a recommendation, an outcome or a milestone).",
    'Row 7, recommendation: recommendation 3 has no title on any row: write "3 Title" on one '
    "of its rows.",
    "Row 7, lead email: missing: recommendation 3 needs its accountable lead's email on one of "
    "its rows.",
    'Row 7, milestone due: missing: the milestone "Launch" needs a due date on one of its rows.',
]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_bad_file_gets_every_problem_by_row_and_column_and_writes_nothing(
    file_format: str, people: dict[str, User]
) -> None:
    plan = PlanFactory.create(slug="empty-plan")
    data = csv_bytes(BAD_ROWS) if file_format == "csv" else xlsx_bytes(BAD_ROWS)
    before = table_counts()

    result = plan_import(data=data, by=people["admin"], filename="bad", plan_slug=plan.slug)

    assert sorted(map(str, result.problems)) == sorted(BAD_PROBLEMS)
    assert result.summary() == (
        "bad: 16 problems found; nothing was imported. Correct the file and try again."
    )
    assert table_counts() == before


def problems(data: bytes, *, by: User, filename: str = "plan.csv", **kwargs: Any) -> list[str]:
    before = table_counts()
    result = plan_import(data=data, by=by, filename=filename, **kwargs)
    assert table_counts() == before
    return [str(problem) for problem in result.problems]


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


def test_a_plan_with_recommendations_is_never_changed_by_an_import(
    people: dict[str, User], wsoa: PlanType
) -> None:
    plan = PlanFactory.create(slug="westvale-wsoa", plan_type=wsoa)
    RecommendationFactory.create(plan=plan, number=1)

    assert problems(valid_file("csv"), by=people["admin"]) == [
        'The plan "westvale-wsoa" already has 1 recommendation: a spreadsheet fills a new or '
        "empty plan only, so that nothing recorded in the service is overwritten. Change an "
        "existing plan in the admin or the API, or import into a new plan."
    ]


def test_an_empty_plan_is_filled_and_keeps_its_own_details(
    people: dict[str, User], wsoa: PlanType
) -> None:
    plan = PlanFactory.create(slug="chosen", title="Chosen in the admin", plan_type=wsoa)

    result = plan_import(data=valid_file("xlsx"), by=people["admin"], plan_slug="chosen")

    assert result.ok and result.plan == plan and not result.plan_created
    plan.refresh_from_db()
    assert plan.title == "Chosen in the admin"
    assert plan.recommendations.count() == 2
    assert not Plan.objects.filter(slug="westvale-wsoa").exists()


def test_a_new_plan_needs_its_details_and_a_known_plan_type(people: dict[str, User]) -> None:
    known = ", ".join(PlanType.objects.order_by("name").values_list("name", flat=True))
    details = [
        ["plan slug", "new-plan"],
        ["plan type", "Recovery plan"],
        ["plan end", "31/03/2026"],
        ["plan start", "01/04/2026"],
        [],
    ]
    lines = [*details, HEADER, *valid_rows()]

    assert problems(csv_bytes(lines), by=people["admin"]) == [
        'There is no plan "new-plan" yet, so the file must give its "local area" (in a row '
        "above the table: the label in the first cell, the value in the second).",
        'There is no plan "new-plan" yet, so the file must give its "plan title" (in a row '
        "above the table: the label in the first cell, the value in the second).",
        f'Row 2, plan type: "Recovery plan" is not a plan type (known: {known}); add it in '
        "the admin first.",
        "Row 3, plan end: the plan cannot end before it starts.",
    ]


def test_without_a_plan_slug_the_file_says_how_to_name_the_plan(people: dict[str, User]) -> None:
    assert problems(csv_bytes([HEADER, *valid_rows()]), by=people["admin"]) == [
        'Say which plan the file is for: add a "plan slug" row above the table, or choose '
        "the plan (--plan SLUG on the command line)."
    ]


def test_milestone_dates_and_titles_must_agree_across_rows(
    people: dict[str, User], wsoa: PlanType
) -> None:
    lines = [*DETAILS, HEADER, *valid_rows()]
    lines[10][HEADER.index("recommendation")] = "1 Another title"
    lines.append(row(recommendation="1", milestone="Backlog cleared", milestone_due="1/4/2027"))
    lines[9][HEADER.index("milestone due")] = "01/04/2027"  # a cell naming two milestones

    assert problems(csv_bytes(lines), by=people["admin"]) == [
        "Row 10, milestone due: a milestone's dates go on a row that names exactly one "
        "milestone (this row names 2).",
        'Row 11, recommendation: recommendation 1 is called "Improve the timeliness of EHC '
        'plans" on row 9: one number, one title.',
        'Row 14, milestone due: 01/04/2027 differs from 31/03/2027, given for "Backlog '
        'cleared" on an earlier row.',
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("31/03/2027", dt.date(2027, 3, 31)),
        ("1/4/2027", dt.date(2027, 4, 1)),
        ("03/04/2027", dt.date(2027, 4, 3)),  # UK: 3 April, never 4 March
        ("2027-04-03", dt.date(2027, 4, 3)),
        ("2027-04-03 00:00:00", dt.date(2027, 4, 3)),
        (dt.datetime(2027, 4, 3, 0, 0), dt.date(2027, 4, 3)),
        (dt.date(2027, 4, 3), dt.date(2027, 4, 3)),
    ],
)
def test_dates_are_uk_or_iso_or_date_cells(cell: Any, expected: dt.date) -> None:
    assert parse_date(cell) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("04/31/2027", "04/31/2027 looks like a US date (month first)"),
        ("31/02/2027", "31/02/2027 is not a date"),
        ("31/03/27", "31/03/27 is not a date"),
        ("next Tuesday", "next Tuesday is not a date"),
        (46000, "46000 is a number, not a date"),
        ("01/01/1900", "01/01/1900 is not a plausible date for a plan: check the year"),
    ],
)
def test_a_date_that_is_not_one_says_why(cell: Any, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_date(cell)


def test_problems_read_as_row_and_column() -> None:
    assert str(Problem(7, "due", "31/02/2026 is not a date.")) == (
        "Row 7, due: 31/02/2026 is not a date."
    )
    assert str(Problem(8, "", "missing columns: due.")) == "Row 8: missing columns: due."
    assert str(Problem(0, "", "The file is empty.")) == "The file is empty."


def test_statuses_and_ratings_by_name_code_or_letter(
    people: dict[str, User], wsoa: PlanType
) -> None:
    lines = [*DETAILS, HEADER]
    spellings = [
        ("Not started", "Green (on track)", ActionStatus.NOT_STARTED, Rag.GREEN),
        ("IN_PROGRESS", "at risk", ActionStatus.IN_PROGRESS, Rag.AMBER),
        ("blocked", "R", ActionStatus.BLOCKED, Rag.RED),
        ("Cancelled", "", ActionStatus.CANCELLED, Rag.GREEN),
        ("COMPLETED", "b", ActionStatus.COMPLETED, Rag.BLUE),
    ]
    for n, (status, rag, _, _) in enumerate(spellings, start=1):
        lines.append(
            row(
                recommendation="1 Title",
                lead_email="lead@westvale.gov.uk",
                action_reference=f"1.{n}",
                title=f"Action {n}",
                owner_email="owner@westvale.gov.uk",
                due="01/11/2026",
                status=status,
                rag=rag,
                completed_on="01/11/2026" if status == "COMPLETED" else "",
            )
        )

    assert plan_import(data=csv_bytes(lines), by=people["admin"]).problems == []

    for n, (_, _, status, rag) in enumerate(spellings, start=1):
        action = Action.objects.get(reference=f"1.{n}")
        assert (action.status, action.rag) == (status, rag)


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
