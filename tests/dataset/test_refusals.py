"""``manage.py generate_dataset`` refuses a seed already loaded and bad arguments with one
clear line, and changes nothing: called in-process, and from a real shell, where it exits
non-zero without a traceback.
"""

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError

from tests.dataset.generated import every_row, generate

ROOT = Path(__file__).resolve().parents[2]

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
