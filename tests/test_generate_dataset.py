"""``manage.py generate_dataset``: deterministic synthetic data that keeps every rule.

The same seed and --today give the same data; the counts it prints are the rows it wrote;
every constraint and every rule of the status service holds (histories replay through the
real service); nothing goes into the audit history; a seed already loaded and bad
arguments are refused with one clear line and change nothing, also from a real shell.
"""

import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
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
    Plan,
    ProgressUpdate,
    Rag,
    Recommendation,
    SuccessMeasure,
)
from actions.services import action_update_status
from actions.status_rules import ALLOWED_TRANSITIONS
from tests.factories import PLAN_MODELS

ROOT = Path(__file__).resolve().parent.parent

# 10:00 in London on Monday 23 November 2026; the data is generated around that day.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
TODAY = NOW.date()
PLANS, ACTIONS_PER_PLAN, PEOPLE = 2, 12, 20

ALL_MODELS = PLAN_MODELS
HISTORY_MODELS: list[type[models.Model]] = [
    m for m in apps.get_models() if m.__name__.startswith("Historical")
]


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def generate(*args: str, seed: int = 1, today: dt.date = TODAY) -> str:
    out = StringIO()
    call_command(
        "generate_dataset",
        "--plans",
        str(PLANS),
        "--actions-per-plan",
        str(ACTIONS_PER_PLAN),
        "--people",
        str(PEOPLE),
        "--seed",
        str(seed),
        "--today",
        today.isoformat(),
        *args,
        stdout=out,
    )
    return out.getvalue()


def every_row() -> dict[str, list[dict[str, Any]]]:
    """Every column of every row in every table the command could touch, audit included."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in [*ALL_MODELS, *HISTORY_MODELS]
    }


def seed_plans(seed: int) -> models.QuerySet[Plan]:
    return Plan.objects.filter(slug__startswith=slug_prefix(seed))


def content(seed: int) -> dict[str, list[tuple[Any, ...]]]:
    """The seed's data by natural keys (slugs, emails, numbers, references), not ids."""
    plans = seed_plans(seed)
    actions = Action.objects.filter(plan__in=plans)
    recs = Recommendation.objects.filter(plan__in=plans)
    measures = SuccessMeasure.objects.filter(recommendation__in=recs)
    milestones = Milestone.objects.filter(recommendation__in=recs)

    def rows(queryset: models.QuerySet[Any], *names: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in queryset.order_by(*names).values_list(*names)]

    return {
        "people": rows(
            User.objects.filter(email__endswith="@" + email_domain(seed)),
            "email",
            "name",
            "organisation",
            "job_title",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
            "date_joined",
        ),
        "boards": rows(
            Board.objects.filter(slug__startswith=slug_prefix(seed)), "slug", "name", "audience"
        ),
        "members": rows(
            BoardMembership.objects.filter(board__slug__startswith=slug_prefix(seed)),
            "board__slug",
            "user__email",
            "role",
            "joined_on",
        ),
        "plans": rows(
            plans,
            "slug",
            "title",
            "plan_type__slug",
            "local_area",
            "start_date",
            "end_date",
            "status",
            "published",
            "board__slug",
            "summary",
        ),
        "recommendations": rows(recs, "plan__slug", "number", "title", "lead__email"),
        "outcomes": rows(
            Outcome.objects.filter(recommendation__in=recs),
            "recommendation__plan__slug",
            "recommendation__number",
            "number",
            "title",
        ),
        "actions": rows(
            actions,
            "plan__slug",
            "reference",
            "recommendation__number",
            "outcome__number",
            "title",
            "owner__email",
            "start_date",
            "due_date",
            "status",
            "rag",
            "completed_on",
            "latest_update__created_at",
            "last_progress_at",
        ),
        "supporting owners": rows(
            Action.supporting_owners.through.objects.filter(action__in=actions),
            "action__plan__slug",
            "action__reference",
            "user__email",
        ),
        "updates": rows(
            ProgressUpdate.objects.filter(action__in=actions),
            "action__plan__slug",
            "action__reference",
            "created_at",
            "author__email",
            "previous_status",
            "status",
            "previous_rag",
            "rag",
            "commentary",
            "completed_on",
        ),
        "evidence": sorted(
            (u.action.plan.slug, u.action.reference, str(u.created_at), u.evidence_links)
            for u in ProgressUpdate.objects.filter(action__in=actions).select_related(
                "action__plan"
            )
        ),
        "milestones": rows(
            milestones,
            "recommendation__plan__slug",
            "recommendation__number",
            "title",
            "due_date",
            "achieved_on",
        ),
        "milestone actions": rows(
            Milestone.actions.through.objects.filter(milestone__in=milestones),
            "milestone__recommendation__plan__slug",
            "milestone__title",
            "action__reference",
        ),
        "measures": rows(
            measures,
            "recommendation__plan__slug",
            "recommendation__number",
            "name",
            "unit",
            "baseline",
            "baseline_date",
            "target",
            "target_date",
            "direction",
            "outcome__number",
        ),
        "readings": rows(
            MeasureReading.objects.filter(measure__in=measures),
            "measure__recommendation__plan__slug",
            "measure__recommendation__number",
            "measure__name",
            "taken_on",
            "value",
            "recorded_by__email",
            "note",
        ),
    }


