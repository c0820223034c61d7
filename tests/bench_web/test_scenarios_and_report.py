"""make bench-web sets pages beside API lists and reports on both: checked on a small data set.

The driver (benchmarks/web_load.py, benchmarks/web_scenarios.py) must send each page as the
person who uses it, beside the API's answer about the same rows from the same person, with a
person of their own per virtual user; count each request's queries; alternate page and API
runs; and print a table whose shares and aims say what the figures say.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from accounts.tokens import token_for_secret
from actions.dataset import dataset_generate
from actions.dates import LONDON
from actions.models import (
    OPEN_STATUSES,
    Action,
    BoardMembership,
    Plan,
    PlanStatus,
    Recommendation,
)
from benchmarks import web_load
from benchmarks.api_load import Figures
from benchmarks.web_scenarios import (
    PAIRS,
    SCENARIOS,
    load_plan,
    objects_described,
    queries_per_request,
    round_order,
)

TODAY = dt.date(2026, 11, 25)
PASSWORD = "a-long-benchmark-password"


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def small_set(db: None) -> None:
    """The national data set's shape, small: six plans of 30 actions, 90 people."""
    dataset_generate(plans=6, actions_per_plan=30, people=90, seed=1, today=TODAY)


def _user(entry: dict[str, Any]) -> User:
    return User.objects.get(email=entry["email"])


def _count(client: Client, url: str, token: str) -> int:
    answer = client.get(url, headers={"Authorization": f"Token {token}"})
    assert answer.status_code == 200, (url, answer.status_code)
    return int(answer.json()["count"])


def test_each_page_is_sent_by_the_person_who_uses_it_beside_the_api_list_of_the_same_rows(
    small_set: None,
) -> None:
    users = load_plan(2, PASSWORD)["users"]
    assert list(users) == SCENARIOS
    client = Client()
    for pair in PAIRS:
        pages, apis = users[pair.page_scenario], users[pair.api_scenario]
        assert len(pages) == len(apis) == 2
        assert len({entry["email"] for entry in pages}) == 2, "a person per virtual user"
        for page, api in zip(pages, apis, strict=True):
            assert (page["email"], page["token"], page["role"]) == (
                api["email"],
                api["token"],
                api["role"],
            )
            person = _user(page)
            token = token_for_secret(api["token"])
            assert token is not None and token.user == person
            assert person.check_password(PASSWORD)
            if pair.key == "home":
                assert person.is_staff and page["url"] == "/"
                assert api["url"] == "/api/actions/?overdue=true"
                overdue = Action.objects.filter(due_date__lt=TODAY, status__in=OPEN_STATUSES)
                assert _count(client, api["url"], api["token"]) == overdue.count()
            elif pair.key == "plan":
                plan_id = page["object"]
                assert page["url"] == f"/workspace/plans/{plan_id}/"
                assert BoardMembership.objects.filter(
                    board__plans__pk=plan_id, user=person
                ).exists()
                assert _count(client, api["url"], api["token"]) == 30
            elif pair.key == "recommendation":
                recommendation = Recommendation.objects.get(pk=page["object"])
                assert page["url"] == f"/workspace/recommendations/{recommendation.pk}/"
                assert recommendation.lead == person
                rows = recommendation.actions.count()
                assert _count(client, api["url"], api["token"]) == rows
            else:
                action = Action.objects.get(pk=page["object"])
                assert action.owner == person
                assert (page["url"], api["url"]) == (
                    f"/workspace/actions/{action.pk}/",
                    f"/api/actions/{action.pk}/",
                )


def test_the_largest_recommendations_and_longest_histories_are_chosen(small_set: None) -> None:
    users = load_plan(2, PASSWORD)["users"]
    active = Recommendation.objects.filter(plan__status=PlanStatus.ACTIVE)
    largest = max(rec.actions.count() for rec in active)
    for entry in users["recommendation-page"]:
        assert Recommendation.objects.get(pk=entry["object"]).actions.count() == largest
    longest = max(a.updates.count() for a in Action.objects.filter(plan__status="active"))
    for entry in users["action-page"]:
        assert Action.objects.get(pk=entry["object"]).updates.count() == longest
    described = objects_described({"users": users})
    assert f"a recommendation of {largest} actions" in described[2]
    assert "own plan of 30 actions" in described[1]


