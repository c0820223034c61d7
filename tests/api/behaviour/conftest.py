"""The clock every API behaviour test runs at: Monday 23 November 2026, 10:00 in London.

The plan most of them work on (``plan1``: a lead, an owner, a supporter, a board member and a
stranger around one action) comes from tests/api/conftest.py.
"""

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from actions.dates import LONDON


@pytest.fixture(autouse=True)
def monday_23_november_2026() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON), tick=False):
        yield
