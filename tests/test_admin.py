"""The admin as a plan administrator uses it: every page opens, search and filters narrow the
lists, a plan's structure is edited through inlines, history shows who changed what, and a
status or RAG change only ever goes through the status service.

Forms are posted the way a browser posts them: the fields are read from the page the
administrator was shown (``form_data``), then the test changes what a person would change.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group, Permission
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from rest_framework.authtoken.models import Token

from accounts.models import User
from actions.dates import LONDON
from actions.models import (
    Action,
    ActionStatus,
    Board,
    BoardMeeting,
    BoardMembership,
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    ProgressUpdate,
    Rag,
    Recommendation,
    SuccessMeasure,
)
from actions.services import action_update_status
from digests.services import digest_snapshot
from notifications.models import NotificationPreference
from notifications.services import escalations_queue, reminders_queue
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MeasureReadingFactory,
    MilestoneFactory,
    OutcomeFactory,
    PlanFactory,
    RecommendationFactory,
    SuccessMeasureFactory,
    UserFactory,
)
from tests.snapshots import action_state

pytestmark = pytest.mark.django_db

# 10:00 in London on Monday 23 November 2026: "today" for every test here.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


# --- Reading and posting admin forms ------------------------------------------------------


class _FormReader(HTMLParser):
    """What a browser would submit from the form with the given id, untouched."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.found = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_multiple = False
        self._select_options: list[tuple[str, bool]] = []
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._textarea_text = ""

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = self.found = True
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
                return
            self._add(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._select_multiple = "multiple" in a
            self._select_options = []
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a)
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea = name
            self._textarea_text = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea_text += data
        elif self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "form":
            self.inside = False
        elif tag == "option" and self._option is not None:
            value, selected = self._option
            self._select_options.append(
                (value if value is not None else self._option_text.strip(), selected)
            )
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._select_options if selected]
            if not chosen and not self._select_multiple and self._select_options:
                chosen = [self._select_options[0][0]]
            for value in chosen:
                self._add(self._select, value)
            if not chosen:
                self.data.setdefault(self._select, [])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the one newline that follows <textarea>.
            text = self._textarea_text
            self._add(self._textarea, text[1:] if text.startswith("\n") else text)
            self._textarea = None


def form_data(response: Any, form_id: str) -> dict[str, Any]:
    """The fields of a form on an admin page, as the browser would post them."""
    assert response.status_code == 200, response.status_code
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    assert reader.found, f"no form {form_id!r} on the page"
    data: dict[str, Any] = {}
    for name, values in reader.data.items():
        if "__prefix__" in name:
            continue  # the hidden template row for "Add another"
        data[name] = values if len(values) != 1 else values[0]
    return data


def progress_form(response: Any) -> dict[str, Any]:
    """The progress page's form has no id: read the one posted form in the content block."""
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<form method="post" novalidate>')
    end = html.index("</form>", start) + len("</form>")
    reader = _FormReader("progress")
    reader.feed(html[start:end].replace("<form ", '<form id="progress" ', 1))
    assert reader.found
    return {k: v[0] if len(v) == 1 else v for k, v in reader.data.items()}


