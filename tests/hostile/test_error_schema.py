"""The schema lists every error an operation can answer with, in the bodies really sent."""

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema() -> dict[str, Any]:
    answer = Client().get("/api/schema/", {"format": "json"})
    assert answer.status_code == 200
    return dict(answer.json())


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_operation_documents_its_errors(schema: dict[str, Any]) -> None:
    found = operations(schema)
    assert len(found) > 60
    for method, path, operation in found:
        codes = set(operation["responses"])
        label = f"{method.upper()} {path}"
        assert "400" in codes, label
        # The one server-side answer documented: the database briefly unreachable.
        assert {code for code in codes if code.startswith("5")} == {"503"}, label
        assert "Retry-After" in operation["responses"]["503"]["headers"], label
        if path != "/api/auth/token/":
            assert "401" in codes, label
        if method in {"post", "put", "patch", "delete"} and path != "/api/auth/token/":
            assert "403" in codes, label
        if "{id}" in path:
            assert "404" in codes, label
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if "If-Match" in headers:
            body = operation["responses"]["412"]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/PreconditionFailed"}, label
        if "requestBody" in operation:
            assert "415" in codes, label


def test_only_sign_in_documents_429_with_retry_after(schema: dict[str, Any]) -> None:
    throttled = [(m, p) for m, p, op in operations(schema) if "429" in op["responses"]]
    assert throttled == [("post", "/api/auth/token/")]
    answer = schema["paths"]["/api/auth/token/"]["post"]["responses"]["429"]
    assert "Retry-After" in answer["headers"]


def test_the_bodies_sent_are_the_bodies_documented(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    client = Client(REMOTE_ADDR="192.0.2.77")
    wrong = client.post(
        "/api/auth/token/",
        {"email": "nobody@example.gov.uk", "password": "x"},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    assert set(wrong.json()) == {"non_field_errors"}
    assert components["ValidationError"]["additionalProperties"]["anyOf"][0]["type"] == "array"
    unsigned = client.get("/api/actions/")
    assert unsigned.status_code == 401
    assert set(unsigned.json()) == set(components["ErrorDetail"]["required"]) == {"detail"}
    assert set(components["PreconditionFailed"]["required"]) == {"detail", "current_version"}