def test_the_driver_refuses_more_virtual_users_than_people_to_give_them(small_set: None) -> None:
    # Six plans, of which the active ones each give one board member.
    plans = Plan.objects.filter(status=PlanStatus.ACTIVE).count()
    with pytest.raises(SystemExit, match=f"plan: the data set has {plans} people to be the"):
        load_plan(plans + 1, PASSWORD)


def test_queries_are_counted_for_every_persons_request_and_a_refused_page_stops_the_run(
    small_set: None,
) -> None:
    plan = load_plan(2, PASSWORD)
    counts = queries_per_request(plan)
    assert list(counts) == SCENARIOS
    for scenario, numbers in counts.items():
        assert len(numbers) == 2 and all(n > 0 for n in numbers), scenario
    # A page costs the session and the person on top of its reads: more than the token.
    assert min(counts["action-page"]) > max(counts["action-api"])

    plan["users"]["plan-page"][0]["url"] = "/workspace/plans/999999/"
    with pytest.raises(SystemExit, match="plan-page: /workspace/plans/999999/ answered 404"):
        queries_per_request(plan)


def test_rounds_alternate_each_page_with_its_api_list() -> None:
    first, second = round_order(1), round_order(2)
    assert sorted(first) == sorted(second) == sorted(SCENARIOS)
    for pair in PAIRS:
        at = first.index(pair.page_scenario)
        assert first[at + 1] == pair.api_scenario
        at = second.index(pair.api_scenario)
        assert second[at + 1] == pair.page_scenario
    assert round_order(3) == first


def _figures(per_second: float, p95: float, errors: int = 0) -> Figures:
    return Figures(
        requests=int(per_second * 30),
        per_second=per_second,
        p50=p95 / 2,
        p95=p95,
        p99=p95 * 1.2,
        errors=errors,
        statuses={"200": int(per_second * 30)},
        sample_errors=[],
    )


RESULTS = {
    "home-page": _figures(8.0, 450.0),
    "home-api": _figures(20.0, 150.0),
    "plan-page": _figures(30.0, 120.0),
    "plan-api": _figures(40.0, 90.0),
    "recommendation-page": _figures(25.0, 310.0),
    "recommendation-api": _figures(45.0, 80.0),
    "action-page": _figures(60.0, 60.0),
    "action-api": _figures(100.0, 40.0),
}
QUERIES = {name: [5, 7] if name == "home-page" else [4] for name in SCENARIOS}


def test_the_table_puts_each_page_over_its_api_list_with_its_share_and_queries() -> None:
    lines = web_load.table(RESULTS, QUERIES).splitlines()
    assert lines[0].split() == [
        "scenario",
        "req/s",
        "p50",
        "ms",
        "p95",
        "ms",
        "p99",
        "ms",
        "errors",
        "requests",
        "queries",
        "page/API",
    ]
    assert lines[1].startswith("What needs you, administrator")
    assert lines[1].split()[-6:] == ["450.0", "540.0", "0", "240", "5-7", "0.40"]
    assert lines[2].startswith("  API ?overdue=true")
    assert lines[2].split()[-3:] == ["0", "600", "4"]
    assert [line.split(",")[0] for line in lines[3::2]] == [
        "plan page",
        "recommendation page",
        "action page",
    ]
    assert lines[3].split()[-1] == "0.75" and lines[7].split()[-1] == "0.60"


def test_the_aims_name_the_pages_that_miss_them() -> None:
    assert web_load.aims(RESULTS, 10) == [
        "aim: no page below 0.50 of its API list's throughput: missed by home 0.40",
        "aim: every page's p95 under 300 ms at 10 users: missed by home 450 ms, "
        "recommendation 310 ms",
    ]
    met = {name: _figures(50.0, 100.0) for name in SCENARIOS}
    assert web_load.aims(met, 4) == [
        "aim: no page below 0.50 of its API list's throughput: met",
        "aim: every page's p95 under 300 ms at 10 users (this run: 4 users): met",
    ]


def test_the_options_are_bench_apis_and_nonsense_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = web_load._arguments([])
    assert (args.seconds, args.users, args.workers, args.threads, args.rounds) == (
        30,
        10,
        3,
        1,
        5,
    )
    with pytest.raises(SystemExit) as refused:
        web_load._arguments(["--users", "0"])
    assert refused.value.code == 2
    assert "--users must be at least 1." in capsys.readouterr().err
