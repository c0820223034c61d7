"""The error answers in the OpenAPI schema, for every operation, with the bodies really sent.

drf-spectacular documents what a view returns when it succeeds. The errors come from one
place (``config.exceptions`` and DRF's handler), so one hook adds them to every operation,
including ones added later: a client generated from the schema then knows every answer it
can get, and schemathesis (tests/hostile) checks each answer against it.
"""

import re
from typing import Any

from django.urls import Resolver404, resolve

_DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}

COMPONENTS: dict[str, dict[str, Any]] = {
    "ErrorDetail": {
        "type": "object",
        "description": "Why the request was refused, in a sentence.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": (
            "What to correct. Each key is a field of the request (or `non_field_errors`) "
            "with its messages; a list field has its messages by position. A body that could "
            "not be read at all has `detail` instead."
        ),
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {}},
                {"type": "object"},
                {"type": "string"},
            ]
        },
        "minProperties": 1,
    },
    "PreconditionFailed": {
        "type": "object",
        "description": "Someone changed the row since you read it: read it again.",
        "properties": {"detail": {"type": "string"}, "current_version": {"type": "integer"}},
        "required": ["detail", "current_version"],
    },
}

_UNSAFE = {"post", "put", "patch", "delete"}
_METHODS = _UNSAFE | {"get", "head", "options", "trace"}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    }
}


def _json(description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        **extra,
    }


def _is_throttled(path: str) -> bool:
    """Whether the view at this schema path has throttles (its answers may be 429)."""
    try:
        match = resolve(re.sub(r"\{[^}/]+\}", "1", path))
    except Resolver404:
        return False
    view_class = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    return bool(getattr(view_class, "throttle_classes", None))


def _needs_sign_in(operation: dict[str, Any]) -> bool:
    security = operation.get("security")
    return security is None or any(requirement for requirement in security)


def error_responses(path: str, method: str, operation: dict[str, Any]) -> dict[str, Any]:
    parameters = operation.get("parameters", [])
    names = {(p.get("in"), p.get("name")) for p in parameters}
    has_body = "requestBody" in operation
    signed_in = _needs_sign_in(operation)
    answers: dict[str, Any] = {
        "400": _json(
            "The request could not be used: field messages say what to correct.",
            {"$ref": "#/components/schemas/ValidationError"},
        )
    }
    if signed_in:
        answers["401"] = _json("Sign in first (send your token).", _DETAIL)
    if signed_in and method in _UNSAFE:
        answers["403"] = _json("You may not make this change.", _DETAIL)
    if any(where == "path" for where, _ in names) or ("query", "page") in names:
        answers["404"] = _json("Nothing you may read is at this address (or page).", _DETAIL)
    if ("header", "If-Match") in names:
        answers["412"] = _json(
            "Changed since you read it: the ETag header has the current version.",
            {"$ref": "#/components/schemas/PreconditionFailed"},
        )
    if has_body:
        answers["415"] = _json("Send the body as application/json.", _DETAIL)
    if _is_throttled(path):
        answers["429"] = _json(
            "Too many attempts: wait the seconds in Retry-After.", _DETAIL, headers=_RETRY_AFTER
        )
    answers["503"] = _json(
        "The database cannot be reached just now: nothing was saved; send the same request "
        "again after the seconds in Retry-After.",
        _DETAIL,
        headers=_RETRY_AFTER,
    )
    return answers


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in COMPONENTS.items():
        schemas.setdefault(name, component)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, answer in error_responses(path, method, operation).items():
                responses.setdefault(code, answer)
    return result
