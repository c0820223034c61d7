"""The recommendation page's fixtures: every test here runs on ``NOW``, and starts from the
``World`` of ``world.py``."""

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from actions.dates import LONDON
from tests.workspace.recommendation_page.world import World

# Wednesday 2 December 2026, mid-morning in London.
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world() -> World:
    return World()
