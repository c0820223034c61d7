"""Fixtures of the hostile-input tests: the permission matrix's world, signed in for real."""

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.throttling import SimpleRateThrottle

from accounts.throttles import (
    LinkAddressThrottle,
    LoginAccountThrottle,
    LoginAddressThrottle,
    _digest,
)
from accounts.tokens import create_token
from tests.api.permission_world import ROLES, World, world

__all__ = ["ROLES", "World", "forget_throttles", "tokens", "world", "wsgi_in_test_transaction"]


@pytest.fixture
def tokens(world: World) -> dict[str, str]:
    """Each role's API token, made as ``POST /api/auth/token/`` makes it."""
    return {role: create_token(user=person)[1] for role, person in world.people.items()}


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[None]:
    """Requests through the real WSGI handler inside the test's transaction.

    Django closes the database connection at the end of each request; the test client stops
    that for the same reason (the test's transaction would go with it), so do the same here.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def throttle_key(throttle_class: type[SimpleRateThrottle], ident: str) -> str:
    return str(throttle_class.cache_format % {"scope": throttle_class.scope, "ident": ident})


@pytest.fixture
def forget_throttles() -> Iterator[list[str]]:
    """Counts a test piled up are dropped afterwards, so that later tests (which all come from
    127.0.0.1) are not refused. Only these keys: the cache may be a Redis shared with others."""
    keys = [
        throttle_key(LoginAddressThrottle, "127.0.0.1"),
        throttle_key(LinkAddressThrottle, "127.0.0.1"),
    ]
    caches["throttle"].delete_many(keys)
    yield keys
    caches["throttle"].delete_many(keys)


def account_key(email: str) -> str:
    return throttle_key(LoginAccountThrottle, _digest(email.strip().lower()))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The schemathesis figures per role: operations, examples sent, failures, answers."""
    # Only if the fuzzing ran: importing it here would load the schema after the run.
    module = sys.modules.get("tests.hostile.test_schemathesis")
    figures_by_role: dict[str, Any] = getattr(module, "FIGURES", {})
    if figures_by_role:
        write_figures(terminalreporter, figures_by_role)


def write_figures(terminalreporter: Any, figures_by_role: dict[str, Any]) -> None:
    """Also called by tests/conftest.py with the totals of a run on several workers."""
    write = terminalreporter.write_line
    write("")
    write("schemathesis, per role: operations, examples, failures, answers by class")
    for role, figures in figures_by_role.items():
        operations = sum(1 for key in figures if key.startswith("operation "))
        answers = ", ".join(
            f"{key.split()[1]}: {figures[key]}"
            for key in sorted(figures)
            if key.startswith("status ")
        )
        write(
            f"  {role:<13} operations {operations:>3}  examples {figures['examples']:>5}  "
            f"failures {figures['failures']}  ({answers})"
        )
