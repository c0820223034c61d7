"""A digest for a past day says what a digest built on that day said, not what is true today.

The fixture plan (tests/digests/conftest.py) gets its last digest on Monday 16 November, then
a week of history up to Monday 23 November, the day asked about; then, after it, the changes
a digest for the 23rd must not show (a RAG gone red, an action completed, a due date moved, a
milestone achieved and another moved, a late escalation, new updates and readings). "Today"
is Wednesday 2 December. Counted by hand, at the end of the 23rd the plan stood at:
6 actions counted (2.2 cancelled): 4 on track (1.1, 1.2, 1.4, 2.3), 2 at risk (1.3, 2.1),
none complete or off track; overdue 1.4 (due 20 November); milestones due by then 2, met on
time 1; one open escalation (1.4 to its owner, 1 working day overdue).
"""

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pytest_django import Settings

from actions.models import (
    Action,
    ActionStatus,
    BoardAudience,
    BoardMeeting,
    Plan,
    Rag,
    SuccessMeasure,
)
from actions.services import action_update_status, model_update, reading_record
from digests.models import DigestSnapshot
from digests.selectors import CannotRebuild, plan_data
from digests.services import boards_of, digest_snapshot, digests_queue
from notifications.models import Audience, Escalation
from tests.digests.conftest import FIRST_MONDAY, MONDAY, Clock, World, build_world, london

pytestmark = pytest.mark.django_db

LAST_DIGEST = dt.date(2026, 11, 16)
THE_DAY = FIRST_MONDAY  # Monday 23 November 2026
TODAY = dt.date(2026, 12, 2)

HEADLINE_ON_THE_DAY = {
    "actions": 6,
    "complete": 0,
    "on_track": 4,
    "at_risk": 2,
    "off_track": 0,
    "overdue": 1,
    "cancelled": 1,
    "percent_complete": 0,
    "milestones": 5,
    "milestones_due": 2,
    "milestones_met_on_time": 1,
}


def as_json(content: dict[str, Any]) -> dict[str, Any]:
    """The content as it is stored (and read back) in the snapshot's JSON column."""
    return json.loads(json.dumps(content, cls=DjangoJSONEncoder))  # type: ignore[no-any-return]


def the_week_before(world: World) -> None:
    """From the digest of the 16th to the morning of the 23rd."""
    assert world.plan.board is not None
    BoardMeeting.objects.create(
        board=world.plan.board, meets_on=dt.date(2026, 11, 26), papers_due_on=dt.date(2026, 11, 24)
    )
    digests_queue(today=LAST_DIGEST, now=world.clock.go_to(LAST_DIGEST))
    world.clock.go_to(dt.date(2026, 11, 18), dt.time(10))
    action_update_status(
        action=world.action("2.1"), by=world.owner, rag=Rag.AMBER, commentary="No clinic space."
    )
    world.clock.go_to(dt.date(2026, 11, 19), dt.time(10))
    model_update(
        instance=world.milestones["review"],
        by=world.lead,
        fields={"due_date": dt.date(2027, 2, 15)},
    )
    # 1.4 (due Friday 20th) is late on Monday: the ladder tells its owner before the digest.
    Escalation.objects.create(
        plan=world.plan,
        action=world.action("1.4"),
        due_date=dt.date(2026, 11, 20),
        level=1,
        audience=Audience.OWNER,
        working_days_overdue=1,
        created_at=london(THE_DAY, dt.time(7)),
    )


