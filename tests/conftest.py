import contextlib
import functools
import inspect
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient

from accounts.models import User
from tests.built_once import add_notification_defaults
from tests.factories import UserFactory


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def admin_user(db: None) -> User:
    return UserFactory.create(email="admin@example.gov.uk", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def fresh_throttle_counts() -> None:
    """Each test starts with no sign-ins or link posts counted against it.

    The counts outlive a test (in-process without REDIS_URL, in Redis with it), and on SQLite
    ids repeat, so one test's posts to "the link for action 1" would hold up the next test's.
    Only the throttle's own keys go: the broker may share that Redis database.
    """
    cache = caches["throttle"]
    if isinstance(cache, RedisCache):
        # Down is fine: the throttle is then open, and there is nothing to clear.
        with contextlib.suppress(Exception):
            throttle = cast(dict[str, Any], settings.CACHES["throttle"])
            client = redis.Redis.from_url(throttle["LOCATION"])
            keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def notification_defaults(request: pytest.FixtureRequest) -> None:
    """The default reminder rule and escalation ladder, as migration 0002 installs them.

    A transactional test flushes every table when it ends, data migrations' rows included;
    without this, which tests see the default ladder would depend on the order they run in.
    """
    uses_db = "_django_db_helper" in request.fixturenames or (
        request.node.get_closest_marker("django_db") is not None
    )
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    add_notification_defaults()


# --- Running in parallel (docs/testing.md) -------------------------------------------------
# `make test` runs the suite on several pytest-xdist workers with --dist loadgroup
# --no-loadscope-reorder. pytest-django gives each worker a test database of its own
# (test_<name>_gw0, ...); the hooks below give each its own Redis database, keep the tests that
# share an expensive fixture on one worker, and hand out the slowest work first.

TESTS_DIR = Path(__file__).resolve().parent
REDIS_DATABASES = 16  # Redis's default number of databases


def worker_redis_url(url: str, worker: int) -> str:
    """The URL's Redis database moved on by the worker's number (wrapping at 16)."""
    parts = urlsplit(url)
    base = parts.path.strip("/")
    number = (int(base) if base.isdigit() else 0) + worker
    return urlunsplit(parts._replace(path=f"/{number % REDIS_DATABASES}"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_newgateway(gateway: Any) -> None:
    """Before a worker loads the settings: REDIS_URL (and THROTTLE_CACHE_URL) point at a
    database of its own, so that one worker's throttle clean-up and Celery queue never touch
    another's. The processes a test starts inherit the worker's environment."""
    worker = int(gateway.id.removeprefix("gw"))
    moved = {
        name: worker_redis_url(os.environ[name], worker)
        for name in ("REDIS_URL", "THROTTLE_CACHE_URL")
        if os.environ.get(name)
    }
    if moved:
        gateway.remote_exec(f"import os; os.environ.update({moved!r})").waitclose()


@functools.cache
def _is_the_suites(fixture_function: Any) -> bool:
    """Defined under tests/, not by a plugin (pytest-django's live_server and test database
    are once per worker, which is what a worker needs)."""
    return Path(inspect.getfile(fixture_function)).resolve().is_relative_to(TESTS_DIR)


def _is_transactional(item: pytest.Item) -> bool:
    """As pytest-django decides it: such a test empties every table when it ends."""
    marker = item.get_closest_marker("django_db")
    asked = marker is not None and bool(
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    )
    fixtures = getattr(item, "fixturenames", ())
    return asked or "transactional_db" in fixtures or "live_server" in fixtures


def _uses_db(item: pytest.Item) -> bool:
    fixtures = getattr(item, "fixturenames", ())
    return item.get_closest_marker("django_db") is not None or "db" in fixtures


def _shared_fixture_group(item: pytest.Item) -> str | None:
    """The group of a test that uses a module-, package- or session-scoped fixture of the
    suite's own (a stand-in provider, the fault harness, a migrated shell database): all its
    users run on one worker, one after another, so the fixture is built once, not once per
    worker (nor again each time another module's test comes in between). A module's
    transactional tests are a group of their own: they run after the others (below)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    groups = []
    for name, definitions in info.name2fixturedefs.items():
        fixture = definitions[-1]
        if fixture.scope == "function" or not _is_the_suites(fixture.func):
            continue
        if fixture.scope in ("module", "class"):
            groups.append(item.nodeid.split("::")[0])
        else:
            groups.append(f"{fixture.baseid or 'tests'}:{name}")
    if not groups:
        return None
    return min(groups) + (":transactional" if _is_transactional(item) else "")


def pytest_itemcollected(item: pytest.Item) -> None:
    # Here, not in pytest_collection_modifyitems: xdist reads the marks in its own.
    if item.get_closest_marker("xdist_group") is None:
        group = _shared_fixture_group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def _worker_rank(item: pytest.Item) -> int:
    """pytest-django's order (tests in a rolled-back transaction, then transactional tests,
    which empty the tables, then tests without the database), with the long ones first
    where that order allows: real processes (the e2e mark) and grouped tests."""
    long = item.get_closest_marker("e2e") is not None or (
        item.get_closest_marker("xdist_group") is not None
    )
    if not _uses_db(item) and not _is_transactional(item):
        return 0 if long else 4
    if _is_transactional(item):
        return 2 if long else 3
    return 1


def _tell_apart(items: list[pytest.Item]) -> None:
    """Every test its own id: xdist hands tests out by id, and of several tests sharing one it
    runs only the first and says nothing of the others. schemathesis gives all the operations
    of tests/hostile/test_schemathesis.py their function's id (under pytest 9.2): each gets
    its name, "...[GET /api/actions/]", as pytest itself would write it."""
    from _pytest.nodeid import NodeId

    seen = Counter(item.nodeid for item in items)
    for item in items:
        if seen[item.nodeid] > 1 and item.parent is not None and hasattr(item, "_id"):
            item._id = NodeId.parse(f"{item.parent.nodeid}::{item.name}")
    shared = [nodeid for nodeid, count in Counter(i.nodeid for i in items).items() if count > 1]
    if shared:
        raise pytest.UsageError(f"tests share an id, and xdist would run one of each: {shared}")


def _name_the_group(item: pytest.Item) -> None:
    """What xdist's --dist loadgroup does: the group's name after an @ at the end of the test's
    id, which is what the scheduler reads. xdist 3.8 still writes the id field of pytest
    before 9.2, so with pytest 9.2 its groups are silently ignored; this writes the new one."""
    names = sorted({str(mark.args[0]) for mark in item.iter_markers("xdist_group") if mark.args})
    if not names or "@" in item.nodeid.rpartition("]")[2] or not hasattr(item, "_id"):
        return
    from _pytest.nodeid import NodeId

    item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a pytest-xdist worker: every test an id of its own, and the long tests first, so
    that no worker starts the fault harness while the others run out of work. Every worker
    sorts alike; xdist then hands the tests out in this order (--no-loadscope-reorder) and
    each worker keeps it."""
    if not hasattr(config, "workerinput"):
        return
    _tell_apart(items)
    items.sort(key=_worker_rank)
    if config.getoption("loadgroup", False):
        for item in items:
            _name_the_group(item)


# The schemathesis figures per role (tests/hostile/conftest.py prints them at the end of a run
# in one process): on xdist each worker counts its own, and the run's totals are printed here.
_WORKER_FIGURES: dict[str, Counter[str]] = {}


def pytest_sessionfinish(session: pytest.Session) -> None:
    output = getattr(session.config, "workeroutput", None)
    module = sys.modules.get("tests.hostile.test_schemathesis")
    if output is not None and module is not None:
        output["schemathesis_figures"] = {
            role: dict(figures) for role, figures in getattr(module, "FIGURES", {}).items()
        }


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    figures = getattr(node, "workeroutput", {}).get("schemathesis_figures", {})
    for role, counts in figures.items():
        merged = _WORKER_FIGURES.setdefault(role, Counter())
        for key, count in counts.items():
            # An operation is counted once per role, whichever workers fuzzed it.
            merged[key] = 1 if key.startswith("operation ") else merged[key] + count


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _WORKER_FIGURES:
        from tests.hostile.conftest import write_figures

        write_figures(terminalreporter, _WORKER_FIGURES)
