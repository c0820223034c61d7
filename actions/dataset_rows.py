"""Unsaved rows for a synthetic plan: what plausible delivery data looks like.

Each function here draws from the seeded random number generator it is given and builds
model instances without touching the database; ``actions.dataset`` writes them in batches.
The order of the draws is the dataset: ``actions.dataset`` calls these in one fixed order,
and a change to the draws inside any of them changes every dataset made with a seed.
"""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from accounts.models import User
from actions.dataset_words import (
    ACTION_OBJECTS,
    ACTION_VERBS,
    AMBER_NOTES,
    MEASURE_NAMES,
    RED_NOTES,
)
from actions.models import (
    Action,
    ActionStatus,
    Direction,
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    ProgressUpdate,
    Rag,
    Recommendation,
    SuccessMeasure,
)

# A status, a rating and the commentary that goes with them: one progress report.
_Step = tuple[str, str, str]


def new_actions(
    rng: random.Random,
    plan: Plan,
    recommendations: list[Recommendation],
    outcomes: list[Outcome],
    *,
    count: int,
    pool: list[User],
    start: dt.date,
    today: dt.date,
) -> tuple[list[Action], list[list[ProgressUpdate]]]:
    """The plan's actions, each with its progress history, which waits for the action's id.

    Each action already carries the status, rating and completion date of its last update,
    so it is inserted as it finally stands. ``outcomes`` are two per recommendation, in
    recommendation order.
    """
    actions: list[Action] = []
    histories: list[list[ProgressUpdate]] = []
    for index in range(count):
        rec = recommendations[index % len(recommendations)]
        owner = rng.choice(pool)
        action_start = start + dt.timedelta(days=rng.randint(0, 300))
        due = action_start + dt.timedelta(days=rng.randint(14, 360))
        action = Action(
            plan=plan,
            recommendation=rec,
            outcome=outcomes[2 * (rec.number - 1) + rng.randint(0, 1)],
            reference=f"{rec.number}.{index // len(recommendations) + 1}",
            title=f"{rng.choice(ACTION_VERBS)} {rng.choice(ACTION_OBJECTS)}",
            owner=owner,
            start_date=action_start,
            due_date=due,
        )
        updates = _history(rng, action, author=owner, today=today)
        if updates:
            last = updates[-1]
            action.status, action.rag, action.completed_on = (
                last.status,
                last.rag,
                last.completed_on,
            )
        actions.append(action)
        histories.append(updates)
    return actions, histories


def supporting_owner_links(
    rng: random.Random, actions: list[Action], *, pool: list[User]
) -> list[Any]:
    """Most actions have no supporting owner, some one or two; never their owner again.

    The actions must already be saved: the links name them by id.
    """
    through = Action.supporting_owners.through
    supporting = []
    for action in actions:
        for user in rng.sample(pool, min(rng.choice((0, 0, 1, 2)), len(pool))):
            if user.pk != action.owner_id:
                supporting.append(through(action_id=action.pk, user_id=user.pk))
    return supporting


def _history(
    rng: random.Random, action: Action, *, author: User, today: dt.date
) -> list[ProgressUpdate]:
    """A plausible sequence of progress reports that the status service would accept."""
    assert action.start_date is not None
    # Reports fall on days from the start to yesterday, so none is in the future.
    span = (today - action.start_date).days - 1
    if span < 0:
        return []
    steps = _steps(rng, overdue=action.due_date < today)
    updates = []
    previous_status, previous_rag = ActionStatus.NOT_STARTED.value, Rag.GREEN.value
    for position, (status, rag, commentary) in enumerate(steps):
        day = action.start_date + dt.timedelta(days=span * (position + 1) // (len(steps) + 1))
        completed = status == ActionStatus.COMPLETED
        updates.append(
            ProgressUpdate(
                author=author,
                created_at=_at(day, 60 * position + rng.randint(0, 59)),
                previous_status=previous_status,
                status=status,
                previous_rag=previous_rag,
                rag=rag,
                commentary=commentary,
                evidence_links=["https://example.org/evidence"] if completed else [],
                completed_on=day if completed else None,
            )
        )
        previous_status, previous_rag = status, rag
    return updates


def _steps(rng: random.Random, *, overdue: bool) -> list[_Step]:
    """The reports an action has had: most overdue ones finished, some went red or stuck;
    most not yet due are on track."""
    draw = rng.random()
    green = (ActionStatus.IN_PROGRESS, Rag.GREEN, "Work has started.")
    amber = (ActionStatus.IN_PROGRESS, Rag.AMBER, rng.choice(AMBER_NOTES))
    red = (ActionStatus.IN_PROGRESS, Rag.RED, rng.choice(RED_NOTES))
    done = (ActionStatus.COMPLETED, Rag.BLUE, "Completed; evidence attached.")
    steps: list[_Step]
    if overdue:
        if draw < 0.7:
            steps = [green, done]
        elif draw < 0.85:
            steps = [green, amber, red]
        elif draw < 0.95:
            steps = [green, (ActionStatus.BLOCKED, Rag.RED, "Waiting for a funding decision.")]
        else:
            steps = [(ActionStatus.CANCELLED, Rag.GREEN, "Superseded by another action.")]
    elif draw < 0.15:
        steps = []
    elif draw < 0.6:
        steps = [green, (ActionStatus.IN_PROGRESS, Rag.GREEN, "On track.")]
    elif draw < 0.8:
        steps = [green, amber]
    elif draw < 0.9:
        steps = [green, amber, red]
    else:
        steps = [green, done]
    return steps


def _at(day: dt.date, minutes: int) -> dt.datetime:
    """A time on ``day`` from 08:00 UTC, in the working morning in London all year."""
    return dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)


