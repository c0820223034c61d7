"""What the Notify stand-in answers: Notify's API rules, shapes and error bodies, as data.

``faults.notify_stand_in`` serves these over HTTP. The shapes follow Notify's documentation
of its REST API (v2) and of ``notifications-python-client``: the 201 body of a sent email,
a notification as the list and the single read show it, ``{"status_code", "errors": [{"error",
"message"}]}`` for every refusal, and the delivery-status callback's body.
"""

import datetime as dt
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import jwt

PAGE_SIZE = 250
CLOCK_SKEW_SECONDS = 30
EMAIL_STATUSES = {
    "created",
    "sending",
    "delivered",
    "permanent-failure",
    "temporary-failure",
    "technical-failure",
}
# Notify's list filter accepts these; "failed" stands for every failure status.
STATUS_FILTERS = [
    "cancelled",
    "created",
    "sending",
    "sent",
    "delivered",
    "pending",
    "failed",
    "technical-failure",
    "temporary-failure",
    "permanent-failure",
    "pending-virus-check",
    "validation-failed",
    "virus-scan-failed",
    "returned-letter",
    "accepted",
    "received",
]
FAILURES = {"permanent-failure", "temporary-failure", "technical-failure"}
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TEMPLATE_PLACEHOLDER = re.compile(r"\(\(([^()?]+)\)\)")


def parse_api_key(api_key: str) -> tuple[str, str]:
    """(service id, secret) from ``name-<service uuid>-<secret uuid>``, as the client reads it."""
    return api_key[-73:-37], api_key[-36:]


def notify_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def error_body(status: int, error: str, message: str) -> dict[str, Any]:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


class Refused(Exception):
    """A request answered with one of Notify's error bodies."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.body = error_body(status, error, message)


@dataclass
class Fault:
    """What the stand-in does to one coming request instead of answering it normally.

    ``kind``: ``status`` (answer ``status`` with Notify's error body), ``hang`` (hold the
    request ``seconds``, then close without answering) or ``drop`` (close at once). With
    ``create`` the email is accepted first, so only the answer is lost.
    """

    kind: str
    status: int = 500
    seconds: float = 60.0
    create: bool = False
    method: str = "POST"


@dataclass
class Template:
    id: str
    subject: str = "((subject))"
    body: str = "((body))"
    version: int = 1


@dataclass
class State:
    service_id: str
    secret: str
    templates: dict[str, Template]
    reply_to_ids: set[str]
    notifications: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    # Seconds to hold every send (``jitter``: drawn around it), before or after accepting it.
    slow: float = 0.0
    jitter: bool = False
    in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def callback_payload(notification: dict[str, Any]) -> dict[str, Any]:
    """The body of Notify's delivery-status callback for an email."""
    return {
        "id": notification["id"],
        "reference": notification["reference"],
        "to": notification["email_address"],
        "status": notification["status"],
        "created_at": notification["created_at"],
        "completed_at": notification["completed_at"],
        "sent_at": notification["sent_at"],
        "notification_type": "email",
        "template_id": notification["template"]["id"],
        "template_version": notification["template"]["version"],
    }


def check_token(state: State, header: str | None) -> None:
    if not header:
        raise Refused(401, "AuthError", "Unauthorized: authentication token must be provided")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Refused(401, "AuthError", "Unauthorized: authentication bearer scheme must be used")
    try:
        claims = jwt.decode(
            token,
            key=state.secret,
            algorithms=["HS256"],
            options={"require": ["iss", "iat"], "verify_iat": False},
        )
    except jwt.InvalidTokenError:
        raise Refused(403, "AuthError", "Invalid token: signature, api token not found") from None
    if claims["iss"] != state.service_id:
        raise Refused(403, "AuthError", "Invalid token: service not found")
    if abs(time.time() - float(claims["iat"])) > CLOCK_SKEW_SECONDS:
        raise Refused(
            403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds"
        )


