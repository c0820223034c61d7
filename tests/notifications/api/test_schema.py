"""The API schema documents the notifications, preferences and escalations endpoints, their
filters and their fields."""

import pytest
from rest_framework.test import APIClient

from tests.notifications.api.reads import DEFAULTS

pytestmark = pytest.mark.django_db

# --- The schema ---------------------------------------------------------------------------


def test_the_schema_documents_notifications_preferences_and_escalations() -> None:
    answer = APIClient().get("/api/schema/", {"format": "json"})
    assert answer.status_code == 200
    schema = answer.json()
    paths = schema["paths"]

    assert set(paths["/api/me/notifications/"]) == {"get"}
    assert set(paths["/api/me/preferences/"]) == {"get", "put", "patch"}
    assert "get" in paths["/api/escalations/"]
    assert "get" in paths["/api/escalations/{id}/"]
    assert "get" in paths["/api/actions/{id}/escalations/"]
    assert "get" in paths["/api/milestones/{id}/escalations/"]

    def parameters(path: str) -> set[str]:
        return {p["name"] for p in paths[path]["get"].get("parameters", [])}

    assert {"kind", "status"} <= parameters("/api/me/notifications/")
    assert {"open", "plan", "action", "milestone", "level"} <= parameters("/api/escalations/")

    components = schema["components"]["schemas"]
    preference_fields = set(components["Preferences"]["properties"])
    assert set(DEFAULTS) <= preference_fields
    escalation_fields = set(components["Escalation"]["properties"])
    assert {"level", "audience", "told", "created_at", "is_open", "resolved_at"} <= (
        escalation_fields
    )
    assert "items" in components["Notification"]["properties"]
