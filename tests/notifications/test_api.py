"""The chasing through the API: my notifications, my preferences, and escalations.

The ledger and the escalations are made the way production makes them, by the reminder and
escalation sweeps (``reminders_queue``, ``escalations_queue``) on a pinned working day, over
a plan built with factories (``small_plan`` in conftest.py: today is Wednesday 25 November
2026, 09:30 in London).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from actions.models import Action, ActionStatus, Milestone
from actions.services import action_update_status
from notifications.delivery import notification_deliver
from notifications.models import (
    Escalation,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from notifications.services import escalations_queue, reminders_queue
from tests.api.conftest import client_for
from tests.factories import (
    BoardFactory,
    MilestoneFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.notifications.conftest import TODAY, Clock, SmallPlan

pytestmark = pytest.mark.django_db

THURSDAY = dt.date(2026, 11, 26)


@dataclass
class Chased:
    """The small plan after a day of sweeps, and an unrelated plan with its own escalation."""

    small: SmallPlan
    late: Action  # due Friday 30 October: 18 working days overdue, levels 1 and 2
    soon: Action  # due Monday 30 November: 3 working days ahead
    slipped: Milestone  # due Monday 16 November: 7 working days overdue, levels 1 and 2
    coming: Milestone  # due Monday 30 November: 3 working days ahead
    other_lead: User  # leads a recommendation of another plan
    other_milestone: Milestone


@pytest.fixture
def chased(small_plan: SmallPlan) -> Chased:
    small = small_plan
    late = small.action(due=dt.date(2026, 10, 30), supporting_owners=[small.supporter])
    soon = small.action(due=dt.date(2026, 11, 30), supporting_owners=[small.supporter])
    slipped = small.milestone(due=dt.date(2026, 11, 16), title="Backlog cleared")
    coming = small.milestone(due=dt.date(2026, 11, 30), title="Panel in place")
    other_lead = UserFactory.create(name="Olga Otherplan", email="olga@southshire.gov.uk")
    other_milestone = MilestoneFactory.create(
        recommendation=RecommendationFactory.create(lead=other_lead),
        due_date=dt.date(2026, 11, 20),
        title="Southshire milestone",
    )
    reminders_queue(today=TODAY)
    escalations_queue(today=TODAY)
    return Chased(small, late, soon, slipped, coming, other_lead, other_milestone)


def notifications_of(user: User, query: str = "") -> Any:
    answer = client_for(user).get(f"/api/me/notifications/{query}")
    assert answer.status_code == 200, answer.content
    return answer.json()


def ids(answer: Any) -> list[int]:
    return [row["id"] for row in answer["results"]]


# --- /api/me/notifications/ ---------------------------------------------------------------


def test_a_person_sees_their_own_reminders_with_each_item_and_why(chased: Chased) -> None:
    owner = chased.small.owner
    answer = notifications_of(owner)

    assert answer["count"] == 1
    [row] = answer["results"]
    assert row["kind"] == "reminders"
    assert row["occurrence"] == "2026-11-25"
    assert row["status"] == "queued"
    assert row["to_email"] == "owner@northshire.gov.uk"
    assert row["items"] == [
        {
            "type": "action",
            "id": chased.soon.pk,
            "reason": "due_soon",
            "days": 3,
            "role": "owner",
            "due": "2026-11-30",
        }
    ]


def test_nobody_sees_another_persons_notifications(chased: Chased) -> None:
    small = chased.small
    everyone = [small.owner, small.supporter, small.lead, *small.executive, chased.other_lead]
    seen = {person.pk: set(ids(notifications_of(person))) for person in everyone}

    for person in everyone:
        own = set(Notification.objects.filter(recipient=person).values_list("pk", flat=True))
        assert own, person  # everyone here was chased today
        assert seen[person.pk] == own, person
    # The supporter is copied on the same action, in a row of their own.
    [supporter_row] = notifications_of(small.supporter)["results"]
    assert supporter_row["items"][0]["role"] == "supporting"
    assert supporter_row["to_email"] == "supporter@nhs.example"
    # Someone who was never chased sees an empty list, not everyone's.
    assert notifications_of(small.forum_member)["count"] == 0


def test_notifications_are_listed_newest_first(chased: Chased, clock: Clock) -> None:
    small = chased.small
    due_thursday = small.action(due=THURSDAY)
    clock.go_to(THURSDAY)
    reminders_queue(today=THURSDAY)

    rows = notifications_of(small.owner)["results"]
    assert [row["occurrence"] for row in rows] == ["2026-11-26", "2026-11-25"]
    assert rows[0]["items"][0]["id"] == due_thursday.pk
    assert rows[0]["items"][0]["reason"] == "due_today"
    assert rows[0]["created_at"] > rows[1]["created_at"]


def test_a_lead_sees_reminders_and_escalations_and_filters_them_by_kind(chased: Chased) -> None:
    lead = chased.small.lead
    everything = notifications_of(lead)
    assert sorted(row["kind"] for row in everything["results"]) == ["escalation", "reminders"]

    [reminder] = notifications_of(lead, "?kind=reminders")["results"]
    assert reminder["items"] == [
        {
            "type": "milestone",
            "id": chased.coming.pk,
            "reason": "due_soon",
            "days": 3,
            "role": "lead",
            "due": "2026-11-30",
        }
    ]
    [escalation] = notifications_of(lead, "?kind=escalation")["results"]
    # Most overdue first; each item says which level of the ladder told the lead.
    assert escalation["items"] == [
        {
            "type": "action",
            "id": chased.late.pk,
            "reason": "escalated",
            "days": 18,
            "role": "accountable_lead",
            "due": "2026-10-30",
            "level": 1,
        },
        {
            "type": "milestone",
            "id": chased.slipped.pk,
            "reason": "escalated",
            "days": 7,
            "role": "accountable_lead",
            "due": "2026-11-16",
            "level": 1,
        },
    ]


def test_notifications_filter_by_status(chased: Chased) -> None:
    lead = chased.small.lead
    reminder = Notification.objects.get(recipient=lead, kind=NotificationKind.REMINDERS)
    assert notification_deliver(notification_id=reminder.pk) == "sent"

    [sent] = notifications_of(lead, "?status=sent")["results"]
    assert sent["id"] == reminder.pk
    assert sent["sent_at"] is not None
    assert sent["subject"]  # rendered once, when it was sent
    [queued] = notifications_of(lead, "?status=queued")["results"]
    assert queued["kind"] == "escalation"
    assert notifications_of(lead, "?status=failed")["count"] == 0


@pytest.mark.parametrize(
    ("query", "name"),
    [("kind=sms", "kind"), ("status=lost", "status"), ("status=SENT", "status")],
)
def test_a_bad_notification_filter_is_a_400_naming_the_filter(
    chased: Chased, query: str, name: str
) -> None:
    answer = client_for(chased.small.owner).get(f"/api/me/notifications/?{query}")
    assert answer.status_code == 400
    assert list(answer.json()) == [name]
    assert "not one of the available choices" in answer.json()[name][0]


def test_anonymous_callers_get_401_on_notifications_preferences_and_escalations(
    chased: Chased,
) -> None:
    anonymous = APIClient()
    for url in (
        "/api/me/notifications/",
        "/api/me/preferences/",
        "/api/escalations/",
        f"/api/actions/{chased.late.pk}/escalations/",
        f"/api/milestones/{chased.slipped.pk}/escalations/",
    ):
        answer = anonymous.get(url)
        assert answer.status_code == 401, url
        assert "detail" in answer.json(), url
    for method in (anonymous.put, anonymous.patch):
        assert method("/api/me/preferences/", {"digests": False}).status_code == 401
    assert not NotificationPreference.objects.exists()


# --- /api/me/preferences/ -----------------------------------------------------------------

DEFAULTS = {
    "before_due": True,
    "days_before": None,
    "on_due_date": True,
    "overdue": True,
    "as_supporting_owner": True,
    "digests": True,
}


def preferences(answer: Any) -> dict[str, Any]:
    return {name: value for name, value in answer.json().items() if name != "updated_at"}


def test_someone_who_never_chose_reads_the_defaults(small_plan: SmallPlan) -> None:
    answer = client_for(small_plan.owner).get("/api/me/preferences/")
    assert answer.status_code == 200
    assert preferences(answer) == DEFAULTS
    assert answer.json()["updated_at"] is None
    assert not NotificationPreference.objects.exists()  # reading saves nothing


def test_put_saves_every_preference_and_answers_the_saved_values(small_plan: SmallPlan) -> None:
    chosen = {
        "before_due": True,
        "days_before": [5, 1],
        "on_due_date": False,
        "overdue": False,
        "as_supporting_owner": False,
        "digests": False,
    }
    client = client_for(small_plan.owner)
    answer = client.put("/api/me/preferences/", chosen)

    assert answer.status_code == 200, answer.content
    assert preferences(answer) == chosen
    assert answer.json()["updated_at"] is not None
    saved = NotificationPreference.objects.get(user=small_plan.owner)
    assert {name: getattr(saved, name) for name in chosen} == chosen
    assert preferences(client.get("/api/me/preferences/")) == chosen
    # Nobody else's preferences were touched.
    assert preferences(client_for(small_plan.lead).get("/api/me/preferences/")) == DEFAULTS


def test_patch_changes_only_what_is_sent(small_plan: SmallPlan) -> None:
    client = client_for(small_plan.owner)
    assert client.patch("/api/me/preferences/", {"digests": False}).status_code == 200
    answer = client.patch("/api/me/preferences/", {"days_before": [7]})

    assert answer.status_code == 200, answer.content
    assert preferences(answer) == {**DEFAULTS, "digests": False, "days_before": [7]}
    # null hands the choice of days back to the plan.
    answer = client.patch("/api/me/preferences/", {"days_before": None})
    assert preferences(answer) == {**DEFAULTS, "digests": False}
    assert NotificationPreference.objects.get(user=small_plan.owner).days_before is None


def test_choosing_other_days_changes_which_reminders_the_next_sweep_sends(
    small_plan: SmallPlan,
) -> None:
    # Due Wednesday 2 December: 5 working days ahead, not one of the plan's 10 and 3.
    action = small_plan.action(due=dt.date(2026, 12, 2))
    assert reminders_queue(today=TODAY, dry_run=True).due == []

    answer = client_for(small_plan.owner).patch("/api/me/preferences/", {"days_before": [5]})
    assert answer.status_code == 200

    queued = reminders_queue(today=TODAY)
    [row] = Notification.objects.filter(pk__in=queued.queued_ids)
    assert row.recipient == small_plan.owner
    assert [(item["id"], item["reason"], item["days"]) for item in row.items] == [
        (action.pk, "due_soon", 5)
    ]


def test_switching_off_copies_stops_the_supporting_owners_reminder_but_not_the_owners(
    small_plan: SmallPlan,
) -> None:
    small_plan.action(due=dt.date(2026, 11, 30), supporting_owners=[small_plan.supporter])
    answer = client_for(small_plan.supporter).patch(
        "/api/me/preferences/", {"as_supporting_owner": False}
    )
    assert answer.status_code == 200

    queued = reminders_queue(today=TODAY)
    recipients = Notification.objects.filter(pk__in=queued.queued_ids).values_list(
        "recipient", flat=True
    )
    assert list(recipients) == [small_plan.owner.pk]


def test_a_lead_who_switches_every_reminder_off_is_still_told_of_escalations(
    small_plan: SmallPlan,
) -> None:
    lead = small_plan.lead
    small_plan.milestone(due=dt.date(2026, 11, 30))  # 3 working days ahead
    small_plan.milestone(due=dt.date(2026, 11, 24))  # its first late day: level 1, the lead
    answer = client_for(lead).put(
        "/api/me/preferences/",
        {"before_due": False, "on_due_date": False, "overdue": False, "digests": False},
    )
    assert answer.status_code == 200

    assert reminders_queue(today=TODAY).queued_ids == []
    escalations_queue(today=TODAY)
    [row] = notifications_of(lead)["results"]
    assert row["kind"] == "escalation"
    assert [(item["type"], item["level"]) for item in row["items"]] == [("milestone", 1)]


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({"days_before": [0]}, "days_before", "Ensure this value is greater than or equal to 1."),
        (
            {"days_before": []},
            "days_before",
            "Give at least one number of days, or null for the plan's choice.",
        ),
        ({"days_before": [61]}, "days_before", "Ensure this value is less than or equal to 60."),
        ({"days_before": ["x"]}, "days_before", "A valid integer is required."),
        ({"days_before": [3, 3]}, "days_before", "Each number of days appears once."),
        (
            {"days_before": list(range(1, 12))},
            "days_before",
            "Give at most 10 numbers of days.",
        ),
        ({"days_before": "10, 3"}, "days_before", 'Expected a list of items but got type "str".'),
        ({"before_due": "maybe"}, "before_due", "Must be a valid boolean."),
        ({"digests": 7}, "digests", "Must be a valid boolean."),
        ({"sms": True}, "sms", "There is no such preference."),
        (
            {"updated_at": "2026-01-01T00:00:00Z"},
            "updated_at",
            "This is set by the service and cannot be changed.",
        ),
    ],
    ids=[
        "zero days",
        "no days",
        "61 days",
        "not a number",
        "a day twice",
        "11 numbers",
        "a string",
        "not a boolean",
        "a number for a boolean",
        "unknown field",
        "a field the service sets",
    ],
)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_bad_preferences_are_a_400_with_the_fields_message_and_change_nothing(
    small_plan: SmallPlan, method: str, sent: dict[str, Any], field: str, message: str
) -> None:
    owner = small_plan.owner
    client = client_for(owner)
    before = preferences(client.patch("/api/me/preferences/", {"overdue": False}))
    saved_at = NotificationPreference.objects.get(user=owner).updated_at

    # A good change sent with the bad one is not saved either.
    answer = getattr(client, method)("/api/me/preferences/", {"digests": False, **sent})

    assert answer.status_code == 400, answer.content
    errors = answer.json()
    assert list(errors) == [field]
    assert message in str(errors[field])
    assert preferences(client.get("/api/me/preferences/")) == before
    assert NotificationPreference.objects.get(user=owner).updated_at == saved_at


def test_a_refused_first_choice_saves_no_preferences_at_all(small_plan: SmallPlan) -> None:
    answer = client_for(small_plan.owner).put("/api/me/preferences/", {"days_before": [3, 3]})
    assert answer.status_code == 400
    assert not NotificationPreference.objects.exists()


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


# --- The schema ---------------------------------------------------------------------------


def test_the_schema_documents_notifications_preferences_and_escalations() -> None:
    answer = APIClient().get("/api/schema/", {"format": "json"})
    assert answer.status_code == 200
    schema = answer.json()
    paths = schema["paths"]

    assert set(paths["/api/me/notifications/"]) == {"get"}
    assert set(paths["/api/me/preferences/"]) == {"get", "put", "patch"}
    assert "get" in paths["/api/escalations/"]
    assert "get" in paths["/api/escalations/{id}/"]
    assert "get" in paths["/api/actions/{id}/escalations/"]
    assert "get" in paths["/api/milestones/{id}/escalations/"]

    def parameters(path: str) -> set[str]:
        return {p["name"] for p in paths[path]["get"].get("parameters", [])}

    assert {"kind", "status"} <= parameters("/api/me/notifications/")
    assert {"open", "plan", "action", "milestone", "level"} <= parameters("/api/escalations/")

    components = schema["components"]["schemas"]
    preference_fields = set(components["Preferences"]["properties"])
    assert set(DEFAULTS) <= preference_fields
    escalation_fields = set(components["Escalation"]["properties"])
    assert {"level", "audience", "told", "created_at", "is_open", "resolved_at"} <= (
        escalation_fields
    )
    assert "items" in components["Notification"]["properties"]


def test_put_puts_back_the_default_of_every_preference_it_leaves_out(
    small_plan: SmallPlan,
) -> None:
    client = client_for(small_plan.owner)
    client.patch("/api/me/preferences/", {"digests": False, "days_before": [7]})

    answer = client.put("/api/me/preferences/", {"overdue": False})

    assert answer.status_code == 200, answer.content
    assert preferences(answer) == {**DEFAULTS, "overdue": False}


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
