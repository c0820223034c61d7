"""The data ``manage.py generate_dataset`` writes keeps every rule of the service.

Every row passes full validation and the model constraints; progress histories follow the
status service and replay through the real one; nothing goes into the audit history; targets
are attainable, nobody sits on a board before joining, and nobody generated can sign in.
"""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import models

from accounts.models import User
from actions.dataset import email_domain, slug_prefix
from actions.dates import LONDON
from actions.models import (
    Action,
    ActionStatus,
    Board,
    BoardAudience,
    BoardMembership,
    Direction,
    MeasureReading,
    Milestone,
    Outcome,
    ProgressUpdate,
    Rag,
    Recommendation,
    SuccessMeasure,
)
from actions.services import action_update_status
from actions.status_rules import ALLOWED_TRANSITIONS
from tests.dataset.generated import HISTORY_MODELS, NOW, TODAY, generate, seed_plans

# --- Every rule holds ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_every_row_passes_full_validation_and_the_model_constraints() -> None:
    generate(seed=5)
    plans = seed_plans(5)
    querysets: list[models.QuerySet[Any]] = [
        User.objects.filter(email__endswith="@" + email_domain(5)),
        Board.objects.filter(slug__startswith=slug_prefix(5)),
        BoardMembership.objects.filter(board__slug__startswith=slug_prefix(5)),
        plans,
        Recommendation.objects.filter(plan__in=plans),
        Outcome.objects.filter(recommendation__plan__in=plans),
        Action.objects.filter(plan__in=plans),
        ProgressUpdate.objects.filter(action__plan__in=plans),
        Milestone.objects.filter(recommendation__plan__in=plans),
        SuccessMeasure.objects.filter(recommendation__plan__in=plans),
        MeasureReading.objects.filter(measure__recommendation__plan__in=plans),
    ]
    for queryset in querysets:
        rows = list(queryset)
        assert rows, queryset.model.__name__
        for row in rows:
            row.full_clean()  # fields, choices, uniqueness and check constraints

    for plan in plans:
        assert plan.start_date <= plan.end_date
        assert plan.board is not None
        assert plan.board.slug.startswith(slug_prefix(5))
        assert plan.board.audience == BoardAudience.EXECUTIVE

    for action in Action.objects.filter(plan__in=plans).select_related("recommendation", "outcome"):
        assert action.start_date is not None
        assert action.due_date >= action.start_date, action
        assert action.plan_id == action.recommendation.plan_id, action
        assert action.outcome is not None
        assert action.outcome.recommendation_id == action.recommendation_id, action
        assert action.owner_id not in set(action.supporting_owners.values_list("pk", flat=True)), (
            action
        )
        if action.status == ActionStatus.COMPLETED:
            assert action.rag == Rag.BLUE, action
            assert action.completed_on is not None, action
            assert action.start_date <= action.completed_on < TODAY, action
        else:
            assert action.rag != Rag.BLUE, action
            assert action.completed_on is None, action

    for milestone in Milestone.objects.filter(recommendation__plan__in=plans):
        assert milestone.achieved_on is None or milestone.achieved_on <= TODAY, milestone
        linked = set(milestone.actions.values_list("recommendation_id", flat=True))
        assert linked <= {milestone.recommendation_id}, milestone

    readings = MeasureReading.objects.filter(measure__recommendation__plan__in=plans)
    assert all(reading.taken_on <= TODAY for reading in readings), "a reading is in the future"


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_progress_histories_follow_the_status_service_and_latest_update_is_the_newest() -> None:
    generate(seed=6)
    actions = list(Action.objects.filter(plan__in=seed_plans(6)).order_by("pk"))
    now = dt.datetime.now(tz=dt.UTC)
    with_history = 0
    for action in actions:
        updates = list(action.updates.order_by("created_at", "pk"))
        # The model's own ordering (newest first) agrees with the order they were written.
        assert list(action.updates.all()) == updates[::-1], action

        if not updates:
            assert (action.status, action.rag) == (ActionStatus.NOT_STARTED, Rag.GREEN), action
            assert action.latest_update_id is None, action
            assert action.last_progress_at is None, action
            continue
        with_history += 1

        newest = updates[-1]
        assert action.latest_update_id == newest.pk, action
        assert action.last_progress_at == newest.created_at, action
        assert (action.status, action.rag, action.completed_on) == (
            newest.status,
            newest.rag,
            newest.completed_on,
        ), action

        status, rag = ActionStatus.NOT_STARTED.value, Rag.GREEN.value
        for update in updates:
            assert update.author_id == action.owner_id, update
            assert (update.previous_status, update.previous_rag) == (status, rag), update
            if update.status != update.previous_status:
                assert update.status in ALLOWED_TRANSITIONS[update.previous_status], update
            assert update.created_at < now, f"{update} is in the future"
            assert action.start_date is not None
            assert update.created_at.astimezone(LONDON).date() >= action.start_date, update
            if update.rag in (Rag.RED, Rag.AMBER):
                assert update.commentary.strip(), f"{update} is {update.rag} without a word"
            if update.status != update.previous_status and update.status in (
                ActionStatus.BLOCKED,
                ActionStatus.CANCELLED,
            ):
                assert update.commentary.strip(), update
            if update.status == ActionStatus.COMPLETED:
                assert update.rag == Rag.BLUE, update
                assert update.completed_on is not None, update
                assert action.start_date <= update.completed_on <= TODAY, update
            else:
                assert update.rag != Rag.BLUE, update
                assert update.completed_on is None, update
            status, rag = update.status, update.rag

    assert with_history, "no action has a progress history"


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_every_history_replays_through_the_real_status_service() -> None:
    generate(seed=7)
    generated = list(
        Action.objects.filter(plan__in=seed_plans(7)).select_related("owner").order_by("pk")
    )
    replayed = 0
    for action in generated:
        updates = list(action.updates.order_by("created_at", "pk"))
        if not updates:
            continue
        twin = Action.objects.create(
            plan=action.plan,
            recommendation=action.recommendation,
            outcome=action.outcome,
            reference=f"replay-{action.reference}",
            title=action.title,
            owner=action.owner,
            start_date=action.start_date,
            due_date=action.due_date,
        )
        for update in updates:
            # Raises ValidationError if the service would have refused this report.
            action_update_status(
                action=twin,
                by=action.owner,
                status=update.status,
                rag=update.rag,
                commentary=update.commentary,
                evidence_links=update.evidence_links,
                completed_on=update.completed_on,
            )
        twin.refresh_from_db()
        assert (twin.status, twin.rag, twin.completed_on) == (
            action.status,
            action.rag,
            action.completed_on,
        ), action
        replayed += 1
    assert replayed


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_no_audit_history_is_written() -> None:
    before = {model._meta.label: model._default_manager.count() for model in HISTORY_MODELS}
    generate(seed=8)
    after = {model._meta.label: model._default_manager.count() for model in HISTORY_MODELS}
    assert HISTORY_MODELS
    assert after == before
    assert seed_plans(8).exists()


@pytest.mark.django_db
def test_targets_are_attainable_and_nobody_sits_on_a_board_before_joining() -> None:
    generate("--plans", "6", seed=10)
    measures = SuccessMeasure.objects.filter(recommendation__plan__in=seed_plans(10))
    assert measures.count() > 10
    for measure in measures:
        assert measure.target >= 0, measure.name
        if measure.unit == "%":
            assert measure.target <= 100, measure.name
        if measure.direction == Direction.HIGHER_IS_BETTER:
            assert measure.target > measure.baseline
        else:
            assert measure.target < measure.baseline
    memberships = BoardMembership.objects.filter(board__slug__startswith=slug_prefix(10))
    assert memberships.exists()
    for membership in memberships.select_related("user"):
        assert membership.user.date_joined.date() <= membership.joined_on


@pytest.mark.django_db
def test_generated_people_cannot_sign_in() -> None:
    with time_machine.travel(NOW, tick=False):
        generate(seed=9)
    people = list(User.objects.filter(email__endswith="@" + email_domain(9)))
    assert people
    assert not any(person.has_usable_password() for person in people)
