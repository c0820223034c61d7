"""What a person reads through the API: their notifications, and the preferences they have
until they choose others."""

from typing import Any

from accounts.models import User
from tests.api.conftest import client_for


def notifications_of(user: User, query: str = "") -> Any:
    answer = client_for(user).get(f"/api/me/notifications/{query}")
    assert answer.status_code == 200, answer.content
    return answer.json()


DEFAULTS = {
    "before_due": True,
    "days_before": None,
    "on_due_date": True,
    "overdue": True,
    "as_supporting_owner": True,
    "digests": True,
}
