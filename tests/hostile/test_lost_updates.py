"""Two people change the same action at the same moment, both from the same version: one wins,
the other gets 412 and changes nothing, and the history shows the winner's change only.

Each request runs in its own thread on its own PostgreSQL connection. Both requests read the
action (and its version) first; a barrier then holds each one just before it takes the row
lock, until both are there. So both really start from the same version at the same time:
without the check under the lock, both would be written and one lost.
"""

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import User
from actions.dates import LONDON
from actions.models import Action, ActionStatus, ProgressUpdate, Rag
from tests.factories import ActionFactory, RecommendationFactory, UserFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql" and not os.environ.get("CI"),
        reason="Two writers at once need PostgreSQL (set DATABASE_URL): SQLite serialises "
        "every writer, so there is no race to lose.",
    ),
    # Transactional: each thread must see what the other commits.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def monday_23_november_2026() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def shared_action() -> tuple[Action, User, User]:
    """An action its lead and its owner may both update."""
    lead, owner = UserFactory.create(name="Lena Lead"), UserFactory.create(name="Owen Owner")
    action = ActionFactory.create(
        recommendation=RecommendationFactory.create(lead=lead),
        owner=owner,
        status=ActionStatus.IN_PROGRESS,
        rag=Rag.GREEN,
        due_date=dt.date(2026, 12, 18),
    )
    return action, lead, owner


def at_the_same_moment(requests: dict[str, Callable[[APIClient], Any]]) -> dict[str, Any]:
    """Sends each request in its own thread; each waits just before the row lock for all."""
    barrier = threading.Barrier(len(requests), timeout=20)
    answers: dict[str, Any] = {}
    errors: list[BaseException] = []

    def wait_for_the_others(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "FOR UPDATE" in sql:
            barrier.wait()
        return execute(sql, params, many, context)

    def run(name: str, send: Callable[[APIClient], Any]) -> None:
        try:
            with connection.execute_wrapper(wait_for_the_others):
                answers[name] = send(APIClient())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in requests.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    assert errors == [], errors
    return answers


def sending(method: str, url: str, person: User, body: dict[str, str], version: int) -> Any:
    """A request as ``person`` with ``If-Match: "version"``, to send later."""

    def send(client: APIClient) -> Any:
        client.force_authenticate(person)
        return getattr(client, method)(url, body, format="json", HTTP_IF_MATCH=f'"{version}"')

    return send


def test_two_progress_reports_from_one_version_record_one_and_refuse_the_other_with_412(
    shared_action: tuple[Action, User, User],
) -> None:
    action, lead, owner = shared_action
    version = action.version
    url = f"/api/actions/{action.pk}/updates/"
    reports = {
        "lead": (lead, {"rag": "amber", "commentary": "Lead: recruitment has slipped."}),
        "owner": (owner, {"rag": "red", "commentary": "Owner: both candidates withdrew."}),
    }
    answers = at_the_same_moment(
        {
            name: sending("post", url, person, body, version)
            for name, (person, body) in reports.items()
        }
    )

    codes = sorted(answer.status_code for answer in answers.values())
    assert codes == [201, 412], {name: a.content for name, a in answers.items()}
    winner = next(name for name, answer in answers.items() if answer.status_code == 201)
    loser = next(name for name, answer in answers.items() if answer.status_code == 412)
    assert answers[loser].json()["current_version"] == version + 1
    assert answers[loser]["ETag"] == f'"{version + 1}"'

    person, body = reports[winner]
    updates = list(ProgressUpdate.objects.filter(action=action))
    assert [(u.author_id, u.commentary, u.rag) for u in updates] == [
        (person.pk, body["commentary"], body["rag"])
    ]
    action.refresh_from_db()
    assert (action.rag, action.version) == (body["rag"], version + 1)
    assert action.latest_update_id == updates[0].pk
    # The audit history: the version read, then the winner's change, and nothing else.
    history = list(action.history.order_by("history_date", "history_id"))
    assert [(h.version, h.rag) for h in history][-2:] == [
        (version, "green"),
        (version + 1, body["rag"]),
    ]
    assert history[-1].history_user_id == person.pk
    assert len([h for h in history if h.version > version]) == 1


def test_two_edits_from_one_version_keep_one_and_refuse_the_other_with_412(
    shared_action: tuple[Action, User, User],
) -> None:
    action, lead, _ = shared_action
    admin = UserFactory.create(name="Ada Administrator", is_staff=True)
    version = action.version
    url = f"/api/actions/{action.pk}/"
    edits = {
        "lead": (lead, {"description": "Lead: two posts, funded by the ICB."}),
        "admin": (admin, {"description": "Admin: one post, council funded."}),
    }
    answers = at_the_same_moment(
        {
            name: sending("patch", url, person, body, version)
            for name, (person, body) in edits.items()
        }
    )

    codes = sorted(answer.status_code for answer in answers.values())
    assert codes == [200, 412], {name: a.content for name, a in answers.items()}
    winner = next(name for name, answer in answers.items() if answer.status_code == 200)
    person, body = edits[winner]
    action.refresh_from_db()
    assert (action.description, action.version) == (body["description"], version + 1)
    changes = list(action.history.filter(version__gt=version))
    assert [(h.description, h.history_user_id) for h in changes] == [
        (body["description"], person.pk)
    ]
