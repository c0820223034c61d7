"""A recommendation's page as a whole: no inline style or script, and a constant number
of queries however many actions, milestones, measures and escalations it shows."""

import datetime as dt

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from tests.factories import (
    ActionFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    SuccessMeasureFactory,
)
from tests.plan_pages.html import read_page
from tests.workspace.factories import EscalationFactory
from tests.workspace.recommendation_page.helpers import as_, get
from tests.workspace.recommendation_page.world import World, many_actions

pytestmark = pytest.mark.django_db


# --- The page as a whole -----------------------------------------------------------------


def test_the_page_has_no_inline_style_or_script(client: Client, world: World) -> None:
    html = get(as_(client, world.lead), world.url)
    assert "style=" not in html
    assert "<script" not in html
    assert read_page(html).scripts == 0


@pytest.mark.parametrize("actions", [5, 150])
def test_the_page_runs_a_constant_number_of_queries(
    client: Client,
    world: World,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    actions: int,
) -> None:
    many_actions(world, actions)
    for index in range(actions // 5):
        MeasureReadingFactory.create(
            measure=world.measure, taken_on=dt.date(2025, 1, 1) + dt.timedelta(days=index)
        )
        MilestoneFactory.create(recommendation=world.recommendation)
        measure = SuccessMeasureFactory.create(recommendation=world.recommendation)
        MeasureReadingFactory.create(measure=measure)
        EscalationFactory.create(action=ActionFactory.create(recommendation=world.recommendation))
    as_(client, world.lead)
    with django_assert_max_num_queries(14):
        response = client.get(f"{world.url}?ordering=owner&page=2&rag=green,amber")
    assert response.status_code == 200
