"""``manage.py import_plan FILE [--plan SLUG] [--dry-run]`` and ``export_plan SLUG``: the
problems one a line, then ONE line saying what happened; exit code 0 when the file is valid,
1 when it is not (nothing written)."""

from pathlib import Path

import pytest
from django.core.management import ManagementUtility
from django.db import connections

from accounts.models import User
from actions.models import Action, Plan, PlanType
from tests.spreadsheets.conftest import HEADER, csv_bytes, row, table_counts
from tests.spreadsheets.plan_file import DETAILS, valid_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # A command run from the shell closes the database connections when it ends; here that
    # would close the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)


def manage(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run a command as the shell does: its exit code, standard output and error."""
    code = 0
    try:
        ManagementUtility(["manage.py", *args]).execute()
    except SystemExit as exit:
        code = int(exit.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def valid(tmp_path: Path) -> Path:
    path = tmp_path / "westvale.csv"
    path.write_bytes(csv_bytes([*DETAILS, HEADER, *valid_rows()]))
    return path


def test_a_dry_run_says_the_file_is_ready_and_writes_nothing(
    valid: Path, people: dict[str, User], wsoa: PlanType, capsys: pytest.CaptureFixture[str]
) -> None:
    before = table_counts()

    code, out, err = manage("import_plan", str(valid), "--dry-run", capsys=capsys)

    assert (code, err) == (0, "")
    assert out == (
        "westvale.csv is ready to import: it would add 2 recommendations, 2 outcomes, 3 "
        'actions and 2 milestones to the new plan "westvale-wsoa".\n'
    )
    assert table_counts() == before


def test_an_import_records_who_imported_it(
    valid: Path, people: dict[str, User], wsoa: PlanType, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = manage(
        "import_plan", str(valid), "--by", "LEAD@westvale.gov.uk", capsys=capsys
    )

    assert (code, err) == (0, "")
    assert out.startswith("westvale.csv imported: 2 recommendations")
    plan = Plan.objects.get(slug="westvale-wsoa")
    assert plan.history.get().history_user == people["lead"]  # type: ignore[attr-defined]
    assert Action.objects.filter(plan=plan).count() == 3


def test_without_by_the_first_superuser_is_recorded(
    valid: Path, people: dict[str, User], wsoa: PlanType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert manage("import_plan", str(valid), capsys=capsys)[0] == 0

    plan = Plan.objects.get(slug="westvale-wsoa")
    assert plan.history.get().history_user == people["admin"]  # type: ignore[attr-defined]


def test_an_invalid_file_lists_its_problems_and_exits_1_with_one_line(
    tmp_path: Path, people: dict[str, User], wsoa: PlanType, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [*DETAILS, HEADER, *valid_rows()]
    lines.append(row(recommendation="2", action_reference="2.1", title="Again", due="1/1/2027"))
    path = tmp_path / "westvale.csv"
    path.write_bytes(csv_bytes(lines))
    before = table_counts()

    code, out, err = manage("import_plan", str(path), capsys=capsys)

    assert code == 1
    assert out.splitlines() == [
        "Row 14, action reference: 2.1 is already used on row 13: each action has its own "
        "reference.",
        "Row 14, owner email: missing: every action needs an owner.",
    ]
    assert err == (
        "CommandError: westvale.csv: 2 problems found; nothing was imported. Correct the file "
        "and try again.\n"
    )
    assert table_counts() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.xlsx"], "CommandError: missing.xlsx is not a file.\n"),
        (
            ["{valid}", "--by", "nobody@example.gov.uk"],
            "CommandError: --by nobody@example.gov.uk: no active person has that email.\n",
        ),
    ],
)
def test_a_command_that_cannot_start_says_why_in_one_line(
    args: list[str],
    message: str,
    valid: Path,
    people: dict[str, User],
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [arg.format(valid=valid) for arg in args]
    code, out, err = manage("import_plan", *args, capsys=capsys)

    assert (code, out, err) == (1, "", message)


def test_export_writes_the_format_the_file_name_asks_for(
    tmp_path: Path, people: dict[str, User], wsoa: PlanType, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "westvale.csv"
    source.write_bytes(csv_bytes([*DETAILS, HEADER, *valid_rows()]))
    assert manage("import_plan", str(source), capsys=capsys)[0] == 0
    target = tmp_path / "out.csv"

    code, out, err = manage("export_plan", "westvale-wsoa", "-o", str(target), capsys=capsys)

    assert (code, err) == (0, "")
    assert out == f'Plan "westvale-wsoa" written to {target} (CSV).\n'
    text = target.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[7] == ",".join(HEADER)
    assert "1.2,Clear the backlog of assessments,owner@westvale.gov.uk,,31/01/2027" in text

    xlsx = tmp_path / "out.xlsx"
    assert manage("export_plan", "westvale-wsoa", "-o", str(xlsx), capsys=capsys)[0] == 0
    assert xlsx.read_bytes().startswith(b"PK\x03\x04")
    assert manage("export_plan", "no-such-plan", "-o", str(xlsx), capsys=capsys) == (
        1,
        "",
        'CommandError: There is no plan "no-such-plan".\n',
    )
