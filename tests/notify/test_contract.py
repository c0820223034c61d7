"""The Notify stand-in speaks Notify's API as the real client sees it.

``notifications-python-client`` (the version the service pins) against the stand-in: the
request shapes it sends, the answers' shapes, Notify's error bodies and status codes, the
token check, the faults the stand-in can be told to make, and its delivery-status callback.
If the client or our reading of Notify's documentation changes, these fail first.
"""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
import requests
from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import HTTP503Error, HTTPError

from faults.notify_stand_in import NotifyStandIn
from tests.notify.conftest import API_KEY, REPLY_TO_ID, SECRET, SERVICE_ID, TEMPLATE_ID

PERSONALISATION = {"subject": "1 action needs your update", "body": "# Due today\n\n* Action 1.1"}


@pytest.fixture
def client(stand_in: NotifyStandIn) -> NotificationsAPIClient:
    return NotificationsAPIClient(API_KEY, base_url=stand_in.url, timeout=2)


def send(client: NotificationsAPIClient, **overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "email_address": "amara.okafor@example.gov.uk",
        "template_id": TEMPLATE_ID,
        "personalisation": PERSONALISATION,
        "reference": "actions.example/notification-1",
        "email_reply_to_id": REPLY_TO_ID,
    }
    answer: dict[str, Any] = client.send_email_notification(**(arguments | overrides))
    return answer


def errors_of(exc: pytest.ExceptionInfo[HTTPError]) -> tuple[int, Any]:
    assert exc.value.response is not None, "no answer at all"
    return exc.value.status_code, exc.value.response.json()


def test_a_sent_email_is_answered_201_with_notifys_documented_body(
    client: NotificationsAPIClient, stand_in: NotifyStandIn
) -> None:
    answer = send(client)

    assert set(answer) == {"id", "reference", "content", "uri", "template", "scheduled_for"}
    assert uuid.UUID(answer["id"])
    assert answer["reference"] == "actions.example/notification-1"
    assert answer["content"]["subject"] == "1 action needs your update"
    assert answer["content"]["body"] == "# Due today\n\n* Action 1.1"
    assert set(answer["content"]) == {"subject", "body", "from_email", "one_click_unsubscribe_url"}
    assert answer["uri"] == f"{stand_in.url}/v2/notifications/{answer['id']}"
    assert answer["template"] == {
        "id": TEMPLATE_ID,
        "version": 1,
        "uri": f"{stand_in.url}/v2/template/{TEMPLATE_ID}",
    }
    assert answer["scheduled_for"] is None


def test_the_client_posts_json_with_a_bearer_jwt_of_the_service_signed_by_the_secret(
    client: NotificationsAPIClient, stand_in: NotifyStandIn
) -> None:
    send(client)

    [request] = stand_in.requests()
    assert (request["method"], request["path"]) == ("POST", "/v2/notifications/email")
    assert json.loads(request["body"]) == {
        "email_address": "amara.okafor@example.gov.uk",
        "template_id": TEMPLATE_ID,
        "personalisation": PERSONALISATION,
        "reference": "actions.example/notification-1",
        "email_reply_to_id": REPLY_TO_ID,
    }
    scheme, token = request["authorization"].split(" ")
    assert scheme == "Bearer"
    assert jwt.get_unverified_header(token) == {"typ": "JWT", "alg": "HS256"}
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == SERVICE_ID
    assert abs(claims["iat"] - time.time()) < 5


def test_notifications_are_found_by_reference_newest_first_in_the_documented_list(
    client: NotificationsAPIClient, stand_in: NotifyStandIn
) -> None:
    first = send(client, reference="row-1")
    send(client, reference="row-2")
    again = send(client, reference="row-1")

    found = client.get_all_notifications(reference="row-1")

    assert set(found) == {"notifications", "links"}
    assert [n["id"] for n in found["notifications"]] == [again["id"], first["id"]]
    assert found["links"] == {"current": f"{stand_in.url}/v2/notifications"}
    one = found["notifications"][1]
    assert {
        "id",
        "reference",
        "email_address",
        "type",
        "status",
        "template",
        "body",
        "subject",
        "created_at",
        "sent_at",
        "completed_at",
    } <= set(one)
    assert one["template"]["Version"] == 1 and one["template"]["id"] == TEMPLATE_ID
    assert (one["type"], one["status"], one["email_address"]) == (
        "email",
        "sending",
        "amara.okafor@example.gov.uk",
    )
    assert client.get_all_notifications(reference="row-3")["notifications"] == []


def test_the_list_filters_by_status_and_refuses_an_unknown_status(
    client: NotificationsAPIClient, stand_in: NotifyStandIn
) -> None:
    delivered = send(client)
    send(client)
    stand_in.settle(delivered["id"], "delivered")

    found = client.get_all_notifications(status="delivered")["notifications"]
    assert [n["id"] for n in found] == [delivered["id"]]
    assert found[0]["completed_at"].endswith("Z")

    with pytest.raises(HTTPError) as refused:
        client.get_all_notifications(status="lost")
    status, body = errors_of(refused)
    assert status == 400
    assert body["errors"][0]["error"] == "ValidationError"
    assert body["errors"][0]["message"].startswith("status lost is not one of [cancelled, ")


