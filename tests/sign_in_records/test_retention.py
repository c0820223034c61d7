"""Sign-in records are kept for SIGN_IN_RECORDS_KEEP_DAYS whole London days, then the daily
sweep deletes them, whatever the clocks did in between."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from pytest_django import Settings

from accounts import sign_in_records
from accounts.models import SignInEvent, SignInRecord
from workers import tasks
from workers.schedule import sweeps

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
GMT = dt.UTC
BST = dt.timezone(dt.timedelta(hours=1))


def record(at: dt.datetime, email: str) -> None:
    SignInRecord.objects.create(event=SignInEvent.SIGNED_IN, method="password", email=email, at=at)


def left() -> set[str]:
    return set(SignInRecord.objects.values_list("email", flat=True))


def test_records_older_than_the_period_go_and_newer_ones_stay(settings: Settings) -> None:
    settings.SIGN_IN_RECORDS_KEEP_DAYS = 365
    # 10:00 on Monday 23 November 2026 (GMT): the period starts at midnight on 23 November 2025.
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=GMT)
    record(dt.datetime(2024, 1, 1, 12, 0, tzinfo=GMT), "two-years")
    record(dt.datetime(2025, 11, 22, 23, 59, 59, tzinfo=GMT), "the-day-before")
    record(dt.datetime(2025, 11, 23, 0, 0, tzinfo=GMT), "first-moment-kept")
    record(dt.datetime(2026, 11, 23, 9, 59, tzinfo=GMT), "this-morning")
    with time_machine.travel(now, tick=False):
        assert tasks.delete_expired_sign_in_records() == 2
        # A second run the same day finds nothing more.
        assert tasks.delete_expired_sign_in_records() == 0
    assert left() == {"first-moment-kept", "this-morning"}


def test_a_shorter_period_from_the_setting_deletes_more(settings: Settings) -> None:
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=GMT)
    record(now - dt.timedelta(days=40), "forty-days")
    record(now - dt.timedelta(days=20), "twenty-days")
    with time_machine.travel(now, tick=False):
        settings.SIGN_IN_RECORDS_KEEP_DAYS = 365
        assert tasks.delete_expired_sign_in_records() == 0
        settings.SIGN_IN_RECORDS_KEEP_DAYS = 30
        assert tasks.delete_expired_sign_in_records() == 1
    assert left() == {"twenty-days"}


def test_the_period_starts_at_london_midnight_in_summer(settings: Settings) -> None:
    settings.SIGN_IN_RECORDS_KEEP_DAYS = 7
    # Monday 6 April 2026, after the clocks went forward: the period starts at 00:00 BST on
    # 30 March, which is 23:00 UTC on 29 March.
    now = dt.datetime(2026, 4, 6, 9, 0, tzinfo=BST)
    record(dt.datetime(2026, 3, 29, 22, 30, tzinfo=GMT), "23:30 BST on 29 March")
    record(dt.datetime(2026, 3, 29, 23, 30, tzinfo=GMT), "00:30 BST on 30 March")
    with time_machine.travel(now, tick=False):
        assert tasks.delete_expired_sign_in_records() == 1
    assert left() == {"00:30 BST on 30 March"}


@pytest.mark.parametrize(
    ("now", "kept", "gone"),
    [
        # 29 March 2026 has 23 hours: one day's period still starts at London midnight.
        pytest.param(
            dt.datetime(2026, 3, 30, 0, 30, tzinfo=BST),
            dt.datetime(2026, 3, 29, 0, 0, tzinfo=GMT),
            dt.datetime(2026, 3, 28, 23, 59, tzinfo=GMT),
            id="clocks-forward",
        ),
        # 25 October 2026 has 25 hours: its first hour (BST) is kept with the rest of it.
        pytest.param(
            dt.datetime(2026, 10, 26, 0, 30, tzinfo=GMT),
            dt.datetime(2026, 10, 25, 0, 0, tzinfo=BST),
            dt.datetime(2026, 10, 24, 23, 59, tzinfo=BST),
            id="clocks-back",
        ),
    ],
)
def test_a_day_the_clocks_change_is_kept_whole(
    settings: Settings, now: dt.datetime, kept: dt.datetime, gone: dt.datetime
) -> None:
    settings.SIGN_IN_RECORDS_KEEP_DAYS = 1
    record(kept, "kept")
    record(gone, "gone")
    with time_machine.travel(now, tick=False):
        assert tasks.delete_expired_sign_in_records() == 1
    assert left() == {"kept"}


def test_a_long_backlog_is_deleted_in_batches(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SIGN_IN_RECORDS_KEEP_DAYS = 30
    monkeypatch.setattr(sign_in_records, "DELETE_BATCH", 4)
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=GMT)
    for n in range(11):
        record(now - dt.timedelta(days=100 + n), f"old-{n}")
    record(now, "today")
    with time_machine.travel(now, tick=False):
        assert tasks.delete_expired_sign_in_records() == 11
    assert left() == {"today"}


def test_beat_runs_the_deletion_once_a_day() -> None:
    daily = [s for s in sweeps() if s.task == "accounts.delete_expired_sign_in_records"]
    assert [(s.name, s.every_seconds) for s in daily] == [("Delete expired sign-in records", 86400)]
    assert tasks.delete_expired_sign_in_records.name == "accounts.delete_expired_sign_in_records"


SHOW_KEEP_DAYS = "from django.conf import settings; print(settings.SIGN_IN_RECORDS_KEEP_DAYS)"


def run_django(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings.local", VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW_KEEP_DAYS],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(("value", "days"), [(None, "365"), ("30", "30")])
def test_the_period_comes_from_the_environment(
    tmp_path: Path, value: str | None, days: str
) -> None:
    shown = run_django(tmp_path, **({} if value is None else {"SIGN_IN_RECORDS_KEEP_DAYS": value}))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == days


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "SIGN_IN_RECORDS_KEEP_DAYS must be at least 1 (a number of days)."),
        ("a year", "SIGN_IN_RECORDS_KEEP_DAYS must be a whole number, not 'a year'."),
    ],
)
def test_a_period_that_is_not_a_number_of_days_stops_start_up(
    tmp_path: Path, value: str, message: str
) -> None:
    shown = run_django(tmp_path, SIGN_IN_RECORDS_KEEP_DAYS=value)
    assert shown.returncode != 0
    assert message in shown.stderr
