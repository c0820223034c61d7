"""Filters on the API's lists: each action filter selects exactly the right rows without
asking the database for DISTINCT, "overdue" uses the date in London, ``/api/me/actions/``
takes the same filters, a bad filter value is a 400 on that filter, other lists filter by
their parent, and actions order by due date both ways.
"""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from actions.dates import LONDON
from actions.models import ActionStatus, Rag
from tests.api.conftest import client_for
from tests.factories import (
    ActionFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- Filters ------------------------------------------------------------------------------


@pytest.fixture
def filtered(admin_user: User) -> dict[str, Any]:
    alex, bea = UserFactory.create(), UserFactory.create()
    r1 = RecommendationFactory.create()
    r2 = RecommendationFactory.create(plan=r1.plan)
    r3 = RecommendationFactory.create()
    rows = {
        "a1": ActionFactory.create(
            recommendation=r1, owner=alex, due_date=dt.date(2026, 11, 10), rag=Rag.GREEN
        ),
        "a2": ActionFactory.create(
            recommendation=r2,
            owner=bea,
            status=ActionStatus.BLOCKED,
            rag=Rag.RED,
            due_date=dt.date(2026, 12, 1),
        ),
        "a3": ActionFactory.create(
            recommendation=r3,
            owner=alex,
            status=ActionStatus.COMPLETED,
            rag=Rag.BLUE,
            completed_on=dt.date(2026, 10, 30),
            due_date=dt.date(2026, 11, 1),
        ),
        "a4": ActionFactory.create(
            recommendation=r3,
            owner=bea,
            status=ActionStatus.NOT_STARTED,
            rag=Rag.AMBER,
            start_date=None,
            due_date=dt.date(2027, 1, 15),
        ),
    }
    ids = {"alex": alex.pk, "bea": bea.pk, "p1": r1.plan_id, "p2": r3.plan_id, "r3": r3.pk}
    return {"rows": rows, "ids": ids}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("owner={alex}", {"a1", "a3"}),
        ("status=blocked", {"a2"}),
        ("status=blocked,completed", {"a2", "a3"}),
        ("status=blocked&status=not_started", {"a2", "a4"}),
        ("rag=red,amber", {"a2", "a4"}),
        ("rag=blue", {"a3"}),
        ("due_before=2026-12-01", {"a1", "a2", "a3"}),
        ("due_after=2026-12-01", {"a2", "a4"}),
        ("due_after=2026-11-02&due_before=2026-12-31", {"a1", "a2"}),
        ("overdue=true", {"a1"}),
        ("overdue=2026-12-10", {"a1", "a2"}),
        ("overdue=false", {"a2", "a3", "a4"}),
        ("plan={p1}", {"a1", "a2"}),
        ("recommendation={r3}", {"a3", "a4"}),
        ("plan={p2}&owner={bea}", {"a4"}),
    ],
)
def test_each_action_filter_selects_exactly_the_right_rows(
    admin_user: User, filtered: dict[str, Any], query: str, expected: set[str]
) -> None:
    answer = client_for(admin_user).get(f"/api/actions/?{query.format(**filtered['ids'])}")
    assert answer.status_code == 200, answer.content
    names = {pk: name for name, pk in ((n, a.pk) for n, a in filtered["rows"].items())}
    assert {names[row["id"]] for row in answer.json()["results"]} == expected


def test_filtered_action_lists_ask_the_database_for_no_distinct(
    admin_user: User, filtered: dict[str, Any]
) -> None:
    """DISTINCT over every column made a filtered list at national scale several times slower
    (docs/performance.md); the filters compare the action's own columns, so no row repeats."""
    client = client_for(admin_user)
    query = f"status=blocked,not_started&rag=red,amber&plan={filtered['ids']['p2']}"
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(f"/api/actions/?{query}")
    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()["results"]] == [filtered["rows"]["a4"].pk]
    assert answer.json()["count"] == 1
    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper()]


def test_overdue_true_uses_the_date_in_london_not_utc(admin_user: User) -> None:
    action = ActionFactory.create(start_date=dt.date(2026, 5, 1), due_date=dt.date(2026, 6, 14))
    client = client_for(admin_user)
    # 00:30 on 15 June in London is still 14 June in UTC: the action is already overdue.
    with time_machine.travel(dt.datetime(2026, 6, 15, 0, 30, tzinfo=LONDON), tick=False):
        answer = client.get("/api/actions/?overdue=true")
        assert [row["id"] for row in answer.json()["results"]] == [action.pk]
        assert answer.json()["results"][0]["is_overdue"] is True


def test_my_actions_take_the_same_filters(filtered: dict[str, Any]) -> None:
    alex = User.objects.get(pk=filtered["ids"]["alex"])
    answer = client_for(alex).get("/api/me/actions/?status=completed")
    assert [row["id"] for row in answer.json()["results"]] == [filtered["rows"]["a3"].pk]


@pytest.mark.parametrize(
    "query",
    [
        "owner=abc",
        "owner=99999999999999999999999",
        "status=finished",
        "rag=purple",
        "due_before=2026-02-30",
        "due_after=tomorrow",
        "overdue=soon",
        "plan=-1",
        "recommendation=1.5",
    ],
)
def test_a_bad_filter_value_is_a_400_on_that_filter(admin_user: User, query: str) -> None:
    answer = client_for(admin_user).get(f"/api/actions/?{query}")
    assert answer.status_code == 400
    assert query.split("=")[0] in answer.json()


def test_other_lists_filter_by_their_parent(admin_user: User) -> None:
    milestone = MilestoneFactory.create()
    MilestoneFactory.create()
    reading = MeasureReadingFactory.create()
    MeasureReadingFactory.create()
    client = client_for(admin_user)
    for url, expected in [
        (f"/api/milestones/?recommendation={milestone.recommendation_id}", milestone.pk),
        (f"/api/milestones/?plan={milestone.recommendation.plan_id}", milestone.pk),
        (f"/api/measure-readings/?measure={reading.measure_id}", reading.pk),
        (f"/api/recommendations/?plan={milestone.recommendation.plan_id}", None),
    ]:
        rows = client.get(url).json()["results"]
        if expected is not None:
            assert [row["id"] for row in rows] == [expected], url
        else:
            assert [row["id"] for row in rows] == [milestone.recommendation_id]


def test_ordering_by_due_date_both_ways(admin_user: User) -> None:
    late = ActionFactory.create(due_date=dt.date(2027, 3, 1))
    early = ActionFactory.create(due_date=dt.date(2026, 12, 1))
    client = client_for(admin_user)
    ids = [row["id"] for row in client.get("/api/actions/?ordering=due_date").json()["results"]]
    assert ids == [early.pk, late.pk]
    ids = [row["id"] for row in client.get("/api/actions/?ordering=-due_date").json()["results"]]
    assert ids == [late.pk, early.pk]
    assert client.get("/api/actions/?ordering=owner__password").status_code == 400