def test_one_notification_is_read_by_id_and_an_unknown_id_is_404(
    client: NotificationsAPIClient,
) -> None:
    sent = send(client)

    assert client.get_notification_by_id(sent["id"])["reference"] == sent["reference"]
    with pytest.raises(HTTPError) as unknown:
        client.get_notification_by_id(str(uuid.uuid4()))
    assert errors_of(unknown) == (
        404,
        {"status_code": 404, "errors": [{"error": "NoResultFound", "message": "No result found"}]},
    )
    with pytest.raises(HTTPError) as not_an_id:
        client.get_notification_by_id("row-1")
    assert errors_of(not_an_id)[0] == 400


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        (
            {"email_address": "not an address"},
            "ValidationError",
            "email_address Not a valid email address",
        ),
        ({"template_id": "welcome"}, "ValidationError", "template_id is not a valid UUID"),
        ({"template_id": str(uuid.uuid4())}, "BadRequestError", "Template not found"),
        (
            {"personalisation": {"subject": "Hello"}},
            "BadRequestError",
            "Missing personalisation: body",
        ),
        (
            {"email_reply_to_id": "00000000-0000-4000-8000-000000000000"},
            "BadRequestError",
            "email_reply_to_id 00000000-0000-4000-8000-000000000000 does not exist in database "
            f"for service id {SERVICE_ID}",
        ),
    ],
)
def test_a_bad_email_is_refused_with_400_and_notifys_error_body(
    client: NotificationsAPIClient,
    stand_in: NotifyStandIn,
    overrides: dict[str, Any],
    error: str,
    message: str,
) -> None:
    with pytest.raises(HTTPError) as refused:
        send(client, **overrides)

    assert errors_of(refused) == (
        400,
        {"status_code": 400, "errors": [{"error": error, "message": message}]},
    )
    assert refused.value.message == [{"error": error, "message": message}]
    assert stand_in.notifications() == []


def test_a_token_signed_with_another_secret_is_refused_with_403(stand_in: NotifyStandIn) -> None:
    wrong = NotificationsAPIClient(f"other-{SERVICE_ID}-{uuid.uuid4()}", base_url=stand_in.url)

    with pytest.raises(HTTPError) as refused:
        send(wrong)

    assert errors_of(refused) == (
        403,
        {
            "status_code": 403,
            "errors": [
                {"error": "AuthError", "message": "Invalid token: signature, api token not found"}
            ],
        },
    )
    assert stand_in.notifications() == []


def test_a_token_of_another_service_or_a_wrong_clock_is_refused_with_403(
    stand_in: NotifyStandIn,
) -> None:
    def post(claims: dict[str, Any]) -> requests.Response:
        token = jwt.encode(claims, SECRET, algorithm="HS256")
        return requests.post(
            f"{stand_in.url}/v2/notifications/email",
            json={},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )

    now = int(time.time())
    assert post({"iss": str(uuid.uuid4()), "iat": now}).json()["errors"] == [
        {"error": "AuthError", "message": "Invalid token: service not found"}
    ]
    late = post({"iss": SERVICE_ID, "iat": now - 60})
    assert late.status_code == 403
    assert late.json()["errors"][0]["message"] == (
        "Error: Your system clock must be accurate to within 30 seconds"
    )
    no_token = requests.post(f"{stand_in.url}/v2/notifications/email", json={}, timeout=5)
    assert no_token.status_code == 401
    assert no_token.json()["errors"][0]["error"] == "AuthError"


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (500, "Exception", "Internal server error"),
        (
            429,
            "RateLimitError",
            "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
        ),
    ],
)
def test_told_to_fail_it_answers_the_next_send_with_notifys_error_then_recovers(
    client: NotificationsAPIClient,
    stand_in: NotifyStandIn,
    status: int,
    error: str,
    message: str,
) -> None:
    stand_in.fail_next(status=status)

    with pytest.raises(HTTPError) as failed:
        send(client)
    assert errors_of(failed) == (
        status,
        {"status_code": status, "errors": [{"error": error, "message": message}]},
    )
    assert stand_in.notifications() == []
    assert send(client)["id"]


def test_told_to_hang_it_holds_the_send_past_the_clients_timeout_having_accepted_it(
    stand_in: NotifyStandIn,
) -> None:
    impatient = NotificationsAPIClient(API_KEY, base_url=stand_in.url, timeout=0.5)
    stand_in.hang_next(seconds=5)

    with pytest.raises(HTTP503Error) as unanswered:
        send(impatient)

    # The client's way of saying "no answer": no response, 503, "Request failed".
    assert unanswered.value.response is None
    assert str(unanswered.value) == "503 - Request failed"
    assert len(stand_in.notifications()) == 1


def test_told_to_drop_the_connection_the_client_sees_no_answer(
    client: NotificationsAPIClient, stand_in: NotifyStandIn
) -> None:
    stand_in.drop_next()

    with pytest.raises(HTTP503Error) as dropped:
        send(client)

    assert dropped.value.response is None
    assert stand_in.notifications() == []


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.headers["Authorization"], body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[str, dict[str, Any]]]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    received: list[tuple[str, dict[str, Any]]] = []
    _Receiver.received = received
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/notify/receipts/", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_delivery_status_callback_is_posted_with_the_bearer_token_and_notifys_fields(
    client: NotificationsAPIClient,
    stand_in: NotifyStandIn,
    receiver: tuple[str, list[tuple[str, dict[str, Any]]]],
) -> None:
    url, received = receiver
    sent = send(client)

    answered = stand_in.settle(
        sent["id"], "permanent-failure", callback_url=url, bearer_token="callback-token-1"
    )

    assert answered == 200
    [(authorization, body)] = received
    assert authorization == "Bearer callback-token-1"
    assert set(body) == {
        "id",
        "reference",
        "to",
        "status",
        "created_at",
        "completed_at",
        "sent_at",
        "notification_type",
        "template_id",
        "template_version",
    }
    assert (body["id"], body["reference"], body["to"], body["status"]) == (
        sent["id"],
        "actions.example/notification-1",
        "amara.okafor@example.gov.uk",
        "permanent-failure",
    )
    assert body["notification_type"] == "email"
    assert client.get_notification_by_id(sent["id"])["status"] == "permanent-failure"
