import contextlib
import importlib
from typing import Any, cast

import pytest
import redis
from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient

from accounts.models import User
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
    default_rules = importlib.import_module("notifications.migrations.0002_default_rules")
    default_rules.add_defaults(django_apps, None)
