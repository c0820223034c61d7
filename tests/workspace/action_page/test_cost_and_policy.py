"""The action page's cost and policy: the same number of queries however long the action's
history, and no inline script or style."""

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from actions.models import Rag
from actions.services import action_update_status, model_update
from notifications.models import Audience, Escalation
from tests.factories import MilestoneFactory, UserFactory
from tests.workspace.action_page.helpers import NOW, as_person, history, page

pytestmark = pytest.mark.django_db


# --- Cost and policy ------------------------------------------------------------------------


def _a_long_history(world: dict[str, Any], clock: time_machine.Traveller) -> None:
    action = world["action"]
    people = UserFactory.create_batch(5)
    action.supporting_owners.add(*people)
    for number in range(12):
        clock.shift(dt.timedelta(minutes=3))
        action_update_status(
            action=action,
            by=world["owner"],
            rag=Rag.AMBER if number % 2 else Rag.RED,
            commentary=f"Update {number}.",
            evidence_links=[f"https://docs.example.gov.uk/{number}.pdf"],
        )
        clock.shift(dt.timedelta(minutes=3))
        model_update(
            instance=action,
            by=world["lead"],
            fields={"due_date": dt.date(2027, 1, 1) + dt.timedelta(days=number)},
        )
    for level in range(1, 4):
        escalation = Escalation.objects.create(
            plan=world["plan"],
            action=action,
            due_date=action.due_date,
            level=level,
            audience=Audience.OWNER,
            working_days_overdue=level,
            created_at=NOW,
        )
        escalation.told.set(people)
    for _ in range(4):
        MilestoneFactory.create(recommendation=world["recommendation"], actions=[action])


# The session and the person; the action with its plan, recommendation, outcome and latest
# update; its supporting owners; the audit records, their supporting owners, the progress
# updates and the names they point to (three); the milestones; the escalations and who was
# told.
QUERIES = 13


def test_the_page_costs_the_same_number_of_queries_however_long_its_history(
    client: Client,
    world: dict[str, Any],
    clock: time_machine.Traveller,
    django_assert_max_num_queries: Any,
) -> None:
    as_person(client, world["lead"])
    with django_assert_max_num_queries(QUERIES):
        page(client, world["action"])
    _a_long_history(world, clock)
    with django_assert_max_num_queries(QUERIES):
        html = page(client, world["action"])
    # 12 updates, 12 changes of due date, a change of supporting owners, 3 escalations.
    assert len(history(html)) == 1 + 12 + 12 + 1 + 3


def test_the_page_has_no_inline_script_or_style(client: Client, world: dict[str, Any]) -> None:
    html = page(as_person(client, world["owner"]), world["action"])
    assert "<script" not in html
    assert "<style" not in html
    assert "style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
