"""Fixtures for the ``generate_dataset`` tests: ``frozen`` pins the clock (no ticking) at
10:00 in London on Monday 23 November 2026, the day the data is generated around."""

from collections.abc import Iterator

import pytest
import time_machine

from tests.dataset.generated import NOW


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield
