"""The demo plan that ``make run`` loads (``manage.py load_demo``) every time it starts.

Loading twice changes nothing; the plan is a realistic SEND Written Statement of Action whose
dates sit around the day it is loaded (London's today); statuses went through the status
service; and the logins the README lists really sign in.
"""

import datetime as dt
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from actions.dates import LONDON, working_days_between
from actions.demo import DEMO_LOGINS, PLAN_SLUG, RECOMMENDATIONS, ActionSpec
from actions.models import (
    OPEN_STATUSES,
    Action,
    ActionStatus,
    Board,
    BoardAudience,
    BoardMembership,
    MeasureReading,
    Milestone,
    Plan,
    PlanStatus,
    ProgressUpdate,
    Rag,
    Recommendation,
    SuccessMeasure,
)
from actions.services import action_update_status
from actions.status_rules import ALLOWED_TRANSITIONS
from tests.factories import PLAN_MODELS

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parent.parent / "README.md"

# 10:00 in London on a Monday in winter (GMT).
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
# 00:30 in London on a Saturday in summer (BST): still Friday 23:30 in UTC. The demo must
# be dated around London's today, as the people using it see the calendar.
SATURDAY_JUST_AFTER_MIDNIGHT_BST = dt.datetime(2027, 6, 5, 0, 30, tzinfo=LONDON)
# Late on a leap day (GMT).
LEAP_DAY_EVENING = dt.datetime(2028, 2, 29, 23, 45, tzinfo=LONDON)

SPECS: dict[str, ActionSpec] = {a.reference: a for rec in RECOMMENDATIONS for a in rec.actions}

# Every table the demo writes, including the audit history and many-to-many tables.
DEMO_MODELS: list[type[models.Model]] = [
    *PLAN_MODELS,
    *[m for m in apps.get_models() if m.__name__.startswith("Historical")],
]


def load_demo(at: dt.datetime) -> str:
    out = StringIO()
    with time_machine.travel(at, tick=False):
        call_command("load_demo", stdout=out)
    return out.getvalue()


