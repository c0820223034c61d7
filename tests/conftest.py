import pytest
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import UserFactory


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def admin_user(db: None) -> User:
    return UserFactory.create(email="admin@example.gov.uk", is_staff=True, is_superuser=True)
