"""The action page: what the action is, its history, and the update form for whoever may
report progress, all through the rules the API uses."""

import datetime as dt
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from actions.dates import LONDON
from actions.models import Action, ActionStatus, ProgressUpdate, Rag
from actions.services import action_update_status, model_update
from notifications.models import Audience, Escalation
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MilestoneFactory,
    OutcomeFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.plan_pages.html import read_page

pytestmark = pytest.mark.django_db

# Wednesday 2 December 2026, mid-morning in London.
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)
RED_NEEDS_COMMENTARY = (
    "Explain what is happening: commentary is required when an action is rated red."
)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(clock: time_machine.Traveller) -> dict[str, Any]:
    # The plan was set up in the summer; the tests run on NOW.
    clock.move_to(dt.datetime(2026, 9, 1, 9, 0, tzinfo=LONDON))
    owner = UserFactory.create(name="Olu Owner")
    helper = UserFactory.create(name="Sam Supporter")
    lead = UserFactory.create(name="Lena Lead")
    member = UserFactory.create(name="Bo Board")
    admin = UserFactory.create(name="Ada Admin", is_staff=True)
    plan = PlanFactory.create(title="Northshire WSOA", board=BoardFactory.create(members=[member]))
    recommendation = RecommendationFactory.create(
        plan=plan, lead=lead, number=1, title="Assess needs on time"
    )
    outcome = OutcomeFactory.create(recommendation=recommendation, title="Plans within 20 weeks")
    action = ActionFactory.create(
        recommendation=recommendation,
        outcome=outcome,
        reference="1.1",
        title="Clear the assessment backlog",
        owner=owner,
        supporting_owners=[helper],
        due_date=dt.date(2026, 11, 25),
        rag=Rag.GREEN,
    )
    milestone = MilestoneFactory.create(
        recommendation=recommendation,
        title="Backlog cleared",
        due_date=dt.date(2027, 1, 29),
        actions=[action],
    )
    stranger = UserFactory.create(name="Otto Other")
    ActionFactory.create(owner=stranger, title="Another plan's action")
    clock.move_to(NOW)
    return {
        "owner": owner,
        "helper": helper,
        "lead": lead,
        "member": member,
        "admin": admin,
        "stranger": stranger,
        "plan": plan,
        "recommendation": recommendation,
        "action": action,
        "milestone": milestone,
    }


def url(action: Action) -> str:
    return f"/workspace/actions/{action.pk}/"


