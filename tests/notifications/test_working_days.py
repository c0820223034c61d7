"""Working days in England and Wales, and the moment each day's emails go out in London."""

import datetime as dt

import pytest
from pytest_django.fixtures import Settings

from actions.dates import (
    add_working_days,
    is_working_day,
    working_day_on_or_before,
    working_days_between,
)
from notifications.services import sending_day

d = dt.date


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


# --- Which days are working days ----------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        d(2026, 12, 25),  # Christmas Day, a Friday
        d(2026, 12, 28),  # Boxing Day falls on a Saturday: the bank holiday is the Monday
        d(2026, 4, 3),  # Good Friday
        d(2026, 4, 6),  # Easter Monday
        d(2026, 5, 25),  # Spring bank holiday
        d(2027, 1, 1),  # New Year's Day
        d(2026, 11, 28),  # a Saturday
        d(2026, 11, 29),  # a Sunday
    ],
)
def test_bank_holidays_and_weekends_are_not_working_days(day: dt.date) -> None:
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        d(2026, 11, 25),  # an ordinary Wednesday
        d(2026, 12, 24),  # Christmas Eve is not a bank holiday
        d(2026, 12, 29),  # the Tuesday after the observed Boxing Day
        d(2026, 12, 31),  # New Year's Eve
        d(2026, 4, 7),  # the Tuesday after Easter Monday
    ],
)
def test_ordinary_weekdays_are_working_days(day: dt.date) -> None:
    assert is_working_day(day)


# --- Counting working days ----------------------------------------------------------------


def test_from_a_friday_to_the_next_monday_is_one_working_day() -> None:
    assert working_days_between(d(2026, 11, 27), d(2026, 11, 30)) == 1


def test_counting_skips_christmas_and_the_observed_boxing_day() -> None:
    # After Friday 18 December: 21, 22, 23, 24 and 29 December.
    assert working_days_between(d(2026, 12, 18), d(2026, 12, 29)) == 5


def test_counting_backwards_gives_the_same_number_negative() -> None:
    assert working_days_between(d(2026, 12, 29), d(2026, 12, 18)) == -5


def test_a_day_is_zero_working_days_from_itself() -> None:
    assert working_days_between(d(2026, 12, 25), d(2026, 12, 25)) == 0


def test_counting_runs_across_the_end_of_the_year() -> None:
    # 31 December 2026 is a Thursday; New Year's Day 2027 is a Friday and a bank holiday.
    assert working_days_between(d(2026, 12, 31), d(2027, 1, 4)) == 1
    assert working_days_between(d(2026, 12, 24), d(2027, 1, 5)) == 5  # 29, 30, 31, 4, 5


def test_counting_skips_good_friday_and_easter_monday() -> None:
    assert working_days_between(d(2026, 4, 2), d(2026, 4, 7)) == 1


def test_2026_has_253_working_days() -> None:
    # 261 weekdays less 8 bank holidays (1 Jan, 3 Apr, 6 Apr, 4 May, 25 May, 31 Aug, 25 Dec,
    # 28 Dec); Boxing Day itself falls on a Saturday and is not counted twice.
    assert working_days_between(d(2025, 12, 31), d(2026, 12, 31)) == 261 - 8


def test_three_working_days_before_29_december_is_22_december() -> None:
    assert add_working_days(d(2026, 12, 29), -3) == d(2026, 12, 22)


def test_ten_working_days_before_29_december_is_11_december() -> None:
    assert add_working_days(d(2026, 12, 29), -10) == d(2026, 12, 11)


def test_the_working_day_after_christmas_eve_is_29_december() -> None:
    assert add_working_days(d(2026, 12, 24), 1) == d(2026, 12, 29)


def test_the_working_day_after_new_years_eve_is_in_the_next_year() -> None:
    assert add_working_days(d(2026, 12, 31), 1) == d(2027, 1, 4)


def test_adding_working_days_skips_a_weekend() -> None:
    assert add_working_days(d(2026, 11, 27), 1) == d(2026, 11, 30)
    assert add_working_days(d(2026, 11, 30), -1) == d(2026, 11, 27)


def test_adding_working_days_from_a_saturday_counts_from_the_monday() -> None:
    assert add_working_days(d(2026, 11, 28), 1) == d(2026, 11, 30)


def test_adding_no_working_days_gives_the_same_day_even_on_a_holiday() -> None:
    assert add_working_days(d(2026, 12, 25), 0) == d(2026, 12, 25)


