"""``manage.py generate_dataset`` is deterministic, and the counts it prints are the rows it
wrote.

The same seed and --today give the same data in a fresh run; another seed gives other data
beside the first; the printed counts follow the arguments.
"""

import pytest

from actions.models import BoardAudience
from tests.dataset.generated import (
    ACTIONS_PER_PLAN,
    ALL_MODELS,
    PEOPLE,
    PLANS,
    content,
    delete_seed,
    generate,
    printed_counts,
    seed_plans,
)

# --- Deterministic ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_the_same_seed_and_today_give_the_same_data_in_a_fresh_run() -> None:
    first_output = generate(seed=11)
    first = content(11)
    delete_seed(11)
    assert all(not rows for rows in content(11).values()), "deleting the seed left rows"

    second_output = generate(seed=11)
    second = content(11)

    assert first["actions"], "nothing was generated"
    for table in first:
        assert second[table] == first[table], f"{table} differ between two runs"
    assert printed_counts(second_output) == printed_counts(first_output)


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_another_seed_gives_other_data_beside_the_first() -> None:
    generate(seed=1)
    first = content(1)
    generate(seed=2)

    assert content(1) == first, "a second seed changed the first seed's data"
    second = content(2)
    assert [row[1:] for row in second["people"]] != [row[1:] for row in first["people"]]
    assert [row[1:] for row in second["actions"]] != [row[1:] for row in first["actions"]]
    assert seed_plans(1).count() == seed_plans(2).count() == PLANS


# --- Counts -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_the_printed_counts_are_the_rows_written_and_follow_the_arguments() -> None:
    before = {model._meta.label: model._default_manager.count() for model in ALL_MODELS}
    counts = printed_counts(generate(seed=3))
    written = {
        model._meta.label: model._default_manager.count() - before[model._meta.label]
        for model in ALL_MODELS
    }

    assert counts == {
        "people": written["accounts.User"],
        "boards": written["actions.Board"],
        "board members": written["actions.BoardMembership"],
        "plans": written["actions.Plan"],
        "recommendations": written["actions.Recommendation"],
        "outcomes": written["actions.Outcome"],
        "actions": written["actions.Action"],
        "supporting owners": written["actions.Action_supporting_owners"],
        "progress updates": written["actions.ProgressUpdate"],
        "milestones": written["actions.Milestone"],
        "milestone actions": written["actions.Milestone_actions"],
        "measures": written["actions.SuccessMeasure"],
        "readings": written["actions.MeasureReading"],
    }
    assert counts["plans"] == PLANS
    assert counts["actions"] == PLANS * ACTIONS_PER_PLAN
    assert counts["people"] == PEOPLE
    assert counts["boards"] == PLANS * len(BoardAudience)
    for plan in seed_plans(3):
        assert plan.actions.count() == ACTIONS_PER_PLAN, plan.slug
        assert 3 <= plan.recommendations.count() <= 6, plan.slug
    # The plans use the plan types the migrations installed; none is added.
    assert written["actions.PlanType"] == 0