def add_inline_row(data: dict[str, Any], prefix: str, **fields: Any) -> None:
    """Fill in the next empty row of an inline, as "Add another" does."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)


def inline_row_index(data: dict[str, Any], prefix: str, pk: int) -> int:
    """Which row of an inline shows the object with this primary key."""
    for index in range(int(data[f"{prefix}-TOTAL_FORMS"])):
        if data.get(f"{prefix}-{index}-id") == str(pk):
            return index
    raise AssertionError(f"no row for {pk} in {prefix}")


def url(name: str, *args: Any) -> str:
    return reverse(f"admin:{name}", args=[quote(arg) for arg in args])


def page_errors(response: Any) -> str:
    """The error messages an administrator sees on a refused form."""
    assert response.status_code == 200, f"expected the form again, got {response.status_code}"
    return response.content.decode()


def listed(response: Any) -> set[int]:
    assert response.status_code == 200, response.status_code
    return {obj.pk for obj in response.context["cl"].result_list}


# --- People and a populated plan ----------------------------------------------------------


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@dataclass
class World:
    admin: User
    lead: User
    owner: User
    health: User
    elsewhere: User
    board: Board
    plan: Plan
    other_plan: Plan
    rec1: Recommendation
    rec2: Recommendation
    other_rec: Recommendation
    outcome: Outcome
    overdue: Action  # 1.1 in progress, due 2 November
    blocked: Action  # 1.2 blocked and red, due 20 November
    done: Action  # 1.3 completed, due 30 October
    this_week: Action  # 2.2 in progress, due Friday 27 November
    future: Action  # 2.1 not started, amber, due March 2027
    other: Action  # 1.1 in the other plan, overdue
    milestone: Milestone
    measure: SuccessMeasure
    update: ProgressUpdate


@pytest.fixture
def world(admin_user: User) -> World:
    lead = UserFactory.create(name="Priya Lead", email="priya.lead@northshire.gov.uk")
    owner = UserFactory.create(name="Sam Owner", email="sam.owner@northshire.gov.uk")
    health = UserFactory.create(
        name="Alex Health", email="alex.health@icb.nhs.uk", organisation="Northshire ICB"
    )
    elsewhere = UserFactory.create(name="Jordan Elsewhere", email="jordan@southshire.gov.uk")
    board = BoardFactory.create(
        name="Northshire SEND Executive", slug="northshire-exec", members=[lead]
    )
    plan = PlanFactory.create(
        title="Northshire Written Statement of Action", slug="northshire", board=board
    )
    other_plan = PlanFactory.create(
        title="Southshire Strategic Plan", slug="southshire", local_area="S"
    )
    rec1 = RecommendationFactory.create(
        plan=plan, number=1, lead=lead, title="Improve the timeliness of EHC plans"
    )
    rec2 = RecommendationFactory.create(
        plan=plan, number=2, lead=lead, title="Strengthen joint commissioning"
    )
    other_rec = RecommendationFactory.create(
        plan=other_plan, number=1, lead=elsewhere, title="Review home to school transport"
    )
    outcome = OutcomeFactory.create(recommendation=rec1, number=1, title="Plans issued in 20 weeks")
    overdue = ActionFactory.create(
        recommendation=rec1,
        outcome=outcome,
        reference="1.1",
        title="Recruit educational psychologists",
        owner=owner,
        due_date=dt.date(2026, 11, 2),
        status=ActionStatus.IN_PROGRESS,
    )
    blocked = ActionFactory.create(
        recommendation=rec1,
        reference="1.2",
        title="Clear the assessment backlog",
        owner=health,
        due_date=dt.date(2026, 11, 20),
        status=ActionStatus.BLOCKED,
        rag=Rag.RED,
    )
    done = ActionFactory.create(
        recommendation=rec1,
        reference="1.3",
        title="Publish the local offer",
        owner=owner,
        due_date=dt.date(2026, 10, 30),
        status=ActionStatus.COMPLETED,
        rag=Rag.BLUE,
        completed_on=dt.date(2026, 10, 28),
    )
    future = ActionFactory.create(
        recommendation=rec2,
        reference="2.1",
        title="Commission speech and language therapy",
        owner=health,
        due_date=dt.date(2027, 3, 31),
        status=ActionStatus.NOT_STARTED,
        rag=Rag.AMBER,
    )
    this_week = ActionFactory.create(
        recommendation=rec2,
        reference="2.2",
        title="Agree the joint commissioning strategy",
        owner=owner,
        due_date=dt.date(2026, 11, 27),
        status=ActionStatus.IN_PROGRESS,
    )
    other = ActionFactory.create(
        recommendation=other_rec,
        reference="1.1",
        title="Consult on the transport policy",
        owner=elsewhere,
        due_date=dt.date(2026, 11, 10),
        status=ActionStatus.IN_PROGRESS,
    )
    milestone = MilestoneFactory.create(
        recommendation=rec1, title="Backlog cleared", actions=[overdue, blocked]
    )
    measure = SuccessMeasureFactory.create(recommendation=rec1, outcome=outcome)
    MeasureReadingFactory.create(measure=measure, taken_on=dt.date(2026, 10, 31))
    update = action_update_status(
        action=overdue, by=owner, rag=Rag.AMBER, commentary="The recruitment panel moved."
    )

    # Something on every page of the other apps' admins too.
    Group.objects.create(name="Plan administrators")
    Token.objects.create(user=admin_user)
    every_five = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES)
    CrontabSchedule.objects.create(minute="0", hour="7")
    SolarSchedule.objects.create(event="sunrise", latitude=Decimal("51.5"), longitude=Decimal("0"))
    ClockedSchedule.objects.create(clocked_time=NOW)
    PeriodicTask.objects.create(name="reminder sweep", task="workers.sweep", interval=every_five)

    # The chasing: the default rule and ladder come from a migration; the sweeps add the
    # ledger and escalations, and a person has chosen their own reminder days.
    NotificationPreference.objects.create(user=owner, days_before=[5])
    reminders_queue(today=TODAY, now=NOW)
    escalations_queue(today=TODAY, now=NOW)
    # The board meets, and its digest of the plan was built.
    BoardMeeting.objects.create(
        board=board, meets_on=TODAY + dt.timedelta(days=14), papers_due_on=TODAY
    )
    digest_snapshot(plan=plan, board=board, as_of=TODAY, now=NOW)

    return World(
        admin=admin_user,
        lead=lead,
        owner=owner,
        health=health,
        elsewhere=elsewhere,
        board=board,
        plan=plan,
        other_plan=other_plan,
        rec1=rec1,
        rec2=rec2,
        other_rec=other_rec,
        outcome=outcome,
        overdue=overdue,
        blocked=blocked,
        done=done,
        this_week=this_week,
        future=future,
        other=other,
        milestone=milestone,
        measure=measure,
        update=update,
    )


# --- Every page opens ---------------------------------------------------------------------

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[m._meta.label for m, _ in REGISTERED]
)
def test_every_registered_model_lists_adds_and_changes(
    model: type[Model], model_admin: admin.ModelAdmin, world: World, admin_client: Client
) -> None:
    info = f"{model._meta.app_label}_{model._meta.model_name}"

    changelist = admin_client.get(url(f"{info}_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1

    searched = admin_client.get(url(f"{info}_changelist"), {"q": "north"})
    assert searched.status_code == 200

    add = admin_client.get(url(f"{info}_add"))
    can_add = model_admin.has_add_permission(add.wsgi_request)
    assert add.status_code == (200 if can_add else 403)

    obj = model._default_manager.first()
    assert obj is not None
    change = admin_client.get(url(f"{info}_change", obj.pk))
    assert change.status_code == 200
    assert escape(str(obj)) in change.content.decode()


@pytest.mark.parametrize(
    "model",
    [
        m
        for m, a in REGISTERED
        if m._meta.app_label in ("actions", "accounts", "notifications", "digests")
    ],
    ids=lambda m: m._meta.label,
)
def test_every_filter_and_date_link_on_our_changelists_opens(
    model: type[Model], world: World, admin_client: Client
) -> None:
    info = f"{model._meta.app_label}_{model._meta.model_name}"
    changelist_url = url(f"{info}_changelist")
    response = admin_client.get(changelist_url)
    cl = response.context["cl"]
    links = [choice["query_string"] for spec in cl.filter_specs for choice in spec.choices(cl)]
    assert links or not cl.has_filters
    for link in links:
        # An unknown lookup would redirect to "?e=1" instead.
        assert admin_client.get(changelist_url + link).status_code == 200, link

    # Drill down the date links: years, then months, then days.
    dates = [date_hierarchy(cl)] if cl.date_hierarchy else []
    while dates:
        level = dates.pop()
        for choice in level["choices"] if level else []:
            followed = admin_client.get(changelist_url + choice["link"])
            assert followed.status_code == 200, choice["link"]
            if "__day=" not in choice["link"]:
                dates.append(date_hierarchy(followed.context["cl"]))


def test_the_history_page_of_every_audited_model_opens(world: World, admin_client: Client) -> None:
    for obj in (
        world.board,
        world.plan,
        world.rec1,
        world.outcome,
        world.overdue,
        world.milestone,
        world.measure,
    ):
        info = f"{obj._meta.app_label}_{obj._meta.model_name}"
        response = admin_client.get(url(f"{info}_history", obj.pk))
        assert response.status_code == 200, info
        assert response.context["page_obj"].paginator.count >= 1, info


# --- Signing in ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "action owner", "board member"])
def test_people_who_are_not_administrators_are_sent_to_sign_in(who: str, world: World) -> None:
    client = Client()
    if who == "action owner":
        client.force_login(world.owner)
    elif who == "board member":
        client.force_login(world.lead)
    before = action_state(world.blocked)
    pages = [
        reverse("admin:index"),
        url("actions_action_changelist"),
        url("actions_action_change", world.blocked.pk),
        url("actions_action_progress", world.blocked.pk),
        url("actions_plan_change", world.plan.pk),
        url("actions_action_history", world.blocked.pk),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("admin:login")), page

    posted = client.post(
        url("actions_action_progress", world.blocked.pk),
        {"status": "in_progress", "rag": "green", "commentary": "Sorted", "version": "1"},
    )
    assert posted.status_code == 302
    assert posted["Location"].startswith(reverse("admin:login"))
    assert action_state(world.blocked) == before


def test_the_sign_in_page_lets_an_administrator_in_with_email_and_password(
    world: World,
) -> None:
    client = Client()
    response = client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": "ADMIN@example.gov.uk", "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200

    refused = Client().post(
        reverse("admin:login"),
        {"username": world.owner.email, "password": "correct horse battery"},
    )
    assert refused.status_code == 200
    assert "_auth_user_id" not in refused.wsgi_request.session


def test_a_plan_administrator_who_is_not_a_superuser_runs_the_plan_in_the_admin(
    world: World,
) -> None:
    # "Plan administrator" is is_staff: no superuser flag, no permissions assigned one by one.
    officer = UserFactory.create(email="plan.admin@northshire.gov.uk", is_staff=True)
    client = Client()
    client.force_login(officer)

    index = client.get(reverse("admin:index")).content.decode()
    for section in ("Plans", "Actions", "Boards", "Users", "Periodic tasks"):
        assert section in index, section
    assert "Groups" not in index  # raw permissions stay with superusers
    assert client.get(url("actions_action_change", world.overdue.pk)).status_code == 200
    posted = client.post(
        url("actions_action_progress", world.overdue.pk),
        {
            "status": "blocked",
            "rag": "red",
            "commentary": "Waiting for the funding decision.",
            "version": str(action_state(world.overdue)[3]),
        },
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    update = ProgressUpdate.objects.filter(action=world.overdue).latest("pk")
    assert (update.status, update.author) == ("blocked", officer)


def test_someone_who_is_not_a_plan_administrator_gets_no_admin_even_with_permissions(
    world: World,
) -> None:
    owner = UserFactory.create(email="not.staff@northshire.gov.uk")
    owner.user_permissions.add(Permission.objects.get(codename="change_action"))
    client = Client()
    client.force_login(owner)
    before = action_state(world.overdue)
    page = client.get(url("actions_action_progress", world.overdue.pk))
    assert page.status_code == 302 and "/login/" in page["Location"]
    client.post(
        url("actions_action_progress", world.overdue.pk),
        {"status": "blocked", "commentary": "Waiting", "version": str(before[3])},
    )
    assert action_state(world.overdue) == before


# --- Search and filters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("1.2", {"blocked"}),
        ("1.1", {"overdue", "other"}),
        ("backlog", {"blocked"}),
        ("COMMISSION", {"future", "this_week"}),
        ("alex.health@icb.nhs.uk", {"blocked", "future"}),
        ("Sam Owner", {"overdue", "done", "this_week"}),
        ("Jordan", {"other"}),
        ("southshire.gov.uk", {"other"}),
        ("no such thing", set()),
    ],
)
def test_searching_actions_finds_reference_title_and_owner(
    query: str, expected: set[str], world: World, admin_client: Client
) -> None:
    response = admin_client.get(url("actions_action_changelist"), {"q": query})
    assert listed(response) == {getattr(world, name).pk for name in expected}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": "blocked"}, {"blocked"}),
        ({"status__exact": "in_progress"}, {"overdue", "this_week", "other"}),
        ({"rag__exact": "amber"}, {"overdue", "future"}),
        ({"rag__exact": "blue"}, {"done"}),
        ({"due": "overdue"}, {"overdue", "blocked", "other"}),
        ({"due": "this_week"}, {"this_week"}),
        ({"due": "next_30_days"}, {"this_week"}),
        ({"plan": "other_plan"}, {"other"}),
        ({"plan": "plan", "due": "overdue"}, {"overdue", "blocked"}),
        ({"plan": "plan", "rag__exact": "green"}, {"this_week"}),
        ({"owner": "health"}, {"blocked", "future"}),
        (
            {"due_date__gte": "2026-11-01", "due_date__lt": "2026-12-01"},  # "This month"
            {"overdue", "blocked", "this_week", "other"},
        ),
        ({"due_date__year": "2027"}, {"future"}),
    ],
)
def test_filters_narrow_the_action_list(
    params: dict[str, str], expected: set[str], world: World, admin_client: Client
) -> None:
    query: dict[str, Any] = {}
    for key, value in params.items():
        if key == "plan":
            query["plan__id__exact"] = getattr(world, value).pk
        elif key == "owner":
            query["owner__id__exact"] = getattr(world, value).pk
        else:
            query[key] = value
    response = admin_client.get(url("actions_action_changelist"), query)
    assert listed(response) == {getattr(world, name).pk for name in expected}


def test_the_overdue_filter_follows_the_london_calendar_not_utc(
    world: World, admin_client: Client
) -> None:
    # 00:30 BST on 1 July is still 30 June in UTC: an action due on 30 June is overdue.
    Action.objects.filter(pk=world.this_week.pk).update(due_date=dt.date(2027, 6, 30))
    Action.objects.filter(pk=world.future.pk).update(due_date=dt.date(2027, 7, 1))
    with time_machine.travel(dt.datetime(2027, 7, 1, 0, 30, tzinfo=LONDON), tick=False):
        admin_client.force_login(world.admin)  # a fresh session, seven months on
        response = admin_client.get(url("actions_action_changelist"), {"due": "overdue"})
    overdue = listed(response)
    assert world.this_week.pk in overdue
    assert world.future.pk not in overdue


def test_other_changelists_search_and_filter(world: World, admin_client: Client) -> None:
    recs = admin_client.get(url("actions_recommendation_changelist"), {"q": "priya.lead"})
    assert listed(recs) == {world.rec1.pk, world.rec2.pk}
    by_plan = admin_client.get(
        url("actions_recommendation_changelist"), {"plan__id__exact": world.other_plan.pk}
    )
    assert listed(by_plan) == {world.other_rec.pk}

    plans = admin_client.get(url("actions_plan_changelist"), {"q": "southshire"})
    assert listed(plans) == {world.other_plan.pk}

    updates = admin_client.get(url("actions_progressupdate_changelist"), {"q": "recruitment"})
    assert listed(updates) == {world.update.pk}
    other_plan_updates = admin_client.get(
        url("actions_progressupdate_changelist"), {"action__plan__id__exact": world.other_plan.pk}
    )
    assert listed(other_plan_updates) == set()

    people = admin_client.get(url("accounts_user_changelist"), {"q": "icb"})
    assert listed(people) == {world.health.pk}
    staff = admin_client.get(url("accounts_user_changelist"), {"is_staff__exact": "1"})
    assert listed(staff) == {world.admin.pk}

    boards = admin_client.get(url("actions_board_changelist"))
    assert "Northshire SEND Executive" in boards.content.decode()
    by_members = {b.pk: b.member_total for b in boards.context["cl"].result_list}
    assert by_members[world.board.pk] == 1


# --- A plan's structure through inlines ---------------------------------------------------


def test_the_plan_page_shows_its_recommendations_inline(world: World, admin_client: Client) -> None:
    response = admin_client.get(url("actions_plan_change", world.plan.pk))
    page = response.content.decode()
    assert "Improve the timeliness of EHC plans" in page
    assert "Strengthen joint commissioning" in page
    assert "Review home to school transport" not in page  # another plan's
    data = form_data(response, "plan_form")
    assert data["recommendations-TOTAL_FORMS"] == "2"
    # Each recommendation links to its own page, where its outcomes and actions are.
    assert url("actions_recommendation_change", world.rec1.pk) in page


def test_adding_and_editing_recommendations_through_the_plan_page_saves_them(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_plan_change", world.plan.pk))
    data = form_data(page, "plan_form")
    row = inline_row_index(data, "recommendations", world.rec2.pk)
    data[f"recommendations-{row}-title"] = "Strengthen joint commissioning with health"
    add_inline_row(
        data,
        "recommendations",
        number="3",
        title="Improve preparation for adulthood",
        lead=str(world.health.pk),
    )
    response = admin_client.post(url("actions_plan_change", world.plan.pk), data)

    assert response.status_code == 302, page_errors(response)
    world.rec2.refresh_from_db()
    assert world.rec2.title == "Strengthen joint commissioning with health"
    added = Recommendation.objects.get(plan=world.plan, number=3)
    assert added.title == "Improve preparation for adulthood"
    assert added.lead == world.health
    assert added.history.get().history_user == world.admin
    assert world.rec2.history.latest().history_user == world.admin
    # Nothing else on the plan moved.
    assert Recommendation.objects.filter(plan=world.plan).count() == 3
    assert Action.objects.filter(plan=world.plan).count() == 5


def test_a_recommendation_number_used_twice_in_a_plan_is_refused_on_the_plan_page(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_plan_change", world.plan.pk))
    data = form_data(page, "plan_form")
    add_inline_row(
        data, "recommendations", number="2", title="A second number two", lead=str(world.lead.pk)
    )
    response = admin_client.post(url("actions_plan_change", world.plan.pk), data)

    # The new row repeats a number listed in the same form.
    assert "Please correct the duplicate data for number." in page_errors(response)
    assert Recommendation.objects.filter(plan=world.plan).count() == 2

    # On the recommendation's own page the database rule is checked, with its message.
    data = form_data(admin_client.get(url("actions_recommendation_add")), "recommendation_form")
    data.update(plan=str(world.plan.pk), number="2", title="Another two", lead=str(world.lead.pk))
    response = admin_client.post(url("actions_recommendation_add"), data)
    assert "This plan already has a recommendation with that number." in page_errors(response)
    assert Recommendation.objects.filter(plan=world.plan).count() == 2


def test_the_recommendation_page_shows_outcomes_actions_milestones_and_measures(
    world: World, admin_client: Client
) -> None:
    response = admin_client.get(url("actions_recommendation_change", world.rec1.pk))
    page = response.content.decode()
    for text in (
        "Plans issued in 20 weeks",  # outcome
        "Recruit educational psychologists",  # action
        "Clear the assessment backlog",
        "Publish the local offer",
        "Backlog cleared",  # milestone
        "EHC plans issued within 20 weeks",  # measure
    ):
        assert text in page, text
    assert "Commission speech and language therapy" not in page  # recommendation 2's
    # Actions are listed, not edited, here: each opens on its own page.
    assert url("actions_action_change", world.overdue.pk) in page
    data = form_data(response, "recommendation_form")
    assert data["actions-TOTAL_FORMS"] == "3"
    assert not any(name.endswith("-status") or name.endswith("-rag") for name in data)


def test_editing_outcomes_and_adding_a_milestone_on_the_recommendation_page_saves_them(
    world: World, admin_client: Client
) -> None:
    before = [action_state(a) for a in (world.overdue, world.blocked, world.done)]
    page = admin_client.get(url("actions_recommendation_change", world.rec1.pk))
    data = form_data(page, "recommendation_form")
    row = inline_row_index(data, "outcomes", world.outcome.pk)
    data[f"outcomes-{row}-title"] = "Nine in ten plans issued within 20 weeks"
    add_inline_row(data, "outcomes", number="2", title="Families say plans reflect them")
    add_inline_row(
        data,
        "milestones",
        title="Local offer relaunched",
        due_date="2027-01-29",
        actions=[str(world.done.pk), str(world.overdue.pk)],
    )
    add_inline_row(
        data,
        "measures",
        name="Families satisfied with their plan",
        unit="%",
        baseline="52",
        target="75",
        target_date="2027-09-30",
        direction="higher",
    )
    response = admin_client.post(url("actions_recommendation_change", world.rec1.pk), data)

    assert response.status_code == 302, page_errors(response)
    world.outcome.refresh_from_db()
    assert world.outcome.title == "Nine in ten plans issued within 20 weeks"
    assert world.rec1.outcomes.get(number=2).title == "Families say plans reflect them"
    milestone = world.rec1.milestones.get(title="Local offer relaunched")
    assert milestone.due_date == dt.date(2027, 1, 29)
    assert set(milestone.actions.all()) == {world.done, world.overdue}
    measure = world.rec1.measures.get(name="Families satisfied with their plan")
    assert (measure.baseline, measure.target) == (Decimal("52"), Decimal("75"))
    # The actions listed on the page were shown, not changed.
    assert [action_state(a) for a in (world.overdue, world.blocked, world.done)] == before


def test_a_milestone_cannot_link_an_action_of_another_plan(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_recommendation_change", world.rec1.pk))
    data = form_data(page, "recommendation_form")
    add_inline_row(
        data,
        "milestones",
        title="Transport reviewed",
        due_date="2027-01-29",
        actions=[str(world.other.pk)],
    )
    response = admin_client.post(url("actions_recommendation_change", world.rec1.pk), data)

    assert "These actions belong to another plan: 1.1." in page_errors(response)
    assert not Milestone.objects.filter(title="Transport reviewed").exists()

    # The same check on the milestone's own page.
    add = admin_client.get(url("actions_milestone_add"))
    data = form_data(add, "milestone_form")
    data.update(
        recommendation=str(world.rec1.pk),
        title="Transport reviewed",
        due_date="2027-01-29",
        actions=[str(world.overdue.pk), str(world.other.pk)],
    )
    response = admin_client.post(url("actions_milestone_add"), data)
    assert "These actions belong to another plan: 1.1." in page_errors(response)
    assert not Milestone.objects.filter(title="Transport reviewed").exists()


def test_a_new_recommendation_cannot_take_a_milestone_linking_another_plans_action(
    world: World, admin_client: Client
) -> None:
    add = admin_client.get(url("actions_recommendation_add"))
    data = form_data(add, "recommendation_form")
    data.update(plan=str(world.plan.pk), number="3", title="Preparation for adulthood")
    data["lead"] = str(world.lead.pk)
    add_inline_row(
        data,
        "milestones",
        title="Transport reviewed",
        due_date="2027-01-29",
        actions=[str(world.other.pk)],
    )
    response = admin_client.post(url("actions_recommendation_add"), data)

    assert "These actions belong to another plan: 1.1." in page_errors(response)
    assert not Recommendation.objects.filter(plan=world.plan, number=3).exists()
    assert not Milestone.objects.filter(title="Transport reviewed").exists()


def test_a_recommendation_with_actions_cannot_move_to_another_plan(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_recommendation_change", world.rec2.pk))
    data = form_data(page, "recommendation_form")
    data["plan"] = str(world.other_plan.pk)
    response = admin_client.post(url("actions_recommendation_change", world.rec2.pk), data)

    assert "This recommendation has actions in its plan" in page_errors(response)
    assert Recommendation.objects.get(pk=world.rec2.pk).plan == world.plan
    assert set(Action.objects.filter(recommendation=world.rec2).values_list("plan", flat=True)) == {
        world.plan.pk
    }

    # A recommendation with nothing tied to its plan may move.
    empty = RecommendationFactory.create(plan=world.plan, number=9, lead=world.lead)
    page = admin_client.get(url("actions_recommendation_change", empty.pk))
    data = form_data(page, "recommendation_form")
    data["plan"] = str(world.other_plan.pk)
    response = admin_client.post(url("actions_recommendation_change", empty.pk), data)
    assert response.status_code == 302, page_errors(response)
    assert Recommendation.objects.get(pk=empty.pk).plan == world.other_plan


def test_an_outcome_that_actions_count_towards_cannot_move_to_another_recommendation(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_outcome_change", world.outcome.pk))
    data = form_data(page, "outcome_form")
    data["recommendation"] = str(world.rec2.pk)
    response = admin_client.post(url("actions_outcome_change", world.outcome.pk), data)

    assert "Actions or success measures count towards this outcome" in page_errors(response)
    assert Outcome.objects.get(pk=world.outcome.pk).recommendation == world.rec1

    spare = OutcomeFactory.create(recommendation=world.rec1, number=5, title="Spare outcome")
    page = admin_client.get(url("actions_outcome_change", spare.pk))
    data = form_data(page, "outcome_form")
    data["recommendation"] = str(world.rec2.pk)
    response = admin_client.post(url("actions_outcome_change", spare.pk), data)
    assert response.status_code == 302, page_errors(response)
    assert Outcome.objects.get(pk=spare.pk).recommendation == world.rec2


def test_an_action_moved_to_another_plans_recommendation_takes_that_plan(
    world: World, admin_client: Client
) -> None:
    # 1.2 is linked to the "Backlog cleared" milestone of its plan: it cannot leave.
    page = admin_client.get(url("actions_action_change", world.blocked.pk))
    data = form_data(page, "action_form")
    data["recommendation"] = str(world.other_rec.pk)
    response = admin_client.post(url("actions_action_change", world.blocked.pk), data)
    assert "This action is linked to milestones of its plan" in page_errors(response)
    assert Action.objects.get(pk=world.blocked.pk).plan == world.plan

    # 2.1 is not: it moves, and its plan follows its recommendation.
    page = admin_client.get(url("actions_action_change", world.future.pk))
    data = form_data(page, "action_form")
    data["recommendation"] = str(world.other_rec.pk)
    response = admin_client.post(url("actions_action_change", world.future.pk), data)
    assert response.status_code == 302, page_errors(response)
    moved = Action.objects.get(pk=world.future.pk)
    assert (moved.recommendation, moved.plan) == (world.other_rec, world.other_plan)


def test_readings_added_on_the_measure_page_record_who_added_them(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_successmeasure_change", world.measure.pk))
    data = form_data(page, "successmeasure_form")
    # The page offers one empty row for a new reading.
    index = int(data["readings-TOTAL_FORMS"]) - 1
    data[f"readings-{index}-taken_on"] = "2026-11-20"
    data[f"readings-{index}-value"] = "44.5"
    data[f"readings-{index}-note"] = "Autumn term figure"
    response = admin_client.post(url("actions_successmeasure_change", world.measure.pk), data)

    assert response.status_code == 302, page_errors(response)
    reading = MeasureReading.objects.get(measure=world.measure, taken_on=dt.date(2026, 11, 20))
    assert reading.value == Decimal("44.50")
    assert reading.recorded_by == world.admin

    # A second reading on the same day is refused beside the form.
    page = admin_client.get(url("actions_successmeasure_change", world.measure.pk))
    data = form_data(page, "successmeasure_form")
    index = int(data["readings-TOTAL_FORMS"]) - 1
    data[f"readings-{index}-taken_on"] = "2026-11-20"
    data[f"readings-{index}-value"] = "99"
    response = admin_client.post(url("actions_successmeasure_change", world.measure.pk), data)
    # The row repeats the date of a reading already listed in the same form.
    assert "Please correct the duplicate data for taken_on." in page_errors(response)
    assert MeasureReading.objects.get(taken_on=dt.date(2026, 11, 20)).value == Decimal("44.50")


def test_board_members_are_added_through_the_board_page(world: World, admin_client: Client) -> None:
    page = admin_client.get(url("actions_board_change", world.board.pk))
    data = form_data(page, "board_form")
    index = int(data["memberships-TOTAL_FORMS"]) - 1  # the empty row on offer
    data[f"memberships-{index}-user"] = str(world.health.pk)
    data[f"memberships-{index}-role"] = "Designated clinical officer"
    response = admin_client.post(url("actions_board_change", world.board.pk), data)

    assert response.status_code == 302, page_errors(response)
    membership = BoardMembership.objects.get(board=world.board, user=world.health)
    assert membership.role == "Designated clinical officer"
    assert membership.history.get().history_user == world.admin

    # The same person twice is refused.
    page = admin_client.get(url("actions_board_change", world.board.pk))
    data = form_data(page, "board_form")
    index = int(data["memberships-TOTAL_FORMS"]) - 1
    data[f"memberships-{index}-user"] = str(world.health.pk)
    response = admin_client.post(url("actions_board_change", world.board.pk), data)
    assert "Please correct the duplicate data for user." in page_errors(response)
    assert BoardMembership.objects.filter(board=world.board, user=world.health).count() == 1


# --- Actions: adding and editing ----------------------------------------------------------


def _new_action_data(admin_client: Client, world: World, **changes: Any) -> dict[str, Any]:
    data = form_data(admin_client.get(url("actions_action_add")), "action_form")
    data.update(
        recommendation=str(world.rec2.pk),
        reference="2.3",
        title="Train SENCOs in the graduated approach",
        owner=str(world.owner.pk),
        supporting_owners=[str(world.health.pk)],
        start_date="2026-12-01",
        due_date="2027-02-26",
    )
    data.update(changes)
    return data


def test_an_action_added_in_the_admin_joins_its_recommendations_plan(
    world: World, admin_client: Client
) -> None:
    response = admin_client.post(url("actions_action_add"), _new_action_data(admin_client, world))

    assert response.status_code == 302, page_errors(response)
    action = Action.objects.get(plan=world.plan, reference="2.3")
    assert action.recommendation == world.rec2
    assert (action.status, action.rag) == (ActionStatus.NOT_STARTED, Rag.GREEN)
    assert list(action.supporting_owners.all()) == [world.health]
    assert {row.history_user for row in action.history.all()} == {world.admin}


def test_a_due_date_before_the_start_date_is_refused_and_nothing_is_saved(
    world: World, admin_client: Client
) -> None:
    data = _new_action_data(admin_client, world, start_date="2027-03-01", due_date="2027-02-26")
    response = admin_client.post(url("actions_action_add"), data)
    assert "The due date cannot be before the start date." in page_errors(response)
    assert not Action.objects.filter(reference="2.3").exists()

    page = admin_client.get(url("actions_action_change", world.this_week.pk))
    data = form_data(page, "action_form")
    data["start_date"] = "2026-12-01"
    version = Action.objects.get(pk=world.this_week.pk).version
    response = admin_client.post(url("actions_action_change", world.this_week.pk), data)
    assert "The due date cannot be before the start date." in page_errors(response)
    fresh = Action.objects.get(pk=world.this_week.pk)
    assert (fresh.start_date, fresh.version) == (dt.date(2026, 9, 1), version)


def test_a_reference_already_used_in_the_plan_is_refused_but_another_plan_may_use_it(
    world: World, admin_client: Client
) -> None:
    data = _new_action_data(admin_client, world, reference="1.2")
    response = admin_client.post(url("actions_action_add"), data)
    assert "This plan already has an action with that reference." in page_errors(response)
    assert Action.objects.filter(plan=world.plan, reference="1.2").count() == 1

    # "1.2" is free in the other plan.
    data = _new_action_data(
        admin_client, world, reference="1.2", recommendation=str(world.other_rec.pk)
    )
    response = admin_client.post(url("actions_action_add"), data)
    assert response.status_code == 302, page_errors(response)
    assert Action.objects.get(plan=world.other_plan, reference="1.2").recommendation == (
        world.other_rec
    )


def test_an_outcome_of_another_recommendation_is_refused(
    world: World, admin_client: Client
) -> None:
    data = _new_action_data(admin_client, world, outcome=str(world.outcome.pk))
    response = admin_client.post(url("actions_action_add"), data)
    assert "This outcome belongs to a different recommendation." in page_errors(response)
    assert not Action.objects.filter(reference="2.3").exists()


def test_a_plan_ending_before_it_starts_is_refused(world: World, admin_client: Client) -> None:
    page = admin_client.get(url("actions_plan_change", world.plan.pk))
    data = form_data(page, "plan_form")
    data["end_date"] = "2025-12-31"
    response = admin_client.post(url("actions_plan_change", world.plan.pk), data)
    assert "A plan cannot end before it starts." in page_errors(response)
    assert Plan.objects.get(pk=world.plan.pk).end_date == dt.date(2027, 12, 31)


# --- Status and RAG only through the status service ---------------------------------------


def test_the_action_page_shows_status_and_rag_but_offers_no_field_to_change_them(
    world: World, admin_client: Client
) -> None:
    response = admin_client.get(url("actions_action_change", world.blocked.pk))
    page = response.content.decode()
    data = form_data(response, "action_form")
    for field in ("status", "rag", "completed_on", "plan"):
        assert field not in data, field
    assert "Blocked" in page
    assert "Red (off track)" in page
    assert url("actions_action_progress", world.blocked.pk) in page
    # The progress already recorded is listed, read only.
    overdue = admin_client.get(url("actions_action_change", world.overdue.pk))
    assert "The recruitment panel moved." in overdue.content.decode()
    fields = form_data(overdue, "action_form")
    assert not any(
        name.startswith("updates-0-")
        and name[10:] in ("status", "rag", "commentary", "completed_on")
        for name in fields
    )


def test_status_posted_to_the_action_form_is_ignored(world: World, admin_client: Client) -> None:
    page = admin_client.get(url("actions_action_change", world.blocked.pk))
    data = form_data(page, "action_form")
    data.update(
        title="Clear the assessment backlog by March",
        status="completed",
        rag="blue",
        completed_on="2026-11-20",
    )
    response = admin_client.post(url("actions_action_change", world.blocked.pk), data)

    assert response.status_code == 302, page_errors(response)
    fresh = Action.objects.get(pk=world.blocked.pk)
    assert fresh.title == "Clear the assessment backlog by March"
    assert (fresh.status, fresh.rag, fresh.completed_on) == (ActionStatus.BLOCKED, Rag.RED, None)
    assert not ProgressUpdate.objects.filter(action=world.blocked).exists()


def test_recording_progress_in_the_admin_writes_a_progress_update(
    world: World, admin_client: Client
) -> None:
    progress_url = url("actions_action_progress", world.this_week.pk)
    page = admin_client.get(progress_url)
    data = progress_form(page)
    assert data["status"] == "in_progress"
    assert data["rag"] == "green"
    data.update(
        status="blocked",
        rag="red",
        commentary="Health partners have not signed the strategy.",
        evidence_links="https://example.gov.uk/minutes/12\n\n https://example.gov.uk/risk-log \n",
    )
    response = admin_client.post(progress_url, data, follow=True)

    assert response.redirect_chain == [(url("actions_action_change", world.this_week.pk), 302)]
    assert "Progress on 2.2 recorded." in response.content.decode()
    update = ProgressUpdate.objects.get(action=world.this_week)
    assert update.author == world.admin
    assert (update.previous_status, update.status) == (ActionStatus.IN_PROGRESS, "blocked")
    assert (update.previous_rag, update.rag) == (Rag.GREEN, Rag.RED)
    assert update.commentary == "Health partners have not signed the strategy."
    assert update.evidence_links == [
        "https://example.gov.uk/minutes/12",
        "https://example.gov.uk/risk-log",
    ]
    fresh = Action.objects.get(pk=world.this_week.pk)
    assert (fresh.status, fresh.rag) == (ActionStatus.BLOCKED, Rag.RED)
    assert fresh.latest_update == update
    latest = fresh.history.latest()
    assert latest.history_user == world.admin
    assert latest.history_change_reason == "Progress update"


def test_completing_an_action_in_the_admin_rates_it_blue(
    world: World, admin_client: Client
) -> None:
    progress_url = url("actions_action_progress", world.this_week.pk)
    data = progress_form(admin_client.get(progress_url))
    data.update(status="completed", rag="", completed_on="2026-11-20")
    response = admin_client.post(progress_url, data)

    assert response.status_code == 302, page_errors(response)
    fresh = Action.objects.get(pk=world.this_week.pk)
    assert (fresh.status, fresh.rag, fresh.completed_on) == (
        ActionStatus.COMPLETED,
        Rag.BLUE,
        dt.date(2026, 11, 20),
    )
    assert fresh.latest_update is not None
    assert fresh.latest_update.author == world.admin

    # Reopening offers no RAG from before (blue is not a choice) and needs a reason.
    data = progress_form(admin_client.get(progress_url))
    assert data["rag"] == ""
    before = action_state(fresh)
    data.update(status="in_progress")
    response = admin_client.post(progress_url, data)
    text = page_errors(response)
    assert "Say why the action is being reopened." in text
    assert "Choose a RAG rating (red, amber or green) for the reopened action." in text
    assert action_state(fresh) == before


@pytest.mark.parametrize(
    ("action_name", "changes", "message"),
    [
        (
            "this_week",
            {"status": "not_started", "commentary": "Back to the start"},
            "An action that is in progress cannot become not started.",
        ),
        (
            "this_week",
            {"rag": "red"},
            "commentary is required when an action is rated red.",
        ),
        ("this_week", {"status": "cancelled"}, "Say why the action is being cancelled."),
        ("this_week", {}, "Nothing to record: change the status or RAG rating"),
        (
            "this_week",
            {"status": "completed", "completed_on": "2026-11-24"},
            "The completion date cannot be in the future.",
        ),
        (
            "this_week",
            {"status": "completed"},
            "Give the date the action was completed.",
        ),
        (
            "this_week",
            {"status": "completed", "rag": "green", "completed_on": "2026-11-20"},
            "A completed action is rated blue.",
        ),
        (
            "this_week",
            {"commentary": "Minutes attached", "evidence_links": "minutes.docx"},
            "Evidence link 1 is not a web address (http or https): minutes.docx",
        ),
        (
            "this_week",
            {"commentary": "On track", "completed_on": "2026-11-20"},
            "Only give a completion date when completing the action.",
        ),
        (
            "blocked",
            {"status": "in_progress", "rag": "amber"},
            "commentary is required when an action is rated amber.",
        ),
    ],
)
def test_a_refused_progress_update_shows_why_and_changes_nothing(
    action_name: str,
    changes: dict[str, str],
    message: str,
    world: World,
    admin_client: Client,
) -> None:
    action: Action = getattr(world, action_name)
    progress_url = url("actions_action_progress", action.pk)
    data = progress_form(admin_client.get(progress_url))
    data.update(changes)
    before = action_state(action)

    response = admin_client.post(progress_url, data)

    assert message in page_errors(response)
    assert action_state(action) == before


def test_a_progress_update_from_a_stale_page_is_refused(world: World, admin_client: Client) -> None:
    progress_url = url("actions_action_progress", world.this_week.pk)
    data = progress_form(admin_client.get(progress_url))
    # Meanwhile the owner reports progress through the API.
    action_update_status(
        action=world.this_week, by=world.owner, rag=Rag.AMBER, commentary="Slipping a little."
    )
    before = action_state(world.this_week)
    data.update(status="completed", completed_on="2026-11-20")

    response = admin_client.post(progress_url, data)

    assert "This item has changed since you loaded it." in page_errors(response)
    assert action_state(world.this_week) == before


def test_the_progress_page_of_an_action_that_does_not_exist_goes_back_to_the_admin(
    world: World, admin_client: Client
) -> None:
    response = admin_client.get(url("actions_action_progress", 987654))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_an_old_version_of_an_action_can_be_viewed_but_not_restored(
    world: World, admin_client: Client
) -> None:
    first = world.overdue.history.earliest()
    history_form = url("actions_action_simple_history", world.overdue.pk, first.history_id)
    response = admin_client.get(history_form)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()

    before = action_state(world.overdue)
    data = {"recommendation": str(world.rec1.pk), "reference": "1.1", "title": "Old"}
    data.update(owner=str(world.owner.pk), due_date="2026-11-02")
    assert admin_client.post(history_form, data).status_code == 403
    assert action_state(world.overdue) == before
    assert Action.objects.get(pk=world.overdue.pk).title == "Recruit educational psychologists"


@pytest.mark.parametrize(
    ("name", "row", "field"),
    [
        ("actions_plan_simple_history", "plan", "title"),
        ("actions_recommendation_simple_history", "rec1", "title"),
        ("actions_outcome_simple_history", "outcome", "title"),
        ("actions_milestone_simple_history", "milestone", "title"),
        ("actions_successmeasure_simple_history", "measure", "name"),
        ("actions_board_simple_history", "board", "name"),
    ],
)
def test_no_old_version_of_anything_can_be_restored(
    world: World, admin_client: Client, name: str, row: str, field: str
) -> None:
    obj = getattr(world, row)
    type(obj)._default_manager.filter(pk=obj.pk).update(**{field: "Changed since"})
    obj.refresh_from_db()
    obj._history_user = world.admin
    obj.save()
    first = obj.history.earliest()
    history_form = url(name, obj.pk, first.history_id)
    page = admin_client.get(history_form)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(history_form, {field: getattr(first, field)}).status_code == 403
    obj.refresh_from_db()
    assert getattr(obj, field) == "Changed since"


def test_progress_updates_cannot_be_added_changed_or_deleted_in_the_admin(
    world: World, admin_client: Client
) -> None:
    update_url = url("actions_progressupdate_change", world.update.pk)
    assert admin_client.get(url("actions_progressupdate_add")).status_code == 403
    page = admin_client.get(update_url)
    assert page.status_code == 200
    assert "The recruitment panel moved." in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(update_url, {"commentary": "Rewritten"}).status_code == 403
    assert admin_client.get(url("actions_progressupdate_delete", world.update.pk)).status_code == (
        403
    )
    assert admin_client.post(url("actions_progressupdate_delete", world.update.pk)).status_code == (
        403
    )
    bulk = admin_client.post(
        url("actions_progressupdate_changelist"),
        {"action": "delete_selected", "_selected_action": [str(world.update.pk)], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    fresh = ProgressUpdate.objects.get(pk=world.update.pk)
    assert fresh.commentary == "The recruitment panel moved."


# --- History ------------------------------------------------------------------------------


def test_the_history_of_an_action_shows_the_change_and_who_made_it(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_action_change", world.this_week.pk))
    data = form_data(page, "action_form")
    data["title"] = "Agree and publish the joint commissioning strategy"
    data["due_date"] = "2026-12-11"
    assert admin_client.post(
        url("actions_action_change", world.this_week.pk), data
    ).status_code == (302)

    response = admin_client.get(url("actions_action_history", world.this_week.pk))
    history = response.content.decode()
    newest = response.context["page_obj"][0]
    assert newest.history_type == "~"
    assert newest.history_user == world.admin
    assert escape(str(world.admin)) in history
    changed = {c["field"]: (c["old"], c["new"]) for c in newest.history_delta_changes}
    assert changed == {
        "Title": (
            "Agree the joint commissioning strategy",
            "Agree and publish the joint commissioning strategy",
        ),
        "Due date": ("2026-11-27", "2026-12-11"),
    }
    assert "Agree the joint commissioning strategy" in history
    assert "Agree and publish the joint commissioning strategy" in history


def test_the_history_of_an_action_shows_progress_recorded_in_the_admin(
    world: World, admin_client: Client
) -> None:
    progress_url = url("actions_action_progress", world.this_week.pk)
    data = progress_form(admin_client.get(progress_url))
    data.update(status="blocked", commentary="Waiting for the ICB board.")
    assert admin_client.post(progress_url, data).status_code == 302

    response = admin_client.get(url("actions_action_history", world.this_week.pk))
    newest = response.context["page_obj"][0]
    assert newest.history_user == world.admin
    assert newest.history_change_reason == "Progress update"
    changed = {c["field"]: (c["old"], c["new"]) for c in newest.history_delta_changes}
    assert changed["Status"] == ("in_progress", "blocked")
    assert "Progress update" in response.content.decode()


def test_the_history_of_a_plan_shows_the_change_and_who_made_it(
    world: World, admin_client: Client
) -> None:
    page = admin_client.get(url("actions_plan_change", world.plan.pk))
    data = form_data(page, "plan_form")
    data["status"] = "closed"
    data["published"] = "on"
    assert admin_client.post(url("actions_plan_change", world.plan.pk), data).status_code == 302

    response = admin_client.get(url("actions_plan_history", world.plan.pk))
    newest = response.context["page_obj"][0]
    assert newest.history_user == world.admin
    changed = {c["field"]: (c["old"], c["new"]) for c in newest.history_delta_changes}
    assert changed == {"Status": ("active", "closed"), "Published": ("False", "True")}
    assert escape(str(world.admin)) in response.content.decode()
    # The admin's own log records it too.
    log = admin_client.get(reverse("admin:index")).content.decode()
    assert "Northshire Written Statement of Action" in log


# --- People -------------------------------------------------------------------------------


def test_adding_a_person_stores_their_email_in_lower_case_and_refuses_a_duplicate(
    world: World, admin_client: Client
) -> None:
    data = form_data(admin_client.get(url("accounts_user_add")), "user_form")
    data.update(
        email="Jo.Bloggs@Northshire.gov.uk",
        name="Jo Bloggs",
        organisation="Northshire County Council",
        job_title="SENCO",
        usable_password="false",
    )
    response = admin_client.post(url("accounts_user_add"), data)
    assert response.status_code == 302, page_errors(response)
    person = User.objects.get(name="Jo Bloggs")
    assert person.email == "jo.bloggs@northshire.gov.uk"
    assert not person.has_usable_password()
    assert not person.is_staff

    data["email"] = "JO.BLOGGS@northshire.gov.uk"
    data["name"] = "Another Jo"
    response = admin_client.post(url("accounts_user_add"), data)
    assert "Someone already signs in with this email address." in page_errors(response)
    assert not User.objects.filter(name="Another Jo").exists()

    # Changing someone else's email to an existing one, in any case, is refused too.
    page = admin_client.get(url("accounts_user_change", world.owner.pk))
    data = form_data(page, "user_form")
    data["email"] = "Priya.Lead@northshire.gov.uk"
    response = admin_client.post(url("accounts_user_change", world.owner.pk), data)
    assert "Someone already signs in with this email address." in page_errors(response)
    assert User.objects.get(pk=world.owner.pk).email == "sam.owner@northshire.gov.uk"


def test_making_someone_a_plan_administrator_is_saved(world: World, admin_client: Client) -> None:
    page = admin_client.get(url("accounts_user_change", world.lead.pk))
    data = form_data(page, "user_form")
    assert "is_staff" not in data
    data["is_staff"] = "on"
    data["job_title"] = "Head of SEND"
    response = admin_client.post(url("accounts_user_change", world.lead.pk), data)
    assert response.status_code == 302, page_errors(response)
    fresh = User.objects.get(pk=world.lead.pk)
    assert fresh.is_staff
    assert fresh.job_title == "Head of SEND"
    assert fresh.check_password("correct horse battery")  # the password is untouched