def the_days_after(world: World) -> None:
    """What happens after the 23rd, up to today: none of it belongs in the digest of the 23rd."""
    world.clock.go_to(dt.date(2026, 11, 24), dt.time(10))
    action_update_status(
        action=world.action("1.4"),
        by=world.other_owner,
        rag=Rag.RED,
        commentary="The provider withdrew; we are re-tendering.",
    )
    action_update_status(
        action=world.action("1.1"),
        by=world.owner,
        status=ActionStatus.COMPLETED,
        completed_on=dt.date(2026, 11, 24),
        commentary="Both psychologists started.",
    )
    moment = world.clock.go_to(dt.date(2026, 11, 25), dt.time(10))
    model_update(
        instance=world.action("1.4"), by=world.lead, fields={"due_date": dt.date(2026, 12, 18)}
    )
    # What the escalation sweep does once the due date has moved.
    Escalation.objects.filter(action=world.action("1.4")).update(
        resolved_at=moment, resolution="The action was given a new due date."
    )
    model_update(
        instance=world.milestones["pathway"],
        by=world.health_lead,
        fields={"achieved_on": dt.date(2026, 11, 25)},
    )
    model_update(
        instance=world.milestones["strategy"],
        by=world.health_lead,
        fields={"due_date": dt.date(2026, 12, 14)},
    )
    told = world.clock.go_to(dt.date(2026, 11, 26), dt.time(9))
    Escalation.objects.create(
        plan=world.plan,
        milestone=world.milestones["panel"],
        due_date=dt.date(2026, 11, 20),
        level=1,
        audience=Audience.ACCOUNTABLE_LEAD,
        working_days_overdue=4,
        created_at=told,
    )
    action_update_status(
        action=world.action("1.2"), by=world.owner, rag=Rag.AMBER, commentary="Two leavers."
    )
    # Entered late, dated before the 23rd: nobody knew it on the 23rd.
    reading_record(
        measure=SuccessMeasure.objects.get(name="Families who feel listened to"),
        by=world.lead,
        taken_on=dt.date(2026, 11, 20),
        value="45",
    )
    world.clock.go_to(TODAY, dt.time(10))


def built_on(world: World, day: dt.date) -> dict[str, dict[str, Any]]:
    """Each audience's content as a digest built on ``day`` said it; nothing is kept."""
    now = world.clock.go_to(day)
    with transaction.atomic():
        contents = {
            board.audience: as_json(
                digest_snapshot(plan=world.plan, board=board, as_of=day, now=now)[0].content
            )
            for board in boards_of(world.plan)
        }
        transaction.set_rollback(True)
    return contents


def rebuilt(world: World, day: dt.date) -> dict[str, DigestSnapshot]:
    now = london(TODAY, dt.time(10))
    return {
        board.audience: digest_snapshot(plan=world.plan, board=board, as_of=day, now=now)[0]
        for board in boards_of(world.plan)
    }


@pytest.fixture
def history(world: World) -> dict[str, dict[str, Any]]:
    """The week before, what the digest of the 23rd said, then the days after."""
    the_week_before(world)
    on_the_day = built_on(world, THE_DAY)
    the_days_after(world)
    return on_the_day


def chart_point(content: dict[str, Any]) -> dict[str, int]:
    last = content["chart"][-1]
    return {key: last[key] for key in ("complete", "on_track", "at_risk", "off_track")}


def headline_mix(content: dict[str, Any]) -> dict[str, int]:
    return {
        key: content["headline"][key] for key in ("complete", "on_track", "at_risk", "off_track")
    }


def due_and_overdue(content: dict[str, Any]) -> set[str]:
    """Milestones the content lists both as due ahead and as escalated overdue."""
    ahead = {m["title"] for m in content.get("milestones_ahead", [])}
    overdue = {
        item["title"]
        for level in content.get("escalations", [])
        for item in level["items"]
        if item["label"].startswith("Milestone")
    }
    return ahead & overdue


def test_the_headline_counts_the_plan_as_it_stood_at_the_end_of_that_day(
    world: World, history: dict[str, dict[str, Any]]
) -> None:
    snapshot = rebuilt(world, THE_DAY)[BoardAudience.EXECUTIVE]

    assert snapshot.content["headline"] == HEADLINE_ON_THE_DAY
    assert chart_point(snapshot.content) == {
        "complete": 0,
        "on_track": 4,
        "at_risk": 2,
        "off_track": 0,
    }
    assert snapshot.as_of == THE_DAY


