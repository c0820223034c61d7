"""A plan's structure edited through inlines: recommendations on the plan page; outcomes,
milestones and measures on the recommendation page; readings on the measure page and
members on the board page. Duplicates, cross-plan links and moves that would strand
actions are refused and change nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from actions.models import (
    Action,
    BoardMembership,
    MeasureReading,
    Milestone,
    Outcome,
    Recommendation,
)
from tests.admin.conftest import World
from tests.admin.forms import add_inline_row, form_data, inline_row_index, page_errors, url
from tests.factories import OutcomeFactory, RecommendationFactory
from tests.snapshots import action_state

pytestmark = pytest.mark.django_db


# --- A plan's structure through inlines ---------------------------------------------------


def test_the_plan_page_shows_its_recommendations_inline(world: World, admin_client: Client) -> None:
    response = admin_client.get(url("actions_plan_change", world.plan.pk))
    page = response.content.decode()
    assert "Improve the timeliness of EHC plans" in page
    assert "Strengthen joint commissioning" in page
    assert "Review home to school transport" not in page  # another plan's
    data = form_data(response, "plan_form")
    assert data["recommendations-TOTAL_FORMS"] == "2"
    # Each recommendation links to its own page, where its outcomes and actions are.
    assert url("actions_recommendation_change", world.rec1.pk) in page


def test_adding_and_editing_recommendations_through_the_plan_page_saves_them(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_plan_change", world.plan.pk))
    data = form_data(page, "plan_form")
    row = inline_row_index(data, "recommendations", world.rec2.pk)
    data[f"recommendations-{row}-title"] = "Strengthen joint commissioning with health"
    add_inline_row(
        data,
        "recommendations",
        number="3",
        title="Improve preparation for adulthood",
        lead=str(world.health.pk),
    )
    response = admin_client.post(url("actions_plan_change", world.plan.pk), data)

    assert response.status_code == 302, page_errors(response)
    world.rec2.refresh_from_db()
    assert world.rec2.title == "Strengthen joint commissioning with health"
    added = Recommendation.objects.get(plan=world.plan, number=3)
    assert added.title == "Improve preparation for adulthood"
    assert added.lead == world.health
    assert added.history.get().history_user == world.admin
    assert world.rec2.history.latest().history_user == world.admin
    # Nothing else on the plan moved.
    assert Recommendation.objects.filter(plan=world.plan).count() == 3
    assert Action.objects.filter(plan=world.plan).count() == 5


def test_a_recommendation_number_used_twice_in_a_plan_is_refused_on_the_plan_page(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_plan_change", world.plan.pk))
    data = form_data(page, "plan_form")
    add_inline_row(
        data, "recommendations", number="2", title="A second number two", lead=str(world.lead.pk)
    )
    response = admin_client.post(url("actions_plan_change", world.plan.pk), data)

    # The new row repeats a number listed in the same form.
    assert "Please correct the duplicate data for number." in page_errors(response)
    assert Recommendation.objects.filter(plan=world.plan).count() == 2

    # On the recommendation's own page the database rule is checked, with its message.
    data = form_data(admin_client.get(url("actions_recommendation_add")), "recommendation_form")
    data.update(plan=str(world.plan.pk), number="2", title="Another two", lead=str(world.lead.pk))
    response = admin_client.post(url("actions_recommendation_add"), data)
    assert "This plan already has a recommendation with that number." in page_errors(response)
    assert Recommendation.objects.filter(plan=world.plan).count() == 2


def test_the_recommendation_page_shows_outcomes_actions_milestones_and_measures(
    world: World, admin_client: Client
) -> None:
    response = admin_client.get(url("actions_recommendation_change", world.rec1.pk))
    page = response.content.decode()
    for text in (
        "Plans issued in 20 weeks",  # outcome
        "Recruit educational psychologists",  # action
        "Clear the assessment backlog",
        "Publish the local offer",
        "Backlog cleared",  # milestone
        "EHC plans issued within 20 weeks",  # measure
    ):
        assert text in page, text
    assert "Commission speech and language therapy" not in page  # recommendation 2's
    # Actions are listed, not edited, here: each opens on its own page.
    assert url("actions_action_change", world.overdue.pk) in page
    data = form_data(response, "recommendation_form")
    assert data["actions-TOTAL_FORMS"] == "3"
    assert not any(name.endswith("-status") or name.endswith("-rag") for name in data)


def test_editing_outcomes_and_adding_a_milestone_on_the_recommendation_page_saves_them(
    world: World, admin_client: Client
) -> None:
    before = [action_state(a) for a in (world.overdue, world.blocked, world.done)]
    page = admin_client.get(url("actions_recommendation_change", world.rec1.pk))
    data = form_data(page, "recommendation_form")
    row = inline_row_index(data, "outcomes", world.outcome.pk)
    data[f"outcomes-{row}-title"] = "Nine in ten plans issued within 20 weeks"
    add_inline_row(data, "outcomes", number="2", title="Families say plans reflect them")
    add_inline_row(
        data,
        "milestones",
        title="Local offer relaunched",
        due_date="2027-01-29",
        actions=[str(world.done.pk), str(world.overdue.pk)],
    )
    add_inline_row(
        data,
        "measures",
        name="Families satisfied with their plan",
        unit="%",
        baseline="52",
        target="75",
        target_date="2027-09-30",
        direction="higher",
    )
    response = admin_client.post(url("actions_recommendation_change", world.rec1.pk), data)

    assert response.status_code == 302, page_errors(response)
    world.outcome.refresh_from_db()
    assert world.outcome.title == "Nine in ten plans issued within 20 weeks"
    assert world.rec1.outcomes.get(number=2).title == "Families say plans reflect them"
    milestone = world.rec1.milestones.get(title="Local offer relaunched")
    assert milestone.due_date == dt.date(2027, 1, 29)
    assert set(milestone.actions.all()) == {world.done, world.overdue}
    measure = world.rec1.measures.get(name="Families satisfied with their plan")
    assert (measure.baseline, measure.target) == (Decimal("52"), Decimal("75"))
    # The actions listed on the page were shown, not changed.
    assert [action_state(a) for a in (world.overdue, world.blocked, world.done)] == before


def test_a_milestone_cannot_link_an_action_of_another_plan(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_recommendation_change", world.rec1.pk))
    data = form_data(page, "recommendation_form")
    add_inline_row(
        data,
        "milestones",
        title="Transport reviewed",
        due_date="2027-01-29",
        actions=[str(world.other.pk)],
    )
    response = admin_client.post(url("actions_recommendation_change", world.rec1.pk), data)

    assert "These actions belong to another plan: 1.1." in page_errors(response)
    assert not Milestone.objects.filter(title="Transport reviewed").exists()

    # The same check on the milestone's own page.
    add = admin_client.get(url("actions_milestone_add"))
    data = form_data(add, "milestone_form")
    data.update(
        recommendation=str(world.rec1.pk),
        title="Transport reviewed",
        due_date="2027-01-29",
        actions=[str(world.overdue.pk), str(world.other.pk)],
    )
    response = admin_client.post(url("actions_milestone_add"), data)
    assert "These actions belong to another plan: 1.1." in page_errors(response)
    assert not Milestone.objects.filter(title="Transport reviewed").exists()


def test_a_new_recommendation_cannot_take_a_milestone_linking_another_plans_action(
    world: World, admin_client: Client
) -> None:
    add = admin_client.get(url("actions_recommendation_add"))
    data = form_data(add, "recommendation_form")
    data.update(plan=str(world.plan.pk), number="3", title="Preparation for adulthood")
    data["lead"] = str(world.lead.pk)
    add_inline_row(
        data,
        "milestones",
        title="Transport reviewed",
        due_date="2027-01-29",
        actions=[str(world.other.pk)],
    )
    response = admin_client.post(url("actions_recommendation_add"), data)

    assert "These actions belong to another plan: 1.1." in page_errors(response)
    assert not Recommendation.objects.filter(plan=world.plan, number=3).exists()
    assert not Milestone.objects.filter(title="Transport reviewed").exists()


def test_a_recommendation_with_actions_cannot_move_to_another_plan(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_recommendation_change", world.rec2.pk))
    data = form_data(page, "recommendation_form")
    data["plan"] = str(world.other_plan.pk)
    response = admin_client.post(url("actions_recommendation_change", world.rec2.pk), data)

    assert "This recommendation has actions in its plan" in page_errors(response)
    assert Recommendation.objects.get(pk=world.rec2.pk).plan == world.plan
    assert set(Action.objects.filter(recommendation=world.rec2).values_list("plan", flat=True)) == {
        world.plan.pk
    }

    # A recommendation with nothing tied to its plan may move.
    empty = RecommendationFactory.create(plan=world.plan, number=9, lead=world.lead)
    page = admin_client.get(url("actions_recommendation_change", empty.pk))
    data = form_data(page, "recommendation_form")
    data["plan"] = str(world.other_plan.pk)
    response = admin_client.post(url("actions_recommendation_change", empty.pk), data)
    assert response.status_code == 302, page_errors(response)
    assert Recommendation.objects.get(pk=empty.pk).plan == world.other_plan


def test_an_outcome_that_actions_count_towards_cannot_move_to_another_recommendation(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_outcome_change", world.outcome.pk))
    data = form_data(page, "outcome_form")
    data["recommendation"] = str(world.rec2.pk)
    response = admin_client.post(url("actions_outcome_change", world.outcome.pk), data)

    assert "Actions or success measures count towards this outcome" in page_errors(response)
    assert Outcome.objects.get(pk=world.outcome.pk).recommendation == world.rec1

    spare = OutcomeFactory.create(recommendation=world.rec1, number=5, title="Spare outcome")
    page = admin_client.get(url("actions_outcome_change", spare.pk))
    data = form_data(page, "outcome_form")
    data["recommendation"] = str(world.rec2.pk)
    response = admin_client.post(url("actions_outcome_change", spare.pk), data)
    assert response.status_code == 302, page_errors(response)
    assert Outcome.objects.get(pk=spare.pk).recommendation == world.rec2


def test_an_action_moved_to_another_plans_recommendation_takes_that_plan(
    world: World, admin_client: Client
) -> None:
    # 1.2 is linked to the "Backlog cleared" milestone of its plan: it cannot leave.
    page = admin_client.get(url("actions_action_change", world.blocked.pk))
    data = form_data(page, "action_form")
    data["recommendation"] = str(world.other_rec.pk)
    response = admin_client.post(url("actions_action_change", world.blocked.pk), data)
    assert "This action is linked to milestones of its plan" in page_errors(response)
    assert Action.objects.get(pk=world.blocked.pk).plan == world.plan

    # 2.1 is not: it moves, and its plan follows its recommendation.
    page = admin_client.get(url("actions_action_change", world.future.pk))
    data = form_data(page, "action_form")
    data["recommendation"] = str(world.other_rec.pk)
    response = admin_client.post(url("actions_action_change", world.future.pk), data)
    assert response.status_code == 302, page_errors(response)
    moved = Action.objects.get(pk=world.future.pk)
    assert (moved.recommendation, moved.plan) == (world.other_rec, world.other_plan)


def test_readings_added_on_the_measure_page_record_who_added_them(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_successmeasure_change", world.measure.pk))
    data = form_data(page, "successmeasure_form")
    # The page offers one empty row for a new reading.
    index = int(data["readings-TOTAL_FORMS"]) - 1
    data[f"readings-{index}-taken_on"] = "2026-11-20"
    data[f"readings-{index}-value"] = "44.5"
    data[f"readings-{index}-note"] = "Autumn term figure"
    response = admin_client.post(url("actions_successmeasure_change", world.measure.pk), data)

    assert response.status_code == 302, page_errors(response)
    reading = MeasureReading.objects.get(measure=world.measure, taken_on=dt.date(2026, 11, 20))
    assert reading.value == Decimal("44.50")
    assert reading.recorded_by == world.admin

    # A second reading on the same day is refused beside the form.
    page = admin_client.get(url("actions_successmeasure_change", world.measure.pk))
    data = form_data(page, "successmeasure_form")
    index = int(data["readings-TOTAL_FORMS"]) - 1
    data[f"readings-{index}-taken_on"] = "2026-11-20"
    data[f"readings-{index}-value"] = "99"
    response = admin_client.post(url("actions_successmeasure_change", world.measure.pk), data)
    # The row repeats the date of a reading already listed in the same form.
    assert "Please correct the duplicate data for taken_on." in page_errors(response)
    assert MeasureReading.objects.get(taken_on=dt.date(2026, 11, 20)).value == Decimal("44.50")


def test_board_members_are_added_through_the_board_page(world: World, admin_client: Client) -> None:
    page = admin_client.get(url("actions_board_change", world.board.pk))
    data = form_data(page, "board_form")
    index = int(data["memberships-TOTAL_FORMS"]) - 1  # the empty row on offer
    data[f"memberships-{index}-user"] = str(world.health.pk)
    data[f"memberships-{index}-role"] = "Designated clinical officer"
    response = admin_client.post(url("actions_board_change", world.board.pk), data)

    assert response.status_code == 302, page_errors(response)
    membership = BoardMembership.objects.get(board=world.board, user=world.health)
    assert membership.role == "Designated clinical officer"
    assert membership.history.get().history_user == world.admin

    # The same person twice is refused.
    page = admin_client.get(url("actions_board_change", world.board.pk))
    data = form_data(page, "board_form")
    index = int(data["memberships-TOTAL_FORMS"]) - 1
    data[f"memberships-{index}-user"] = str(world.health.pk)
    response = admin_client.post(url("actions_board_change", world.board.pk), data)
    assert "Please correct the duplicate data for user." in page_errors(response)
    assert BoardMembership.objects.filter(board=world.board, user=world.health).count() == 1
