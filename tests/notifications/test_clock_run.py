"""The clock run (``benchmarks.clock_run``) over two months: the real sweeps, day by day, on
a synthetic data set with an outage on a Thursday and Friday.

Nobody gets two emails on one day, nothing due on the missed days is lost, and a second
``send_reminders`` for a day ahead (after ``escalate_overdue`` for it) nudges nobody again.
"""

import pytest

from benchmarks.clock_run import clock_run


@pytest.mark.django_db
def test_two_months_of_sweeps_send_one_email_a_day_lose_nothing_and_repeat_nothing() -> None:
    figures = clock_run(months=1.5)

    assert figures["person_days"] > 500
    assert figures["person_days_with_two_emails"] == 0
    assert figures["outage_lines_lost"] == 0
    assert figures["operator_second_run_nudges"] == 0
