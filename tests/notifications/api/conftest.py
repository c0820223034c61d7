"""Fixtures for the chasing through the API: ``chased``, a day of sweeps over a small plan.

The ledger and the escalations are made the way production makes them, by the reminder and
escalation sweeps (``reminders_queue``, ``escalations_queue``) on a pinned working day, over
a plan built with factories (``small_plan`` in tests/notifications/conftest.py: today is
Wednesday 25 November 2026, 09:30 in London). An unrelated plan has an escalation of its own.
"""

import datetime as dt
from dataclasses import dataclass

import pytest

from accounts.models import User
from actions.models import Action, Milestone
from notifications.services import escalations_queue, reminders_queue
from tests.factories import MilestoneFactory, RecommendationFactory, UserFactory
from tests.notifications.conftest import TODAY, SmallPlan


@dataclass
class Chased:
    """The small plan after a day of sweeps, and an unrelated plan with its own escalation."""

    small: SmallPlan
    late: Action  # due Friday 30 October: 18 working days overdue, levels 1 and 2
    soon: Action  # due Monday 30 November: 3 working days ahead
    slipped: Milestone  # due Monday 16 November: 7 working days overdue, levels 1 and 2
    coming: Milestone  # due Monday 30 November: 3 working days ahead
    other_lead: User  # leads a recommendation of another plan
    other_milestone: Milestone


@pytest.fixture
def chased(small_plan: SmallPlan) -> Chased:
    small = small_plan
    late = small.action(due=dt.date(2026, 10, 30), supporting_owners=[small.supporter])
    soon = small.action(due=dt.date(2026, 11, 30), supporting_owners=[small.supporter])
    slipped = small.milestone(due=dt.date(2026, 11, 16), title="Backlog cleared")
    coming = small.milestone(due=dt.date(2026, 11, 30), title="Panel in place")
    other_lead = UserFactory.create(name="Olga Otherplan", email="olga@southshire.gov.uk")
    other_milestone = MilestoneFactory.create(
        recommendation=RecommendationFactory.create(lead=other_lead),
        due_date=dt.date(2026, 11, 20),
        title="Southshire milestone",
    )
    reminders_queue(today=TODAY)
    escalations_queue(today=TODAY)
    return Chased(small, late, soon, slipped, coming, other_lead, other_milestone)