def new_milestones(
    rng: random.Random, recommendations: list[Recommendation], *, plan: Plan, today: dt.date
) -> list[Milestone]:
    """Two milestones per recommendation; most of those already due were achieved."""
    length = (plan.end_date - plan.start_date).days
    milestones = []
    for rec in recommendations:
        for n in (1, 2):
            due = plan.start_date + dt.timedelta(days=rng.randint(60, length))
            achieved = None
            if due < today and rng.random() < 0.8:
                achieved = due - dt.timedelta(days=rng.randint(0, 20))
            milestones.append(
                Milestone(
                    recommendation=rec,
                    title=f"Milestone {rec.number}.{n}",
                    due_date=due,
                    achieved_on=achieved,
                )
            )
    return milestones


def milestone_action_links(
    rng: random.Random, milestones: list[Milestone], actions: list[Action]
) -> list[Any]:
    """Up to three of its recommendation's actions lead to each milestone (both saved)."""
    by_rec: dict[int, list[Action]] = {}
    for action in actions:
        by_rec.setdefault(action.recommendation_id, []).append(action)
    through = Milestone.actions.through
    links = []
    for milestone in milestones:
        candidates = by_rec.get(milestone.recommendation_id, [])
        for action in rng.sample(candidates, min(3, len(candidates))):
            links.append(through(milestone_id=milestone.pk, action_id=action.pk))
    return links


def new_measures(
    rng: random.Random, recommendations: list[Recommendation], *, plan: Plan
) -> list[SuccessMeasure]:
    """Two success measures per recommendation, over the plan's whole span."""
    measures = []
    for rec in recommendations:
        for name, unit, direction in rng.sample(MEASURE_NAMES, 2):
            baseline = Decimal(rng.randint(20, 80))
            step = Decimal(rng.randint(5, 30))
            measures.append(
                SuccessMeasure(
                    recommendation=rec,
                    name=name,
                    unit=unit,
                    baseline=baseline,
                    baseline_date=plan.start_date,
                    target=_target(baseline, step, unit=unit, direction=direction),
                    target_date=plan.end_date,
                    direction=direction,
                )
            )
    return measures


def _target(baseline: Decimal, step: Decimal, *, unit: str, direction: str) -> Decimal:
    """A target ``step`` better than the baseline, kept to values the measure can take."""
    if direction == Direction.HIGHER_IS_BETTER:
        # A percentage tops out at 100.
        return min(baseline + step, Decimal(100)) if unit == "%" else baseline + step
    # Halve a wait or a rate at most: never a target below zero.
    return baseline - min(step, baseline / 2)


def new_readings(
    rng: random.Random, measures: list[SuccessMeasure], *, pool: list[User], today: dt.date
) -> list[MeasureReading]:
    """A few monthly readings per measure, moving towards its target with some noise."""
    readings = []
    for measure in measures:
        last = today - dt.timedelta(days=rng.randint(1, 20))
        total = rng.randint(3, 6)
        for n in range(total):
            progress = (measure.target - measure.baseline) * Decimal(n) / Decimal(total + 2)
            noise = Decimal(rng.randint(-20, 20)) / 10
            readings.append(
                MeasureReading(
                    measure=measure,
                    taken_on=last - dt.timedelta(days=30 * (total - 1 - n)),
                    value=(measure.baseline + progress + noise).quantize(Decimal("0.01")),
                    recorded_by=rng.choice(pool),
                )
            )
    return readings
