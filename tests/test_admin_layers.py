"""The plan's admin page across the layers.

The plan (``actions``) does not import the engine (``notifications``), so the engine adds a
plan's own reminder rule and escalation ladder to the registered Plan admin
(``notifications.admin``). A plan administrator sees one page as before: the
recommendations, then the reminder rule, then the ladder, all saved with one press of Save.
"""

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib import admin
from django.test import Client

from accounts.models import User
from actions.dates import LONDON
from actions.models import Plan, Recommendation
from notifications.models import EscalationStep, ReminderRule
from tests.admin.forms import add_inline_row, form_data, page_errors, url
from tests.factories import PlanFactory, RecommendationFactory

pytestmark = pytest.mark.django_db

# 10:00 in London on Monday 23 November 2026.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def plan() -> Plan:
    plan = PlanFactory.create(title="Northshire SEND Written Statement of Action")
    RecommendationFactory.create(plan=plan, number=1, title="Improve the timeliness of EHC plans")
    return plan


def test_the_plan_admins_reminder_rule_and_ladder_inlines_are_the_engines() -> None:
    plan_admin = admin.site.get_model_admin(Plan)
    assert [(inline.model, inline.__module__) for inline in plan_admin.inlines] == [
        (Recommendation, "actions.admin.plans"),
        (ReminderRule, "notifications.admin"),
        (EscalationStep, "notifications.admin"),
    ]


def test_the_plan_page_shows_recommendations_then_the_reminder_rule_then_the_ladder(
    plan: Plan, admin_client: Client
) -> None:
    response = admin_client.get(url("actions_plan_change", plan.pk))

    page = response.content.decode()
    groups = ["recommendations", "reminder_rule", "escalation_steps"]
    positions = [page.index(f'id="{prefix}-group"') for prefix in groups]
    assert positions == sorted(positions)
    assert "Reminder rule of this plan (instead of the default)" in page
    assert "Escalation steps of this plan (instead of the default ladder)" in page
    data = form_data(response, "plan_form")
    assert data["recommendations-TOTAL_FORMS"] == "1"
    assert data["reminder_rule-TOTAL_FORMS"] == "0"
    assert data["reminder_rule-MAX_NUM_FORMS"] == "1"
    assert data["escalation_steps-TOTAL_FORMS"] == "0"


def test_saving_the_plan_page_saves_its_recommendation_reminder_rule_and_ladder_together(
    plan: Plan, admin_client: Client, admin_user: User
) -> None:
    data = form_data(admin_client.get(url("actions_plan_change", plan.pk)), "plan_form")
    data["recommendations-0-title"] = "Improve the timeliness and quality of EHC plans"
    # The hidden initial value a browser sends with a new reminder rule.
    data["initial-reminder_rule-0-days_before"] = "[10, 3]"
    add_inline_row(data, "reminder_rule", days_before="[5]", on_due_date="on", overdue_every="3")
    add_inline_row(
        data,
        "escalation_steps",
        item_type="action",
        level="1",
        after_working_days="2",
        audience="accountable_lead",
    )

    response = admin_client.post(url("actions_plan_change", plan.pk), data)

    assert response.status_code == 302, page_errors(response)
    recommendation = Recommendation.objects.get(plan=plan)
    assert recommendation.title == "Improve the timeliness and quality of EHC plans"
    rule = ReminderRule.objects.get(plan=plan)
    assert (rule.days_before, rule.on_due_date, rule.overdue_every) == ([5], True, 3)
    assert rule.history.get().history_user == admin_user
    assert list(
        EscalationStep.objects.filter(plan=plan).values_list(
            "item_type", "level", "after_working_days", "audience"
        )
    ) == [("action", 1, 2, "accountable_lead")]


def test_two_steps_for_one_level_are_refused_on_the_plan_page_and_nothing_is_saved(
    plan: Plan, admin_client: Client
) -> None:
    data = form_data(admin_client.get(url("actions_plan_change", plan.pk)), "plan_form")
    data["recommendations-0-title"] = "Improve the timeliness and quality of EHC plans"
    for after in ("2", "4"):
        add_inline_row(
            data,
            "escalation_steps",
            item_type="action",
            level="1",
            after_working_days=after,
            audience="owner",
        )

    response = admin_client.post(url("actions_plan_change", plan.pk), data)

    assert "This plan&#x27;s ladder already has this level." in page_errors(response)
    assert not EscalationStep.objects.filter(plan=plan).exists()
    assert Recommendation.objects.get(plan=plan).title == "Improve the timeliness of EHC plans"
