"""Every operation of /api/schema/, fuzzed as every role: no 5xx, every answer as documented.

schemathesis reads the schema from the app itself (through the real WSGI handler, no server)
and sends generated requests, valid and not, with each role's real token. The checks: no
server error, the status code and content type are ones the schema lists for the operation,
and the body matches the schema of that status. The number of examples and the seed are
fixed, so a run is repeatable; the figures per role are printed at the end of the run.
"""

import os
import re
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_permission_matrix import ANONYMOUS, ROLES, ROW_PATHS, World

pytestmark = pytest.mark.django_db

# Per operation and role: enough to reach the error paths of each one, few enough that the
# 69 operations x 9 roles run in a few minutes on a shared machine.
# A deeper run by hand: HOSTILE_EXAMPLES=50 HOSTILE_COVERAGE=1 (README, "Hostile input").
EXAMPLES_PER_OPERATION = int(os.environ.get("HOSTILE_EXAMPLES", "6"))
COVERAGE_PHASE = os.environ.get("HOSTILE_COVERAGE", "") == "1"
SEED = 20261125

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True},
        # The coverage phase sends a case for every boundary of every parameter (hundreds per
        # operation): examples and fuzzing, bounded by max-examples, are what fits in CI.
        "phases": {"coverage": {"enabled": COVERAGE_PHASE}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=CONFIG)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# The figures printed at the end of the run (tests/hostile/conftest.py).
FIGURES: dict[str, Counter[str]] = {}

# The collection at the start of each path, and the rows of the world it holds.
_COLLECTION = re.compile(r"^/api/([a-z-]+)/\{")
_ROWS_BY_COLLECTION: dict[str, list[str]] = {}
for _name, _collection in ROW_PATHS.items():
    _ROWS_BY_COLLECTION.setdefault(_collection, []).append(_name)


def aim_at_real_rows(case: Any, world: World) -> None:
    """Most generated ids match nothing; point most of them at the world's rows (readable by
    this role or not), and leave one in a few as generated, for the 404s."""
    match = _COLLECTION.match(case.path)
    if not match or not isinstance(case.path_parameters, dict):
        return
    names = [n for n in _ROWS_BY_COLLECTION.get(match.group(1), []) if n in world.rows]
    generated = case.path_parameters.get("id")
    if not names or not isinstance(generated, int):
        return
    slot = generated % (len(names) + 1)
    if slot < len(names):
        case.path_parameters["id"] = world.id(names[slot])


# Admin last: its deletes would leave the other roles nothing to try.
ROLE_ORDER = tuple(reversed(ROLES))

# Answers allowed not to match the schema (operation -> why); the other three checks still
# apply to them. None today: a new entry needs a reason a reader would accept.
KNOWN_SCHEMA_GAPS: dict[str, str] = {}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    # The world is built once per operation, not per example.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_is_documented_and_none_is_a_server_error(
    case: Any,
    world: World,
    tokens: dict[str, str],
    wsgi_in_test_transaction: None,
    forget_throttles: list[str],
) -> None:
    """Each generated request is sent once as each role (and anonymously)."""
    aim_at_real_rows(case, world)
    label = case.operation.label
    checks = [
        c for c in CHECKS if not (c is response_schema_conformance and label in KNOWN_SCHEMA_GAPS)
    ]
    for role in ROLE_ORDER:
        headers = {} if role == ANONYMOUS else {"Authorization": f"Token {tokens[role]}"}
        figures = FIGURES.setdefault(role, Counter())
        figures[f"operation {label}"] = 1
        figures["examples"] += 1
        try:
            response = case.call_and_validate(headers=headers, checks=checks)
        except BaseException as failure:
            figures["failures"] += 1
            failure.add_note(f"Sent as: {role}")
            raise
        figures[f"status {response.status_code // 100}xx"] += 1
