"""The one status service: every allowed and refused transition, and refusals change nothing."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from actions.exceptions import PreconditionFailed
from actions.models import Action, ActionStatus, ProgressUpdate, Rag
from actions.services import action_update_status
from actions.status_rules import ALLOWED_TRANSITIONS
from tests.factories import ActionFactory, UserFactory
from tests.snapshots import action_state

pytestmark = pytest.mark.django_db

# 10:00 in London on a Monday: "today" for every test here.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)

S = ActionStatus
ALL = list(S.values)


@pytest.fixture(autouse=True)
def _frozen_time() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def make_action(status: str, **extra: Any) -> Action:
    if status == S.COMPLETED:
        extra.setdefault("rag", Rag.BLUE)
        extra.setdefault("completed_on", dt.date(2026, 11, 2))
    return ActionFactory.create(status=status, **extra)


def valid_arguments_for(target: str) -> dict[str, Any]:
    """What a careful owner sends for a change into `target`."""
    args: dict[str, Any] = {"status": target, "commentary": "Agreed at the SEND Executive."}
    if target == S.COMPLETED:
        args["completed_on"] = TODAY
    else:
        args["rag"] = Rag.GREEN
    return args


TRANSITIONS = [(a, b) for a in ALL for b in ALL if a != b]


@pytest.mark.parametrize(
    ("current", "target"), TRANSITIONS, ids=[f"{a}->{b}" for a, b in TRANSITIONS]
)
def test_each_transition_is_allowed_or_refused_as_the_table_says(current: str, target: str) -> None:
    action = make_action(current)
    owner = action.owner
    before = action_state(action)

    if target in ALLOWED_TRANSITIONS[current]:
        update = action_update_status(action=action, by=owner, **valid_arguments_for(target))
        action.refresh_from_db()
        assert action.status == target
        assert update.previous_status == current
        assert update.status == target
        assert action.latest_update_id == update.pk
        assert action.version == before[3] + 1
    else:
        with pytest.raises(ValidationError) as refused:
            action_update_status(action=action, by=owner, **valid_arguments_for(target))
        assert "status" in refused.value.message_dict
        assert "cannot become" in refused.value.message_dict["status"][0]
        assert action_state(action) == before


def test_the_table_lets_open_actions_finish_and_finished_ones_reopen_only_with_care() -> None:
    for open_status in (S.NOT_STARTED, S.IN_PROGRESS, S.BLOCKED):
        assert {S.COMPLETED, S.CANCELLED} <= ALLOWED_TRANSITIONS[open_status]
    assert ALLOWED_TRANSITIONS[S.COMPLETED] == {S.IN_PROGRESS}
    assert S.COMPLETED not in ALLOWED_TRANSITIONS[S.CANCELLED]


def test_completing_records_the_date_and_makes_the_action_blue() -> None:
    action = make_action(S.IN_PROGRESS, rag=Rag.AMBER)
    update = action_update_status(
        action=action, by=action.owner, status=S.COMPLETED, completed_on=dt.date(2026, 11, 20)
    )
    action.refresh_from_db()
    assert (action.status, action.rag, action.completed_on) == (
        S.COMPLETED,
        Rag.BLUE,
        dt.date(2026, 11, 20),
    )
    assert (update.previous_rag, update.rag) == (Rag.AMBER, Rag.BLUE)


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        ({}, "completed_on", "Give the date the action was completed."),
        ({"completed_on": dt.date(2026, 11, 24)}, "completed_on", "cannot be in the future"),
        ({"completed_on": dt.date(2026, 8, 31)}, "completed_on", "before the action started"),
        ({"completed_on": TODAY, "rag": Rag.GREEN}, "rag", "A completed action is rated blue."),
    ],
    ids=["no-date", "future-date", "before-start", "not-blue"],
)
def test_it_refuses_a_completion_without_a_proper_date_or_rating(
    arguments: dict[str, Any], field: str, message: str
) -> None:
    action = make_action(S.IN_PROGRESS, start_date=dt.date(2026, 9, 1))
    before = action_state(action)
    with pytest.raises(ValidationError) as refused:
        action_update_status(action=action, by=action.owner, status=S.COMPLETED, **arguments)
    assert any(message in m for m in refused.value.message_dict[field])
    assert action_state(action) == before


def test_a_completion_date_is_today_at_the_latest_in_london_not_utc() -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST): 1 July is "today".
    with time_machine.travel(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC), tick=False):
        action = make_action(S.IN_PROGRESS, start_date=dt.date(2026, 6, 1))
        action_update_status(
            action=action, by=action.owner, status=S.COMPLETED, completed_on=dt.date(2026, 7, 1)
        )
    action.refresh_from_db()
    assert action.completed_on == dt.date(2026, 7, 1)


@pytest.mark.parametrize("rag", [Rag.RED, Rag.AMBER])
def test_it_requires_commentary_when_an_action_goes_red_or_amber(rag: str) -> None:
    action = make_action(S.IN_PROGRESS, rag=Rag.GREEN)
    before = action_state(action)
    with pytest.raises(ValidationError) as refused:
        action_update_status(action=action, by=action.owner, rag=rag, commentary="   ")
    assert "commentary is required" in refused.value.message_dict["commentary"][0]
    assert action_state(action) == before

    update = action_update_status(
        action=action, by=action.owner, rag=rag, commentary="Recruitment has slipped a month."
    )
    assert update.rag == rag
    assert update.commentary == "Recruitment has slipped a month."


def test_a_green_status_change_needs_no_commentary() -> None:
    action = make_action(S.NOT_STARTED)
    update = action_update_status(action=action, by=action.owner, status=S.IN_PROGRESS)
    assert (update.status, update.rag, update.commentary) == (S.IN_PROGRESS, Rag.GREEN, "")


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (S.CANCELLED, "Say why the action is being cancelled."),
        (S.BLOCKED, "Say what is blocking the action."),
    ],
)
def test_cancelling_or_blocking_needs_a_reason(status: str, message: str) -> None:
    action = make_action(S.IN_PROGRESS)
    before = action_state(action)
    with pytest.raises(ValidationError) as refused:
        action_update_status(action=action, by=action.owner, status=status)
    assert refused.value.message_dict["commentary"] == [message]
    assert action_state(action) == before


def test_reopening_a_completed_action_needs_a_reason_and_a_new_rating() -> None:
    action = make_action(S.COMPLETED)
    before = action_state(action)
    with pytest.raises(ValidationError) as refused:
        action_update_status(action=action, by=action.owner, status=S.IN_PROGRESS)
    errors = refused.value.message_dict
    assert "Choose a RAG rating" in errors["rag"][0]
    assert errors["commentary"] == ["Say why the action is being reopened."]
    assert action_state(action) == before

    action_update_status(
        action=action,
        by=action.owner,
        status=S.IN_PROGRESS,
        rag=Rag.AMBER,
        commentary="The audit found two schools without the new guidance.",
    )
    action.refresh_from_db()
    assert (action.status, action.rag, action.completed_on) == (S.IN_PROGRESS, Rag.AMBER, None)


def test_blue_is_refused_for_an_action_that_is_not_completed() -> None:
    action = make_action(S.IN_PROGRESS)
    with pytest.raises(ValidationError) as refused:
        action_update_status(action=action, by=action.owner, rag=Rag.BLUE, commentary="Done")
    assert refused.value.message_dict["rag"] == ["Blue is only for completed actions."]


def test_a_completion_date_is_refused_unless_completing() -> None:
    action = make_action(S.NOT_STARTED)
    with pytest.raises(ValidationError) as refused:
        action_update_status(
            action=action, by=action.owner, status=S.IN_PROGRESS, completed_on=TODAY
        )
    assert "Only give a completion date" in refused.value.message_dict["completed_on"][0]


def test_an_update_that_says_nothing_is_refused() -> None:
    action = make_action(S.IN_PROGRESS, rag=Rag.GREEN)
    before = action_state(action)
    with pytest.raises(ValidationError) as refused:
        action_update_status(action=action, by=action.owner)
    assert "Nothing to record" in refused.value.message_dict["commentary"][0]
    assert action_state(action) == before


def test_a_commentary_only_update_is_recorded_without_changing_status() -> None:
    action = make_action(S.IN_PROGRESS, rag=Rag.GREEN)
    update = action_update_status(action=action, by=action.owner, commentary="Interviews booked.")
    assert (update.previous_status, update.status) == (S.IN_PROGRESS, S.IN_PROGRESS)
    assert not update.changed_status and not update.changed_rag


def test_unknown_status_or_rating_is_refused_with_a_message() -> None:
    action = make_action(S.IN_PROGRESS)
    with pytest.raises(ValidationError) as refused:
        action_update_status(action=action, by=action.owner, status="finished")
    assert refused.value.message_dict["status"] == ['"finished" is not a status.']
    with pytest.raises(ValidationError) as refused:
        action_update_status(action=action, by=action.owner, rag="purple", commentary="x")
    assert refused.value.message_dict["rag"] == ['"purple" is not a RAG rating.']


def test_evidence_links_must_be_web_addresses_and_are_kept_in_order() -> None:
    action = make_action(S.IN_PROGRESS)
    before = action_state(action)
    with pytest.raises(ValidationError) as refused:
        action_update_status(
            action=action,
            by=action.owner,
            commentary="See the minutes",
            evidence_links=["https://intranet.example/minutes.pdf", "file:///c:/minutes.docx"],
        )
    assert refused.value.message_dict["evidence_links"] == [
        "Evidence link 2 is not a web address (http or https): file:///c:/minutes.docx"
    ]
    assert action_state(action) == before

    links = ["https://intranet.example/minutes.pdf", "https://intranet.example/plan.xlsx"]
    update = action_update_status(
        action=action, by=action.owner, commentary="See the minutes", evidence_links=links
    )
    assert ProgressUpdate.objects.get(pk=update.pk).evidence_links == links


def test_a_stale_version_is_refused_and_changes_nothing() -> None:
    action = make_action(S.IN_PROGRESS)
    lead = action.recommendation.lead
    stale_version = action.version
    action_update_status(action=action, by=lead, rag=Rag.AMBER, commentary="Slipping.")
    before = action_state(action)

    with pytest.raises(PreconditionFailed) as refused:
        action_update_status(
            action=Action.objects.get(pk=action.pk),
            by=action.owner,
            status=S.COMPLETED,
            completed_on=TODAY,
            expected_version=stale_version,
        )
    assert refused.value.current_version == stale_version + 1
    assert action_state(action) == before


def test_progress_updates_are_append_only() -> None:
    action = make_action(S.IN_PROGRESS)
    update = action_update_status(action=action, by=action.owner, commentary="On track.")
    update.commentary = "Rewritten history"
    with pytest.raises(ValueError, match="append-only"):
        update.save()
    assert ProgressUpdate.objects.get(pk=update.pk).commentary == "On track."


def test_the_audit_history_says_who_changed_the_action_and_what_changed() -> None:
    action = make_action(S.IN_PROGRESS, rag=Rag.GREEN)
    lead = UserFactory.create(name="Priya Shah")
    action_update_status(action=action, by=lead, rag=Rag.RED, commentary="Provider withdrew.")

    # Time is frozen, so order by insertion rather than by timestamp.
    *_, previous, latest = action.history.order_by("history_id")
    assert latest.history_user == lead
    assert latest.history_change_reason == "Progress update"
    diff = latest.diff_against(previous)
    changed = {change.field: (change.old, change.new) for change in diff.changes}
    assert changed["rag"] == (Rag.GREEN, Rag.RED)
    assert "status" not in changed
