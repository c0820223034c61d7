"""The admin tests' world: the clock pinned to a Monday morning in London, a signed-in
administrator, and two councils' plans with actions in every state, plus something on every
page of the other apps' admins (permissions, tokens, beat schedules, chasing, digests).
The world is built once per module and each test rolled back to it (``tests.built_once``).
"""

import copy
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from accounts.models import SsoOnlyOrganisation, User
from accounts.tokens import create_token
from actions.dates import LONDON
from actions.models import (
    Action,
    ActionStatus,
    Board,
    BoardMeeting,
    Milestone,
    Outcome,
    Plan,
    ProgressUpdate,
    Rag,
    Recommendation,
    SuccessMeasure,
)
from actions.services import action_update_status
from digests.services import digest_snapshot
from notifications.models import NotificationPreference, UnreachableAddress
from notifications.services import escalations_queue, reminders_queue
from tests.built_once import built_once
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

# 10:00 in London on Monday 23 November 2026: "today" for every test here.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
TODAY = dt.date(2026, 11, 23)
ADMIN_EMAIL = "admin@example.gov.uk"


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


# --- People and a populated plan ----------------------------------------------------------


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@dataclass
class World:
    admin: User
    lead: User
    owner: User
    health: User
    elsewhere: User
    board: Board
    plan: Plan
    other_plan: Plan
    rec1: Recommendation
    rec2: Recommendation
    other_rec: Recommendation
    outcome: Outcome
    overdue: Action  # 1.1 in progress, due 2 November
    blocked: Action  # 1.2 blocked and red, due 20 November
    done: Action  # 1.3 completed, due 30 October
    this_week: Action  # 2.2 in progress, due Friday 27 November
    future: Action  # 2.1 not started, amber, due March 2027
    other: Action  # 1.1 in the other plan, overdue
    milestone: Milestone
    measure: SuccessMeasure
    update: ProgressUpdate


@pytest.fixture
def admin_user(db: None) -> User:
    """The administrator: the world's, while this module's world is built."""
    return User.objects.filter(email=ADMIN_EMAIL).first() or _new_admin()


def _new_admin() -> User:
    return UserFactory.create(email=ADMIN_EMAIL, is_staff=True, is_superuser=True)


@pytest.fixture(scope="module")
def world_built_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from built_once(django_db_blocker, build_world, at=NOW)


@pytest.fixture
def world(world_built_once: World, db: None) -> World:
    """Built once per module; each test's writes are rolled back, and the objects are its own."""
    return copy.deepcopy(world_built_once)