def dump() -> dict[str, list[dict[str, Any]]]:
    """Every column of every row the demo touches, by table."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in DEMO_MODELS
    }


def demo_plan() -> Plan:
    return Plan.objects.get(slug=PLAN_SLUG)


def updates_oldest_first(action: Action) -> list[ProgressUpdate]:
    return list(ProgressUpdate.objects.filter(action=action).order_by("created_at", "pk"))


# --- Loading again ------------------------------------------------------------------------


def test_loading_the_demo_twice_on_the_same_day_gives_exactly_the_same_rows() -> None:
    first_output = load_demo(MONDAY)
    first = dump()
    # Later the same day: any row saved again would get a new updated_at and version.
    second_output = load_demo(MONDAY + dt.timedelta(hours=9))
    second = dump()

    assert first["actions.Plan"], "the first load wrote nothing"
    assert first["actions.HistoricalAction"], "the first load wrote no audit history"
    for table in first:
        assert second[table] == first[table], f"the second load changed {table}"
    assert "; 0 progress updates added." not in first_output
    assert "; 0 progress updates added." in second_output
    # Both runs say what the demo is.
    for output in (first_output, second_output):
        assert "3 recommendations, 18 actions" in output


def test_a_second_load_keeps_what_people_have_recorded_since() -> None:
    load_demo(MONDAY)
    action = Action.objects.get(plan__slug=PLAN_SLUG, reference="1.3")
    assert action.rag == Rag.AMBER
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        action_update_status(
            action=action,
            by=action.owner,
            rag=Rag.GREEN,
            commentary="Health and social care have signed the framework off.",
        )
    before = dump()

    load_demo(MONDAY + dt.timedelta(hours=2))

    assert dump() == before
    action.refresh_from_db()
    assert action.rag == Rag.GREEN
    assert ProgressUpdate.objects.filter(action=action).count() == len(SPECS["1.3"].steps) + 1


def test_loading_on_a_later_day_moves_the_dates_without_adding_progress_or_duplicates() -> None:
    load_demo(MONDAY)
    before_counts = {model._meta.label: model._default_manager.count() for model in DEMO_MODELS}
    statuses = dict(Action.objects.values_list("reference", "status"))
    versions = {a.reference: a.history.count() for a in Action.objects.all()}
    updates = list(ProgressUpdate.objects.order_by("pk").values())

    tuesday = MONDAY + dt.timedelta(days=1)
    output = load_demo(tuesday)

    today = tuesday.date()
    assert "; 0 progress updates added." in output
    # The same reports, each a day later, as every other date moved.
    day = dt.timedelta(days=1)
    moved = [
        {
            **u,
            "created_at": u["created_at"] + day,
            "completed_on": u["completed_on"] + day if u["completed_on"] else None,
        }
        for u in updates
    ]
    assert list(ProgressUpdate.objects.order_by("pk").values()) == moved
    assert dict(Action.objects.values_list("reference", "status")) == statuses
    for action in Action.objects.filter(plan__slug=PLAN_SLUG):
        spec = SPECS[action.reference]
        assert action.due_date == spec.due_date(today), action.reference
        assert action.start_date == today + dt.timedelta(days=spec.start), action.reference
        # One saved version for the moved dates, on top of the first load's versions.
        assert action.history.count() == versions[action.reference] + 1, action.reference
    after_counts = {model._meta.label: model._default_manager.count() for model in DEMO_MODELS}
    for table, count in before_counts.items():
        if not table.startswith("actions.Historical"):
            assert after_counts[table] == count, f"{table} gained or lost rows"
    assert all(reading.taken_on <= today for reading in MeasureReading.objects.all())


def test_months_of_reloading_keep_every_history_possible() -> None:
    load_demo(MONDAY)
    later = MONDAY + dt.timedelta(days=150)
    load_demo(later)
    today = later.date()
    for action in Action.objects.filter(plan__slug=PLAN_SLUG):
        assert action.start_date is not None
        if action.completed_on is not None:
            assert action.start_date <= action.completed_on <= today, action.reference
        for update in action.updates.all():
            reported = update.created_at.astimezone(LONDON).date()
            assert action.start_date <= reported <= today, action.reference


def test_progress_is_dated_through_the_action_not_all_at_load_time() -> None:
    load_demo(MONDAY)
    today = MONDAY.date()
    for action in Action.objects.filter(plan__slug=PLAN_SLUG).exclude(latest_update=None):
        assert action.start_date is not None
        days = [u.created_at.astimezone(LONDON).date() for u in action.updates.order_by("pk")]
        assert days == sorted(days), action.reference
        assert action.start_date <= days[0] and days[-1] < today, action.reference
        assert action.last_progress_at == action.updates.latest("pk").created_at
        if action.completed_on is not None:
            assert days[-1] == action.completed_on, action.reference
        elif action.due_date < today:
            # Overdue: not updated since it fell due, so the chasing has something to chase.
            assert days[-1] < action.due_date, action.reference


# --- What the demo plan contains ----------------------------------------------------------


@pytest.mark.parametrize(
    "now",
    [MONDAY, SATURDAY_JUST_AFTER_MIDNIGHT_BST, LEAP_DAY_EVENING],
    ids=["monday-gmt", "saturday-0030-bst", "leap-day-2345-gmt"],
)
def test_the_demo_is_a_realistic_wsoa_dated_around_londons_today(now: dt.datetime) -> None:
    load_demo(now)
    today = now.date()  # London's date at that instant

    plan = demo_plan()
    assert plan.plan_type.slug == "written-statement-of-action"
    assert "Written Statement of Action" in plan.title
    assert plan.status == PlanStatus.ACTIVE
    assert plan.published
    assert plan.start_date < today < plan.end_date

    # The SEND Executive governs it, and has members.
    assert plan.board is not None
    assert plan.board.audience == BoardAudience.EXECUTIVE
    executive = list(plan.board.memberships.select_related("user"))
    assert len(executive) >= 3
    assert all(m.user.is_active for m in executive)
    assert all(m.joined_on <= today for m in BoardMembership.objects.all())
    assert {b.audience for b in Board.objects.all()} == set(BoardAudience.values)

    recommendations = list(plan.recommendations.order_by("number"))
    assert [r.number for r in recommendations] == [1, 2, 3]
    for rec in recommendations:
        assert rec.lead.is_active, rec.number
        assert rec.outcomes.count() >= 1, rec.number
        assert 4 <= rec.actions.count() <= 8, rec.number
        assert rec.milestones.count() >= 1, rec.number
        assert rec.measures.count() >= 1, rec.number
        for measure in rec.measures.all():
            readings = list(measure.readings.order_by("taken_on"))
            assert len(readings) >= 2, measure.name
            assert readings[-1].taken_on <= today, measure.name
            assert measure.target_date > today, measure.name

    actions = list(plan.actions.select_related("owner", "outcome", "recommendation"))
    assert len(actions) == len(SPECS) == 18
    for action in actions:
        spec = SPECS[action.reference]
        assert action.owner.is_active, action.reference
        assert action.outcome is not None, action.reference
        assert action.outcome.recommendation_id == action.recommendation_id, action.reference
        # Dates are days from London's today, as the plan says.
        assert action.start_date == today + dt.timedelta(days=spec.start), action.reference
        assert action.due_date == spec.due_date(today), action.reference

    overdue = {a.reference for a in actions if a.is_overdue(on=today)}
    due_this_week = {
        a.reference
        for a in actions
        if a.status in OPEN_STATUSES and today <= a.due_date < today + dt.timedelta(days=7)
    }
    completed = {a.reference for a in actions if a.status == ActionStatus.COMPLETED}
    not_started_yet = {a.reference for a in actions if a.start_date and a.start_date > today}
    assert overdue == {"1.2", "2.4", "3.2"}
    assert due_this_week == {"1.3", "2.3", "3.3"}
    # Whatever the day, the reminders have lines 10 and 3 working days before and on the day.
    by_reference = {a.reference: a for a in actions}
    working_days_ahead = {
        reference: working_days_between(today, by_reference[reference].due_date)
        for reference in ("2.5", "3.3")
    }
    assert working_days_ahead == {"2.5": 10, "3.3": 3}
    assert by_reference["2.3"].due_date == today
    assert completed == {"1.1", "1.4", "2.1", "3.1", "3.5"}
    assert not_started_yet == {"1.6", "3.6"}
    # The overdue actions are the ones in trouble: red or amber.
    assert {a.rag for a in actions if a.reference in overdue} <= {Rag.RED, Rag.AMBER}

    milestones = list(Milestone.objects.filter(recommendation__plan=plan))
    assert [m.title for m in milestones if m.is_overdue(on=today)] == [
        "All EHC needs assessments older than 20 weeks completed"
    ]
    assert any(m.achieved_on is not None for m in milestones)
    assert all(m.achieved_on is None or m.achieved_on <= today for m in milestones)
    assert any(m.due_date > today for m in milestones)


def test_every_status_went_through_the_status_service() -> None:
    load_demo(MONDAY)
    today = MONDAY.date()

    for action in Action.objects.filter(plan__slug=PLAN_SLUG):
        spec = SPECS[action.reference]
        updates = updates_oldest_first(action)
        assert [(u.status, u.commentary) for u in updates] == [
            (step.status, step.commentary) for step in spec.steps
        ], action.reference
        # Each change is one audited save by the owner, with the service's reason.
        by_service = action.history.filter(history_change_reason="Progress update")
        assert by_service.count() == len(spec.steps), action.reference
        assert {h.history_user_id for h in by_service} <= {action.owner_id}

        if not updates:
            assert action.status == ActionStatus.NOT_STARTED, action.reference
            assert action.rag == Rag.GREEN, action.reference
            assert action.latest_update_id is None, action.reference
            assert action.last_progress_at is None, action.reference
            continue

        previous_status: str = ActionStatus.NOT_STARTED.value
        previous_rag: str = Rag.GREEN.value
        for update in updates:
            assert update.author_id == action.owner_id, action.reference
            assert (update.previous_status, update.previous_rag) == (
                previous_status,
                previous_rag,
            ), action.reference
            if update.status != update.previous_status:
                assert update.status in ALLOWED_TRANSITIONS[update.previous_status]
            previous_status, previous_rag = update.status, update.rag

        last = updates[-1]
        assert action.latest_update_id == last.pk, action.reference
        assert action.last_progress_at == last.created_at, action.reference
        assert (action.status, action.rag, action.completed_on) == (
            last.status,
            last.rag,
            last.completed_on,
        ), action.reference

        if action.status == ActionStatus.COMPLETED:
            completing = spec.steps[-1]
            assert completing.completed_days_ago is not None
            assert action.rag == Rag.BLUE, action.reference
            assert action.completed_on == today - dt.timedelta(days=completing.completed_days_ago)
            assert action.start_date is not None
            assert action.start_date <= action.completed_on <= today, action.reference
        else:
            assert action.rag != Rag.BLUE, action.reference
            assert action.completed_on is None, action.reference
        if action.rag in (Rag.RED, Rag.AMBER) or action.status in (
            ActionStatus.BLOCKED,
            ActionStatus.CANCELLED,
        ):
            assert last.commentary.strip(), action.reference

    # Every kind of status shows up somewhere in the demo.
    assert set(Action.objects.filter(plan__slug=PLAN_SLUG).values_list("status", flat=True)) == set(
        ActionStatus.values
    )
    assert set(Action.objects.filter(plan__slug=PLAN_SLUG).values_list("rag", flat=True)) == set(
        Rag.values
    )


def test_the_command_prints_a_summary_that_matches_the_rows_and_the_demo_logins() -> None:
    output = load_demo(MONDAY)
    lines = output.splitlines()
    plan = demo_plan()
    measures = SuccessMeasure.objects.filter(recommendation__plan=plan)
    assert lines[0] == (
        f'Demo plan "{plan.title}" ({PLAN_SLUG}): '
        f"{plan.recommendations.count()} recommendations, {plan.actions.count()} actions, "
        f"{Milestone.objects.filter(recommendation__plan=plan).count()} milestones, "
        f"{measures.count()} measures with "
        f"{MeasureReading.objects.filter(measure__in=measures).count()} readings, "
        f"{Board.objects.count()} boards, {User.objects.count()} people; "
        f"{ProgressUpdate.objects.count()} progress updates added."
    )
    assert "3 recommendations, 18 actions" in lines[0]
    assert "development only" in lines[1]
    assert lines[2:] == [
        f"  {login.role}: {login.email} / {login.password}" for login in DEMO_LOGINS
    ]


# --- The README's demo logins -------------------------------------------------------------


def readme_demo_logins() -> tuple[str, list[tuple[str, str]]]:
    """The password and the (email, role) rows of the README's demo logins section."""
    text = README.read_text()
    section = text.split("## Demo logins", 1)[1].split("\n## ", 1)[0]
    password = re.search(r"password is `([^`]+)`", section)
    assert password, "the README does not say what the demo password is"
    rows = re.findall(r"^\| `([^`]+@[^`]+)` \| (.+?) \|$", section, flags=re.MULTILINE)
    return password.group(1), rows


