"""DIGEST_WEEKDAY and DIGEST_TIME come from the environment and are checked at start-up.

Each case runs Django in a subprocess with a clean environment, as an operator would.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SHOW = "from django.conf import settings; print(settings.DIGEST_WEEKDAY, settings.DIGEST_TIME)"


def run(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(VAR_DIR=str(tmp_path), **extra)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_defaults_are_monday_at_eight(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "monday 08:00"


def test_a_day_and_time_from_the_environment(tmp_path: Path) -> None:
    result = run(tmp_path, DIGEST_WEEKDAY="Friday", DIGEST_TIME="16:30")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "friday 16:30"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DIGEST_WEEKDAY", "Mondy", 'DIGEST_WEEKDAY "mondy" is not a day such as Monday.'),
        ("DIGEST_TIME", "8am", 'DIGEST_TIME "8am" is not a time such as 08:00.'),
    ],
)
def test_a_bad_value_stops_the_service_with_a_clear_message(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    result = run(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        f"django.core.exceptions.ImproperlyConfigured: {message}"
    )
