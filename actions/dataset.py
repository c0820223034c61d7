"""Synthetic data at national scale, for load and sweep-cost testing.

``dataset_generate`` writes people, boards, plans, recommendations, outcomes, actions with
progress histories, milestones and success measures with readings, with ``bulk_create`` in
batches: no per-row saves and no audit-history rows (nobody changed this data). The same
seed and the same ``today`` always give the same data. Every model constraint and every
rule of the status service holds: completed actions are blue and have a completion date,
red and amber updates have commentary, transitions are allowed ones, and each action's
``latest_update`` and ``last_progress_at`` are those of its last update.

Generated rows are recognisable: plan and board slugs start ``synthetic-<seed>-`` and
people's emails end ``@s<seed>.synthetic.example``. A second run with the same seed is
refused rather than mixed in.

This module writes and counts; ``actions.dataset_rows`` draws the actions, histories,
milestones and measures, from the words in ``actions.dataset_words``.
"""

import datetime as dt
import itertools
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields

from django.db import connection, models, transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery

from accounts.models import User
from actions.dataset_rows import (
    milestone_action_links,
    new_actions,
    new_measures,
    new_milestones,
    new_readings,
    supporting_owner_links,
)
from actions.dataset_words import (
    AREA_ENDS,
    AREA_STARTS,
    FIRST_NAMES,
    LAST_NAMES,
    ORGANISATIONS,
    RECOMMENDATION_TITLES,
)
from actions.models import (
    Action,
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
    Recommendation,
    SuccessMeasure,
)

BATCH = 1000
# Starts with "!", so Django treats it as an unusable password: nobody signs in as these.
NO_PASSWORD = "!synthetic"


class DatasetError(ValueError):
    """Arguments that cannot produce a dataset, or a dataset that already exists."""


@dataclass
class DatasetCounts:
    people: int = 0
    boards: int = 0
    board_members: int = 0
    plans: int = 0
    recommendations: int = 0
    outcomes: int = 0
    actions: int = 0
    supporting_owners: int = 0
    progress_updates: int = 0
    milestones: int = 0
    milestone_actions: int = 0
    measures: int = 0
    readings: int = 0

    def line(self) -> str:
        return ", ".join(
            f"{getattr(self, f.name)} {f.name.replace('_', ' ')}" for f in fields(self)
        )


def slug_prefix(seed: int) -> str:
    return f"synthetic-{seed}-"


def email_domain(seed: int) -> str:
    return f"s{seed}.synthetic.example"


def dataset_check(*, plans: int, actions_per_plan: int, people: int, seed: int) -> None:
    """Refuse impossible arguments, and a seed whose data is already in the database."""
    for name, value, least in (
        ("--plans", plans, 1),
        ("--actions-per-plan", actions_per_plan, 1),
        ("--people", people, 1),
        ("--seed", seed, 0),
    ):
        if value < least:
            raise DatasetError(f"{name} must be at least {least} (got {value}).")
    if actions_per_plan > 9999:
        raise DatasetError(f"--actions-per-plan must be at most 9999 (got {actions_per_plan}).")
    if (
        Plan.objects.filter(slug__startswith=slug_prefix(seed)).exists()
        or Board.objects.filter(slug__startswith=slug_prefix(seed)).exists()
        or User.objects.filter(email__endswith="@" + email_domain(seed)).exists()
    ):
        raise DatasetError(
            f"Synthetic data for seed {seed} is already in this database (slugs "
            f"{slug_prefix(seed)}*); use another --seed or an empty database."
        )


def dataset_generate(
    *, plans: int, actions_per_plan: int, people: int, seed: int, today: dt.date
) -> DatasetCounts:
    """Write a deterministic synthetic dataset in one transaction; return what it wrote."""
    dataset_check(plans=plans, actions_per_plan=actions_per_plan, people=people, seed=seed)
    rng = random.Random(seed)
    counts = DatasetCounts()
    with transaction.atomic(), _keep_given_created_at():
        plan_types = list(PlanType.objects.order_by("slug"))
        if not plan_types:
            plan_types = [
                PlanType.objects.create(
                    slug="written-statement-of-action", name="Written Statement of Action"
                )
            ]
        areas = _area_names(plans)
        users = _people(rng, count=people, areas=areas, seed=seed, today=today)
        counts.people = len(users)
        by_area: list[list[User]] = [[] for _ in areas]
        for index, user in enumerate(users):
            by_area[index % len(areas)].append(user)
        for number, area in enumerate(areas):
            pool = by_area[number] or users
            _plan(
                rng,
                counts,
                number=number + 1,
                area=area,
                pool=pool,
                plan_type=plan_types[number % len(plan_types)],
                actions_per_plan=actions_per_plan,
                seed=seed,
                today=today,
            )
        plan_ids = Plan.objects.filter(slug__startswith=slug_prefix(seed)).values_list(
            "pk", flat=True
        )
        _link_latest_updates(Action.objects.filter(plan_id__in=list(plan_ids)))
    _refresh_statistics()
    return counts


