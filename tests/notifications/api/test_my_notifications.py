"""``/api/me/notifications/``: each person's own reminders and escalations, newest first.

Nobody sees another person's notifications; the list filters by kind and by status, a bad
filter is a 400 naming it, and anonymous callers get 401 on every chasing endpoint.
"""

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from notifications.delivery import notification_deliver
from notifications.models import Notification, NotificationKind, NotificationPreference
from notifications.services import reminders_queue
from tests.api.conftest import client_for
from tests.notifications.api.conftest import Chased
from tests.notifications.api.reads import notifications_of
from tests.notifications.conftest import Clock

pytestmark = pytest.mark.django_db

THURSDAY = dt.date(2026, 11, 26)


def ids(answer: Any) -> list[int]:
    return [row["id"] for row in answer["results"]]


# --- /api/me/notifications/ ---------------------------------------------------------------


def test_a_person_sees_their_own_reminders_with_each_item_and_why(chased: Chased) -> None:
    owner = chased.small.owner
    answer = notifications_of(owner)

    assert answer["count"] == 1
    [row] = answer["results"]
    assert row["kind"] == "reminders"
    assert row["occurrence"] == "2026-11-25"
    assert row["status"] == "queued"
    assert row["to_email"] == "owner@northshire.gov.uk"
    assert row["items"] == [
        {
            "type": "action",
            "id": chased.soon.pk,
            "reason": "due_soon",
            "days": 3,
            "role": "owner",
            "due": "2026-11-30",
        }
    ]


def test_nobody_sees_another_persons_notifications(chased: Chased) -> None:
    small = chased.small
    everyone = [small.owner, small.supporter, small.lead, *small.executive, chased.other_lead]
    seen = {person.pk: set(ids(notifications_of(person))) for person in everyone}

    for person in everyone:
        own = set(Notification.objects.filter(recipient=person).values_list("pk", flat=True))
        assert own, person  # everyone here was chased today
        assert seen[person.pk] == own, person
    # The supporter is copied on the same action, in a row of their own.
    [supporter_row] = notifications_of(small.supporter)["results"]
    assert supporter_row["items"][0]["role"] == "supporting"
    assert supporter_row["to_email"] == "supporter@nhs.example"
    # Someone who was never chased sees an empty list, not everyone's.
    assert notifications_of(small.forum_member)["count"] == 0


def test_notifications_are_listed_newest_first(chased: Chased, clock: Clock) -> None:
    small = chased.small
    due_thursday = small.action(due=THURSDAY)
    clock.go_to(THURSDAY)
    reminders_queue(today=THURSDAY)

    rows = notifications_of(small.owner)["results"]
    assert [row["occurrence"] for row in rows] == ["2026-11-26", "2026-11-25"]
    assert rows[0]["items"][0]["id"] == due_thursday.pk
    assert rows[0]["items"][0]["reason"] == "due_today"
    assert rows[0]["created_at"] > rows[1]["created_at"]


def test_a_lead_sees_reminders_and_escalations_and_filters_them_by_kind(chased: Chased) -> None:
    lead = chased.small.lead
    everything = notifications_of(lead)
    assert sorted(row["kind"] for row in everything["results"]) == ["escalation", "reminders"]

    [reminder] = notifications_of(lead, "?kind=reminders")["results"]
    assert reminder["items"] == [
        {
            "type": "milestone",
            "id": chased.coming.pk,
            "reason": "due_soon",
            "days": 3,
            "role": "lead",
            "due": "2026-11-30",
        }
    ]
    [escalation] = notifications_of(lead, "?kind=escalation")["results"]
    # Most overdue first; each item says which level of the ladder told the lead.
    assert escalation["items"] == [
        {
            "type": "action",
            "id": chased.late.pk,
            "reason": "escalated",
            "days": 18,
            "role": "accountable_lead",
            "due": "2026-10-30",
            "level": 1,
        },
        {
            "type": "milestone",
            "id": chased.slipped.pk,
            "reason": "escalated",
            "days": 7,
            "role": "accountable_lead",
            "due": "2026-11-16",
            "level": 1,
        },
    ]


def test_notifications_filter_by_status(chased: Chased) -> None:
    lead = chased.small.lead
    reminder = Notification.objects.get(recipient=lead, kind=NotificationKind.REMINDERS)
    assert notification_deliver(notification_id=reminder.pk) == "sent"

    [sent] = notifications_of(lead, "?status=sent")["results"]
    assert sent["id"] == reminder.pk
    assert sent["sent_at"] is not None
    assert sent["subject"]  # rendered once, when it was sent
    [queued] = notifications_of(lead, "?status=queued")["results"]
    assert queued["kind"] == "escalation"
    assert notifications_of(lead, "?status=failed")["count"] == 0


@pytest.mark.parametrize(
    ("query", "name"),
    [("kind=sms", "kind"), ("status=lost", "status"), ("status=SENT", "status")],
)
def test_a_bad_notification_filter_is_a_400_naming_the_filter(
    chased: Chased, query: str, name: str
) -> None:
    answer = client_for(chased.small.owner).get(f"/api/me/notifications/?{query}")
    assert answer.status_code == 400
    assert list(answer.json()) == [name]
    assert "not one of the available choices" in answer.json()[name][0]


def test_anonymous_callers_get_401_on_notifications_preferences_and_escalations(
    chased: Chased,
) -> None:
    anonymous = APIClient()
    for url in (
        "/api/me/notifications/",
        "/api/me/preferences/",
        "/api/escalations/",
        f"/api/actions/{chased.late.pk}/escalations/",
        f"/api/milestones/{chased.slipped.pk}/escalations/",
    ):
        answer = anonymous.get(url)
        assert answer.status_code == 401, url
        assert "detail" in answer.json(), url
    for method in (anonymous.put, anonymous.patch):
        assert method("/api/me/preferences/", {"digests": False}).status_code == 401
    assert not NotificationPreference.objects.exists()
