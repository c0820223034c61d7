"""The GOV.UK Notify stand-in (faults.notify_stand_in) on a free loopback port, per test.

``stand_in`` is the server; ``notify`` also points the service's settings at it, so every
delivery goes through Notify (the stand-in) instead of the email backend.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pytest_django import Settings

from faults.notify_stand_in import NotifyStandIn

SERVICE_ID = str(uuid.UUID("6f2c8b1e-2a4d-4c59-9d0e-1b7f3a5c9e21"))
SECRET = str(uuid.UUID("0d9e4f6a-8b7c-4e3d-a2f1-5c6b7a8d9e0f"))
API_KEY = f"action_plan_tests-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
REPLY_TO_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


@dataclass
class Notify:
    stand_in: NotifyStandIn

    def posts(self) -> list[dict[str, object]]:
        return [r for r in self.stand_in.requests() if r["method"] == "POST"]


@pytest.fixture
def stand_in() -> Iterator[NotifyStandIn]:
    with NotifyStandIn(
        api_key=API_KEY, template_ids=[TEMPLATE_ID], reply_to_ids=[REPLY_TO_ID]
    ) as server:
        yield server


@pytest.fixture
def notify(stand_in: NotifyStandIn, settings: Settings) -> Notify:
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.NOTIFY_REPLY_TO_ID = REPLY_TO_ID
    settings.NOTIFY_BASE_URL = stand_in.url
    settings.NOTIFY_TIMEOUT = 2
    settings.NOTIFICATIONS_CHANNEL = "notify"
    return Notify(stand_in)