def _refresh_statistics() -> None:
    """Tell the query planner how big the tables now are.

    Until autovacuum gets round to it, PostgreSQL plans as if the bulk insert had not happened
    (on the national set, one page of progress updates took 270 ms instead of 9 ms), and a
    benchmark run straight after generating would measure the stale plan, not the code.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _link_latest_updates(actions: QuerySet[Action]) -> None:
    """Point each action at its newest update, in one set-based UPDATE for the whole dataset.

    Each history was inserted oldest first, so the newest update has both the highest id and
    the latest time. (Row by row, or with bulk_update's CASE expressions, this step took most
    of the run time.)
    """
    updates = ProgressUpdate.objects.filter(action=OuterRef("pk")).values("action")
    actions.update(
        latest_update=Subquery(updates.annotate(newest=Max("pk")).values("newest")),
        last_progress_at=Subquery(updates.annotate(at=Max("created_at")).values("at")),
    )


@contextmanager
def _keep_given_created_at() -> Iterator[None]:
    # bulk_create would stamp every progress update "now"; a history needs its past times.
    created_at = ProgressUpdate._meta.get_field("created_at")
    assert isinstance(created_at, models.DateTimeField)
    created_at.auto_now_add = False
    try:
        yield
    finally:
        created_at.auto_now_add = True


def _area_names(count: int) -> list[str]:
    names = []
    for index in range(count):
        start = AREA_STARTS[index % len(AREA_STARTS)]
        end = AREA_ENDS[(index // len(AREA_STARTS)) % len(AREA_ENDS)]
        cycle = index // (len(AREA_STARTS) * len(AREA_ENDS))
        names.append(f"{start}{end}" + (f" {cycle + 1}" if cycle else ""))
    return names


def _people(
    rng: random.Random, *, count: int, areas: Sequence[str], seed: int, today: dt.date
) -> list[User]:
    # Before the earliest plan start (540 days back), so that board memberships, which start
    # with their plan, never begin before the person joined.
    joined = dt.datetime.combine(today - dt.timedelta(days=600), dt.time(9), tzinfo=dt.UTC)
    weights = [w for w, _, _ in ORGANISATIONS]
    users = []
    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        _, organisation, titles = rng.choices(ORGANISATIONS, weights)[0]
        local_part = f"{first}.{last}.{index + 1:05d}".lower().replace("'", "")
        users.append(
            User(
                email=f"{local_part}@{email_domain(seed)}",
                name=f"{first} {last}",
                organisation=organisation.format(area=areas[index % len(areas)]),
                job_title=rng.choice(titles),
                password=NO_PASSWORD,
                date_joined=joined,
            )
        )
    return User.objects.bulk_create(users, batch_size=BATCH)


def _plan(
    rng: random.Random,
    counts: DatasetCounts,
    *,
    number: int,
    area: str,
    pool: list[User],
    plan_type: PlanType,
    actions_per_plan: int,
    seed: int,
    today: dt.date,
) -> None:
    """One local area's plan, its boards and everything under it.

    Every step draws from the one seeded ``rng``, so the steps run in this order and no
    other: moving a draw from one step to another would change every dataset.
    """
    prefix = f"{slug_prefix(seed)}{number:03d}"
    boards = _boards(counts, prefix=prefix, area=area)
    start = today - dt.timedelta(days=rng.randint(90, 540))
    _board_members(rng, counts, boards, pool=pool, joined_on=start)
    plan = _plan_row(
        rng, counts, prefix=prefix, area=area, plan_type=plan_type, start=start, boards=boards
    )
    recommendations = _recommendations(rng, counts, plan, number=number, pool=pool)
    outcomes = _outcomes(counts, recommendations)
    actions, histories = new_actions(
        rng,
        plan,
        recommendations,
        outcomes,
        count=actions_per_plan,
        pool=pool,
        start=start,
        today=today,
    )
    Action.objects.bulk_create(actions, batch_size=BATCH)
    counts.actions += len(actions)
    supporting = supporting_owner_links(rng, actions, pool=pool)
    Action.supporting_owners.through.objects.bulk_create(supporting, batch_size=BATCH)
    counts.supporting_owners += len(supporting)
    _progress_updates(counts, actions, histories)
    _milestones_and_measures(rng, counts, recommendations, actions, pool=pool, today=today)


def _boards(counts: DatasetCounts, *, prefix: str, area: str) -> list[Board]:
    """The area's three boards, one per audience; the first is the plan's own."""
    boards = Board.objects.bulk_create(
        [
            Board(
                name=f"{area} {audience.label}",
                slug=f"{prefix}-{audience.value.replace('_', '-')}",
                audience=audience,
            )
            for audience in BoardAudience
        ]
    )
    counts.boards += len(boards)
    return boards


def _board_members(
    rng: random.Random,
    counts: DatasetCounts,
    boards: list[Board],
    *,
    pool: list[User],
    joined_on: dt.date,
) -> None:
    """A few people from the area on each board, the first of each its chair."""
    memberships = []
    for board, size in zip(boards, (8, 2, 3), strict=True):
        for position, user in enumerate(rng.sample(pool, min(size, len(pool)))):
            role = "Chair" if position == 0 else ""
            memberships.append(
                BoardMembership(board=board, user=user, role=role, joined_on=joined_on)
            )
    BoardMembership.objects.bulk_create(memberships, batch_size=BATCH)
    counts.board_members += len(memberships)


def _plan_row(
    rng: random.Random,
    counts: DatasetCounts,
    *,
    prefix: str,
    area: str,
    plan_type: PlanType,
    start: dt.date,
    boards: list[Board],
) -> Plan:
    """The plan row, mostly active and often published, and its links to the other boards."""
    status = rng.choices(PlanStatus.values, weights=(5, 90, 5))[0]
    # bulk_create, like every write here, so that no audit-history row is written.
    [plan] = Plan.objects.bulk_create(
        [
            Plan(
                title=f"{area} SEND {plan_type.name}",
                slug=prefix,
                plan_type=plan_type,
                local_area=area,
                start_date=start,
                end_date=start + dt.timedelta(days=rng.randint(540, 900)),
                status=status,
                published=status != PlanStatus.DRAFT and rng.random() < 0.7,
                board=boards[0],
            )
        ]
    )
    # Its Lead Member and Parent Carer Forum hear its briefings and top escalations.
    Plan.other_boards.through.objects.bulk_create(
        [Plan.other_boards.through(plan_id=plan.pk, board_id=board.pk) for board in boards[1:]]
    )
    counts.plans += 1
    return plan


def _recommendations(
    rng: random.Random, counts: DatasetCounts, plan: Plan, *, number: int, pool: list[User]
) -> list[Recommendation]:
    # The titles rotate with the plan's number, so neighbouring plans do not read alike.
    recommendations = Recommendation.objects.bulk_create(
        [
            Recommendation(
                plan=plan,
                number=n,
                title=RECOMMENDATION_TITLES[(number + n) % len(RECOMMENDATION_TITLES)],
                lead=rng.choice(pool),
            )
            for n in range(1, rng.randint(3, 6) + 1)
        ]
    )
    counts.recommendations += len(recommendations)
    return recommendations


def _outcomes(counts: DatasetCounts, recommendations: list[Recommendation]) -> list[Outcome]:
    """Two outcomes per recommendation, in recommendation order (``new_actions`` relies on it)."""
    outcomes = Outcome.objects.bulk_create(
        [
            Outcome(recommendation=rec, number=n, title=f"Outcome {rec.number}.{n}")
            for rec in recommendations
            for n in (1, 2)
        ]
    )
    counts.outcomes += len(outcomes)
    return outcomes


def _progress_updates(
    counts: DatasetCounts, actions: list[Action], histories: list[list[ProgressUpdate]]
) -> None:
    """Every action's history, now that the actions have ids, in one batched insert."""
    updates = []
    for action, history in zip(actions, histories, strict=True):
        for update in history:
            update.action = action
            updates.append(update)
    ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH)
    counts.progress_updates += len(updates)
    # Each history was inserted oldest first, so an action's newest update has its highest
    # id: _link_latest_updates relies on it.
    assert all(
        earlier.pk < later.pk
        for history in histories
        for earlier, later in itertools.pairwise(history)
    )


def _milestones_and_measures(
    rng: random.Random,
    counts: DatasetCounts,
    recommendations: list[Recommendation],
    actions: list[Action],
    *,
    pool: list[User],
    today: dt.date,
) -> None:
    """Each recommendation's milestones, linked to its actions, and its success measures."""
    plan = recommendations[0].plan
    milestones = new_milestones(rng, recommendations, plan=plan, today=today)
    Milestone.objects.bulk_create(milestones, batch_size=BATCH)
    counts.milestones += len(milestones)
    links = milestone_action_links(rng, milestones, actions)
    Milestone.actions.through.objects.bulk_create(links, batch_size=BATCH)
    counts.milestone_actions += len(links)
    measures = new_measures(rng, recommendations, plan=plan)
    SuccessMeasure.objects.bulk_create(measures, batch_size=BATCH)
    counts.measures += len(measures)
    readings = new_readings(rng, measures, pool=pool, today=today)
    MeasureReading.objects.bulk_create(readings, batch_size=BATCH)
    counts.readings += len(readings)
