"""The demo plan as the public sees it: the page `make run` shows, and its downloads."""

import io

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from accounts.models import User
from actions.demo import PLAN_SLUG, demo_load
from actions.models import Recommendation
from tests.plan_pages.conftest import TODAY
from tests.plan_pages.html import read_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(clock: time_machine.Traveller) -> None:
    demo_load(today=TODAY)


def test_the_demo_plan_page_and_downloads_name_nobody(client: Client, demo: None) -> None:
    page = client.get(f"/plans/{PLAN_SLUG}/")
    csv_file = client.get(f"/plans/{PLAN_SLUG}.csv")
    xlsx_file = client.get(f"/plans/{PLAN_SLUG}.xlsx")
    assert page.status_code == csv_file.status_code == xlsx_file.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx_file.content)).active
    assert sheet is not None
    texts = {
        "page": page.content.decode().lower(),
        "csv": csv_file.content.decode().lower(),
        "xlsx": " ".join(
            str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None
        ).lower(),
    }
    people = list(User.objects.values_list("name", "email"))
    assert len(people) > 10
    for where, text in texts.items():
        for name, email in people:
            assert name.lower() not in text, (where, name)
            assert email.lower() not in text, (where, email)
        assert "@" not in text, where


def test_the_demo_plan_shows_every_recommendation_with_its_leads_role(
    client: Client, demo: None
) -> None:
    text = read_page(client.get(f"/plans/{PLAN_SLUG}/").content.decode()).text
    recommendations = Recommendation.objects.filter(plan__slug=PLAN_SLUG).select_related("lead")
    assert recommendations.count() >= 3
    for recommendation in recommendations:
        assert f"Recommendation {recommendation.number} {recommendation.title}" in text
        lead = recommendation.lead
        assert f"Accountable lead {lead.job_title}, {lead.organisation}" in text
