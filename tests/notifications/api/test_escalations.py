"""``/api/escalations/`` and the escalations listed under an action or a milestone.

Each escalation is shown only to people who may read its item, with its level, audience, who
was told and when; completing an action resolves its escalations; the list filters by plan,
action, milestone, level and openness, refuses a bad filter with a 400, and runs the same
number of queries however long it is.
"""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from actions.models import ActionStatus
from actions.services import action_update_status
from notifications.models import Escalation
from notifications.services import escalations_queue
from tests.api.conftest import client_for
from tests.factories import (
    BoardFactory,
    MilestoneFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.notifications.api.conftest import Chased
from tests.notifications.conftest import TODAY, Clock, SmallPlan

pytestmark = pytest.mark.django_db

# --- Escalations --------------------------------------------------------------------------


def escalations_seen_by(user: User, query: str = "") -> Any:
    answer = client_for(user).get(f"/api/escalations/{query}")
    assert answer.status_code == 200, answer.content
    return answer.json()


def seen(user: User, query: str = "") -> set[tuple[str, int, int]]:
    """(item type, item id, level) of every escalation the person is shown."""
    return {
        (row["item_type"], row["action"] or row["milestone"], row["level"])
        for row in escalations_seen_by(user, query)["results"]
    }


def test_escalations_are_listed_to_the_people_who_may_read_the_item(chased: Chased) -> None:
    small = chased.small
    late, slipped = chased.late.pk, chased.slipped.pk
    ours = {
        ("action", late, 1),
        ("action", late, 2),
        ("milestone", slipped, 1),
        ("milestone", slipped, 2),
    }
    assert seen(small.lead) == ours
    for member in small.executive:
        assert seen(member) == ours
    # Owners and supporters read their actions, not the recommendation's milestones.
    assert seen(small.owner) == {("action", late, 1), ("action", late, 2)}
    assert seen(small.supporter) == {("action", late, 1), ("action", late, 2)}
    # The lead of another plan sees that plan's escalation and nothing of ours.
    assert seen(chased.other_lead) == {("milestone", chased.other_milestone.pk, 1)}
    assert seen(UserFactory.create()) == set()


def test_an_escalation_says_its_level_audience_who_was_told_and_when(chased: Chased) -> None:
    small = chased.small
    answer = escalations_seen_by(small.lead, f"?milestone={chased.slipped.pk}")
    by_level = {row["level"]: row for row in answer["results"]}

    assert by_level[1]["audience"] == "accountable_lead"
    assert by_level[1]["told"] == [{"id": small.lead.pk, "name": "Priya Lead"}]
    assert by_level[2]["audience"] == "executive"
    assert sorted(by_level[2]["told"], key=lambda person: person["id"]) == [
        {"id": person.pk, "name": person.name} for person in small.executive
    ]
    for row in by_level.values():
        assert row["item_type"] == "milestone"
        assert (row["milestone"], row["action"], row["plan"]) == (
            chased.slipped.pk,
            None,
            small.plan.pk,
        )
        assert row["due_date"] == "2026-11-16"
        assert row["working_days_overdue"] == 7
        assert dt.datetime.fromisoformat(row["created_at"]) == dt.datetime(
            2026, 11, 25, 9, 30, tzinfo=dt.UTC
        )
        assert (row["is_open"], row["resolved_at"], row["resolution"]) == (True, None, "")


def test_completing_an_action_resolves_its_escalations_and_open_filters_them(
    chased: Chased,
) -> None:
    small = chased.small
    action_update_status(
        action=chased.late,
        by=small.owner,
        status=ActionStatus.COMPLETED,
        completed_on=TODAY,
        commentary="Both psychologists started on Monday.",
    )
    escalations_queue(today=TODAY)

    closed = escalations_seen_by(small.lead, "?open=false")["results"]
    assert {(row["action"], row["level"]) for row in closed} == {
        (chased.late.pk, 1),
        (chased.late.pk, 2),
    }
    for row in closed:
        assert row["is_open"] is False
        assert row["resolved_at"] is not None
        assert "completed" in row["resolution"]
    still_open = seen(small.lead, "?open=true")
    assert still_open == {("milestone", chased.slipped.pk, 1), ("milestone", chased.slipped.pk, 2)}


def test_escalations_filter_by_plan_action_milestone_and_level(
    chased: Chased, admin_user: User
) -> None:
    small = chased.small
    late, slipped = chased.late.pk, chased.slipped.pk
    other = ("milestone", chased.other_milestone.pk, 1)
    assert len(seen(admin_user)) == 5

    assert other not in seen(admin_user, f"?plan={small.plan.pk}")
    assert seen(admin_user, f"?plan={chased.other_milestone.recommendation.plan_id}") == {other}
    assert seen(admin_user, f"?action={late}") == {("action", late, 1), ("action", late, 2)}
    assert seen(admin_user, f"?milestone={slipped}&level=2") == {("milestone", slipped, 2)}
    assert seen(admin_user, "?level=1") == {
        ("action", late, 1),
        ("milestone", slipped, 1),
        other,
    }
    # A filter never widens what a person may read.
    assert seen(small.owner, f"?milestone={slipped}") == set()
    assert seen(small.lead, f"?plan={chased.other_milestone.recommendation.plan_id}") == set()


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("plan=abc", "plan"),
        ("action=1.5", "action"),
        ("milestone=x", "milestone"),
        ("level=0", "level"),
        ("level=top", "level"),
        ("open=maybe", "open"),
        ("open=1", "open"),
    ],
)
def test_a_bad_escalation_filter_is_a_400_naming_the_filter(
    chased: Chased, query: str, name: str
) -> None:
    answer = client_for(chased.small.lead).get(f"/api/escalations/?{query}")
    assert answer.status_code == 400
    assert list(answer.json()) == [name]