def validated_email(state: State, data: Any) -> tuple[Template, dict[str, Any]]:
    if not isinstance(data, dict):
        raise Refused(400, "BadRequestError", "Invalid JSON supplied in POST data")
    for name in ("email_address", "template_id"):
        if name not in data:
            raise Refused(400, "ValidationError", f"{name} is a required property")
    address = data["email_address"]
    if not isinstance(address, str) or not EMAIL_PATTERN.match(address):
        raise Refused(400, "ValidationError", "email_address Not a valid email address")
    try:
        uuid.UUID(str(data["template_id"]))
    except ValueError:
        raise Refused(400, "ValidationError", "template_id is not a valid UUID") from None
    personalisation = data.get("personalisation", {})
    if not isinstance(personalisation, dict):
        raise Refused(400, "ValidationError", "personalisation is not of type object")
    reference = data.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise Refused(400, "ValidationError", "reference is not of type string, null")
    template = state.templates.get(str(data["template_id"]))
    if template is None:
        raise Refused(400, "BadRequestError", "Template not found")
    reply_to = data.get("email_reply_to_id")
    if reply_to is not None and reply_to not in state.reply_to_ids:
        raise Refused(
            400,
            "BadRequestError",
            f"email_reply_to_id {reply_to} does not exist in database for service id "
            f"{state.service_id}",
        )
    missing = [
        name
        for name in TEMPLATE_PLACEHOLDER.findall(template.subject + template.body)
        if name not in personalisation
    ]
    if missing:
        raise Refused(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
    return template, personalisation


def _fill(text: str, personalisation: dict[str, Any]) -> str:
    return TEMPLATE_PLACEHOLDER.sub(lambda m: str(personalisation[m.group(1)]), text)


def create_email(state: State, data: Any, base_url: str) -> dict[str, Any]:
    """Accepts an email (already validated by ``_validated_email``): its stored record."""
    template, personalisation = validated_email(state, data)
    notification_id = str(uuid.uuid4())
    subject = _fill(template.subject, personalisation)
    body = _fill(template.body, personalisation)
    record = {
        "id": notification_id,
        "reference": data.get("reference"),
        "email_address": data["email_address"],
        "phone_number": None,
        "type": "email",
        "status": "sending",
        "template": {
            "id": template.id,
            "version": template.version,
            "uri": f"{base_url}/v2/template/{template.id}/version/{template.version}",
        },
        "body": body,
        "subject": subject,
        "created_at": notify_time(dt.datetime.now(dt.UTC)),
        "created_by_name": None,
        "sent_at": None,
        "completed_at": None,
        "scheduled_for": None,
        "one_click_unsubscribe_url": data.get("one_click_unsubscribe_url"),
        # Not in Notify's answers: what the stand-in was sent, for the tests to read.
        "personalisation": personalisation,
        "email_reply_to_id": data.get("email_reply_to_id"),
    }
    with state.lock:
        state.notifications.append(record)
    return record


def created_answer(record: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The 201 body of ``POST /v2/notifications/email``."""
    return {
        "id": record["id"],
        "reference": record["reference"],
        "content": {
            "subject": record["subject"],
            "body": record["body"],
            "from_email": "action.plan.service@notifications.service.gov.uk",
            "one_click_unsubscribe_url": record["one_click_unsubscribe_url"],
        },
        "uri": f"{base_url}/v2/notifications/{record['id']}",
        "template": {
            "id": record["template"]["id"],
            "version": record["template"]["version"],
            "uri": f"{base_url}/v2/template/{record['template']['id']}",
        },
        "scheduled_for": None,
    }


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A notification as ``GET /v2/notifications`` shows it (without the test-only fields)."""
    shown = {k: v for k, v in record.items() if k not in ("personalisation", "email_reply_to_id")}
    shown["template"] = {
        "Version": record["template"]["version"],
        "id": record["template"]["id"],
        "uri": record["template"]["uri"],
    }
    return shown


def list_notifications(state: State, query: dict[str, list[str]], base_url: str) -> dict[str, Any]:
    statuses = query.get("status", [])
    for status in statuses:
        if status not in STATUS_FILTERS:
            raise Refused(
                400,
                "ValidationError",
                f"status {status} is not one of [{', '.join(STATUS_FILTERS)}]",
            )
    for kind in query.get("template_type", []):
        if kind not in ("sms", "email", "letter"):
            raise Refused(
                400, "ValidationError", f"template_type {kind} is not one of [sms, email, letter]"
            )
    wanted = set(statuses)
    if "failed" in wanted:
        wanted |= FAILURES
    reference = query.get("reference", [None])[0]
    older_than = query.get("older_than", [None])[0]
    with state.lock:
        found = list(reversed(state.notifications))
    if older_than:
        ids = [n["id"] for n in found]
        found = found[ids.index(older_than) + 1 :] if older_than in ids else []
    found = [
        n
        for n in found
        if (reference is None or n["reference"] == reference)
        and (not wanted or n["status"] in wanted)
    ]
    page = found[:PAGE_SIZE]
    links = {"current": f"{base_url}/v2/notifications"}
    if len(found) > PAGE_SIZE:
        links["next"] = f"{base_url}/v2/notifications?older_than={page[-1]['id']}"
    return {"notifications": [public(n) for n in page], "links": links}


def one_notification(state: State, notification_id: str) -> dict[str, Any]:
    try:
        uuid.UUID(notification_id)
    except ValueError:
        raise Refused(400, "ValidationError", "notification_id is not a valid UUID") from None
    with state.lock:
        found = next((n for n in state.notifications if n["id"] == notification_id), None)
    if found is None:
        raise Refused(404, "NoResultFound", "No result found")
    return public(found)


def fault_body(status: int) -> dict[str, Any]:
    if status == 429:
        return error_body(
            429,
            "RateLimitError",
            "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
        )
    if status >= 500:
        return error_body(status, "Exception", "Internal server error")
    return error_body(status, "BadRequestError", "Refused by the stand-in")
