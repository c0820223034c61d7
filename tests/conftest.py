import importlib

import pytest
from django.apps import apps as django_apps
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
