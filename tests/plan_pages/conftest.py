import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine

from accounts.models import User
from actions.models import Action, ActionStatus, Plan, Rag
from actions.services import action_update_status
from tests.factories import (
    ActionFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    OutcomeFactory,
    PlanFactory,
    RecommendationFactory,
    SuccessMeasureFactory,
    UserFactory,
)

# 10:00 in London (GMT) on Wednesday 25 November 2026.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@dataclass
class PublicFixture:
    plan: Plan
    lead: User
    owner: User
    commentary: str
    reading_note: str


def add_recommendation(plan: Plan, *, number: int, lead: User, owner: User, actions: int) -> None:
    """A recommendation with an outcome, a milestone, a measure and this many open actions."""
    recommendation = RecommendationFactory.create(
        plan=plan, number=number, title=f"Recommendation number {number}", lead=lead
    )
    outcome = OutcomeFactory.create(recommendation=recommendation, number=1)
    for index in range(actions):
        ActionFactory.create(
            recommendation=recommendation,
            outcome=outcome,
            reference=f"{number}.{index + 1}",
            owner=owner,
        )
    MilestoneFactory.create(recommendation=recommendation, title=f"Milestone {number}")
    measure = SuccessMeasureFactory.create(recommendation=recommendation, name=f"Measure {number}")
    MeasureReadingFactory.create(measure=measure, taken_on=dt.date(2026, 10, 31))


@pytest.fixture
def public(clock: time_machine.Traveller) -> PublicFixture:
    """A published plan: two recommendations, every kind of action, milestone and measure."""
    lead = UserFactory.create(
        name="Helena Marchetti",
        email="helena.marchetti@northshire.gov.uk",
        job_title="Head of SEND",
        organisation="Northshire County Council",
    )
    owner = UserFactory.create(
        name="Owen Oyelaran",
        email="owen.oyelaran@northshire.gov.uk",
        job_title="EHC Team Manager",
        organisation="Northshire County Council",
    )
    supporter = UserFactory.create(name="Sunita Vasquez", email="sunita.v@nhs.example")
    clinician = UserFactory.create(
        name="Dr Ione Pembridge",
        email="ione.pembridge@nhs.example",
        job_title="Designated Clinical Officer",
        organisation="NHS Northshire ICB",
    )
    plan = PlanFactory.create(
        slug="northshire-public",
        title="Northshire SEND Written Statement of Action",
        local_area="Northshire",
        published=True,
        summary="What the partnership will do, by when.",
    )
    first = RecommendationFactory.create(
        plan=plan, number=1, title="Improve the timeliness of EHC plans", lead=lead
    )
    OutcomeFactory.create(
        recommendation=first, number=1, title="Families receive EHC plans within 20 weeks"
    )
    OutcomeFactory.create(
        recommendation=first, number=2, title="Plans describe each child's needs well"
    )
    open_actions = [
        ActionFactory.create(
            recommendation=first,
            reference=f"1.{n}",
            owner=owner,
            supporting_owners=[supporter],
            due_date=dt.date(2026, 12, 18),
        )
        for n in range(1, 5)
    ]
    # 1.1 goes red with a commentary that names people: it must never be published.
    commentary = "Owen Oyelaran is off sick; Sunita Vasquez is covering (sunita.v@nhs.example)."
    action_update_status(action=open_actions[0], by=owner, rag=Rag.RED, commentary=commentary)
    # 1.2 is amber and overdue.
    Action.objects.filter(pk=open_actions[1].pk).update(
        rag=Rag.AMBER, due_date=dt.date(2026, 11, 2)
    )
    # 1.3 complete, 1.4 cancelled (counted apart).
    action_update_status(
        action=open_actions[2],
        by=owner,
        status=ActionStatus.COMPLETED,
        completed_on=dt.date(2026, 11, 20),
    )
    action_update_status(
        action=open_actions[3],
        by=owner,
        status=ActionStatus.CANCELLED,
        commentary="Merged into 1.1.",
    )
    ActionFactory.create(
        recommendation=first, reference="1.5", owner=owner, due_date=dt.date(2027, 2, 1)
    )
    MilestoneFactory.create(
        recommendation=first,
        title="Backlog of assessments cleared",
        due_date=dt.date(2026, 10, 30),
        achieved_on=dt.date(2026, 10, 28),
    )
    MilestoneFactory.create(
        recommendation=first, title="Quality audit published", due_date=dt.date(2026, 11, 13)
    )
    MilestoneFactory.create(
        recommendation=first, title="Plans within 20 weeks", due_date=dt.date(2027, 3, 31)
    )
    measure = SuccessMeasureFactory.create(
        recommendation=first,
        name="EHC plans issued within 20 weeks",
        unit="%",
        baseline=Decimal("38.00"),
        baseline_date=dt.date(2026, 1, 31),
        target=Decimal("65.00"),
        target_date=dt.date(2027, 9, 30),
    )
    reading_note = "Figures checked by Helena Marchetti with the data team."
    MeasureReadingFactory.create(
        measure=measure, taken_on=dt.date(2026, 9, 30), value=Decimal("44.50")
    )
    MeasureReadingFactory.create(
        measure=measure, taken_on=dt.date(2026, 10, 31), value=Decimal("51.25"), note=reading_note
    )
    SuccessMeasureFactory.create(
        recommendation=first,
        name="Weeks waiting for an assessment",
        unit="weeks",
        baseline=Decimal("30"),
        target=Decimal("18"),
        direction="lower",
        target_date=dt.date(2027, 9, 30),
    )

    second = RecommendationFactory.create(
        plan=plan, number=2, title="Shorten waits for neurodevelopmental assessment", lead=clinician
    )
    OutcomeFactory.create(recommendation=second, number=1, title="Children are seen sooner")
    ActionFactory.create(
        recommendation=second, reference="2.1", owner=clinician, due_date=dt.date(2027, 1, 29)
    )
    return PublicFixture(
        plan=plan, lead=lead, owner=owner, commentary=commentary, reading_note=reading_note
    )
