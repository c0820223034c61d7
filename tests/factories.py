"""Factories for test data: realistic defaults, every relation built on demand."""

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.db import models
from factory.django import DjangoModelFactory

from accounts.models import User
from actions.models import (
    Action,
    ActionStatus,
    Board,
    BoardAudience,
    BoardMembership,
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    PlanStatus,
    PlanType,
    ProgressUpdate,
    Rag,
    Recommendation,
    SuccessMeasure,
)

TODAY = dt.date(2026, 11, 23)

# Every table a plan's data lives in, many-to-many tables included (not the audit history).
PLAN_MODELS: list[type[models.Model]] = [
    User,
    PlanType,
    Board,
    BoardMembership,
    Plan,
    Plan.other_boards.through,
    Recommendation,
    Outcome,
    Action,
    Action.supporting_owners.through,
    Milestone,
    Milestone.actions.through,
    SuccessMeasure,
    MeasureReading,
    ProgressUpdate,
]


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"person{n}@example.gov.uk")
    organisation = "Northshire County Council"
    job_title = "SEND officer"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class PlanTypeFactory(DjangoModelFactory[PlanType]):
    class Meta:
        model = PlanType
        django_get_or_create = ("slug",)

    slug = "written-statement-of-action"
    name = "Written Statement of Action (WSOA)"


class BoardFactory(DjangoModelFactory[Board]):
    class Meta:
        model = Board
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"SEND Executive {n}")
    slug = factory.Sequence(lambda n: f"send-executive-{n}")
    audience = BoardAudience.EXECUTIVE

    @factory.post_generation
    def members(obj: Board, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            for user in extracted:
                BoardMembership.objects.create(board=obj, user=user)


class PlanFactory(DjangoModelFactory[Plan]):
    class Meta:
        model = Plan

    title = factory.Sequence(lambda n: f"Northshire SEND Written Statement of Action {n}")
    slug = factory.Sequence(lambda n: f"northshire-wsoa-{n}")
    plan_type = factory.SubFactory(PlanTypeFactory)
    local_area = "Northshire"
    start_date = dt.date(2026, 1, 5)
    end_date = dt.date(2027, 12, 31)
    status = PlanStatus.ACTIVE
    published = False
    board = factory.SubFactory(BoardFactory)


class RecommendationFactory(DjangoModelFactory[Recommendation]):
    class Meta:
        model = Recommendation

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Improve the timeliness and quality of EHC plans"
    lead = factory.SubFactory(UserFactory, job_title="Head of SEND")


class OutcomeFactory(DjangoModelFactory[Outcome]):
    class Meta:
        model = Outcome

    recommendation = factory.SubFactory(RecommendationFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Families receive EHC plans within 20 weeks"


class ActionFactory(DjangoModelFactory[Action]):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    recommendation = factory.SubFactory(RecommendationFactory)
    plan = factory.SelfAttribute("recommendation.plan")
    reference = factory.Sequence(lambda n: f"1.{n + 1}")
    title = "Recruit two additional educational psychologists"
    owner = factory.SubFactory(UserFactory)
    start_date = dt.date(2026, 9, 1)
    due_date = dt.date(2026, 12, 18)
    status = ActionStatus.IN_PROGRESS
    rag = Rag.GREEN

    @factory.post_generation
    def supporting_owners(obj: Action, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.supporting_owners.set(extracted)


class MilestoneFactory(DjangoModelFactory[Milestone]):
    class Meta:
        model = Milestone
        skip_postgeneration_save = True

    recommendation = factory.SubFactory(RecommendationFactory)
    title = "All overdue EHC needs assessments cleared"
    due_date = dt.date(2027, 3, 31)

    @factory.post_generation
    def actions(obj: Milestone, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.actions.set(extracted)


class SuccessMeasureFactory(DjangoModelFactory[SuccessMeasure]):
    class Meta:
        model = SuccessMeasure

    recommendation = factory.SubFactory(RecommendationFactory)
    name = "EHC plans issued within 20 weeks"
    unit = "%"
    baseline = Decimal("38.00")
    target = Decimal("65.00")
    target_date = dt.date(2027, 9, 30)


class MeasureReadingFactory(DjangoModelFactory[MeasureReading]):
    class Meta:
        model = MeasureReading

    measure = factory.SubFactory(SuccessMeasureFactory)
    taken_on = factory.Sequence(lambda n: dt.date(2026, 1, 31) + dt.timedelta(days=30 * n))
    value = Decimal("40.00")
