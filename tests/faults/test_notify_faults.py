"""The short fault run's GOV.UK Notify variant (``python -m faults --short --notify``).

The harness starts a stack of its own (as tests/faults/test_faults.py's) with every email
going through the Notify stand-in, a process of its own on a free loopback port. It kills the
worker while sends are in Notify's hands, then makes Notify answer 500, 429 and nothing at
all. Through Notify there is no at-least-once window: every email arrives exactly once.
"""

from typing import Any

import pytest

from tests.faults.test_faults import run_harness

FAULTS = ["notify-worker", "notify-500", "notify-429", "notify-hang"]

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return run_harness(tmp_path_factory, options=["--notify"], faults=FAULTS)


def note(row: dict[str, Any], starts: str) -> str:
    return next(n for n in row["notes"] if n.startswith(starts))


def test_every_email_reaches_notify_under_every_fault(table: dict[str, dict[str, Any]]) -> None:
    assert {fault: (row["delivered"], row["lost"]) for fault, row in table.items()} == {
        fault: (row["expected"], 0) for fault, row in table.items()
    }


def test_no_email_reaches_notify_twice_not_even_after_a_kill(
    table: dict[str, dict[str, Any]],
) -> None:
    assert {fault: (row["duplicated"], row["in_window"]) for fault, row in table.items()} == {
        fault: (0, 0) for fault in FAULTS
    }
    assert not [n for row in table.values() for n in row["notes"] if n.startswith("FAIL")]


def test_the_faults_really_made_sends_fail_and_retry(table: dict[str, dict[str, Any]]) -> None:
    assert {fault: row["max_attempts"] > 1 for fault, row in table.items()} == dict.fromkeys(
        FAULTS, True
    )
    killed = note(table["notify-worker"], "sends in Notify's hands when the worker was killed")
    assert int(killed.rsplit(" ", 1)[1]) > 0


def test_emails_notify_had_accepted_unanswered_were_found_by_reference_not_sent_again(
    table: dict[str, dict[str, Any]],
) -> None:
    """Half the 500s and half the hangs came after Notify accepted the email."""
    for fault in ("notify-500", "notify-hang"):
        found = note(table[fault], "found by reference instead of sent again")
        assert int(found.rsplit(" ", 1)[1]) > 0, table[fault]["notes"]


def test_every_acknowledged_progress_update_is_stored(table: dict[str, dict[str, Any]]) -> None:
    assert {fault: row["updates_lost"] for fault, row in table.items()} == dict.fromkeys(FAULTS, 0)
