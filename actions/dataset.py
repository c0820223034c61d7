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
"""

import datetime as dt
import itertools
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from decimal import Decimal

from django.db import connection, models, transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery

from accounts.models import User
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
    Plan,
    PlanStatus,
    PlanType,
    ProgressUpdate,
    Rag,
    Recommendation,
    SuccessMeasure,
)

BATCH = 1000
# Starts with "!", so Django treats it as an unusable password: nobody signs in as these.
NO_PASSWORD = "!synthetic"

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Daniel",
    "Elif",
    "Farah",
    "George",
    "Hannah",
    "Imran",
    "Jade",
    "Kai",
    "Leah",
    "Mohammed",
    "Nia",
    "Oliver",
    "Priya",
    "Rhys",
    "Sophie",
    "Tomasz",
    "Uma",
    "Victor",
    "Wendy",
    "Yusuf",
    "Zara",
    "Aled",
    "Bethan",
    "Callum",
    "Dev",
    "Erin",
    "Fatima",
]
LAST_NAMES = [
    "Ahmed",
    "Baker",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hussain",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Usman",
    "Vaughan",
    "Williams",
    "Young",
    "Zhang",
]
AREA_STARTS = [
    "North",
    "South",
    "East",
    "West",
    "Upper",
    "Lower",
    "Great",
    "Little",
    "Kings",
    "Queens",
    "High",
    "Long",
    "Broad",
    "Old",
    "New",
]
AREA_ENDS = [
    "shire",
    "borough",
    "field",
    "ford",
    "ton",
    "ham",
    "by",
    "wick",
    "mouth",
    "dale",
    "bridge",
    "port",
]
ORGANISATIONS = (
    (0.45, "{area} Council", ("SEND Officer", "EHC Coordinator", "Inclusion Manager")),
    (0.25, "NHS {area} ICB", ("Commissioner", "Designated Clinical Officer", "Therapy Lead")),
    (0.20, "{area} Academy Trust", ("SENCO", "Headteacher", "Deputy Headteacher")),
    (0.10, "{area} Parent Carer Forum", ("Co-chair", "Participation Lead", "Volunteer")),
)
ACTION_VERBS = (
    "Recruit",
    "Review",
    "Publish",
    "Train",
    "Commission",
    "Co-produce",
    "Reduce",
    "Improve",
)
ACTION_OBJECTS = (
    "EHC coordinators for the assessment team",
    "the neurodevelopmental assessment pathway",
    "the Local Offer website",
    "SENCOs in the graduated approach",
    "speech and language therapy capacity",
    "waiting times for health advice",
    "the quality assurance of EHC plans",
    "preparation for adulthood reviews",
)
RECOMMENDATION_TITLES = (
    "Improve the timeliness and quality of EHC plans",
    "Reduce waits for neurodevelopmental assessment",
    "Strengthen inclusion in mainstream schools",
    "Improve co-production with children, young people and families",
    "Improve preparation for adulthood",
    "Strengthen joint commissioning between the council and the NHS",
)
MEASURE_NAMES = (
    ("EHC plans issued within 20 weeks", "%", Direction.HIGHER_IS_BETTER),
    ("Average wait for autism assessment", "weeks", Direction.LOWER_IS_BETTER),
    ("Health advice returned within six weeks", "%", Direction.HIGHER_IS_BETTER),
    ("Suspensions of pupils on SEN support (per 100)", "per 100", Direction.LOWER_IS_BETTER),
)
AMBER_NOTES = ("Recruitment slower than planned.", "Partner sign-off still pending.")
RED_NOTES = ("Funding not yet agreed; the due date will be missed.", "Key post vacant.")


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


def _at(day: dt.date, minutes: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)


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
    prefix = f"{slug_prefix(seed)}{number:03d}"
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
    start = today - dt.timedelta(days=rng.randint(90, 540))
    memberships = []
    for board, size in zip(boards, (8, 2, 3), strict=True):
        for position, user in enumerate(rng.sample(pool, min(size, len(pool)))):
            role = "Chair" if position == 0 else ""
            memberships.append(BoardMembership(board=board, user=user, role=role, joined_on=start))
    BoardMembership.objects.bulk_create(memberships, batch_size=BATCH)
    counts.boards += len(boards)
    counts.board_members += len(memberships)

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
    outcomes = Outcome.objects.bulk_create(
        [
            Outcome(recommendation=rec, number=n, title=f"Outcome {rec.number}.{n}")
            for rec in recommendations
            for n in (1, 2)
        ]
    )
    counts.recommendations += len(recommendations)
    counts.outcomes += len(outcomes)

    actions: list[Action] = []
    histories: list[list[ProgressUpdate]] = []
    for index in range(actions_per_plan):
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
    Action.objects.bulk_create(actions, batch_size=BATCH)
    counts.actions += len(actions)

    through = Action.supporting_owners.through
    supporting = []
    for action in actions:
        for user in rng.sample(pool, min(rng.choice((0, 0, 1, 2)), len(pool))):
            if user.pk != action.owner_id:
                supporting.append(through(action_id=action.pk, user_id=user.pk))
    through.objects.bulk_create(supporting, batch_size=BATCH)
    counts.supporting_owners += len(supporting)

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
    _milestones_and_measures(rng, counts, recommendations, actions, pool=pool, today=today)


def _history(
    rng: random.Random, action: Action, *, author: User, today: dt.date
) -> list[ProgressUpdate]:
    """A plausible sequence of progress reports that the status service would accept."""
    assert action.start_date is not None
    # Reports fall on days from the start to yesterday, so none is in the future.
    span = (today - action.start_date).days - 1
    if span < 0:
        return []
    draw = rng.random()
    green = (ActionStatus.IN_PROGRESS, Rag.GREEN, "Work has started.")
    amber = (ActionStatus.IN_PROGRESS, Rag.AMBER, rng.choice(AMBER_NOTES))
    red = (ActionStatus.IN_PROGRESS, Rag.RED, rng.choice(RED_NOTES))
    done = (ActionStatus.COMPLETED, Rag.BLUE, "Completed; evidence attached.")
    steps: list[tuple[str, str, str]]
    if action.due_date < today:
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


def _milestones_and_measures(
    rng: random.Random,
    counts: DatasetCounts,
    recommendations: list[Recommendation],
    actions: list[Action],
    *,
    pool: list[User],
    today: dt.date,
) -> None:
    plan = recommendations[0].plan
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
    Milestone.objects.bulk_create(milestones, batch_size=BATCH)
    counts.milestones += len(milestones)

    by_rec: dict[int, list[Action]] = {}
    for action in actions:
        by_rec.setdefault(action.recommendation_id, []).append(action)
    through = Milestone.actions.through
    links = []
    for milestone in milestones:
        candidates = by_rec.get(milestone.recommendation_id, [])
        for action in rng.sample(candidates, min(3, len(candidates))):
            links.append(through(milestone_id=milestone.pk, action_id=action.pk))
    through.objects.bulk_create(links, batch_size=BATCH)
    counts.milestone_actions += len(links)

    measures = []
    for rec in recommendations:
        for name, unit, direction in rng.sample(MEASURE_NAMES, 2):
            baseline = Decimal(rng.randint(20, 80))
            step = Decimal(rng.randint(5, 30))
            if direction == Direction.HIGHER_IS_BETTER:
                # A percentage tops out at 100.
                target = min(baseline + step, Decimal(100)) if unit == "%" else baseline + step
            else:
                # Halve a wait or a rate at most: never a target below zero.
                target = baseline - min(step, baseline / 2)
            measures.append(
                SuccessMeasure(
                    recommendation=rec,
                    name=name,
                    unit=unit,
                    baseline=baseline,
                    baseline_date=plan.start_date,
                    target=target,
                    target_date=plan.end_date,
                    direction=direction,
                )
            )
    SuccessMeasure.objects.bulk_create(measures, batch_size=BATCH)
    counts.measures += len(measures)

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
    MeasureReading.objects.bulk_create(readings, batch_size=BATCH)
    counts.readings += len(readings)
