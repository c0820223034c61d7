"""A fixture plan whose digest figures are known exactly, on a pinned London clock.

The plan is set up on Monday 9 November 2026 and reported on by the sweeps of Monday 23
and Monday 30 November (08:30 London, after the default digest time of 08:00). Between the
two, ``world.week_of_the_23rd()`` makes what the second digest reports as changed: action
1.1 completed, 1.4 gone red, milestone "New commissioning strategy" moved from 7 to 14
December, and action 2.1 past its due date (27 November).

On the 30th the plan stands at (non-cancelled) 6 actions: 1 complete (1.1), 3 on track
(1.2, 2.1, 2.3), 1 at risk (1.3), 1 off track (1.4); overdue 1.4 and 2.1; 17% complete;
2.2 cancelled. Milestones due by then: 3, met on time 1.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine

from accounts.models import User
from actions.dates import LONDON
from actions.models import (
    Action,
    ActionStatus,
    BoardAudience,
    BoardMeeting,
    Milestone,
    Plan,
    Rag,
    Recommendation,
)
from actions.services import action_update_status
from notifications.models import Audience, Escalation, NotificationPreference
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    PlanFactory,
    RecommendationFactory,
    SuccessMeasureFactory,
    UserFactory,
)

SET_UP = dt.date(2026, 11, 9)
FIRST_MONDAY = dt.date(2026, 11, 23)
MONDAY = dt.date(2026, 11, 30)
SWEEP_AT = dt.time(8, 30)


def london(day: dt.date, at: dt.time = SWEEP_AT) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=LONDON)


class Clock:
    def __init__(self, traveller: time_machine.Traveller) -> None:
        self._traveller = traveller

    def go_to(self, day: dt.date, at: dt.time = SWEEP_AT) -> dt.datetime:
        return self.at(london(day, at))

    def at(self, moment: dt.datetime) -> dt.datetime:
        self._traveller.move_to(moment)
        return moment


@pytest.fixture
def clock() -> Iterator[Clock]:
    with time_machine.travel(london(SET_UP, dt.time(9)), tick=False) as traveller:
        yield Clock(traveller)


@dataclass
class World:
    clock: Clock
    plan: Plan
    first: Recommendation
    second: Recommendation
    lead: User
    health_lead: User
    owner: User
    other_owner: User
    executive: list[User]
    lead_member: User
    forum_member: User
    actions: dict[str, Action]
    milestones: dict[str, Milestone]

    def action(self, reference: str) -> Action:
        return Action.objects.get(plan=self.plan, reference=reference)

    def week_of_the_23rd(self) -> None:
        """What happens after the digest of the 23rd and before that of the 30th."""
        self.clock.go_to(dt.date(2026, 11, 24), dt.time(10))
        action_update_status(
            action=self.action("1.1"),
            by=self.owner,
            status=ActionStatus.COMPLETED,
            completed_on=dt.date(2026, 11, 24),
            commentary="Both psychologists started on Monday.",
        )
        action_update_status(
            action=self.action("1.4"),
            by=self.other_owner,
            rag=Rag.RED,
            commentary="The provider withdrew; we are re-tendering.",
        )
        self.clock.go_to(dt.date(2026, 11, 25), dt.time(10))
        Milestone.objects.filter(pk=self.milestones["strategy"].pk).update(
            due_date=dt.date(2026, 12, 14)
        )
        Milestone.objects.filter(pk=self.milestones["panel"].pk).update(
            achieved_on=dt.date(2026, 11, 25)
        )
        told = london(dt.date(2026, 11, 26), dt.time(9))
        for item, level, audience, days in (
            ({"action": self.action("1.4")}, 1, Audience.OWNER, 6),
            ({"action": self.action("1.4")}, 2, Audience.ACCOUNTABLE_LEAD, 6),
            ({"milestone": self.milestones["pathway"]}, 1, Audience.ACCOUNTABLE_LEAD, 3),
            ({"action": self.action("2.1")}, 4, Audience.LEAD_MEMBER, 1),
        ):
            Escalation.objects.create(
                plan=self.plan,
                due_date=(item.get("action") or item["milestone"]).due_date,  # type: ignore[union-attr]
                level=level,
                audience=audience,
                working_days_overdue=days,
                created_at=told,
                **item,
            )
        # A resolved escalation is not open: the digest leaves it out.
        Escalation.objects.create(
            plan=self.plan,
            action=self.action("1.3"),
            due_date=dt.date(2026, 11, 1),
            level=1,
            audience=Audience.OWNER,
            working_days_overdue=2,
            created_at=told,
            resolved_at=told,
        )
        MeasureReadingFactory.create(
            measure=self.measures_by_name("Average wait for autism assessment"),
            taken_on=dt.date(2026, 11, 27),
            value=Decimal("51.00"),
        )

    def measures_by_name(self, name: str) -> object:
        from actions.models import SuccessMeasure

        return SuccessMeasure.objects.get(recommendation__plan=self.plan, name=name)


def build_world(clock: Clock, *, slug: str = "northshire-wsoa", extra_actions: int = 0) -> World:
    lead = UserFactory.create(
        name="Priya Lead", email="priya.lead@northshire.gov.uk", job_title="Head of SEND"
    )
    health_lead = UserFactory.create(
        name="Rahul Health",
        email="rahul.health@icb.example",
        job_title="Head of Health Commissioning",
    )
    owner = UserFactory.create(name="Owen Owner", email="owen.owner@northshire.gov.uk")
    other_owner = UserFactory.create(name="Olga Owner", email="olga.owner@nhs.example")
    executive = [
        UserFactory.create(name="Erin Executive", email="erin.exec@northshire.gov.uk"),
        UserFactory.create(name="Eddie Executive", email="eddie.exec@icb.example"),
    ]
    no_digests = UserFactory.create(name="Nora Nodigest", email="nora@northshire.gov.uk")
    NotificationPreference.objects.update_or_create(user=no_digests, defaults={"digests": False})
    gone = UserFactory.create(name="Gus Gone", email="gus@northshire.gov.uk", is_active=False)
    lead_member = UserFactory.create(name="Cllr Lena Member", email="cllr.member@northshire.gov.uk")
    forum_member = UserFactory.create(name="Fay Forum", email="fay@parents.example")
    board = BoardFactory.create(
        name="Northshire SEND Executive", members=[*executive, no_digests, gone]
    )
    plan = PlanFactory.create(
        slug=slug,
        title="Northshire SEND Written Statement of Action",
        board=board,
        start_date=dt.date(2026, 1, 5),
    )
    plan.other_boards.set(
        [
            BoardFactory.create(
                name="Lead Member for Children",
                audience=BoardAudience.LEAD_MEMBER,
                members=[lead_member],
            ),
            BoardFactory.create(
                name="Northshire Parent Carer Forum",
                audience=BoardAudience.PARENT_CARER_FORUM,
                members=[forum_member],
            ),
        ]
    )
    BoardMeeting.objects.create(
        board=board, meets_on=dt.date(2026, 12, 3), papers_due_on=dt.date(2026, 12, 1)
    )
    first = RecommendationFactory.create(
        plan=plan, number=1, lead=lead, title="Improve the timeliness of EHC plans"
    )
    second = RecommendationFactory.create(
        plan=plan, number=2, lead=health_lead, title="Reduce waits for health assessments"
    )

    def make(reference: str, recommendation: Recommendation, **fields: object) -> Action:
        fields.setdefault("owner", owner)
        return ActionFactory.create(
            reference=reference,
            recommendation=recommendation,
            title=f"Action {reference}",
            **fields,
        )

    actions = {
        "1.1": make("1.1", first, due_date=dt.date(2026, 11, 27)),
        "1.2": make("1.2", first, due_date=dt.date(2026, 12, 18)),
        "1.3": make("1.3", first, due_date=dt.date(2026, 12, 11)),
        "1.4": make("1.4", first, due_date=dt.date(2026, 11, 20), owner=other_owner),
        "2.1": make("2.1", second, due_date=dt.date(2026, 11, 27), start_date=None),
        "2.2": make("2.2", second, due_date=dt.date(2026, 12, 1), status=ActionStatus.CANCELLED),
        "2.3": make(
            "2.3",
            second,
            status=ActionStatus.NOT_STARTED,
            start_date=dt.date(2027, 1, 4),
            due_date=dt.date(2027, 3, 31),
        ),
    }
    for number in range(extra_actions):
        make(f"3.{number + 1}", second, due_date=dt.date(2027, 6, 30))
    # Set up long ago and never updated: 1.2 has had no update for 90 days on the 30th, and
    # 2.3 would have too, but it does not start until January.
    long_ago = [actions["1.2"].pk, actions["2.3"].pk]
    Action.objects.filter(pk__in=long_ago).update(created_at=london(dt.date(2026, 9, 1)))
    # Their recorded versions too, as if made then: a digest for a past day reads those.
    Action.history.filter(id__in=long_ago).update(  # type: ignore[attr-defined]
        created_at=london(dt.date(2026, 9, 1))
    )
    milestones = {
        "backlog": MilestoneFactory.create(
            recommendation=first,
            title="EHC backlog cleared",
            due_date=dt.date(2026, 11, 15),
            achieved_on=dt.date(2026, 11, 6),
        ),
        "panel": MilestoneFactory.create(
            recommendation=first, title="Panel restructured", due_date=dt.date(2026, 11, 20)
        ),
        "pathway": MilestoneFactory.create(
            recommendation=second,
            title="Health advice pathway agreed",
            due_date=dt.date(2026, 11, 25),
        ),
        "strategy": MilestoneFactory.create(
            recommendation=second,
            title="New commissioning strategy",
            due_date=dt.date(2026, 12, 7),
        ),
        "review": MilestoneFactory.create(
            recommendation=first, title="Annual review", due_date=dt.date(2027, 2, 1)
        ),
    }
    ehc = SuccessMeasureFactory.create(
        recommendation=first,
        name="EHC plans issued within 20 weeks",
        unit="%",
        baseline=Decimal("38.00"),
        target=Decimal("65.00"),
    )
    MeasureReadingFactory.create(measure=ehc, taken_on=dt.date(2026, 9, 30), value=Decimal("40"))
    MeasureReadingFactory.create(
        measure=ehc, taken_on=dt.date(2026, 10, 31), value=Decimal("45.50")
    )
    wait = SuccessMeasureFactory.create(
        recommendation=second,
        name="Average wait for autism assessment",
        unit="weeks",
        baseline=Decimal("52.00"),
        target=Decimal("30.00"),
        direction="lower",
    )
    MeasureReadingFactory.create(measure=wait, taken_on=dt.date(2026, 10, 31), value=Decimal("50"))
    SuccessMeasureFactory.create(
        recommendation=second,
        name="Families who feel listened to",
        unit="%",
        baseline=Decimal("40.00"),
        target=Decimal("60.00"),
    )
    clock.go_to(dt.date(2026, 11, 10), dt.time(10))
    action_update_status(
        action=Action.objects.get(pk=actions["1.3"].pk),
        by=owner,
        rag=Rag.AMBER,
        commentary="Recruitment is slower than planned.",
    )
    return World(
        clock=clock,
        plan=plan,
        first=first,
        second=second,
        lead=lead,
        health_lead=health_lead,
        owner=owner,
        other_owner=other_owner,
        executive=executive,
        lead_member=lead_member,
        forum_member=forum_member,
        actions=actions,
        milestones=milestones,
    )


@pytest.fixture
def world(db: None, clock: Clock) -> World:
    return build_world(clock)
