"""Progress updates through the API: posting one changes the action's status and shows in
its history, newest first; a board member reads the history but may not report progress, and
a stranger can find neither the action nor its history.
"""

import pytest

from actions.models import ProgressUpdate
from tests.api.behaviour.actions_api import action_url
from tests.api.conftest import Plan1, client_for

pytestmark = pytest.mark.django_db


# --- Progress updates ---------------------------------------------------------------------


def test_posting_an_update_changes_the_status_and_the_history_shows_it_newest_first(
    plan1: Plan1,
) -> None:
    client = client_for(plan1.owner)
    url = action_url(plan1.action, "updates/")
    blocked = client.post(url, {"status": "blocked", "commentary": "Waiting for the budget"})
    assert blocked.status_code == 201, blocked.content
    done = client.post(
        url,
        {
            "status": "completed",
            "completed_on": "2026-11-20",
            "evidence_links": ["https://example.org/appointments"],
        },
    )
    assert done.status_code == 201, done.content
    assert done.json()["rag"] == "blue"

    action = client.get(action_url(plan1.action)).json()
    assert (action["status"], action["rag"], action["completed_on"]) == (
        "completed",
        "blue",
        "2026-11-20",
    )
    assert action["latest_update"] == done.json()["id"]

    history = client.get(url)
    assert history.status_code == 200
    rows = history.json()["results"]
    assert [(row["previous_status"], row["status"]) for row in rows] == [
        ("blocked", "completed"),
        ("in_progress", "blocked"),
    ]
    assert rows[0]["evidence_links"] == ["https://example.org/appointments"]
    assert rows[0]["author"] == plan1.owner.pk

    listed = client.get(f"/api/progress-updates/?action={plan1.action.pk}")
    assert [row["id"] for row in listed.json()["results"]] == [row["id"] for row in rows]


def test_a_board_member_may_read_the_history_but_not_report_progress(plan1: Plan1) -> None:
    client = client_for(plan1.member)
    url = action_url(plan1.action, "updates/")
    assert client.get(url).status_code == 200
    assert client.post(url, {"commentary": "Looks fine"}).status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_a_stranger_cannot_find_the_action_or_its_history(plan1: Plan1) -> None:
    client = client_for(plan1.stranger)
    assert client.get(action_url(plan1.action)).status_code == 404
    assert client.get(action_url(plan1.action, "updates/")).status_code == 404
    assert client.post(action_url(plan1.action, "updates/"), {"commentary": "x"}).status_code == 404
