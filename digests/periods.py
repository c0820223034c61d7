"""Periods and the clock: which period a day belongs to for a board's cadence, and whether
the digests are due at a moment (the London weekday and time from the settings)."""

import datetime as dt

from django.conf import settings

from actions.dates import LONDON
from actions.models import Cadence

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# Fortnights are counted from a fixed Monday, so every board's fortnights line up.
FORTNIGHT_EPOCH = dt.date(2001, 1, 1)


def period_of(*, cadence: str, day: dt.date) -> str:
    """The cadence period ``day`` falls in: "2026-W48", "2026-W47-fortnight", "2026-11"."""
    if cadence == Cadence.MONTHLY:
        return f"{day:%Y-%m}"
    if cadence == Cadence.FORTNIGHTLY:
        monday = day - dt.timedelta(days=day.weekday())
        start = FORTNIGHT_EPOCH + dt.timedelta(weeks=2 * ((monday - FORTNIGHT_EPOCH).days // 14))
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}-fortnight"
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_weekday() -> int:
    return WEEKDAYS.index(settings.DIGEST_WEEKDAY.strip().lower())


def digest_time() -> dt.time:
    return dt.time.fromisoformat(settings.DIGEST_TIME)


def digest_day(now: dt.datetime) -> dt.date | None:
    """The London date whose digests are due at ``now``, or None (another day, too early)."""
    local = now.astimezone(LONDON)
    if local.weekday() != digest_weekday() or local.time() < digest_time():
        return None
    return local.date()
