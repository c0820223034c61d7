"""A real locust run of make bench-web, two seconds with one user, against a live server.

The virtual user must sign in through the sign-in page as a browser does, be timed only once
signed in, and count as errors any page it was not signed in to see, even one that answers
200 to anyone. Needs locust (requirements-bench.txt, ``make .venv/.installed-bench``): kept
out of the test environment, so without it these are skipped.
"""

import datetime as dt
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from pytest_django.live_server_helper import LiveServer

from actions.dataset import dataset_generate
from actions.dates import LONDON
from benchmarks import web_load
from benchmarks.web_scenarios import load_plan

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # Looked up, not imported: locust patches the standard library (gevent) as it loads.
    pytest.mark.skipif(
        importlib.util.find_spec("locust") is None,
        reason="locust is not installed: make .venv/.installed-bench",
    ),
]

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    # Ticking: the server answers in real time, and locust, in its own process, times it so.
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON), tick=True):
        yield


@pytest.fixture
def plan_file(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    dataset_generate(plans=2, actions_per_plan=12, people=30, seed=1, today=TODAY)
    plan = load_plan(1, "a-long-benchmark-password")
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    return path, plan


def test_a_signed_in_user_opens_the_page_and_a_token_user_the_api_for_the_timed_seconds(
    live_server: LiveServer, plan_file: tuple[Path, dict[str, Any]]
) -> None:
    path, _ = plan_file
    for scenario in ("plan-page", "plan-api"):
        run = web_load.drive(live_server.url, path, scenario, 1, 2)
        requests = len(run["latencies_ms"])
        assert run["sign_in_failures"] == 0, (scenario, run["sample_errors"])
        assert run["failures"] == 0, (scenario, run["sample_errors"])
        assert requests > 0 and run["statuses"] == {"200": requests}, scenario
        # Timed from the moment the user was signed in, for the two seconds asked.
        assert 1.5 < run["seconds"] <= 2.0, scenario


def test_a_user_who_cannot_sign_in_counts_every_page_as_an_error_even_a_200(
    live_server: LiveServer, plan_file: tuple[Path, dict[str, Any]]
) -> None:
    path, plan = plan_file
    path.write_text(json.dumps({**plan, "password": "not-the-password"}))
    run = web_load.drive(live_server.url, path, "home-page", 1, 2)
    assert run["sign_in_failures"] == 1
    assert "sign-in as administrator: 200" in run["sample_errors"]
    # The home page answers anyone; without the sign-out button it was not the person's.
    assert run["statuses"].keys() == {"200"}
    assert run["failures"] == len(run["latencies_ms"]) > 0
