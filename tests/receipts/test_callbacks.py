"""GOV.UK Notify's delivery receipts, posted to the service as Notify posts them.

Each outcome moves the row it is about; a receipt that comes again, or late behind a newer one,
changes nothing; a receipt for an email we have no record of is a 404 (Notify tries again 5
times, 5 minutes apart: a receipt that overtook our own record of the send lands then); a
wrong or missing token is a 401 and a body that is not a receipt a 400, both changing nothing.
"""

import datetime as dt
import hmac
import json
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from notifications import callbacks
from notifications.delivery import _record_sent, notification_claim
from notifications.models import (
    DeliveryStatus,
    Notification,
    NotificationStatus,
    UnreachableAddress,
)
from notifications.notify_channel import notify_reference
from notifications.services import reminders_queue
from tests.notifications.conftest import TODAY, Clock, SmallPlan, london
from tests.receipts.conftest import TOKEN, URL, post, receipt

pytestmark = pytest.mark.django_db

STATUSES = {
    "delivered": DeliveryStatus.DELIVERED,
    "permanent-failure": DeliveryStatus.PERMANENT_FAILURE,
    "temporary-failure": DeliveryStatus.TEMPORARY_FAILURE,
    "technical-failure": DeliveryStatus.TECHNICAL_FAILURE,
}
AT_10 = london(TODAY, dt.time(10))
AT_11 = london(TODAY, dt.time(11))
AT_12 = london(TODAY, dt.time(12))


def fresh(row: Notification) -> Notification:
    return Notification.objects.get(pk=row.pk)


def state(row: Notification) -> tuple[Any, ...]:
    row = fresh(row)
    return (row.status, row.delivery_status, row.delivery_status_at, row.updated_at, row.sent_at)


def test_the_route_is_under_the_api() -> None:
    assert reverse("api-notify-receipts") == URL.rstrip("/")


@pytest.mark.parametrize("notify_status", list(STATUSES))
def test_each_outcome_moves_the_row_and_keeps_when_notify_completed_it(
    client: Client, sent: Notification, notify_status: str
) -> None:
    response = post(client, receipt(sent, notify_status, completed=AT_10))

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "recorded"}
    row = fresh(sent)
    assert row.delivery_status == STATUSES[notify_status]
    assert row.delivery_status_at == AT_10
    # The send itself stays recorded as sent: the receipt says what became of it.
    assert row.status == NotificationStatus.SENT


def test_a_receipt_without_a_completion_time_is_dated_when_it_arrived(
    client: Client, sent: Notification
) -> None:
    body = receipt(sent, "delivered") | {"completed_at": None}
    assert post(client, body).status_code == 200
    assert fresh(sent).delivery_status_at == timezone.now()


def test_the_same_receipt_twice_changes_nothing_the_second_time(
    client: Client, sent: Notification, clock: Clock
) -> None:
    body = receipt(sent, "permanent-failure", completed=AT_10)
    assert post(client, body).json() == {"status": "recorded"}
    before = state(sent)
    marks = list(UnreachableAddress.objects.values_list("pk", "since"))
    clock.go_to(TODAY, dt.time(13))

    second = post(client, body)

    assert second.status_code == 200
    assert second.json() == {"status": "already recorded"}
    assert state(sent) == before
    assert list(UnreachableAddress.objects.values_list("pk", "since")) == marks


def test_an_older_receipt_arriving_late_never_moves_a_row_back(
    client: Client, sent: Notification
) -> None:
    assert post(client, receipt(sent, "permanent-failure", completed=AT_11)).status_code == 200
    before = state(sent)

    late = post(client, receipt(sent, "delivered", completed=AT_10))

    assert late.status_code == 200
    assert late.json() == {"status": "already recorded"}
    assert state(sent) == before
    assert fresh(sent).delivery_status == DeliveryStatus.PERMANENT_FAILURE
    assert UnreachableAddress.objects.filter(email=sent.to_email).exists()


def test_a_newer_receipt_wins_and_a_delivery_after_the_failure_clears_the_address(
    client: Client, sent: Notification
) -> None:
    assert post(client, receipt(sent, "permanent-failure", completed=AT_10)).status_code == 200
    assert UnreachableAddress.objects.filter(email=sent.to_email).exists()

    newer = post(client, receipt(sent, "delivered", completed=AT_12))

    assert newer.json() == {"status": "recorded"}
    row = fresh(sent)
    assert (row.delivery_status, row.delivery_status_at) == (DeliveryStatus.DELIVERED, AT_12)
    # Delivered after it was marked: the inbox works.
    assert not UnreachableAddress.objects.exists()


def test_a_receipt_that_overtakes_our_record_of_the_send_is_matched_by_its_reference(
    client: Client, small_plan: SmallPlan
) -> None:
    small_plan.action(due=TODAY)
    [notification_id] = reminders_queue(today=TODAY).queued_ids
    assert notification_claim(notification_id=notification_id, now=timezone.now())
    row = fresh(Notification(pk=notification_id))
    # Notify has the email, but neither its id nor "sent" is on the row yet.
    assert (row.status, row.provider_id) == (NotificationStatus.SENDING, "")
    body = receipt(row, "delivered", completed=AT_10) | {
        "id": "740e5834-3a29-46b4-9a6f-16142fde533a",
        "reference": notify_reference(row),
    }

    response = post(client, body)

    assert response.status_code == 200
    row = fresh(row)
    assert row.delivery_status == DeliveryStatus.DELIVERED
    assert row.provider_id == "740e5834-3a29-46b4-9a6f-16142fde533a"
    # Our own record of the send, written afterwards, keeps what the receipt said.
    _record_sent(row)
    row = fresh(row)
    assert (row.status, row.delivery_status) == (NotificationStatus.SENT, DeliveryStatus.DELIVERED)