def build_world() -> World:
    admin_user = _new_admin()
    lead = UserFactory.create(name="Priya Lead", email="priya.lead@northshire.gov.uk")
    owner = UserFactory.create(name="Sam Owner", email="sam.owner@northshire.gov.uk")
    health = UserFactory.create(
        name="Alex Health", email="alex.health@icb.nhs.uk", organisation="Northshire ICB"
    )
    elsewhere = UserFactory.create(name="Jordan Elsewhere", email="jordan@southshire.gov.uk")
    board = BoardFactory.create(
        name="Northshire SEND Executive", slug="northshire-exec", members=[lead]
    )
    plan = PlanFactory.create(
        title="Northshire Written Statement of Action", slug="northshire", board=board
    )
    other_plan = PlanFactory.create(
        title="Southshire Strategic Plan", slug="southshire", local_area="S"
    )
    rec1 = RecommendationFactory.create(
        plan=plan, number=1, lead=lead, title="Improve the timeliness of EHC plans"
    )
    rec2 = RecommendationFactory.create(
        plan=plan, number=2, lead=lead, title="Strengthen joint commissioning"
    )
    other_rec = RecommendationFactory.create(
        plan=other_plan, number=1, lead=elsewhere, title="Review home to school transport"
    )
    outcome = OutcomeFactory.create(recommendation=rec1, number=1, title="Plans issued in 20 weeks")
    overdue = ActionFactory.create(
        recommendation=rec1,
        outcome=outcome,
        reference="1.1",
        title="Recruit educational psychologists",
        owner=owner,
        due_date=dt.date(2026, 11, 2),
        status=ActionStatus.IN_PROGRESS,
    )
    blocked = ActionFactory.create(
        recommendation=rec1,
        reference="1.2",
        title="Clear the assessment backlog",
        owner=health,
        due_date=dt.date(2026, 11, 20),
        status=ActionStatus.BLOCKED,
        rag=Rag.RED,
    )
    done = ActionFactory.create(
        recommendation=rec1,
        reference="1.3",
        title="Publish the local offer",
        owner=owner,
        due_date=dt.date(2026, 10, 30),
        status=ActionStatus.COMPLETED,
        rag=Rag.BLUE,
        completed_on=dt.date(2026, 10, 28),
    )
    future = ActionFactory.create(
        recommendation=rec2,
        reference="2.1",
        title="Commission speech and language therapy",
        owner=health,
        due_date=dt.date(2027, 3, 31),
        status=ActionStatus.NOT_STARTED,
        rag=Rag.AMBER,
    )
    this_week = ActionFactory.create(
        recommendation=rec2,
        reference="2.2",
        title="Agree the joint commissioning strategy",
        owner=owner,
        due_date=dt.date(2026, 11, 27),
        status=ActionStatus.IN_PROGRESS,
    )
    other = ActionFactory.create(
        recommendation=other_rec,
        reference="1.1",
        title="Consult on the transport policy",
        owner=elsewhere,
        due_date=dt.date(2026, 11, 10),
        status=ActionStatus.IN_PROGRESS,
    )
    milestone = MilestoneFactory.create(
        recommendation=rec1, title="Backlog cleared", actions=[overdue, blocked]
    )
    measure = SuccessMeasureFactory.create(recommendation=rec1, outcome=outcome)
    MeasureReadingFactory.create(measure=measure, taken_on=dt.date(2026, 10, 31))
    update = action_update_status(
        action=overdue, by=owner, rag=Rag.AMBER, commentary="The recruitment panel moved."
    )

    # Something on every page of the other apps' admins too.
    Group.objects.create(name="Plan administrators")
    create_token(user=admin_user, name="Monthly returns")
    every_five = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES)
    CrontabSchedule.objects.create(minute="0", hour="7")
    SolarSchedule.objects.create(event="sunrise", latitude=Decimal("51.5"), longitude=Decimal("0"))
    ClockedSchedule.objects.create(clocked_time=NOW)
    PeriodicTask.objects.create(name="reminder sweep", task="workers.sweep", interval=every_five)

    # The chasing: the default rule and ladder come from a migration; the sweeps add the
    # ledger and escalations, and a person has chosen their own reminder days.
    NotificationPreference.objects.create(user=owner, days_before=[5])
    reminders_queue(today=TODAY, now=NOW)
    escalations_queue(today=TODAY, now=NOW)
    # GOV.UK Notify said one person's inbox refuses mail.
    UnreachableAddress.objects.create(email=elsewhere.email, since=NOW, reason="Notify: refused")
    # A partner organisation whose people must sign in through its identity provider.
    SsoOnlyOrganisation.objects.create(organisation="Northshire NHS Trust")
    # The board meets, and its digest of the plan was built.
    BoardMeeting.objects.create(
        board=board, meets_on=TODAY + dt.timedelta(days=14), papers_due_on=TODAY
    )
    digest_snapshot(plan=plan, board=board, as_of=TODAY, now=NOW)

    return World(
        admin=admin_user,
        lead=lead,
        owner=owner,
        health=health,
        elsewhere=elsewhere,
        board=board,
        plan=plan,
        other_plan=other_plan,
        rec1=rec1,
        rec2=rec2,
        other_rec=other_rec,
        outcome=outcome,
        overdue=overdue,
        blocked=blocked,
        done=done,
        this_week=this_week,
        future=future,
        other=other,
        milestone=milestone,
        measure=measure,
        update=update,
    )
