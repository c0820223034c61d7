"""A worker, once started, leaves its start-up objects out of later full garbage collections:
a sweep's many short-lived rows then set off collections that walk only what came after."""

import gc
from collections.abc import Iterator

import pytest
from celery.signals import worker_init

from workers.celery import freeze_start_up_objects


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_starting_worker_freezes_what_start_up_made(unfrozen: None) -> None:
    # Called by Celery as the worker starts, before a prefork pool forks its children (the
    # signal's other receivers, Celery's own for Django, need a real worker).
    assert freeze_start_up_objects in worker_init._live_receivers(None)  # type: ignore[attr-defined]
    assert gc.get_freeze_count() == 0
    tracked = len(gc.get_objects())

    freeze_start_up_objects()

    # Everything tracked when the worker started is frozen, so a full collection walks none
    # of it.
    assert gc.get_freeze_count() >= tracked
    assert len(gc.get_objects()) < tracked // 10