def test_adding_then_counting_agree() -> None:
    start = d(2026, 12, 15)
    for count in range(-30, 31):
        assert working_days_between(start, add_working_days(start, count)) == count


def test_the_working_day_on_or_before_boxing_day_observed_is_christmas_eve() -> None:
    assert working_day_on_or_before(d(2026, 12, 28)) == d(2026, 12, 24)
    assert working_day_on_or_before(d(2026, 12, 24)) == d(2026, 12, 24)


# --- When each day's emails go out (09:00 in London) ---------------------------------------


def test_it_sends_at_half_past_eight_utc_on_the_first_monday_of_summer_time() -> None:
    # Clocks went forward on Sunday 29 March: 08:30 UTC is 09:30 BST.
    assert sending_day(utc(2026, 3, 30, 8, 30)) == d(2026, 3, 30)


def test_it_waits_at_half_past_eight_utc_on_the_last_friday_of_winter_time() -> None:
    # 08:30 UTC on Friday 27 March is 08:30 GMT: too early.
    assert sending_day(utc(2026, 3, 27, 8, 30)) is None
    assert sending_day(utc(2026, 3, 27, 9, 0)) == d(2026, 3, 27)


def test_it_sends_at_half_past_eight_utc_on_the_last_friday_of_summer_time() -> None:
    # Friday 23 October is still BST: 08:30 UTC is 09:30 in London.
    assert sending_day(utc(2026, 10, 23, 8, 30)) == d(2026, 10, 23)


def test_it_waits_at_half_past_eight_utc_on_the_first_monday_of_winter_time() -> None:
    # Clocks went back on Sunday 25 October: 08:30 UTC on Monday 26 is 08:30 GMT.
    assert sending_day(utc(2026, 10, 26, 8, 30)) is None
    assert sending_day(utc(2026, 10, 26, 9, 0)) == d(2026, 10, 26)


def test_it_sends_from_nine_oclock_london_time_exactly() -> None:
    assert sending_day(utc(2026, 11, 25, 8, 59, 59)) is None
    assert sending_day(utc(2026, 11, 25, 9, 0)) == d(2026, 11, 25)
    assert sending_day(utc(2026, 11, 25, 17, 0)) == d(2026, 11, 25)


def test_just_after_midnight_in_summer_time_is_the_next_london_day_and_too_early() -> None:
    # 23:30 UTC on Monday 30 March is 00:30 BST on Tuesday 31 March.
    assert sending_day(utc(2026, 3, 30, 23, 30)) is None


def test_late_evening_utc_in_summer_time_still_sends_for_that_london_day() -> None:
    assert sending_day(utc(2026, 6, 10, 22, 30)) == d(2026, 6, 10)  # 23:30 BST


@pytest.mark.parametrize(
    "day",
    [
        d(2026, 3, 28),  # Saturday before the clocks go forward
        d(2026, 3, 29),  # Sunday the clocks go forward
        d(2026, 10, 24),  # Saturday before the clocks go back
        d(2026, 10, 25),  # Sunday the clocks go back
        d(2026, 12, 25),  # Christmas Day
        d(2026, 12, 28),  # Boxing Day (observed)
        d(2026, 4, 6),  # Easter Monday
    ],
)
def test_it_never_sends_on_a_weekend_or_bank_holiday_whatever_the_time(day: dt.date) -> None:
    # Every half hour of the UTC day, and the hours either side of it.
    start = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC) - dt.timedelta(hours=1)
    moments = [start + dt.timedelta(minutes=30 * n) for n in range(52)]
    assert {sending_day(moment) for moment in moments} <= {None, day - dt.timedelta(days=1)}
    assert day not in {sending_day(moment) for moment in moments}


def test_an_earlier_send_time_is_honoured(settings: Settings) -> None:
    settings.NOTIFICATIONS_SEND_TIME = "07:30"
    assert sending_day(utc(2026, 11, 25, 7, 29)) is None
    assert sending_day(utc(2026, 11, 25, 7, 30)) == d(2026, 11, 25)


def test_a_send_time_in_whole_hours_is_honoured_in_summer_time(
    settings: Settings,
) -> None:
    settings.NOTIFICATIONS_SEND_TIME = "10"
    assert sending_day(utc(2026, 6, 10, 8, 59)) is None  # 09:59 BST
    assert sending_day(utc(2026, 6, 10, 9, 0)) == d(2026, 6, 10)  # 10:00 BST