def as_person(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def page(client: Client, action: Action) -> str:
    response = client.get(url(action))
    assert response.status_code == 200
    return response.content.decode()


def an_update(version: int, **fields: str) -> dict[str, str]:
    data = {
        "version": str(version),
        "status": ActionStatus.IN_PROGRESS,
        "rag": Rag.GREEN,
        "commentary": "",
        "completed_on_day": "",
        "completed_on_month": "",
        "completed_on_year": "",
        "evidence_links": "",
    }
    data.update(fields)
    return data


class FormReader(HTMLParser):
    """The update form as a browser would send it: checked radios, typed text, hidden values;
    and the error summary's links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.summary_links: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._link: str | None = None
        self._in_summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if "govuk-error-summary__list" in a.get("class", ""):
            self._in_summary = True
        if tag == "input" and a.get("name") and (a.get("type") != "radio" or "checked" in a):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""
        elif tag == "a" and self._in_summary:
            self._link = a.get("href", "")
            self.summary_links.append((self._link, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "ul" and self._in_summary:
            self._in_summary = False
        elif tag == "a":
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.values[self._textarea] += data
        if self._link is not None:
            href, text = self.summary_links[-1]
            self.summary_links[-1] = (href, " ".join(f"{text} {data}".split()))


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def history(html: str) -> list[str]:
    """The history's entries, newest first, each as its words."""
    part = html[html.index('id="history"') :]
    items = re.findall(
        r'<li class="app-timeline__item">(.*?)</li>\s*(?=<li class="app|</ol>)', part, re.S
    )
    return [read_page(item).text for item in items]


# --- Who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "helper", "lead", "member", "admin"])
def test_everyone_who_may_read_the_action_sees_its_page(
    client: Client, world: dict[str, Any], who: str
) -> None:
    html = page(as_person(client, world[who]), world["action"])
    reader = read_page(html)
    assert (1, "1.1 Clear the assessment backlog") in reader.headings
    assert "Olu Owner" in reader.text
    assert "Sam Supporter" in reader.text
    assert "Plans within 20 weeks" in reader.text


@pytest.mark.parametrize("who", ["owner", "helper", "lead", "admin"])
def test_the_people_who_may_report_progress_get_the_form(
    client: Client, world: dict[str, Any], who: str
) -> None:
    html = page(as_person(client, world[who]), world["action"])
    assert (2, "Report progress") in read_page(html).headings
    assert read_form(html).values["version"] == str(world["action"].version)


def test_a_board_member_who_may_only_read_sees_no_form_and_a_post_is_refused(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    as_person(client, world["member"])
    html = page(client, action)
    assert (2, "Report progress") not in read_page(html).headings
    assert 'name="commentary"' not in html

    response = client.post(
        url(action), an_update(action.version, rag=Rag.AMBER, commentary="Slipping.")
    )

    assert response.status_code == 403
    assert "You cannot report progress on this action" in response.content.decode()
    assert not ProgressUpdate.objects.filter(action=action).exists()
    assert Action.objects.get(pk=action.pk).version == action.version


def test_someone_from_another_plan_gets_404_for_the_page_and_for_a_post(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    as_person(client, world["stranger"])

    assert client.get(url(action)).status_code == 404
    response = client.post(url(action), an_update(action.version, rag=Rag.AMBER, commentary="x"))

    assert response.status_code == 404
    assert not ProgressUpdate.objects.filter(action=action).exists()


def test_an_action_that_does_not_exist_is_a_404_like_one_the_person_may_not_read(
    client: Client, world: dict[str, Any]
) -> None:
    as_person(client, world["admin"])
    assert client.get("/workspace/actions/999999/").status_code == 404


def test_someone_signed_out_is_sent_to_sign_in_and_back(
    client: Client, world: dict[str, Any]
) -> None:
    response = client.get(url(world["action"]))
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next=/workspace/actions/{world['action'].pk}/"


# --- What the page says -------------------------------------------------------------------


def test_the_summary_says_how_late_the_action_is_in_working_days(
    client: Client, world: dict[str, Any]
) -> None:
    text = read_page(page(as_person(client, world["owner"]), world["action"])).text
    # 25 November to 2 December: 26, 27, 30 November, 1 and 2 December.
    assert "Due date 25 November 2026 5 working days overdue" in text
    assert "Status In progress" in text
    assert "RAG rating Green" in text
    assert "Date completed Not completed" in text


def test_an_action_due_later_says_how_many_working_days_are_left(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    Action.objects.filter(pk=action.pk).update(due_date=dt.date(2026, 12, 9))
    text = read_page(page(as_person(client, world["owner"]), action)).text
    assert "Due date 9 December 2026 Due in 5 working days" in text


def test_a_completed_action_shows_its_completion_date_and_is_not_late(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    action_update_status(
        action=action,
        by=world["owner"],
        status=ActionStatus.COMPLETED,
        completed_on=dt.date(2026, 11, 30),
    )
    text = read_page(page(as_person(client, world["owner"]), action)).text
    assert "Date completed 30 November 2026" in text
    assert "Status Completed" in text
    assert "RAG rating Blue (complete)" in text
    assert "overdue" not in text


def test_the_caption_and_summary_link_to_the_plan_and_the_recommendation(
    client: Client, world: dict[str, Any]
) -> None:
    links = read_page(page(as_person(client, world["owner"]), world["action"])).links
    assert (f"/workspace/plans/{world['plan'].pk}/", "Northshire WSOA") in links
    recommendation = f"/workspace/recommendations/{world['recommendation'].pk}/"
    assert (recommendation, "recommendation 1: Assess needs on time") in links
    assert (recommendation, "1. Assess needs on time") in links


def test_a_lead_sees_the_actions_milestones_and_where_to_mark_them_achieved(
    client: Client, world: dict[str, Any]
) -> None:
    reader = read_page(page(as_person(client, world["lead"]), world["action"]))
    assert "Milestones Backlog cleared: due 29 January 2027" in reader.text
    milestones = f"/workspace/recommendations/{world['recommendation'].pk}/#milestones"
    assert (milestones, "See the milestones on the recommendation's page") in reader.links


def test_an_owner_is_not_shown_milestones_the_api_does_not_let_them_read(
    client: Client, world: dict[str, Any]
) -> None:
    text = read_page(page(as_person(client, world["owner"]), world["action"])).text
    assert "Backlog cleared" not in text


def test_evidence_links_are_links_and_only_web_addresses_are(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    action_update_status(
        action=action,
        by=world["owner"],
        rag=Rag.AMBER,
        commentary="Panel papers attached.",
        evidence_links=["https://docs.example.gov.uk/panel.pdf"],
    )
    # Written past the service (an import, an old row): shown, never followed.
    ProgressUpdate.objects.create(
        action=action,
        author=world["owner"],
        previous_status=action.status,
        status=action.status,
        previous_rag=Rag.AMBER,
        rag=Rag.AMBER,
        commentary="Odd link.",
        evidence_links=["javascript:alert(1)"],
    )
    html = page(as_person(client, world["owner"]), action)
    links = read_page(html).links
    assert (
        "https://docs.example.gov.uk/panel.pdf",
        "https://docs.example.gov.uk/panel.pdf",
    ) in links
    assert "javascript:alert(1)" in read_page(html).text
    assert not [href for href, _ in links if href.startswith("javascript")]


def test_the_latest_update_is_summarised_with_its_author_and_date(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    action_update_status(
        action=action, by=world["helper"], rag=Rag.AMBER, commentary="Two posts unfilled."
    )
    text = read_page(page(as_person(client, world["member"]), action)).text
    assert "Latest update 2 December 2026, by Sam Supporter Two posts unfilled." in text


def test_the_history_tells_updates_changes_and_escalations_newest_first_in_london_time(
    client: Client, world: dict[str, Any], clock: time_machine.Traveller
) -> None:
    action, lead, owner = world["action"], world["lead"], world["owner"]
    clock.move_to(dt.datetime(2026, 10, 20, 9, 15, tzinfo=LONDON))  # British Summer Time
    action_update_status(action=action, by=owner, rag=Rag.AMBER, commentary="Agency ends.")
    clock.move_to(dt.datetime(2026, 11, 26, 8, 0, tzinfo=LONDON))
    escalation = Escalation.objects.create(
        plan=world["plan"],
        action=action,
        due_date=action.due_date,
        level=1,
        audience=Audience.OWNER,
        working_days_overdue=1,
        created_at=dt.datetime(2026, 11, 26, 8, 0, tzinfo=LONDON),
    )
    escalation.told.set([owner])
    clock.move_to(dt.datetime(2026, 11, 27, 14, 30, tzinfo=LONDON))
    model_update(instance=action, by=lead, fields={"due_date": dt.date(2027, 1, 15)})
    Escalation.objects.filter(pk=escalation.pk).update(
        resolved_at=dt.datetime(2026, 11, 27, 14, 35, tzinfo=LONDON),
        resolution="The due date moved.",
    )
    clock.move_to(NOW)

    entries = history(page(as_person(client, world["member"]), action))

    assert entries[0].startswith("Escalation level 1 resolved 27 November 2026 at 14:35")
    assert "The due date moved." in entries[0]
    assert entries[1] == (
        "Due date changed by Lena Lead, 27 November 2026 at 14:30 "
        "Due date: from 25 November 2026 to 15 January 2027"
    )
    assert entries[2].startswith(
        "Escalated to level 1: The action's owner 26 November 2026 at 08:00 Told: Olu Owner."
    )
    assert entries[3] == (
        "Progress update by Olu Owner, 20 October 2026 at 09:15 "
        "RAG rating: from Green (on track) to Amber (at risk) Agency ends."
    )
    assert entries[-1].startswith("Action added to the plan")


def test_the_page_tells_the_same_history_as_the_api(
    client: Client, world: dict[str, Any], clock: time_machine.Traveller
) -> None:
    action = world["action"]
    action_update_status(action=action, by=world["owner"], rag=Rag.AMBER, commentary="One.")
    clock.shift(dt.timedelta(minutes=5))
    model_update(instance=action, by=world["lead"], fields={"title": "Clear the backlog"})
    clock.shift(dt.timedelta(minutes=5))
    action_update_status(action=action, by=world["helper"], rag=Rag.RED, commentary="Two.")
    as_person(client, world["lead"])

    api = client.get(f"/api/actions/{action.pk}/history/").json()["results"]
    entries = history(page(client, action))

    assert len(entries) == len(api) == 4
    for entry, shown in zip(api, entries, strict=True):
        assert shown.startswith(
            {"progress_update": "Progress update", "change": "Title changed"}.get(
                entry["kind"], "Action added"
            )
        )
        if entry["by_name"]:
            assert f"by {entry['by_name']}," in shown


# --- Recording an update ------------------------------------------------------------------


def test_an_owner_records_an_amber_update_and_sees_it_at_the_top_of_the_history(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    as_person(client, world["owner"])
    sent = read_form(page(client, action)).values
    sent.update(
        rag=Rag.AMBER,
        commentary="Two assessors off sick.",
        evidence_links="https://docs.example.gov.uk/a.pdf\n\n  https://docs.example.gov.uk/b.pdf ",
    )

    response = client.post(url(action), sent)

    assert response.status_code == 302
    assert response["Location"] == url(action)
    update = ProgressUpdate.objects.get(action=action)
    assert (update.author, update.rag, update.status) == (world["owner"], "amber", "in_progress")
    assert update.commentary == "Two assessors off sick."
    assert update.evidence_links == [
        "https://docs.example.gov.uk/a.pdf",
        "https://docs.example.gov.uk/b.pdf",
    ]
    assert Action.objects.get(pk=action.pk).version == action.version + 1
    html = page(client, action)
    assert "Your update has been saved" in read_page(html).text
    assert history(html)[0].startswith("Progress update by Olu Owner, 2 December 2026 at 10:00")
    assert "Two assessors off sick." in history(html)[0]


@pytest.mark.parametrize("who", ["helper", "lead", "admin"])
def test_supporting_owners_leads_and_administrators_record_updates_too(
    client: Client, world: dict[str, Any], who: str
) -> None:
    action = world["action"]
    as_person(client, world[who])
    response = client.post(url(action), an_update(action.version, commentary="On track."))
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(action=action)
    assert (update.author, update.commentary) == (world[who], "On track.")


def test_red_without_commentary_is_refused_with_the_services_message_on_the_field(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    as_person(client, world["owner"])
    sent = an_update(action.version, rag=Rag.RED, evidence_links="https://x.example.gov.uk/1")

    response = client.post(url(action), sent)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    form = read_form(html)
    assert form.summary_links == [("#commentary", RED_NEEDS_COMMENTARY)]
    assert 'id="commentary-error"' in html
    assert form.values["rag"] == "red"
    assert form.values["evidence_links"] == "https://x.example.gov.uk/1"
    assert not ProgressUpdate.objects.filter(action=action).exists()


def test_blocking_without_saying_why_is_refused(client: Client, world: dict[str, Any]) -> None:
    action = world["action"]
    as_person(client, world["helper"])
    response = client.post(url(action), an_update(action.version, status=ActionStatus.BLOCKED))
    form = read_form(response.content.decode())
    assert form.summary_links == [("#commentary", "Say what is blocking the action.")]
    assert form.values["status"] == "blocked"


def test_the_completion_date_is_read_from_day_month_and_year(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    as_person(client, world["lead"])
    response = client.post(
        url(action),
        an_update(
            action.version,
            status=ActionStatus.COMPLETED,
            rag=Rag.BLUE,
            completed_on_day="1",
            completed_on_month="12",
            completed_on_year="2026",
        ),
    )
    assert response.status_code == 302
    stored = Action.objects.get(pk=action.pk)
    assert (stored.status, stored.rag, stored.completed_on) == (
        "completed",
        "blue",
        dt.date(2026, 12, 1),
    )


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2026", "Date completed must be a real date, for example 27 3 2026."),
        ("1", "", "2026", "Date completed must include a month."),
        ("1", "12", "26", "Date completed must be a real date, for example 27 3 2026."),
        ("3", "12", "2026", "The completion date cannot be in the future."),
    ],
)
def test_a_completion_date_that_is_wrong_is_refused_on_the_date(
    client: Client, world: dict[str, Any], day: str, month: str, year: str, message: str
) -> None:
    action = world["action"]
    as_person(client, world["owner"])
    sent = an_update(
        action.version,
        status=ActionStatus.COMPLETED,
        rag=Rag.BLUE,
        completed_on_day=day,
        completed_on_month=month,
        completed_on_year=year,
    )
    response = client.post(url(action), sent)
    form = read_form(response.content.decode())
    assert form.summary_links == [("#completed_on_day", message)]
    assert (form.values["completed_on_day"], form.values["completed_on_year"]) == (day, year)
    assert Action.objects.get(pk=action.pk).status == ActionStatus.IN_PROGRESS


def test_an_evidence_link_that_is_not_a_web_address_is_named(
    client: Client, world: dict[str, Any]
) -> None:
    action = world["action"]
    as_person(client, world["owner"])
    links = "https://docs.example.gov.uk/a.pdf\nthe shared drive"
    response = client.post(
        url(action), an_update(action.version, commentary="Notes.", evidence_links=links)
    )
    form = read_form(response.content.decode())
    assert form.summary_links == [
        (
            "#evidence_links",
            "Evidence link 2 is not a web address (http or https): the shared drive",
        )
    ]
    assert not ProgressUpdate.objects.exists()


def test_a_choice_that_is_not_in_the_list_is_refused(client: Client, world: dict[str, Any]) -> None:
    action = world["action"]
    as_person(client, world["owner"])
    response = client.post(url(action), an_update(action.version, rag="purple"))
    assert read_form(response.content.decode()).summary_links == [
        ("#rag", "Choose one of the RAG ratings in the list.")
    ]


def test_a_stale_update_says_what_changed_meanwhile_and_keeps_what_was_typed(
    client: Client, world: dict[str, Any], clock: time_machine.Traveller
) -> None:
    action = world["action"]
    as_person(client, world["owner"])
    sent = read_form(page(client, action)).values
    sent.update(rag=Rag.AMBER, commentary="Recruitment under way.")
    clock.move_to(dt.datetime(2026, 12, 2, 10, 42, tzinfo=LONDON))
    action_update_status(
        action=Action.objects.get(pk=action.pk),
        by=world["lead"],
        status=ActionStatus.BLOCKED,
        rag=Rag.RED,
        commentary="Funding withdrawn.",
    )
    clock.move_to(dt.datetime(2026, 12, 2, 10, 45, tzinfo=LONDON))

    response = client.post(url(action), sent)

    assert response.status_code == 409
    html = response.content.decode()
    form = read_form(html)
    assert form.summary_links == [
        (
            "#status",
            "Lena Lead changed the status from In progress to Blocked and the RAG rating from "
            "Green (on track) to Red (off track) at 10:42",
        )
    ]
    assert "The action is now blocked, rated red (off track)." in read_page(html).text
    assert "Status Blocked" in read_page(html).text
    assert form.values["commentary"] == "Recruitment under way."
    assert form.values["rag"] == "amber"
    current = Action.objects.get(pk=action.pk)
    assert form.values["version"] == str(current.version)
    assert ProgressUpdate.objects.filter(action=action).count() == 1

    # Sent again as it stands, it is recorded.
    form.values["status"] = ActionStatus.IN_PROGRESS
    again = client.post(url(action), form.values)
    assert again.status_code == 302
    latest = ProgressUpdate.objects.filter(action=action).first()
    assert latest is not None and latest.commentary == "Recruitment under way."


def test_a_stale_update_names_a_change_of_due_date_made_on_an_earlier_day(
    client: Client, world: dict[str, Any], clock: time_machine.Traveller
) -> None:
    action = world["action"]
    as_person(client, world["lead"])
    # The page opened yesterday afternoon, and sent this morning.
    clock.move_to(dt.datetime(2026, 12, 1, 15, 0, tzinfo=LONDON))
    sent = read_form(page(client, action)).values
    sent.update(rag=Rag.AMBER, commentary="Slipping.")
    clock.move_to(dt.datetime(2026, 12, 1, 16, 5, tzinfo=LONDON))
    model_update(
        instance=Action.objects.get(pk=action.pk),
        by=world["admin"],
        fields={"due_date": dt.date(2026, 12, 18), "owner": world["helper"]},
    )
    clock.move_to(NOW)

    response = client.post(url(action), sent)

    assert read_form(response.content.decode()).summary_links == [
        (
            "#summary",
            "Ada Admin changed the owner from Olu Owner to Sam Supporter and the due date from "
            "25 November 2026 to 18 December 2026 at 16:05 on 1 December 2026",
        )
    ]


def test_a_stale_update_names_a_completion_made_meanwhile(
    client: Client, world: dict[str, Any], clock: time_machine.Traveller
) -> None:
    action = world["action"]
    as_person(client, world["owner"])
    sent = read_form(page(client, action)).values
    sent.update(commentary="Nearly there.")
    clock.move_to(dt.datetime(2026, 12, 2, 11, 5, tzinfo=LONDON))
    action_update_status(
        action=Action.objects.get(pk=action.pk),
        by=world["helper"],
        status=ActionStatus.COMPLETED,
        completed_on=dt.date(2026, 12, 1),
    )

    response = client.post(url(action), sent)

    assert read_form(response.content.decode()).summary_links == [
        (
            "#status",
            "Sam Supporter changed the status from In progress to Completed, the RAG rating "
            "from Green (on track) to Blue (complete) and the completion date from Not set to "
            "1 December 2026 at 11:05",
        )
    ]


# --- Cost and policy ------------------------------------------------------------------------


def _a_long_history(world: dict[str, Any], clock: time_machine.Traveller) -> None:
    action = world["action"]
    people = UserFactory.create_batch(5)
    action.supporting_owners.add(*people)
    for number in range(12):
        clock.shift(dt.timedelta(minutes=3))
        action_update_status(
            action=action,
            by=world["owner"],
            rag=Rag.AMBER if number % 2 else Rag.RED,
            commentary=f"Update {number}.",
            evidence_links=[f"https://docs.example.gov.uk/{number}.pdf"],
        )
        clock.shift(dt.timedelta(minutes=3))
        model_update(
            instance=action,
            by=world["lead"],
            fields={"due_date": dt.date(2027, 1, 1) + dt.timedelta(days=number)},
        )
    for level in range(1, 4):
        escalation = Escalation.objects.create(
            plan=world["plan"],
            action=action,
            due_date=action.due_date,
            level=level,
            audience=Audience.OWNER,
            working_days_overdue=level,
            created_at=NOW,
        )
        escalation.told.set(people)
    for _ in range(4):
        MilestoneFactory.create(recommendation=world["recommendation"], actions=[action])


# The session and the person; the action with its plan, recommendation, outcome and latest
# update; its supporting owners; the audit records, their supporting owners, the progress
# updates and the names they point to (three); the milestones; the escalations and who was
# told.
QUERIES = 13


def test_the_page_costs_the_same_number_of_queries_however_long_its_history(
    client: Client,
    world: dict[str, Any],
    clock: time_machine.Traveller,
    django_assert_max_num_queries: Any,
) -> None:
    as_person(client, world["lead"])
    with django_assert_max_num_queries(QUERIES):
        page(client, world["action"])
    _a_long_history(world, clock)
    with django_assert_max_num_queries(QUERIES):
        html = page(client, world["action"])
    # 12 updates, 12 changes of due date, a change of supporting owners, 3 escalations.
    assert len(history(html)) == 1 + 12 + 12 + 1 + 3


def test_the_page_has_no_inline_script_or_style(client: Client, world: dict[str, Any]) -> None:
    html = page(as_person(client, world["owner"]), world["action"])
    assert "<script" not in html
    assert "<style" not in html
    assert "style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
