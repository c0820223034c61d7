"""Time as the people using the service see it: stored in UTC, reasoned in Europe/London."""

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def local_now() -> dt.datetime:
    return timezone.now().astimezone(LONDON)


def local_today() -> dt.date:
    """Today's date in London: just after midnight BST is still 'yesterday' in UTC."""
    return local_now().date()


# --- Working days -------------------------------------------------------------------------
# England and Wales bank holidays come from the `holidays` package, which ships its calendar
# (no network). Wales has the same bank holidays as England.


@functools.cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_bank_holiday(day: dt.date) -> bool:
    return day in _bank_holidays(day.year)


def bank_holiday_name(day: dt.date) -> str | None:
    if not is_bank_holiday(day):
        return None
    return holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``day`` (before it, if ``count`` is negative).

    ``day`` itself need not be a working day; ``count`` 0 gives ``day`` back.
    """
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += dt.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


# Working days are counted through a running number per day, so that counting the days
# between two dates costs two look-ups, not a walk through the calendar: a sweep counts them
# for every overdue item.
_FIRST_YEAR = 1900
_year_starts: dict[int, int] = {_FIRST_YEAR: 0}


@functools.cache
def _year_numbers(year: int) -> tuple[int, ...]:
    """Working days from 1 January 1900 up to and including each day of ``year``."""
    if year not in _year_starts:
        # Built up year by year (no recursion), from the latest year already counted.
        known = max(y for y in _year_starts if y < year)
        for earlier in range(known, year):
            _year_starts[earlier + 1] = _year_numbers(earlier)[-1]
    before = _year_starts[year]
    numbers = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        before += is_working_day(day)
        numbers.append(before)
        day += dt.timedelta(days=1)
    return tuple(numbers)


# Each date's number once worked out, for a sweep's thousands of look-ups on a few hundred
# dates: one dictionary look-up. Bounded so that a long-lived worker never grows it forever.
_numbers: dict[dt.date, int] = {}
_NUMBERS_KEPT = 100_000


def working_day_number(day: dt.date) -> int:
    number = _numbers.get(day)
    if number is not None:
        return number
    if day.year < _FIRST_YEAR:
        # A mistyped year (1926 for 2026 is caught; 0926 is not worth a calendar): every
        # such date is simply long past.
        number = 0
    else:
        number = _year_numbers(day.year)[day.toordinal() - _first_of_january(day.year)]
    if len(_numbers) < _NUMBERS_KEPT:
        _numbers[day] = number
    return number


@functools.cache
def _first_of_january(year: int) -> int:
    return dt.date(year, 1, 1).toordinal()


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``; negative if ``end`` is earlier.

    From a Friday to the next Monday is 1; from a due date to the first working day after it
    is 1, so "overdue day 0" is the first working day on which an item is late.
    """
    return working_day_number(end) - working_day_number(start)


def working_day_on_or_before(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day
