"""Rows built once for a module's tests, each test rolled back to them.

The permission tables send hundreds of requests, each against the same few dozen rows;
building those rows for every test was most of their time. Here they are built once per
module inside a transaction that is rolled back when the module ends, and each test runs in
a savepoint inside it (pytest-django's ``db``), so every test still starts from exactly the
rows the module built, whatever the test before it wrote.

The module fixture must be in the test's own fixtures (not fetched with
``getfixturevalue``): pytest then sets it up before the function-scoped ``db``, so its
transaction is the outer one. Give each test its own copy of the objects (``copy.deepcopy``,
as Django's ``setUpTestData`` does), so that a test that changes one in memory cannot change
the next test's.
"""

import datetime as dt
import importlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import time_machine
from django.apps import apps as django_apps
from django.db import transaction

T = TypeVar("T")


def add_notification_defaults() -> None:
    """The default reminder rule and escalation ladder, as migration 0002 installs them."""
    default_rules = importlib.import_module("notifications.migrations.0002_default_rules")
    default_rules.add_defaults(django_apps, None)


def built_once(django_db_blocker: Any, build: Callable[[], T], *, at: dt.datetime) -> Iterator[T]:
    """For a module-scoped fixture: ``build()`` at the moment ``at``, undone at the end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # As every test gets them (tests/conftest.py): a transactional test run before
            # this module may have emptied the tables of the migration's rows.
            add_notification_defaults()
            with time_machine.travel(at, tick=False):
                data = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
