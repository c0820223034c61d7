"""Escalations and quiet actions on a recommendation's page: open escalations highest
level first without the resolved ones, and open actions with no update for 30 days with their
owner."""

import pytest
from django.test import Client

from tests.workspace.recommendation_page.helpers import as_, elements, get
from tests.workspace.recommendation_page.world import World

pytestmark = pytest.mark.django_db


# --- Escalations and quiet actions -------------------------------------------------------


def test_open_escalations_are_listed_highest_first_and_resolved_ones_are_not(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.lead), world.url)
    rows = next(r for r in elements(html).tables.values() if r and r[0][0] == "Item")
    assert rows[1:] == [
        [
            "Action 2.1: Clear the assessment backlog",
            "Level 2",
            "The recommendation's accountable lead",
            "20 November 2026",
        ],
        ["Milestone: Backlog cleared", "Level 1", "The action's owner", "1 December 2026"],
    ]
    assert "Publish the local offer" not in str(rows)


def test_open_actions_with_no_update_for_30_days_are_listed_with_their_owner(
    client: Client, world: World
) -> None:
    html = get(as_(client, world.lead), world.url)
    rows = next(
        r
        for r in elements(html).tables.values()
        if r and r[0] == ["Action", "Owner", "Last update"]
    )
    # Never updated first, then the longest ago; 2.2 is recent and 2.3 is complete.
    assert rows[1:] == [
        ["2.10 Review the panel's terms", "Ola Other", "Never"],
        ["2.1 Clear the assessment backlog", "Olu Owner", "1 October 2026"],
    ]