def test_a_receipt_for_an_email_we_have_no_record_of_is_a_404_and_changes_nothing(
    client: Client, sent: Notification
) -> None:
    before = state(sent)
    other_installation = "elsewhere.example/" + notify_reference(sent).partition("/")[2]
    for body in (
        receipt(sent, "delivered") | {"id": "0d8a3a4e-unknown"},
        receipt(sent, "delivered") | {"id": "0d8a3a4e-unknown", "reference": "our-own-ref"},
        receipt(sent, "delivered") | {"id": "0d8a3a4e-unknown", "reference": other_installation},
    ):
        response = post(client, body)
        assert response.status_code == 404, body
        assert "No email sent by this service" in response.json()["detail"]
    assert state(sent) == before


# --- Who may post ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer not-the-token",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        f"Token {TOKEN}",
        "Bearer tökën-with-accents",
    ],
)
def test_a_missing_or_wrong_token_is_a_401_and_changes_nothing(
    client: Client, sent: Notification, authorization: str | None
) -> None:
    before = state(sent)
    headers = {} if authorization is None else {"Authorization": authorization}

    response = client.post(
        URL,
        data=json.dumps(receipt(sent, "permanent-failure")),
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert state(sent) == before
    assert not UnreachableAddress.objects.exists()


def test_the_scheme_is_not_case_sensitive(client: Client, sent: Notification) -> None:
    response = client.post(
        URL,
        data=json.dumps(receipt(sent, "delivered")),
        content_type="application/json",
        headers={"Authorization": f"bearer {TOKEN}"},
    )
    assert response.status_code == 200


def test_with_no_token_set_every_receipt_is_refused(
    client: Client, sent: Notification, settings: Settings
) -> None:
    settings.NOTIFY_CALLBACK_TOKEN = ""
    before = state(sent)

    for token in ("", TOKEN, "anything"):
        response = post(client, receipt(sent, "delivered"), token=token)
        assert response.status_code == 401
        assert "no callback token" in response.json()["detail"]
    assert state(sent) == before


def test_the_token_is_compared_in_constant_time(
    client: Client, sent: Notification, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(callbacks.hmac, "compare_digest", spy)

    assert post(client, receipt(sent, "delivered"), token="wrong").status_code == 401
    assert post(client, receipt(sent, "delivered")).status_code == 200
    assert compared == [(b"wrong", TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


def test_a_session_is_not_a_way_in(client: Client, sent: Notification, admin_user: Any) -> None:
    client.force_login(admin_user)
    assert post(client, receipt(sent, "delivered"), token=None).status_code == 401


# --- Bodies that are not receipts -------------------------------------------------------------


def _bodies(row: Notification) -> list[tuple[Any, str]]:
    good = receipt(row, "permanent-failure")
    return [
        ("{not json", "non_field"),
        (json.dumps([good]), "non_field_errors"),
        (json.dumps("delivered"), "non_field_errors"),
        (json.dumps({k: v for k, v in good.items() if k != "id"}), "id"),
        (json.dumps(good | {"id": ""}), "id"),
        (json.dumps(good | {"id": 12345}), "id"),
        (json.dumps(good | {"id": "x" * 101}), "id"),
        (json.dumps(good | {"status": "sending"}), "status"),
        (json.dumps(good | {"status": None}), "status"),
        (json.dumps({k: v for k, v in good.items() if k != "status"}), "status"),
        (json.dumps(good | {"completed_at": "yesterday"}), "completed_at"),
        (json.dumps(good | {"completed_at": 1764064800}), "completed_at"),
        (json.dumps(good | {"reference": ["a"]}), "reference"),
    ]


def test_a_body_that_is_not_a_receipt_is_a_400_saying_what_is_wrong_and_changes_nothing(
    client: Client, sent: Notification
) -> None:
    before = state(sent)
    for body, field in _bodies(sent):
        response = post(client, body, raw=True)
        assert response.status_code == 400, body
        answer = response.json()
        if field == "non_field":
            assert "not valid JSON" in answer["detail"]
        else:
            assert field in answer, (body, answer)
    assert state(sent) == before
    assert not UnreachableAddress.objects.exists()


def test_a_body_over_the_upload_limit_is_a_413(
    client: Client, sent: Notification, settings: Settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    body = receipt(sent, "permanent-failure") | {"padding": "x" * 3_000}

    response = post(client, body)

    assert response.status_code == 413
    assert fresh(sent).delivery_status == ""


def test_only_post_is_answered(client: Client) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get(URL, headers=headers).status_code == 405
    put = client.put(URL, data="{}", content_type="application/json", headers=headers)
    assert put.status_code == 405


def test_only_rows_with_a_receipt_have_a_delivery_status(
    client: Client, small_plan: SmallPlan, sent: Notification
) -> None:
    post(client, receipt(sent, "temporary-failure", completed=AT_10))
    assert Notification.objects.filter(~Q(delivery_status="")).count() == 1
    # A temporary or technical failure says nothing lasting about the address.
    assert not UnreachableAddress.objects.exists()