def test_a_digest_for_a_past_day_says_what_the_digest_built_on_that_day_said(
    world: World, history: dict[str, dict[str, Any]]
) -> None:
    again = rebuilt(world, THE_DAY)

    for audience, said_then in history.items():
        assert as_json(again[audience].content) == said_then, audience


def test_what_changed_is_counted_from_the_last_digest_to_the_end_of_that_day(
    world: World, history: dict[str, dict[str, Any]]
) -> None:
    content = rebuilt(world, THE_DAY)[BoardAudience.EXECUTIVE].content

    assert content["since"] == {
        "first": False,
        "since": "16 November 2026",
        "rag_changes": [
            {
                "reference": "2.1",
                "title": "Action 2.1",
                "from": "on track",
                "to": "at risk",
                "worse": True,
            }
        ],
        "completions": [],
        "newly_overdue": [{"reference": "1.4", "title": "Action 1.4"}],
        "slipped": [
            {
                "title": "Annual review",
                "recommendation": 1,
                "old": "1 February 2027",
                "new": "15 February 2027",
            }
        ],
        "added": 0,
    }


def test_escalations_milestones_measures_and_owed_updates_are_those_of_that_day(
    world: World, history: dict[str, dict[str, Any]]
) -> None:
    content = rebuilt(world, THE_DAY)[BoardAudience.EXECUTIVE].content

    # Open then and resolved since; the milestone's escalation of the 26th is not there yet.
    assert [
        (level["told"], [(i["label"], i["days"]) for i in level["items"]])
        for level in content["escalations"]
    ] == [("The action's owner", [("Action 1.4", 1)])]
    assert [(m["title"], m["due"]) for m in content["milestones_ahead"]] == [
        ("Health advice pathway agreed", "25 November 2026"),
        ("New commissioning strategy", "7 December 2026"),
    ]
    assert due_and_overdue(content) == set()
    assert [(m["name"], m["latest"], m["travel"]) for m in content["measures"]] == [
        ("EHC plans issued within 20 weeks", "45.5%", "improving"),
        ("Average wait for autism assessment", "50 weeks", "improving"),
        ("Families who feel listened to", None, "no readings yet"),
    ]
    assert [(a["reference"], a["last_update"]) for a in content["stale"]["shown"]] == [
        ("1.2", "never")
    ]
    assert content["awaiting"]["meets_on"] == "26 November 2026"
    assert [a["reference"] for a in content["awaiting"]["actions"]] == ["1.4", "1.1", "1.2", "2.3"]


