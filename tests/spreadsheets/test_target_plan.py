"""Which plan an import fills: a new plan from the details the file gives, or an empty plan
chosen for it; never a plan that already has recommendations."""

import pytest

from accounts.models import User
from actions.models import Plan, PlanType
from actions.spreadsheets import plan_import
from tests.factories import PlanFactory, RecommendationFactory
from tests.spreadsheets.conftest import HEADER, csv_bytes
from tests.spreadsheets.plan_file import problems, valid_file, valid_rows

pytestmark = pytest.mark.django_db


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
