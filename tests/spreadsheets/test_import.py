"""Importing a plan from a spreadsheet: exactly what the file says, or nothing at all.

A valid file, CSV or XLSX, imports every recommendation, outcome, action and milestone it
gives, recorded in the audit history as imported by the person from that file; a dry run
reports what it would add and writes nothing; a bad file gets every problem by row and
column and writes nothing.
"""

import datetime as dt

import pytest

from accounts.models import User
from actions.models import Action, ActionStatus, Milestone, Plan, PlanStatus, PlanType, Rag
from actions.spreadsheets import plan_import
from tests.factories import PlanFactory
from tests.spreadsheets.conftest import HEADER, csv_bytes, row, table_counts, xlsx_bytes
from tests.spreadsheets.plan_file import valid_file

pytestmark = pytest.mark.django_db


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
