"""Fixtures for delivery receipts: the callback token, a sent reminder, and posting a receipt
as GOV.UK Notify does (JSON, ``Authorization: Bearer <token>``).

``sent`` is the reminder the owner of the notification tests' small plan gets on Wednesday 25
November 2026, delivered through Django's test backend; its Notify id is written on the row as
the Notify channel writes it when Notify accepts the email.
"""

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from notifications.delivery import notification_deliver
from notifications.models import Notification, NotificationKind
from notifications.services import reminders_queue
from tests.notifications.conftest import TODAY, Clock, SmallPlan, clock, small_plan

__all__ = ["clock", "small_plan"]

TOKEN = "a-long-random-callback-token-1c9f"
URL = "/api/notify/receipts/"


@pytest.fixture(autouse=True)
def callback_token(settings: Settings) -> str:
    settings.NOTIFY_CALLBACK_TOKEN = TOKEN
    return TOKEN


def notify_time(moment: dt.datetime) -> str:
    """A moment as Notify writes it: UTC, microseconds, a Z."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def receipt(
    row: Notification, status: str, *, completed: dt.datetime | None = None
) -> dict[str, Any]:
    """The body Notify posts about ``row``."""
    completed = completed or timezone.now()
    return {
        "id": row.provider_id,
        "reference": None,
        "to": row.to_email,
        "status": status,
        "created_at": notify_time(completed - dt.timedelta(minutes=1)),
        "completed_at": notify_time(completed),
        "sent_at": notify_time(completed - dt.timedelta(seconds=30)),
        "notification_type": "email",
        "template_id": str(uuid.uuid4()),
        "template_version": 1,
    }


def post(client: Client, body: Any, *, token: str | None = TOKEN, raw: bool = False) -> Any:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    data = body if raw else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", headers=headers)


def reminder_sent_to_owner(plan: SmallPlan, day: dt.date = TODAY) -> Notification:
    """The owner's reminder of ``day`` (an action due that day), sent, with a Notify id."""
    plan.action(due=day)
    [notification_id] = reminders_queue(today=day).queued_ids
    mail.outbox.clear()
    assert notification_deliver(notification_id=notification_id) == "sent"
    assert len(mail.outbox) == 1
    Notification.objects.filter(pk=notification_id).update(provider_id=str(uuid.uuid4()))
    return Notification.objects.get(pk=notification_id)


@pytest.fixture
def sent(small_plan: SmallPlan, clock: Clock) -> Notification:
    row = reminder_sent_to_owner(small_plan)
    assert row.kind == NotificationKind.REMINDERS
    assert row.to_email == small_plan.owner.email
    return row
