import pytest

from tests.factories import ActionFactory, MilestoneFactory


@pytest.mark.django_db
def test_factories_build_a_consistent_action_and_milestone() -> None:
    action = ActionFactory.create()
    milestone = MilestoneFactory.create(recommendation=action.recommendation, actions=[action])
    assert action.plan == action.recommendation.plan
    assert list(milestone.actions.all()) == [action]