def test_the_command_writes_that_days_figures_and_the_spreadsheet_lists_that_days_actions(
    world: World, history: dict[str, dict[str, Any]], settings: Settings, tmp_path: Path
) -> None:
    settings.DIGESTS_DIR = tmp_path
    out = io.StringIO()
    call_command("compile_digest", "--plan", world.plan.slug, "--as-of", "2026-11-23", stdout=out)

    text = (tmp_path / "northshire-wsoa-2026-W48-executive.txt").read_text()
    assert "Figures as at 23 November 2026." in text
    assert "6 actions: 0 complete, 4 on track, 2 at risk, 0 off track." in text
    assert "Overdue: 1." in text
    assert "23 Nov: 0 complete, 4 on track, 2 at risk, 0 off track" in text
    assert "- Action 1.4 Action 1.4 (1 working day overdue)" in text
    assert "- 7 December 2026: New commissioning strategy" in text
    sheet = load_workbook(
        io.BytesIO(bytes(DigestSnapshot.objects.get(period="2026-W48").spreadsheet))
    )["Actions"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["1.4"][5:10] == (dt.datetime(2026, 11, 20), "In progress", "Green", None, "Yes")
    assert rows["1.1"][6:9] == ("In progress", "Green", None)


@pytest.mark.parametrize(
    "day",
    [LAST_DIGEST, THE_DAY, dt.date(2026, 11, 25), MONDAY, TODAY],
    ids=["16 Nov", "23 Nov", "25 Nov", "30 Nov", "today"],
)
def test_the_charts_point_for_the_day_and_the_headline_agree(
    world: World, history: dict[str, dict[str, Any]], day: dt.date
) -> None:
    DigestSnapshot.objects.all().delete()
    snapshot = rebuilt(world, day)[BoardAudience.EXECUTIVE]

    assert chart_point(snapshot.content) == headline_mix(snapshot.content)
    assert snapshot.content["chart"][-1]["on"] == day.isoformat()


def test_a_milestone_moved_later_is_due_not_overdue_before_the_ladder_catches_up(
    world: World,
) -> None:
    world.week_of_the_23rd()  # escalates the pathway milestone (due 25 November) on the 26th
    world.clock.go_to(dt.date(2026, 11, 27), dt.time(10))
    model_update(
        instance=world.milestones["pathway"],
        by=world.health_lead,
        fields={"due_date": dt.date(2026, 12, 10)},
    )

    digests_queue(today=MONDAY, now=world.clock.go_to(MONDAY))

    for snapshot in DigestSnapshot.objects.filter(period="2026-W49"):
        content = snapshot.content
        assert "Health advice pathway agreed" in {m["title"] for m in content["milestones_ahead"]}
        assert due_and_overdue(content) == set(), snapshot.audience
    executive = DigestSnapshot.objects.get(audience=BoardAudience.EXECUTIVE, period="2026-W49")
    assert [
        (i["label"], i["days"])
        for level in executive.content["escalations"]
        for i in level["items"]
    ] == [("Action 1.4", 6), ("Action 1.4", 6), ("Action 2.1", 1)]


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        (
            "2026-11-06",
            "A digest as of 6 November 2026 cannot be rebuilt: the recorded history of the plan "
            '"northshire-wsoa" begins on 9 November 2026. Choose that day or a later one.',
        ),
        (
            "2026-12-03",
            "3 December 2026 is in the future: a digest can only be built as of today or an "
            "earlier date.",
        ),
    ],
    ids=["before the history", "tomorrow"],
)
def test_a_day_it_cannot_describe_is_refused_in_one_line_and_nothing_is_stored(
    world: World, settings: Settings, tmp_path: Path, as_of: str, message: str
) -> None:
    settings.DIGESTS_DIR = tmp_path / "digests"
    world.clock.go_to(TODAY, dt.time(10))

    with pytest.raises(CommandError) as raised:
        call_command("compile_digest", "--plan", "northshire-wsoa", "--as-of", as_of)

    assert str(raised.value) == message
    assert "\n" not in message
    assert DigestSnapshot.objects.count() == 0
    assert not (tmp_path / "digests").exists()


def test_refusing_from_the_shell_exits_non_zero(world: World) -> None:
    from django.core.management import execute_from_command_line

    world.clock.go_to(TODAY, dt.time(10))
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(
            ["manage.py", "compile_digest", "--plan", "northshire-wsoa", "--as-of", "2026-11-06"]
        )
    assert exited.value.code == 1


def test_a_plan_with_no_recorded_history_is_built_for_today_only(world: World) -> None:
    Plan.history.filter(id=world.plan.pk).delete()  # type: ignore[attr-defined]
    now = world.clock.go_to(TODAY, dt.time(10))

    with pytest.raises(CannotRebuild) as raised:
        plan_data(plan=world.plan, as_of=THE_DAY, now=now)
    assert str(raised.value) == (
        'A digest as of 23 November 2026 cannot be rebuilt: the plan "northshire-wsoa" has no '
        "recorded history, so it can only be built as of today."
    )
    assert plan_data(plan=world.plan, as_of=TODAY, now=now).actions


