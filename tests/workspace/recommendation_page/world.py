"""The recommendation the page's tests look at: a plan with one recommendation, its outcomes,
actions, milestones, success measure and escalations, the people around it, and another plan
beside it; and many more actions for the tests that need pages of them."""

import datetime as dt
from decimal import Decimal

from actions.dates import LONDON
from actions.models import ActionStatus, Rag
from notifications.models import Audience
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    OutcomeFactory,
    PlanFactory,
    RecommendationFactory,
    SuccessMeasureFactory,
    UserFactory,
)
from tests.workspace.factories import EscalationFactory


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON)


class World:
    """A plan with one recommendation, the people around it, and another plan beside it."""

    def __init__(self) -> None:
        self.owner = UserFactory.create(name="Olu Owner")
        self.other_owner = UserFactory.create(name="Ola Other")
        self.helper = UserFactory.create(name="Sam Supporter")
        self.lead = UserFactory.create(name="Lena Lead", job_title="Head of SEND")
        self.member = UserFactory.create(name="Bo Board")
        self.admin = UserFactory.create(name="Ada Admin", is_staff=True)
        self.stranger = UserFactory.create(name="Stan Stranger")
        plan = PlanFactory.create(
            title="Northshire WSOA", board=BoardFactory.create(members=[self.member])
        )
        self.plan = plan
        self.recommendation = RecommendationFactory.create(
            plan=plan,
            lead=self.lead,
            number=2,
            title="Improve the timeliness of EHC plans",
            description="Families wait too long for plans.",
        )
        rec = self.recommendation
        OutcomeFactory.create(recommendation=rec, number=1, title="Plans issued in 20 weeks")
        OutcomeFactory.create(recommendation=rec, number=2, title="Families feel heard")
        self.late = ActionFactory.create(
            recommendation=rec,
            reference="2.1",
            title="Clear the assessment backlog",
            owner=self.owner,
            supporting_owners=[self.helper],
            due_date=dt.date(2026, 11, 25),
            rag=Rag.AMBER,
            last_progress_at=at(dt.date(2026, 10, 1)),
        )
        self.soon = ActionFactory.create(
            recommendation=rec,
            reference="2.2",
            title="Publish the local offer",
            owner=self.other_owner,
            due_date=dt.date(2026, 12, 9),
            last_progress_at=at(dt.date(2026, 11, 25)),
        )
        self.done = ActionFactory.create(
            recommendation=rec,
            reference="2.3",
            title="Train the SENCOs",
            owner=self.owner,
            due_date=dt.date(2026, 11, 1),
            status=ActionStatus.COMPLETED,
            rag=Rag.BLUE,
            completed_on=dt.date(2026, 10, 30),
        )
        self.red = ActionFactory.create(
            recommendation=rec,
            reference="2.10",
            title="Review the panel's terms",
            owner=self.other_owner,
            due_date=dt.date(2027, 3, 1),
            status=ActionStatus.NOT_STARTED,
            rag=Rag.RED,
        )
        self.overdue_milestone = MilestoneFactory.create(
            recommendation=rec, title="Backlog cleared", due_date=dt.date(2026, 11, 30)
        )
        self.future_milestone = MilestoneFactory.create(
            recommendation=rec, title="Panel reformed", due_date=dt.date(2026, 12, 16)
        )
        self.met_milestone = MilestoneFactory.create(
            recommendation=rec,
            title="Plan agreed",
            due_date=dt.date(2026, 10, 1),
            achieved_on=dt.date(2026, 9, 28),
        )
        self.measure = SuccessMeasureFactory.create(
            recommendation=rec,
            name="EHC plans issued within 20 weeks",
            unit="%",
            baseline=Decimal("38"),
            baseline_date=dt.date(2026, 1, 1),
            target=Decimal("65"),
            target_date=dt.date(2027, 9, 30),
        )
        for day, value in [
            (dt.date(2026, 3, 31), "41.5"),
            (dt.date(2026, 6, 30), "47"),
            (dt.date(2026, 9, 30), "52"),
        ]:
            MeasureReadingFactory.create(measure=self.measure, taken_on=day, value=Decimal(value))
        EscalationFactory.create(
            action=self.late, level=2, audience=Audience.ACCOUNTABLE_LEAD, working_days_overdue=3
        )
        EscalationFactory.create(
            action=None,
            milestone=self.overdue_milestone,
            level=1,
            audience=Audience.OWNER,
            created_at=at(dt.date(2026, 12, 1)),
        )
        EscalationFactory.create(action=self.soon, level=1, resolved_at=at(dt.date(2026, 11, 26)))
        other = RecommendationFactory.create(number=1, title="Another plan's recommendation")
        ActionFactory.create(recommendation=other, owner=self.stranger, reference="1.1")
        self.other_measure = SuccessMeasureFactory.create(recommendation=other)
        self.other_milestone = MilestoneFactory.create(recommendation=other)
        MilestoneFactory.create(recommendation=other)
        self.stranger_lead = other.lead

    @property
    def url(self) -> str:
        return f"/workspace/recommendations/{self.recommendation.pk}/"


def many_actions(world: World, count: int) -> None:
    for number in range(count):
        ActionFactory.create(
            recommendation=world.recommendation,
            reference=f"3.{number + 1}",
            owner=world.owner if number % 2 else world.other_owner,
            due_date=dt.date(2027, 1, 4) + dt.timedelta(days=number),
            rag=Rag.GREEN if number % 3 else Rag.AMBER,
        )
