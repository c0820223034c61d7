"""make bench-api's per-person lists: each floor answers its API list's JSON, for every list
the driver sends as every role that uses it; ``--only`` picks scenarios; the aims print.
"""

import datetime as dt
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from actions.dataset import dataset_generate
from actions.dates import LONDON
from benchmarks import api_lists, api_load, lists_world
from benchmarks.api_load import Figures

pytestmark = [pytest.mark.django_db, pytest.mark.urls("benchmarks.floor")]


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def people() -> list[api_load.Person]:
    """A generated world of six plans with its chasing; two people of each role."""
    dataset_generate(plans=6, actions_per_plan=40, people=150, seed=1, today=lists_world.TODAY)
    lists_world.chasing_ensure()
    return api_load._people(random.Random(api_load.SEED), 2)


def _get(client: Client, url: str, token: str) -> tuple[int, Any]:
    answer = client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
    text = answer.content.decode().replace("/bench/floor/", "/api/")
    return answer.status_code, json.loads(text)


def test_every_list_floor_answers_the_json_of_its_api_list_for_every_role(
    people: list[api_load.Person],
) -> None:
    entries = api_lists.plan_entries(people)
    client = Client()
    rows_seen: dict[str, int] = {}
    for scenario in api_lists.LISTS:
        if scenario.floor is None:
            continue
        apis = entries[f"list-{scenario.key}-api"]
        floors = entries[f"list-{scenario.key}-floor"]
        assert {entry["role"] for entry in apis} == set(scenario.roles)
        for api, floor in zip(apis, floors, strict=True):
            for api_url, floor_url in zip(api["lists"], floor["lists"], strict=True):
                ours = _get(client, api_url, api["token"])
                bare = _get(client, floor_url, floor["token"])
                assert ours[0] == 200, (scenario.key, api["role"], ours[1])
                assert bare == ours, (scenario.key, api["role"], api_url)
                rows_seen[scenario.key] = rows_seen.get(scenario.key, 0) + len(ours[1]["results"])
    # Not a comparison of empty pages: every list has rows for someone.
    assert all(rows_seen[s.key] for s in api_lists.LISTS if s.floor), rows_seen


def test_my_actions_and_the_action_list_hold_the_same_rows_for_the_people_the_driver_sends(
    people: list[api_load.Person],
) -> None:
    entries = api_lists.plan_entries(people)
    client = Client()
    for mine, theirs in zip(
        entries["list-me-actions-api"], entries["list-same-actions-api"], strict=True
    ):
        assert mine["token"] == theirs["token"]
        for own_url, all_url in zip(mine["lists"], theirs["lists"], strict=True):
            own = _get(client, own_url, mine["token"])[1]
            visible = _get(client, all_url, theirs["token"])[1]
            assert own["results"] == visible["results"] and own["count"] == visible["count"]


def test_only_chooses_the_scenarios_and_refuses_an_unknown_one() -> None:
    every = api_lists.chosen(None, api_load.SCENARIOS)
    assert len(every) == len(api_load.SCENARIOS) + 15
    assert api_lists.chosen("actions", api_load.SCENARIOS) == api_load.SCENARIOS
    names = [name for name, _ in api_lists.chosen("plans,me-actions", api_load.SCENARIOS)]
    assert names == [
        "list-me-actions-api",
        "list-me-actions-floor",
        "list-same-actions-api",
        "list-plans-api",
        "list-plans-floor",
    ]
    lists = api_lists.chosen("lists", api_load.SCENARIOS)
    assert {name for name, _ in lists} == {name for name, _ in api_lists.scenarios()}
    with pytest.raises(SystemExit, match="--only: no scenario plan; choose from actions"):
        api_lists.chosen("plan", api_load.SCENARIOS)


def _figures(per_second: float, p50: float) -> Figures:
    return Figures(100, per_second, p50, p50, p50, 0, {"200": 100}, [])


def test_the_table_prints_each_list_against_its_floor_and_me_actions_against_actions() -> None:
    results = {
        "list-plans-api": _figures(40.0, 20.0),
        "list-plans-floor": _figures(100.0, 8.0),
        "list-me-actions-api": _figures(90.0, 13.0),
        "list-me-actions-floor": _figures(120.0, 9.0),
        "list-same-actions-api": _figures(95.0, 12.0),
    }
    table = api_load._table(results, api_lists.chosen("plans,me-actions", api_load.SCENARIOS))
    assert "plans API/floor throughput: 0.40  (aim: at least 0.50)  MISSED" in table
    assert "me/actions API/floor throughput: 0.75  (aim: at least 0.50)\n" in table
    assert "me/actions p50 / actions p50 (same people, same rows): 1.08  (aim: at most 1.20)" in (
        table
    )
