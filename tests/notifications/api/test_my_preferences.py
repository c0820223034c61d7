"""``/api/me/preferences/``: reading, saving and changing a person's reminder preferences.

Someone who never chose reads the defaults; PUT saves every preference and PATCH only what is
sent; a saved choice changes what the next sweep sends but never stops escalations; bad
values are a 400 with each field's message and change nothing.
"""

import datetime as dt
from typing import Any

import pytest

from notifications.models import Notification, NotificationPreference
from notifications.services import escalations_queue, reminders_queue
from tests.api.conftest import client_for
from tests.notifications.api.reads import DEFAULTS, notifications_of
from tests.notifications.conftest import TODAY, SmallPlan

pytestmark = pytest.mark.django_db

# --- /api/me/preferences/ -----------------------------------------------------------------


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


def test_put_puts_back_the_default_of_every_preference_it_leaves_out(
    small_plan: SmallPlan,
) -> None:
    client = client_for(small_plan.owner)
    client.patch("/api/me/preferences/", {"digests": False, "days_before": [7]})

    answer = client.put("/api/me/preferences/", {"overdue": False})

    assert answer.status_code == 200, answer.content
    assert preferences(answer) == {**DEFAULTS, "overdue": False}
