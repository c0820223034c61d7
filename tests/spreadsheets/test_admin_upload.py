"""The admin's "Import a spreadsheet" page: staff only, CSRF-protected, an accessible form;
"Check only" lists every problem by row and column and saves nothing; "Import" saves."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from actions.models import Plan, PlanType
from tests.factories import PlanFactory, RecommendationFactory
from tests.spreadsheets.conftest import HEADER, csv_bytes, row, table_counts, xlsx_bytes
from tests.spreadsheets.plan_file import DETAILS, valid_rows

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/actions/plan/import/"


@pytest.fixture
def staff(people: dict[str, User]) -> Client:
    # A plan administrator as the demo has one: staff, not a superuser.
    administrator = User.objects.create_user(
        email="priya@westvale.gov.uk", name="Priya Shah", is_staff=True
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    return client


def post(client: Client, data: bytes, name: str, mode: str, plan: str = "") -> Any:
    page = client.get(IMPORT_URL)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert token, "the form has no CSRF token"
    return client.post(
        IMPORT_URL,
        {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "file": SimpleUploadedFile(name, data),
            "plan": plan,
            "mode": mode,
        },
    )


def test_the_plans_list_links_to_the_import_page(staff: Client) -> None:
    changelist = staff.get(reverse("admin:actions_plan_changelist"))

    assert changelist.status_code == 200
    assert f'href="{IMPORT_URL}"' in changelist.content.decode()
    assert reverse("admin:actions_plan_import") == IMPORT_URL


def test_the_form_is_labelled_and_says_what_each_button_does(staff: Client) -> None:
    html = staff.get(IMPORT_URL).content.decode()

    assert "<h1>Import a plan from a spreadsheet</h1>" in html
    assert '<label for="id_file">Spreadsheet (XLSX or CSV):</label>' in html
    assert '<label for="id_plan">Into plan:</label>' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'value="check" class="default">Check only (saves nothing)</button>' in html
    assert 'value="import">Import</button>' in html


def test_check_only_lists_every_problem_by_row_and_column_and_saves_nothing(
    staff: Client, people: dict[str, User]
) -> None:
    plan = PlanFactory.create(slug="empty", title="An empty plan")
    bad = [
        HEADER,
        row(
            recommendation="1 Title",
            lead_email="lead@westvale.gov.uk",
            action_reference="1.1",
            title="Do it",
            owner_email="owner@westvale.gov.uk",
            due="31/02/2027",
        ),
        row(recommendation="1", action_reference="1.2", title="<b>Bold</b>", due="1/1/2027"),
    ]
    before = table_counts()

    response = post(staff, xlsx_bytes(bad), "bad.xlsx", "check", plan=str(plan.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "bad.xlsx: 2 problems found; nothing was imported." in html
    assert "<caption>Problems in bad.xlsx, in the order of the rows</caption>" in html
    assert '<th scope="col">Row</th><th scope="col">Column</th>' in html
    cells = re.findall(r"<tr><td>(.*?)</td>\s*<td>(.*?)</td><td>(.*?)</td></tr>", html)
    assert cells == [
        (
            "2",
            "due",
            "31/02/2027 is not a date: write it as DD/MM/YYYY (for example 31/03/2027) or use "
            "a date cell.",
        ),
        ("3", "owner email", "missing: every action needs an owner."),
    ]
    assert table_counts() == before


def test_a_valid_file_checked_says_what_it_would_add(
    staff: Client, people: dict[str, User], wsoa: PlanType
) -> None:
    before = table_counts()

    response = post(staff, csv_bytes([*DETAILS, HEADER, *valid_rows()]), "plan.csv", "check")

    html = response.content.decode()
    assert (
        "plan.csv is ready to import: it would add 2 recommendations, 2 outcomes, 3 actions "
        "and 2 milestones to the new plan &quot;westvale-wsoa&quot;."
    ) in html
    assert table_counts() == before


def test_import_creates_the_plan_and_opens_it(
    staff: Client, people: dict[str, User], wsoa: PlanType
) -> None:
    response = post(staff, csv_bytes([*DETAILS, HEADER, *valid_rows()]), "plan.csv", "import")

    plan = Plan.objects.get(slug="westvale-wsoa")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:actions_plan_change", args=[plan.pk])
    assert plan.recommendations.count() == 2 and plan.actions.count() == 3
    record = plan.history.get()  # type: ignore[attr-defined]
    assert record.history_user.email == "priya@westvale.gov.uk"
    assert record.history_change_reason == "Imported from plan.csv"
    page = staff.get(response["Location"])
    # (The admin capitalises its messages.)
    assert "Plan.csv imported: 2 recommendations" in page.content.decode()
    # Each imported action's history page says who imported it, and from which file.
    action = plan.actions.get(reference="1.2")
    history = staff.get(reverse("admin:actions_action_history", args=[action.pk]))
    assert history.status_code == 200
    assert "Imported from plan.csv" in history.content.decode()
    assert "priya@westvale.gov.uk" in history.content.decode()


def test_import_into_a_chosen_empty_plan_and_only_empty_plans_are_offered(
    staff: Client, people: dict[str, User], wsoa: PlanType
) -> None:
    empty = PlanFactory.create(slug="empty", title="An empty plan")
    full = PlanFactory.create(slug="full", title="A plan in use")
    RecommendationFactory.create(plan=full)
    html = staff.get(IMPORT_URL).content.decode()
    assert "An empty plan" in html and "A plan in use" not in html

    post(staff, csv_bytes([HEADER, *valid_rows()]), "plan.csv", "import", plan=str(empty.pk))

    assert empty.recommendations.count() == 2
    chosen = post(staff, csv_bytes([HEADER, *valid_rows()]), "p.csv", "import", plan=str(full.pk))
    assert "Select a valid choice" in chosen.content.decode()
    assert full.recommendations.count() == 1


def test_a_post_without_the_csrf_token_is_refused(
    staff: Client, people: dict[str, User], wsoa: PlanType
) -> None:
    data = csv_bytes([*DETAILS, HEADER, *valid_rows()])

    response = staff.post(
        IMPORT_URL, {"file": SimpleUploadedFile("plan.csv", data), "mode": "import"}
    )

    assert response.status_code == 403
    assert not Plan.objects.filter(slug="westvale-wsoa").exists()


def test_people_who_are_not_plan_administrators_cannot_open_it(
    people: dict[str, User],
) -> None:
    anonymous = Client()
    assert anonymous.get(IMPORT_URL).status_code == 302  # to the login page
    owner = Client()
    owner.force_login(people["owner"])
    response = owner.get(IMPORT_URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