def delete_seed(seed: int) -> None:
    # Progress is kept when an action is deleted (or not: either way, go first explicitly).
    ProgressUpdate.objects.filter(action__plan__in=seed_plans(seed)).delete()
    seed_plans(seed).delete()  # recommendations, actions, milestones, measures, readings
    Board.objects.filter(slug__startswith=slug_prefix(seed)).delete()
    User.objects.filter(email__endswith="@" + email_domain(seed)).delete()


def printed_counts(output: str) -> dict[str, int]:
    match = re.fullmatch(r"Generated (.+) in \d+\.\d s\.\n", output)
    assert match, output
    counts = {}
    for part in match.group(1).split(", "):
        number, name = part.split(" ", 1)
        counts[name] = int(number)
    return counts


# --- Deterministic ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_the_same_seed_and_today_give_the_same_data_in_a_fresh_run() -> None:
    first_output = generate(seed=11)
    first = content(11)
    delete_seed(11)
    assert all(not rows for rows in content(11).values()), "deleting the seed left rows"

    second_output = generate(seed=11)
    second = content(11)

    assert first["actions"], "nothing was generated"
    for table in first:
        assert second[table] == first[table], f"{table} differ between two runs"
    assert printed_counts(second_output) == printed_counts(first_output)


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_another_seed_gives_other_data_beside_the_first() -> None:
    generate(seed=1)
    first = content(1)
    generate(seed=2)

    assert content(1) == first, "a second seed changed the first seed's data"
    second = content(2)
    assert [row[1:] for row in second["people"]] != [row[1:] for row in first["people"]]
    assert [row[1:] for row in second["actions"]] != [row[1:] for row in first["actions"]]
    assert seed_plans(1).count() == seed_plans(2).count() == PLANS


# --- Counts -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_the_printed_counts_are_the_rows_written_and_follow_the_arguments() -> None:
    before = {model._meta.label: model._default_manager.count() for model in ALL_MODELS}
    counts = printed_counts(generate(seed=3))
    written = {
        model._meta.label: model._default_manager.count() - before[model._meta.label]
        for model in ALL_MODELS
    }

    assert counts == {
        "people": written["accounts.User"],
        "boards": written["actions.Board"],
        "board members": written["actions.BoardMembership"],
        "plans": written["actions.Plan"],
        "recommendations": written["actions.Recommendation"],
        "outcomes": written["actions.Outcome"],
        "actions": written["actions.Action"],
        "supporting owners": written["actions.Action_supporting_owners"],
        "progress updates": written["actions.ProgressUpdate"],
        "milestones": written["actions.Milestone"],
        "milestone actions": written["actions.Milestone_actions"],
        "measures": written["actions.SuccessMeasure"],
        "readings": written["actions.MeasureReading"],
    }
    assert counts["plans"] == PLANS
    assert counts["actions"] == PLANS * ACTIONS_PER_PLAN
    assert counts["people"] == PEOPLE
    assert counts["boards"] == PLANS * len(BoardAudience)
    for plan in seed_plans(3):
        assert plan.actions.count() == ACTIONS_PER_PLAN, plan.slug
        assert 3 <= plan.recommendations.count() <= 6, plan.slug
    # The plans use the plan types the migrations installed; none is added.
    assert written["actions.PlanType"] == 0


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


