"""Export writes the import's format: a plan exported and imported again is the same plan;
the sample spreadsheet in samples/ imports into the demo database (as under ``make run``)."""

import io
import shlex
from contextlib import chdir
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from accounts.models import User
from actions.demo import PLAN_SLUG
from actions.models import Plan
from actions.spreadsheets import plan_export, plan_import, read_table
from samples import make_sample
from tests.factories import (
    ActionFactory,
    MilestoneFactory,
    OutcomeFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.spreadsheets.conftest import plan_snapshot

pytestmark = pytest.mark.django_db

SAMPLES = Path(make_sample.__file__).resolve().parent


@pytest.fixture
def demo() -> Plan:
    call_command("load_demo", stdout=io.StringIO())
    return Plan.objects.get(slug=PLAN_SLUG)


def administrator() -> User:
    return User.objects.get(email="admin@northshire.example")


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_the_demo_plan_exported_and_imported_again_is_the_same_plan(
    file_format: str, demo: Plan
) -> None:
    data = plan_export(plan=demo, file_format=file_format)

    result = plan_import(
        data=data, by=administrator(), filename=f"demo.{file_format}", plan_slug="copy"
    )

    assert result.problems == []
    copy = Plan.objects.get(slug="copy")
    assert plan_snapshot(copy) == plan_snapshot(demo)
    # The snapshot compares something: the demo's variety is all there.
    snapshot = plan_snapshot(demo)["recommendations"]
    assert [len(r["actions"]) for r in snapshot] == [6, 5, 7]
    assert sum(len(r["milestones"]) for r in snapshot) == 6
    assert (copy.title, copy.plan_type, copy.local_area, copy.start_date, copy.end_date) == (
        demo.title,
        demo.plan_type,
        demo.local_area,
        demo.start_date,
        demo.end_date,
    )
    # And the copy exports to the same rows.
    again = plan_export(plan=copy, file_format=file_format)
    assert read_table(again).rows == read_table(data).rows


def test_a_round_trip_keeps_what_only_the_extra_rows_can_carry(db: None) -> None:
    """Outcomes and milestones without actions, a recommendation with nothing yet, an action
    in two milestones, references that a spreadsheet would turn into numbers."""
    plan = PlanFactory.create(slug="edge")
    lead = UserFactory.create(email="lead@example.gov.uk")
    one = RecommendationFactory.create(plan=plan, number=1, title="One", lead=lead)
    RecommendationFactory.create(plan=plan, number=4, title="Nothing yet", lead=lead)
    OutcomeFactory.create(recommendation=one, number=1, title="First, with no actions")
    second = OutcomeFactory.create(recommendation=one, number=2, title="Second")
    a = ActionFactory.create(
        recommendation=one,
        outcome=second,
        reference="1.10",
        title='=HYPERLINK("https://example.com","Click")',
    )
    b = ActionFactory.create(
        recommendation=one, outcome=None, reference="1.1", title="-2 weeks: recover the slip"
    )
    both = MilestoneFactory.create(recommendation=one, title="Both")
    both.actions.set([a, b])
    MilestoneFactory.create(recommendation=one, title="Also 1.10").actions.set([a])
    MilestoneFactory.create(recommendation=one, title="On its own")

    for file_format in ("xlsx", "csv"):
        data = plan_export(plan=plan, file_format=file_format)
        if file_format == "csv":
            # Text a spreadsheet program would run as a formula is escaped, as Excel does.
            assert ",\"'=HYPERLINK(" in data.decode("utf-8-sig")
        else:
            sheet = load_workbook(io.BytesIO(data)).active
            assert sheet is not None
            assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)
        result = plan_import(data=data, by=lead, plan_slug=f"edge-{file_format}")
        assert result.problems == []
        assert plan_snapshot(Plan.objects.get(slug=f"edge-{file_format}")) == plan_snapshot(plan)


def test_the_sample_spreadsheet_imports_into_the_demo_database(demo: Plan) -> None:
    out = io.StringIO()

    call_command("import_plan", str(SAMPLES / "northshire-wsoa-sample.xlsx"), stdout=out)
    call_command(
        "import_plan",
        str(SAMPLES / "northshire-wsoa-sample.csv"),
        "--plan",
        "sample-from-csv",
        stdout=out,
    )

    assert out.getvalue().splitlines() == [
        "northshire-wsoa-sample.xlsx imported: 3 recommendations, 6 outcomes, 8 actions and 4 "
        'milestones added to the new plan "northshire-wsoa-sample".',
        "northshire-wsoa-sample.csv imported: 3 recommendations, 6 outcomes, 8 actions and 4 "
        'milestones added to the new plan "sample-from-csv".',
    ]
    from_xlsx = Plan.objects.get(slug="northshire-wsoa-sample")
    assert from_xlsx.title == "Northshire SEND Written Statement of Action: sample import"
    assert plan_snapshot(Plan.objects.get(slug="sample-from-csv")) == plan_snapshot(from_xlsx)
    # Its owners are the demo's people, who sign in and see their new actions.
    owners = set(from_xlsx.actions.values_list("owner__email", flat=True))
    assert "pfa.lead@northshire.example" in owners
    assert from_xlsx.actions.filter(owner__email="ehc.manager@northshire.example").count() == 0
    assert from_xlsx.actions.get(reference="1.1").supporting_owners.get().email == (
        "ehc.manager@northshire.example"
    )


def test_the_committed_samples_are_what_the_script_writes(tmp_path: Path) -> None:
    make_sample.write(tmp_path)

    for name in ("northshire-wsoa-sample.csv",):
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes()
    # An XLSX records when it was written, so compare what the cells hold.
    written, committed = (
        load_workbook(path / "northshire-wsoa-sample.xlsx").active for path in (tmp_path, SAMPLES)
    )
    assert written is not None and committed is not None
    assert list(written.values) == list(committed.values)


def test_the_readme_session_works_as_written_on_the_demo(demo: Plan, tmp_path: Path) -> None:
    readme = (SAMPLES.parent / "README.md").read_text()
    section = readme[readme.index("## Spreadsheets in and out") :]
    block = section[section.index("```sh\n") + 6 : section.index("```", section.index("```sh") + 5)]
    commands = [
        shlex.split(line.replace("var/", f"{tmp_path}/"))
        for line in block.splitlines()
        if line.startswith(".venv/bin/python manage.py ")
    ]
    assert [c[2] for c in commands] == ["import_plan", "import_plan", "export_plan"]
    out = io.StringIO()

    with chdir(SAMPLES.parent):
        for command in commands:
            call_command(*command[2:], stdout=out)

    assert Plan.objects.get(slug="northshire-wsoa-sample").actions.count() == 8
    assert (tmp_path / "northshire-wsoa.xlsx").read_bytes().startswith(b"PK")