def test_a_snapshot_already_stored_for_that_day_is_given_back_without_rebuilding(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    settings.DIGESTS_DIR = tmp_path
    digests_queue(today=LAST_DIGEST, now=world.clock.go_to(LAST_DIGEST))
    stored = DigestSnapshot.objects.get(audience=BoardAudience.EXECUTIVE)
    Plan.history.filter(id=world.plan.pk).delete()  # type: ignore[attr-defined]
    world.clock.go_to(TODAY, dt.time(10))

    out = io.StringIO()
    call_command("compile_digest", "--plan", "northshire-wsoa", "--as-of", "2026-11-16", stdout=out)
    assert out.getvalue().startswith(f"Already stored: snapshot {stored.pk} ")


def test_a_past_day_costs_the_same_queries_for_a_plan_of_7_actions_and_one_of_67(
    clock: Clock, db: None
) -> None:
    counts = []
    for slug, extra in (("small-plan", 0), ("large-plan", 60)):
        world = build_world(clock, slug=slug, extra_actions=extra)
        clock.go_to(dt.date(2026, 11, 16), dt.time(10))
        for action in Action.objects.filter(plan=world.plan).exclude(status="cancelled")[:5]:
            action_update_status(action=action, by=world.owner, commentary="Still going.")
        now = clock.go_to(TODAY, dt.time(10))
        with CaptureQueriesContext(connection) as captured:
            data = plan_data(plan=world.plan, as_of=THE_DAY, now=now)
        assert len(data.actions) == 7 + extra
        counts.append(len(captured))
        clock.go_to(dt.date(2026, 11, 9), dt.time(9))

    assert counts[0] == counts[1]


# --- The demo plan (``manage.py load_demo``) ---------------------------------------------------


def demo_text(as_of: str, settings: Settings, folder: Path) -> str:
    settings.DIGESTS_DIR = folder
    call_command(
        "compile_digest",
        "--plan",
        "northshire-wsoa",
        "--as-of",
        as_of,
        "--audience",
        "all",
        stdout=io.StringIO(),
    )
    return (folder / "northshire-wsoa-2026-W48-executive.txt").read_text()


def test_the_demos_digest_for_a_past_day_leaves_out_what_happened_since(
    db: None, settings: Settings, tmp_path: Path
) -> None:
    from notifications.services import escalations_queue

    demo_day = london(THE_DAY, dt.time(10))
    with time_machine.travel(demo_day, tick=False) as traveller:
        call_command("load_demo", stdout=io.StringIO())
        on_the_day = demo_text("2026-11-23", settings, tmp_path / "then")
        DigestSnapshot.objects.all().delete()
        # The ladder catches up with everything late by Friday 4 December.
        traveller.move_to(london(dt.date(2026, 12, 4), dt.time(10)))
        assert escalations_queue(today=dt.date(2026, 12, 4)).escalations
        traveller.move_to(london(dt.date(2026, 12, 6), dt.time(10)))
        later = demo_text("2026-11-23", settings, tmp_path / "now")

    assert later == on_the_day
    snapshots = DigestSnapshot.objects.filter(period="2026-W48")
    for snapshot in snapshots:
        assert chart_point(snapshot.content) == headline_mix(snapshot.content)
        assert snapshot.content.get("escalations", []) == []
        assert due_and_overdue(snapshot.content) == set()
    assert "OPEN ESCALATIONS\n\nNone." in later


def test_the_demo_loaded_after_that_day_has_no_history_of_it_and_says_so(
    db: None, settings: Settings, tmp_path: Path
) -> None:
    with time_machine.travel(london(dt.date(2026, 12, 6), dt.time(10)), tick=False):
        call_command("load_demo", stdout=io.StringIO())
        with pytest.raises(CommandError) as raised:
            demo_text("2026-11-23", settings, tmp_path)

    assert str(raised.value) == (
        "A digest as of 23 November 2026 cannot be rebuilt: the recorded history of the plan "
        '"northshire-wsoa" begins on 6 December 2026. Choose that day or a later one.'
    )
