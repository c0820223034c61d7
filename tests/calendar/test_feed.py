"""A person's calendar feed: what it shows, that it parses, and who can open it."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from actions.models import ActionStatus, PlanStatus, Rag
from actions.services import action_update_status
from notifications.links import calendar_token, calendar_url, preferences_url
from tests.api.conftest import client_for
from tests.calendar.ical import Component, parse, physical_lines
from tests.factories import ActionFactory, MilestoneFactory, RecommendationFactory
from tests.notifications.conftest import Clock, SmallPlan
from tests.notifications.link_pages.pages import assert_accessible_form

d = dt.date
pytestmark = pytest.mark.django_db

AWKWARD = "Zoë's café, Müller; SENCO\\speech & language — 2 posts, ½ time; review ✓"


def feed_path(person: User) -> str:
    return urlsplit(calendar_url(user_id=person.pk, password=person.password)).path


def fetch(person: User) -> Component:
    response = Client().get(feed_path(person))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return parse(response.content)


def events(calendar: Component) -> dict[str, Component]:
    assert calendar.name == "VCALENDAR"
    return {e.text("SUMMARY"): e for e in calendar.children if e.name == "VEVENT"}


def test_the_feed_lists_what_the_person_owns_supports_and_leads(
    small_plan: SmallPlan, clock: Clock
) -> None:
    owned = small_plan.action(due=d(2026, 12, 18), reference="1.1", title="Recruit psychologists")
    supported = small_plan.action(
        due=d(2027, 1, 15),
        reference="1.2",
        title="Publish the local offer",
        owner=small_plan.lead,
        supporting_owners=[small_plan.owner],
    )
    small_plan.action(
        due=d(2026, 12, 1),
        reference="1.3",
        title="Already done",
        status=ActionStatus.COMPLETED,
        rag=Rag.BLUE,
        completed_on=d(2026, 11, 20),
    )
    small_plan.action(
        due=d(2026, 12, 2), reference="1.4", title="Someone else's", owner=small_plan.lead
    )
    draft = RecommendationFactory.create(plan__status=PlanStatus.DRAFT, lead=small_plan.owner)
    ActionFactory.create(recommendation=draft, owner=small_plan.owner, title="In a draft plan")

    calendar = fetch(small_plan.owner)

    assert calendar.get("VERSION") == "2.0"
    assert calendar.get("PRODID") == "-//Action plan delivery service//Due dates//EN"
    assert sorted(events(calendar)) == [
        "Due: action 1.1 Recruit psychologists",
        "Due: action 1.2 Publish the local offer",
    ]
    event = events(calendar)["Due: action 1.1 Recruit psychologists"]
    assert event.get("UID") == f"action-{owned.pk}@127.0.0.1"
    assert event.get("DTSTART") == "20261218"
    assert event.params("DTSTART") == {"VALUE": "DATE"}
    assert event.get("DTEND") == "20261219"
    assert event.params("DTEND") == {"VALUE": "DATE"}
    assert event.get("DTSTAMP") == "20261125T093000Z"
    assert event.text("DESCRIPTION") == (
        f"{small_plan.plan.title}, recommendation 1.\n"
        "You own this action.\nStatus: In progress. RAG: Green (on track).\nLast update: none yet."
    )
    other = events(calendar)["Due: action 1.2 Publish the local offer"]
    assert "You support this action; Priya Lead owns it." in other.text("DESCRIPTION")
    assert other.get("UID") == f"action-{supported.pk}@127.0.0.1"


def test_a_lead_sees_the_milestones_of_the_recommendations_they_lead(
    small_plan: SmallPlan, clock: Clock
) -> None:
    milestone = small_plan.milestone(due=d(2027, 2, 26), title="Assessments within 20 weeks")
    small_plan.milestone(due=d(2026, 10, 1), title="Achieved", achieved_on=d(2026, 9, 30))
    MilestoneFactory.create(due_date=d(2027, 2, 1), title="Someone else's milestone")

    found = events(fetch(small_plan.lead))

    assert list(found) == ["Milestone: Assessments within 20 weeks"]
    event = found["Milestone: Assessments within 20 weeks"]
    assert event.get("UID") == f"milestone-{milestone.pk}@127.0.0.1"
    assert event.get("DTSTART") == "20270226"
    assert events(fetch(small_plan.owner)) == {}


def test_commas_semicolons_backslashes_and_accents_survive_folding_and_escaping(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=d(2026, 12, 18), reference="1.1", title=AWKWARD * 2)
    response = Client().get(feed_path(small_plan.owner))

    lines = physical_lines(response.content)
    assert max(len(line) for line in lines) == 75  # folded, and folded as late as allowed
    [event] = events(parse(response.content)).values()
    assert event.text("SUMMARY") == f"Due: action 1.1 {AWKWARD * 2}"
    assert "\\;" in event.get("SUMMARY") and "\\," in event.get("SUMMARY")


def test_uids_stay_the_same_when_an_item_changes(small_plan: SmallPlan, clock: Clock) -> None:
    action = small_plan.action(due=d(2026, 12, 18), reference="1.1", title="Recruit")
    before = events(fetch(small_plan.owner))["Due: action 1.1 Recruit"]
    assert events(fetch(small_plan.owner))["Due: action 1.1 Recruit"] == before  # same twice

    clock.go_to(d(2026, 11, 26))
    action.due_date = d(2027, 1, 8)
    action.save()
    action_update_status(action=action, by=small_plan.owner, commentary="Moved to January.")
    after = events(fetch(small_plan.owner))["Due: action 1.1 Recruit"]

    assert after.get("UID") == before.get("UID")
    assert after.get("DTSTART") == "20270108"
    assert int(after.get("SEQUENCE")) > int(before.get("SEQUENCE"))
    assert after.get("DTSTAMP") == "20261126T093000Z"
    assert "Last update: Thursday 26 November 2026." in after.text("DESCRIPTION")


def test_a_tampered_token_is_not_found(small_plan: SmallPlan, clock: Clock) -> None:
    path = feed_path(small_plan.owner)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    # The last character changed to one it is not (a signature ends in "A" one time in 64).
    tampered = token[:-1] + ("B" if token.endswith("A") else "A")
    assert Client().get(f"/calendar/{tampered}.ics").status_code == 404
    assert Client().get(f"/calendar/{token[:-1]}.ics").status_code == 404
    assert Client().get("/calendar/nonsense.ics").status_code == 404


def test_a_token_cannot_be_turned_into_someone_elses(small_plan: SmallPlan, clock: Clock) -> None:
    small_plan.action(due=d(2026, 12, 18), title="The owner's own")
    mine = calendar_token(user_id=small_plan.supporter.pk, password=small_plan.supporter.password)
    _, signature = mine.rsplit(":", 1)
    # A token for the owner's id, signed with the supporter's signature: refused.
    forged = calendar_token(user_id=small_plan.owner.pk, password="guess").rsplit(":", 1)[0]
    assert Client().get(f"/calendar/{forged}:{signature}.ics").status_code == 404
    # The owner's id with a wrong fingerprint, properly signed (as if the key had leaked
    # for another password): the link is not current.
    wrong = calendar_token(user_id=small_plan.owner.pk, password="an old password")
    assert Client().get(f"/calendar/{wrong}.ics").status_code == 410
    assert events(fetch(small_plan.supporter)) == {}


def test_a_new_password_revokes_the_old_link(small_plan: SmallPlan, clock: Clock) -> None:
    old = feed_path(small_plan.owner)
    small_plan.owner.set_password("a brand new passphrase")
    small_plan.owner.save()
    response = Client().get(old)
    assert response.status_code == 410
    assert "no longer works" in response.content.decode()
    assert Client().get(feed_path(small_plan.owner)).status_code == 200


def test_a_closed_account_gets_no_feed(small_plan: SmallPlan, clock: Clock) -> None:
    path = feed_path(small_plan.owner)
    User.objects.filter(pk=small_plan.owner.pk).update(is_active=False)
    assert Client().get(path).status_code == 410


def test_the_feed_is_read_only(small_plan: SmallPlan, clock: Clock) -> None:
    assert Client().post(feed_path(small_plan.owner)).status_code == 405
    assert Client().head(feed_path(small_plan.owner)).status_code == 200


def test_the_feed_costs_the_same_queries_for_one_item_or_many(
    small_plan: SmallPlan, clock: Clock
) -> None:
    path = feed_path(small_plan.owner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(path).status_code == 200
        return len(captured)

    small_plan.action(due=d(2026, 12, 18), reference="0.1")
    one = queries()
    for n in range(20):
        small_plan.action(
            due=d(2026, 12, 18), reference=f"9.{n}", supporting_owners=[small_plan.supporter]
        )
    assert queries() == one


# --- Where the person finds it --------------------------------------------------------------


def test_a_signed_in_person_gets_their_own_feed_address(
    small_plan: SmallPlan, clock: Clock
) -> None:
    small_plan.action(due=d(2026, 12, 18), reference="1.1", title="Recruit")
    answer = client_for(small_plan.owner).get("/api/me/calendar/")
    assert answer.status_code == 200
    url = answer.json()["url"]
    assert url.startswith("http://127.0.0.1:8000/calendar/") and url.endswith(".ics")
    assert url == client_for(small_plan.owner).get("/api/me/calendar").json()["url"]  # stable
    response = Client().get(urlsplit(url).path)
    assert list(events(parse(response.content))) == ["Due: action 1.1 Recruit"]


def test_nobody_signed_out_gets_a_feed_address(small_plan: SmallPlan, clock: Clock) -> None:
    assert client_for(None).get("/api/me/calendar/").status_code == 401


def test_the_reminder_preferences_page_gives_the_person_their_feed_address(
    small_plan: SmallPlan, clock: Clock
) -> None:
    """Most people never use the API: the page linked from every reminder shows the address."""
    small_plan.action(due=d(2026, 12, 18), reference="1.1", title="Recruit")
    page = Client().get(urlsplit(preferences_url(user_id=small_plan.owner.pk)).path)
    assert page.status_code == 200

    form = assert_accessible_form(page.content.decode())
    box = form.by_id("calendar-url")
    [label] = form.all("label", **{"for": "calendar-url"})
    assert label.text.strip() == "Calendar address"
    assert "readonly" in box.attrs and box.attrs["aria-describedby"] == "calendar-url-hint"
    url = str(box.attrs["value"])
    assert url == calendar_url(user_id=small_plan.owner.pk, password=small_plan.owner.password)
    assert list(events(parse(Client().get(urlsplit(url).path).content))) == [
        "Due: action 1.1 Recruit"
    ]