def test_the_readme_lists_exactly_the_demo_logins() -> None:
    password, rows = readme_demo_logins()
    assert sorted(rows) == sorted((login.email, login.role) for login in DEMO_LOGINS)
    assert {login.password for login in DEMO_LOGINS} == {password}


def test_every_login_in_the_readme_signs_in_and_has_the_role_it_claims() -> None:
    load_demo(MONDAY)
    plan = demo_plan()
    password, rows = readme_demo_logins()
    # The curl session in the README signs in too.
    session = re.findall(r'"email": "([^"]+)", "password": "([^"]+)"', README.read_text())
    assert session
    for email, session_password in session:
        assert (email, session_password) in {(e, password) for e, _ in rows}

    for email, role in rows:
        answer = APIClient().post(
            "/api/auth/token/", {"email": email, "password": password}, format="json"
        )
        assert answer.status_code == 200, (email, answer.content)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
        me = client.get("/api/me/")
        assert me.status_code == 200
        user = User.objects.get(email__iexact=email)
        assert me.json()["id"] == user.pk

        checked = False
        if "administrator" in role:
            # A plan administrator, not a superuser, who can still run the plan in the admin.
            assert user.is_staff and not user.is_superuser, email
            browser = Client()
            assert browser.login(username=email, password=password)
            assert browser.get("/admin/").status_code == 200
            assert browser.get("/admin/actions/action/").status_code == 200
            assert browser.get("/admin/actions/plan/add/").status_code == 200
            checked = True
        if "recommendation lead" in role:
            assert Recommendation.objects.filter(plan=plan, lead=user).exists(), email
            checked = True
        if "action owner" in role:
            mine = client.get("/api/me/actions/")
            assert mine.status_code == 200
            assert mine.json()["count"] >= 1, email
            assert Action.objects.filter(plan=plan, owner=user).exists(), email
            checked = True
        if "SEND Executive" in role:
            assert plan.board is not None
            assert plan.board.memberships.filter(user=user).exists(), email
            checked = True
        assert checked, f"no check for the role {role!r}: add one"

    wrong = APIClient().post(
        "/api/auth/token/",
        {"email": rows[0][0], "password": password + "x"},
        format="json",
    )
    assert wrong.status_code == 400
