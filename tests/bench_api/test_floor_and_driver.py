"""make bench-api compares the API with a floor and claims a request mix: both checked here.

The floor (benchmarks/floor.py) must answer the very JSON the API answers for every query the
driver sends, or the ratio it prints compares different work. The driver (benchmarks/
api_load.py) must send what it says: every role, reads the person may make, and progress
updates on in-progress actions that person may report on, no action given to two users.
"""

import datetime as dt
import json
import random
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from accounts.tokens import create_token, token_for_secret
from actions import selectors
from actions.dates import LONDON
from actions.models import Action, ActionStatus, Rag
from actions.permissions import may_report_progress
from benchmarks import api_load
from tests.factories import ActionFactory, BoardFactory, RecommendationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("benchmarks.floor")]

TODAY = dt.date(2026, 11, 25)
# Status and RAG in turn: every filter the driver sends matches some rows and not others, and
# enough are in progress for eight virtual users to report on ten each.
STATES = [
    (ActionStatus.IN_PROGRESS, Rag.GREEN),
    (ActionStatus.IN_PROGRESS, Rag.GREEN),
    (ActionStatus.IN_PROGRESS, Rag.AMBER),
    (ActionStatus.IN_PROGRESS, Rag.AMBER),
    (ActionStatus.IN_PROGRESS, Rag.RED),
    (ActionStatus.NOT_STARTED, Rag.GREEN),
    (ActionStatus.BLOCKED, Rag.RED),
    (ActionStatus.COMPLETED, Rag.BLUE),
]


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def world() -> None:
    """Two plans whose titles sort against their ids, two people of each role, 120 actions."""
    members, leads, owners, supporters = (UserFactory.create_batch(2) for _ in range(4))
    for index, title in enumerate(["Zetland SEND plan", "Allerdale SEND plan"]):
        board = BoardFactory.create(members=[members[index]])
        recommendation = RecommendationFactory.create(
            plan__board=board, plan__title=title, lead=leads[index]
        )
        for n in range(60):
            status, rag = STATES[n % len(STATES)]
            due = TODAY + dt.timedelta(days=(30 if n % 3 == 0 else -100) + n)
            ActionFactory.create(
                recommendation=recommendation,
                owner=owners[n % 2],
                supporting_owners=[supporters[(n // 2) % 2]],
                start_date=dt.date(2025, 1, 1),
                due_date=due,
                status=status,
                rag=rag,
                completed_on=dt.date(2026, 1, 5) if status == ActionStatus.COMPLETED else None,
            )


def token_user(secret: str) -> User:
    token = token_for_secret(secret)
    assert token is not None, "no such token"
    return token.user


def _get(client: Client, url: str, token: str) -> Any:
    """Status, JSON and ETag; the floor's own address in its page links read as the API's."""
    answer = client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
    body = json.loads(answer.content.decode().replace("/bench/floor/actions/", "/api/actions/"))
    return answer.status_code, body, answer.get("ETag")


def test_the_floor_answers_the_same_json_as_the_api_for_every_list_the_driver_sends(
    world: None,
) -> None:
    rng = random.Random(api_load.SEED)
    people = api_load._people(rng, 2)
    client = Client()
    pages_with_rows = 0
    for person in people:
        for query in api_load._list_queries(person, rng):
            api = _get(client, f"/api/actions/{query}", person.token)
            floor = _get(client, f"/bench/floor/actions/{query}", person.token)
            assert api[0] == 200, (person.role, query, api[1])
            assert floor[:2] == api[:2], (person.role, query)
            pages_with_rows += bool(api[1]["results"])
    # Not a comparison of empty pages: most lists have rows, and page 2 links both ways.
    assert pages_with_rows >= 20
    admin = next(p for p in people if p.role == "administrator")
    second = _get(client, "/bench/floor/actions/?overdue=true&page=2", admin.token)[1]
    assert second["previous"] == "http://testserver/api/actions/?overdue=true"
    assert len(second["results"]) > 0


def test_the_floor_reads_one_action_as_the_api_does_and_hides_what_the_person_cannot_read(
    world: None,
) -> None:
    owner = Action.objects.order_by("pk").first()
    assert owner is not None
    token = create_token(user=owner.owner)[1]
    client = Client()
    for action in Action.objects.order_by("pk")[:6]:
        api = _get(client, f"/api/actions/{action.pk}/", token)
        floor = _get(client, f"/bench/floor/actions/{action.pk}/", token)
        assert floor[0] == api[0] and floor[0] in (200, 404)
        if api[0] == 200:
            assert floor == api
            assert api[2] == f'"{action.version}"'


def test_the_driver_sends_every_role_reads_it_may_make_and_updates_nobody_else_sends(
    world: None,
) -> None:
    rng = random.Random(api_load.SEED)
    people = api_load._people(rng, 2)
    plan = api_load._plan(people, 8, rng)["users"]
    assert {p.role for p in people} == set(api_load.ROLES)
    for person in people:
        user = token_user(person.token)
        assert user == person.user
        assert user.is_staff == (person.role == "administrator")

    assert {u["role"] for u in plan["list-api"]} == set(api_load.ROLES)
    for api, floor in zip(plan["list-api"], plan["list-floor"], strict=True):
        assert all(url.startswith("/api/actions/?") for url in api["lists"])
        assert [url.replace("/api/", "/bench/floor/") for url in api["lists"]] == floor["lists"]

    for entry in plan["read-api"]:
        user = token_user(entry["token"])
        visible = set(selectors.actions_visible_to(user).values_list("pk", flat=True))
        read = {int(url.split("/")[-2]) for url in entry["reads"]}
        assert read and read <= visible

    writers = plan["post-api"]
    assert len(writers) == 8
    assert "executive member" not in {u["role"] for u in writers}
    assert {u["role"] for u in writers} == set(api_load.WRITERS)
    ids = [item["id"] for u in writers for item in u["updates"]]
    assert ids and len(ids) == len(set(ids)), "no action is updated by two virtual users"
    for entry in writers:
        user = token_user(entry["token"])
        for item in entry["updates"]:
            action = Action.objects.get(pk=item["id"])
            assert action.status == ActionStatus.IN_PROGRESS
            assert item["version"] == action.version
            assert may_report_progress(user, action)


def test_the_driver_refuses_more_virtual_users_than_people_to_give_them(world: None) -> None:
    rng = random.Random(api_load.SEED)
    people = api_load._people(rng, 1)
    with pytest.raises(SystemExit, match="post-api: 4 people for 5 virtual users"):
        api_load._plan(people, 5, rng)


def test_percentiles_are_by_nearest_rank() -> None:
    latencies = [float(n) for n in range(1, 101)]
    assert [api_load._percentile(latencies, p) for p in (50, 95, 99)] == [50.0, 95.0, 99.0]
    assert api_load._percentile([7.0], 99) == 7.0


def test_the_bench_settings_are_production_with_plain_http(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    # Through monkeypatch: a SECRET_KEY left in os.environ reaches every process a later
    # test starts (its signed links would not verify in this one).
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.setenv("SITE_URL", "https://127.0.0.1")
    monkeypatch.setenv("DEFAULT_FROM_EMAIL", "bench@example.org")
    bench = importlib.import_module("config.settings.bench")
    assert bench.DEBUG is False
    assert bench.SECURE_SSL_REDIRECT is False
    assert bench.ROOT_URLCONF == "benchmarks.floor"
    assert bench.SESSION_COOKIE_SECURE is True