def test_one_escalation_is_read_by_id_only_by_someone_who_may_read_its_item(
    chased: Chased,
) -> None:
    escalation = Escalation.objects.get(milestone=chased.slipped, level=2)
    url = f"/api/escalations/{escalation.pk}/"
    answer = client_for(chased.small.lead).get(url)
    assert answer.status_code == 200
    assert answer.json()["audience"] == "executive"
    assert client_for(chased.small.owner).get(url).status_code == 404
    assert client_for(chased.other_lead).get(url).status_code == 404


def test_an_actions_escalations_are_listed_under_the_action(chased: Chased) -> None:
    small = chased.small
    answer = client_for(small.owner).get(f"/api/actions/{chased.late.pk}/escalations/")

    assert answer.status_code == 200, answer.content
    rows = answer.json()["results"]
    assert [(row["level"], row["audience"]) for row in sorted(rows, key=lambda r: r["level"])] == [
        (1, "accountable_lead"),
        (2, "executive"),
    ]
    told = {row["level"]: {person["id"] for person in row["told"]} for row in rows}
    assert told == {1: {small.lead.pk}, 2: {person.pk for person in small.executive}}
    assert all(row["action"] == chased.late.pk and row["is_open"] for row in rows)
    # An action that was never escalated has an empty list, not its neighbour's.
    quiet = client_for(small.owner).get(f"/api/actions/{chased.soon.pk}/escalations/")
    assert quiet.status_code == 200
    assert quiet.json()["count"] == 0


def test_a_milestones_escalations_are_listed_under_the_milestone(chased: Chased) -> None:
    small = chased.small
    answer = client_for(small.executive[0]).get(f"/api/milestones/{chased.slipped.pk}/escalations/")

    assert answer.status_code == 200, answer.content
    rows = answer.json()["results"]
    assert {(row["level"], row["audience"]) for row in rows} == {
        (1, "accountable_lead"),
        (2, "executive"),
    }
    assert all(row["milestone"] == chased.slipped.pk for row in rows)
    level_1 = next(row for row in rows if row["level"] == 1)
    assert level_1["told"] == [{"id": small.lead.pk, "name": small.lead.name}]


def test_an_item_the_person_cannot_read_has_no_escalations_to_show(chased: Chased) -> None:
    small = chased.small
    stranger = client_for(chased.other_lead)
    for url in (
        f"/api/actions/{chased.late.pk}/escalations/",
        f"/api/milestones/{chased.slipped.pk}/escalations/",
    ):
        answer = stranger.get(url)
        assert answer.status_code == 404, url
        assert "escalat" not in answer.content.decode().lower()
    # An owner reads their action but not the recommendation's milestones.
    owner = client_for(small.owner)
    assert owner.get(f"/api/milestones/{chased.slipped.pk}/escalations/").status_code == 404
    assert owner.get("/api/actions/999999/escalations/").status_code == 404


def overdue_milestones(plan_board_member: User, count: int) -> None:
    """Milestones 7 working days late on a plan the member governs: 2 escalations each."""
    board = BoardFactory.create(members=[plan_board_member, *UserFactory.create_batch(2)])
    plan = PlanFactory.create(board=board)
    for _ in range(count):
        MilestoneFactory.create(
            recommendation=RecommendationFactory.create(plan=plan),
            due_date=dt.date(2026, 11, 16),
        )
    escalations_queue(today=TODAY)


def count_queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url)
    assert answer.status_code == 200, answer.content
    return len(queries)


def test_the_escalations_list_runs_the_same_number_of_queries_for_2_and_for_20(
    clock: Clock, admin_user: User
) -> None:
    member = UserFactory.create()
    overdue_milestones(member, 1)
    callers = {"admin": client_for(admin_user), "member": client_for(member)}
    assert escalations_seen_by(member)["count"] == 2
    few = {who: count_queries(client, "/api/escalations/") for who, client in callers.items()}

    overdue_milestones(member, 9)

    assert escalations_seen_by(member)["count"] == 20
    told = {(row["level"], len(row["told"])) for row in escalations_seen_by(member)["results"]}
    assert told == {(1, 1), (2, 3)}  # the lead; the three board members
    for who, client in callers.items():
        assert count_queries(client, "/api/escalations/") == few[who], who


def test_the_lead_member_told_at_level_3_can_read_that_escalation(
    small_plan: SmallPlan, clock: Clock
) -> None:
    milestone = small_plan.milestone(due=dt.date(2026, 10, 30), title="Long slipped")
    escalations_queue(today=TODAY)
    [level_3] = Escalation.objects.filter(milestone=milestone, level=3)
    assert list(level_3.told.all()) == [small_plan.lead_member]

    assert seen(small_plan.lead_member) == {("milestone", milestone.pk, 3)}
    answer = client_for(small_plan.lead_member).get(f"/api/escalations/{level_3.pk}/")
    assert answer.status_code == 200
    # The forum member, never told, reads none of it.
    assert seen(small_plan.forum_member) == set()