# --- Refusals -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    "again",
    [(), ("--plans", "1"), ("--today", "2026-12-01")],
    ids=["same-arguments", "other-sizes", "other-today"],
)
def test_a_second_run_with_the_same_seed_is_refused_and_changes_nothing(
    again: tuple[str, ...],
) -> None:
    generate(seed=4)
    before = every_row()

    with pytest.raises(CommandError) as refused:
        generate(*again, seed=4)

    message = str(refused.value)
    assert "\n" not in message
    assert "seed 4" in message
    assert "synthetic-4-" in message
    assert every_row() == before


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    ("arguments", "names"),
    [
        (("--plans", "0"), "--plans"),
        (("--actions-per-plan", "0"), "--actions-per-plan"),
        (("--actions-per-plan", "10000"), "--actions-per-plan"),
        (("--people", "0"), "--people"),
        (("--seed", "-1"), "--seed"),
        (("--today", "not-a-date"), "--today"),
        (("--today", "2026-02-30"), "--today"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_line_and_write_nothing(
    arguments: tuple[str, str], names: str
) -> None:
    before = every_row()
    with pytest.raises(CommandError) as refused:
        generate(*arguments)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(names + " must be"), message
    assert repr(arguments[1]) in message or f"got {arguments[1]})" in message, message
    assert every_row() == before


# --- From a real shell --------------------------------------------------------------------


@pytest.fixture(scope="module")
def shell_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Development settings with their own SQLite database under a temporary VAR_DIR."""
    var_dir = tmp_path_factory.mktemp("var")
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", VAR_DIR=str(var_dir))
    migrated = manage(env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def table_counts(env: dict[str, str]) -> dict[str, int]:
    tables = (
        "accounts_user",
        "actions_board",
        "actions_plan",
        "actions_action",
        "actions_progressupdate",
        "actions_measurereading",
        "actions_historicalaction",
    )
    with sqlite3.connect(Path(env["VAR_DIR"]) / "db.sqlite3") as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


@pytest.mark.parametrize(
    ("arguments", "option"),
    [(("--plans", "0"), "--plans"), (("--today", "not-a-date"), "--today")],
)
def test_from_the_shell_bad_arguments_exit_non_zero_with_one_line(
    shell_env: dict[str, str], arguments: tuple[str, str], option: str
) -> None:
    before = table_counts(shell_env)
    result = manage(shell_env, "generate_dataset", *arguments)

    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"CommandError: {option} must be"), lines[0]
    assert "Traceback" not in result.stderr
    assert table_counts(shell_env) == before


def test_from_the_shell_a_seed_already_loaded_exits_non_zero_with_one_line(
    shell_env: dict[str, str],
) -> None:
    arguments = ("--plans", "1", "--actions-per-plan", "5", "--people", "6", "--seed", "42")
    first = manage(shell_env, "generate_dataset", *arguments, "--today", "2026-11-23")
    assert first.returncode == 0, first.stderr
    assert first.stderr == ""
    assert re.fullmatch(
        r"Generated 6 people, .* 1 plans, .* 5 actions, .* in \S+ s\.\n", first.stdout
    ), first.stdout
    before = table_counts(shell_env)

    again = manage(shell_env, "generate_dataset", *arguments)

    assert again.returncode == 1
    assert again.stdout == ""
    lines = again.stderr.strip().splitlines()
    assert len(lines) == 1, again.stderr
    assert lines[0].startswith("CommandError: Synthetic data for seed 42 is already"), lines[0]
    assert "Traceback" not in again.stderr
    assert table_counts(shell_env) == before
