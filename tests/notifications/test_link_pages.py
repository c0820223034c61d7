"""The pages reached from email links: update an action without a password, change reminders.

Every refusal (used, expired, tampered, no longer allowed, action gone, refused by the status
service) must leave the plan exactly as it was; a good update is recorded once, by the person
the link was sent to, through the same status service and audit as the API.
"""

import datetime as dt
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from actions.models import Action, ActionStatus, ProgressUpdate, Rag
from actions.services import action_update_status
from notifications.links import preferences_url, read_update_token, update_token
from notifications.models import NotificationPreference, UpdateLinkUse
from notifications.preferences import preferences_update
from notifications.services import reminders_queue
from tests.factories import ActionFactory, PlanFactory, RecommendationFactory, UserFactory
from tests.snapshots import action_state

# 10:00 in London (GMT) on Wednesday 25 November 2026.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def owner(db: None) -> User:
    return UserFactory.create(name="Owen Owner", email="owen.owner@northshire.gov.uk")


@pytest.fixture
def action(clock: time_machine.Traveller, owner: User) -> Action:
    plan = PlanFactory.create(title="Northshire SEND Written Statement of Action")
    lead = UserFactory.create(name="Priya Lead", email="priya.lead@northshire.gov.uk")
    recommendation = RecommendationFactory.create(
        plan=plan, number=2, title="Improve the timeliness of EHC plans", lead=lead
    )
    return ActionFactory.create(
        recommendation=recommendation,
        reference="2.3",
        title="Recruit two additional educational psychologists",
        owner=owner,
        due_date=dt.date(2026, 12, 18),
        status=ActionStatus.IN_PROGRESS,
        rag=Rag.GREEN,
    )


def link_to(action: Action, person: User, notification_id: int = 1) -> str:
    token = update_token(action_id=action.pk, user_id=person.pk, notification_id=notification_id)
    return reverse("update-link", args=[token])


def snapshot(action: Action) -> tuple[Any, ...]:
    """Everything a link could change about an action, its record and the links."""
    return (*action_state(action), UpdateLinkUse.objects.count())


AMBER_UPDATE = {
    "status": ActionStatus.IN_PROGRESS,
    "rag": Rag.AMBER,
    "commentary": "One psychologist starts in January; the second post is out to advert again.",
    "completed_on": "",
}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None], parents: list["Element"]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parents = parents
        self.text = ""


class Page(HTMLParser):
    """The page's elements, each with its ancestors and text: enough to check its structure."""

    VOID = {"input", "meta", "br", "link", "img", "hr"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), list(self._open))
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += f" {data}"

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def by_id(self, id_: str) -> Element:
        [element] = [e for e in self.elements if e.attrs.get("id") == id_]
        return element

    def inputs(self) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag in ("input", "textarea", "select")
            and e.attrs.get("type") not in ("hidden", "submit")
        ]

    def title(self) -> str:
        return " ".join(self.all("title")[0].text.split())


def text_of(html: str) -> str:
    page = Page(html)
    return " ".join(page.all("main")[0].text.split())


def assert_accessible_form(html: str) -> Page:
    """The checks a screen reader user depends on, on any of these forms."""
    page = Page(html)
    assert page.all("html")[0].attrs["lang"] == "en-GB"
    assert page.all("a", href="#main")[0].text.strip() == "Skip to main content"
    assert page.by_id("main").tag == "main"
    assert len(page.all("h1")) == 1
    assert not page.all("script")
    labelled = {label.attrs["for"] for label in page.all("label")}
    for element in page.inputs():
        assert element.attrs.get("id") in labelled, f"no label for {element.attrs}"
        if element.attrs.get("type") == "radio":
            [fieldset] = [p for p in element.parents if p.tag == "fieldset"]
            legends = [e for e in page.all("legend") if fieldset in e.parents]
            assert legends and legends[0].text.strip()
    for element in page.elements:
        for id_ in (element.attrs.get("aria-describedby") or "").split():
            page.by_id(id_)  # every hint and error it points to is on the page
    [form] = page.all("form")
    assert form.attrs["method"] == "post"
    assert page.all("input", type="hidden", name="csrfmiddlewaretoken")
    return page


def error_summary(page: Page) -> dict[str, str]:
    """The error summary's links: the id each points to, and its message."""
    [summary] = [e for e in page.elements if e.attrs.get("role") == "alert"]
    [heading] = [e for e in page.all("h2") if summary in e.parents]
    assert heading.text.strip() == "There is a problem"
    links = {}
    for link in page.all("a"):
        if summary in link.parents:
            target = (link.attrs["href"] or "").removeprefix("#")
            assert page.by_id(target).tag in ("input", "textarea")
            links[target] = " ".join(link.text.split())
    return links


def checked(page: Page, name: str) -> list[str | None]:
    return [e.attrs.get("value") for e in page.all("input", name=name) if "checked" in e.attrs]


# --- Update without a password --------------------------------------------------------------


def test_the_link_shows_a_form_for_its_one_action_and_looking_changes_nothing(
    client: Client, action: Action, owner: User, clock: time_machine.Traveller
) -> None:
    clock.move_to(NOW - dt.timedelta(days=7))
    action_update_status(
        action=action, by=owner, commentary="Interviews booked for the first post."
    )
    clock.move_to(NOW)
    before = snapshot(action)
    url = link_to(action, owner)

    for _ in range(2):  # looking twice: a GET does not use the link up
        response = client.get(url)
        assert response.status_code == 200
    text = text_of(response.content.decode())

    assert "Update action 2.3" in text
    assert "Recruit two additional educational psychologists" in text
    assert "Northshire SEND Written Statement of Action" in text
    assert "Friday 18 December 2026" in text
    assert "Status now In progress" in text
    assert "RAG rating now Green (on track)" in text
    assert "Interviews booked for the first post." in text
    assert "recording this update as Owen Owner" in text
    page = Page(response.content.decode())
    assert checked(page, "status") == [ActionStatus.IN_PROGRESS]
    assert checked(page, "rag") == [Rag.GREEN]
    assert "no-store" in response["Cache-Control"]  # the link is in the address
    assert snapshot(action) == before


def test_an_update_is_recorded_once_by_the_person_the_link_was_sent_to(
    client: Client, action: Action, owner: User
) -> None:
    response = client.post(link_to(action, owner), AMBER_UPDATE)

    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Update recorded" in text
    assert "RAG rating Amber (at risk), changed from green (on track)" in text
    assert "Status In progress, unchanged" in text
    assert "One psychologist starts in January" in text
    [update] = ProgressUpdate.objects.filter(action=action)
    assert update.author == owner
    assert (update.previous_rag, update.rag) == (Rag.GREEN, Rag.AMBER)
    assert update.commentary == AMBER_UPDATE["commentary"]
    action.refresh_from_db()
    assert (action.status, action.rag, action.latest_update) == (
        ActionStatus.IN_PROGRESS,
        Rag.AMBER,
        update,
    )
    latest = action.history.latest()
    assert (latest.history_user, latest.history_change_reason, latest.rag) == (
        owner,
        "Progress update",
        Rag.AMBER,
    )
    [use] = UpdateLinkUse.objects.all()
    assert (use.action_id, use.used_at) == (action.pk, NOW)


def test_a_supporting_owner_records_the_update_under_their_own_name(
    client: Client, action: Action
) -> None:
    supporter = UserFactory.create(name="Sam Supporter", email="sam@nhs.example")
    action.supporting_owners.add(supporter)

    response = client.post(link_to(action, supporter), AMBER_UPDATE)

    assert response.status_code == 200
    assert ProgressUpdate.objects.get(action=action).author == supporter


def test_completing_an_action_records_the_date_it_was_completed(
    client: Client, action: Action, owner: User
) -> None:
    response = client.post(
        link_to(action, owner),
        {
            "status": ActionStatus.COMPLETED,
            "rag": Rag.BLUE,
            "commentary": "Both psychologists are in post.",
            "completed_on": "24/11/2026",
        },
    )

    assert response.status_code == 200
    assert "Date completed Tuesday 24 November 2026" in text_of(response.content.decode())
    action.refresh_from_db()
    assert (action.status, action.rag, action.completed_on) == (
        ActionStatus.COMPLETED,
        Rag.BLUE,
        dt.date(2026, 11, 24),
    )


def test_a_second_use_of_the_same_link_gets_the_already_used_page_and_changes_nothing(
    client: Client, action: Action, owner: User, clock: time_machine.Traveller
) -> None:
    url = link_to(action, owner)
    assert client.post(url, AMBER_UPDATE).status_code == 200
    after_first = snapshot(action)
    clock.move_to(NOW + dt.timedelta(hours=2))

    again = client.post(url, {**AMBER_UPDATE, "rag": Rag.RED, "commentary": "Worse now."})
    looking = client.get(url)

    for response in (again, looking):
        assert response.status_code == 410
        text = text_of(response.content.decode())
        assert "This link has already been used" in text
        assert "action 2.3 on Wednesday 25 November 2026 at 10:00" in text
        assert "Nothing has been changed" in text
    assert snapshot(action) == after_first
    # Another reminder's link for the same action still works.
    fresh_link = link_to(action, owner, notification_id=2)
    assert client.post(
        fresh_link, {**AMBER_UPDATE, "commentary": "Advert closed."}
    ).status_code == (200)


def test_an_expired_link_gets_its_page_and_changes_nothing(
    client: Client, action: Action, owner: User, clock: time_machine.Traveller
) -> None:
    url = link_to(action, owner)
    before = snapshot(action)
    max_age = dt.timedelta(days=settings.UPDATE_LINK_MAX_AGE_DAYS)

    clock.move_to(NOW + max_age - dt.timedelta(minutes=1))
    assert client.get(url).status_code == 200  # still good on its last day
    clock.move_to(NOW + max_age + dt.timedelta(minutes=1))
    responses = [client.get(url), client.post(url, AMBER_UPDATE)]

    for response in responses:
        assert response.status_code == 410
        text = text_of(response.content.decode())
        assert "This link has expired" in text
        assert f"links in reminders work for {settings.UPDATE_LINK_MAX_AGE_DAYS} days" in text
    assert snapshot(action) == before


def test_a_tampered_link_gets_its_page_and_changes_nothing(
    client: Client, action: Action, owner: User
) -> None:
    token = update_token(action_id=action.pk, user_id=owner.pk, notification_id=1)
    # One character changed in the signed part: for example, another action's number.
    tampered = ("B" if token[0] != "B" else "C") + token[1:]
    preferences_token = urlsplit(preferences_url(user_id=owner.pk)).path.split("/")[-2]
    before = snapshot(action)

    for bad in (tampered, token[:-1], preferences_token, "not-a-link"):
        url = reverse("update-link", args=[bad])
        for response in (client.get(url), client.post(url, AMBER_UPDATE)):
            assert response.status_code == 404, bad
            text = text_of(response.content.decode())
            assert "This link does not work" in text
            assert "Check that you copied the whole link" in text
    assert snapshot(action) == before


@pytest.mark.parametrize("change", ["owner_replaced", "person_deactivated"])
def test_a_person_no_longer_allowed_to_report_progress_gets_403_and_changes_nothing(
    client: Client, action: Action, owner: User, change: str
) -> None:
    url = link_to(action, owner)
    if change == "owner_replaced":
        Action.objects.filter(pk=action.pk).update(owner=UserFactory.create(name="New Owner"))
    else:
        User.objects.filter(pk=owner.pk).update(is_active=False)
    before = snapshot(action)

    for response in (client.get(url), client.post(url, AMBER_UPDATE)):
        assert response.status_code == 403
        assert "You can no longer update this action" in text_of(response.content.decode())
    assert snapshot(action) == before


def test_a_link_to_an_action_that_has_gone_gets_404(
    client: Client, action: Action, owner: User
) -> None:
    url = link_to(action, owner)
    action.delete()

    for response in (client.get(url), client.post(url, AMBER_UPDATE)):
        assert response.status_code == 404
        assert "This action no longer exists" in text_of(response.content.decode())
    assert not ProgressUpdate.objects.exists()
    assert not UpdateLinkUse.objects.exists()


def test_a_refused_update_explains_itself_keeps_what_was_typed_and_the_link_still_works(
    client: Client, action: Action, owner: User
) -> None:
    url = link_to(action, owner)
    before = snapshot(action)

    response = client.post(
        url,
        {
            "status": ActionStatus.IN_PROGRESS,
            "rag": Rag.RED,
            "commentary": "  ",
            "completed_on": "",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    page = assert_accessible_form(html)
    assert page.title().startswith("Error: Update action 2.3")
    message = "Explain what is happening: commentary is required when an action is rated red."
    assert error_summary(page) == {"id_commentary": message}
    assert message in page.by_id("id_commentary_error").text
    assert page.by_id("id_commentary").attrs["aria-describedby"] == (
        "id_commentary_helptext id_commentary_error"
    )
    assert checked(page, "rag") == [Rag.RED]  # what the person chose is kept
    assert snapshot(action) == before

    fixed = client.post(
        url, {**AMBER_UPDATE, "rag": Rag.RED, "commentary": "Both candidates withdrew."}
    )
    assert fixed.status_code == 200
    assert ProgressUpdate.objects.get(action=action).rag == Rag.RED


def test_an_update_made_while_the_form_was_open_is_not_overwritten(
    client: Client, action: Action, owner: User
) -> None:
    url = link_to(action, owner)
    page = Page(client.get(url).content.decode())
    shown_version = page.by_id("id_version").attrs["value"]
    # Meanwhile the lead blocks the action through the API's status service.
    lead = action.recommendation.lead
    action_update_status(
        action=action, by=lead, status=ActionStatus.BLOCKED, rag=Rag.RED, commentary="No budget."
    )
    before = snapshot(action)

    stale = client.post(url, {**AMBER_UPDATE, "version": shown_version})

    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Someone else updated this action while you had this page open." in html
    assert AMBER_UPDATE["commentary"] in html  # what the person wrote is kept
    assert snapshot(action) == before
    assert not UpdateLinkUse.objects.exists()
    # Sent again from the page as it now stands, it is recorded.
    current = Page(html).by_id("id_version").attrs["value"]
    assert current != shown_version
    resent = client.post(
        url, {**AMBER_UPDATE, "status": ActionStatus.IN_PROGRESS, "version": current}
    )
    assert resent.status_code == 200
    assert ProgressUpdate.objects.filter(action=action).latest("pk").author == owner


def test_a_head_request_from_a_link_scanner_uses_nothing_up(
    client: Client, action: Action, owner: User
) -> None:
    assert client.head(link_to(action, owner)).status_code == 200
    assert not UpdateLinkUse.objects.exists()
    assert not ProgressUpdate.objects.filter(action=action).exists()


def test_every_refusal_is_listed_and_each_answer_is_kept(
    client: Client, action: Action, owner: User
) -> None:
    response = client.post(
        link_to(action, owner),
        {
            "status": ActionStatus.BLOCKED,
            "rag": Rag.AMBER,
            "commentary": "",
            "completed_on": "24/11/2026",
        },
    )

    assert response.status_code == 400
    page = Page(response.content.decode())
    assert error_summary(page) == {
        "id_commentary": "Say what is blocking the action.",
        "id_completed_on": "Only give a completion date when completing the action.",
    }
    assert page.by_id("id_completed_on").attrs["value"] == "24/11/2026"
    assert checked(page, "status") == [ActionStatus.BLOCKED]
    assert checked(page, "rag") == [Rag.AMBER]
    assert not ProgressUpdate.objects.exists()


def test_a_completion_date_that_is_not_a_date_is_refused_beside_its_field(
    client: Client, action: Action, owner: User
) -> None:
    response = client.post(
        link_to(action, owner),
        {"status": ActionStatus.COMPLETED, "rag": Rag.BLUE, "completed_on": "31/02/2026"},
    )

    assert response.status_code == 400
    page = Page(response.content.decode())
    message = "Enter the date the action was completed as a real date, for example 24/11/2026."
    assert error_summary(page) == {"id_completed_on": message}
    assert not ProgressUpdate.objects.exists()
    assert not UpdateLinkUse.objects.exists()


def test_a_status_that_is_not_in_the_list_links_to_the_first_radio_button(
    client: Client, action: Action, owner: User
) -> None:
    response = client.post(link_to(action, owner), {**AMBER_UPDATE, "status": "finished"})

    assert response.status_code == 400
    page = Page(response.content.decode())
    assert error_summary(page) == {"id_status_0": "Choose one of the statuses in the list."}
    [fieldset] = [p for p in page.by_id("id_status_0").parents if p.tag == "fieldset"]
    assert fieldset.attrs["aria-describedby"] == "id_status_error"
    assert not ProgressUpdate.objects.exists()


def test_the_update_form_is_accessible(client: Client, action: Action, owner: User) -> None:
    response = client.get(link_to(action, owner))

    page = assert_accessible_form(response.content.decode())
    assert page.title() == "Update action 2.3 \N{EN DASH} Action plan delivery service"
    legends = [" ".join(e.text.split()) for e in page.all("legend")]
    assert legends == ["Status", "RAG rating"]
    assert {e.attrs["name"] for e in page.inputs()} == {
        "status",
        "rag",
        "commentary",
        "completed_on",
    }
    assert len(page.all("input", type="radio", name="status")) == len(ActionStatus.choices)
    assert len(page.all("input", type="radio", name="rag")) == len(Rag.choices)
    assert page.by_id("id_completed_on").attrs["aria-describedby"] == "id_completed_on_helptext"
    assert not [e for e in page.elements if e.attrs.get("role") == "alert"]


def test_the_form_needs_its_csrf_token(action: Action, owner: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    url = link_to(action, owner)
    before = snapshot(action)

    refused = browser.post(url, AMBER_UPDATE)
    assert refused.status_code == 403
    assert snapshot(action) == before
    # In plain words, with what to do: not Django's bare "CSRF verification failed".
    text = text_of(refused.content.decode())
    assert "Your form could not be sent" in text and "Nothing has been changed." in text
    assert "CSRF" not in text

    page = Page(browser.get(url).content.decode())
    [token] = page.all("input", name="csrfmiddlewaretoken")
    response = browser.post(url, {**AMBER_UPDATE, "csrfmiddlewaretoken": token.attrs["value"]})
    assert response.status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_racing_another_with_the_same_link_waits_for_it_and_changes_nothing(
    action: Action, owner: User
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite runs one writer at a time")
    url = link_to(action, owner)
    digest = read_update_token(url.split("/")[-2]).digest
    holding, release = threading.Event(), threading.Event()
    responses = []

    def first_request_mid_transaction() -> None:
        try:
            with transaction.atomic():
                UpdateLinkUse.objects.create(digest=digest, action=action, used_at=timezone.now())
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def second_request() -> None:
        try:
            responses.append(Client().post(url, AMBER_UPDATE))
        finally:
            connection.close()

    first = threading.Thread(target=first_request_mid_transaction)
    first.start()
    assert holding.wait(timeout=30)
    second = threading.Thread(target=second_request)
    second.start()
    # The second request has seen no use yet (not committed) and now waits on the first's row.
    waiting = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(3000):
        with connection.cursor() as cursor:
            cursor.execute(waiting)
            if cursor.fetchone()[0]:
                break
        release.wait(timeout=0.01)
    else:
        pytest.fail("the second request never waited for the first")
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    [response] = responses
    assert response.status_code == 410
    assert "This link has already been used" in text_of(response.content.decode())
    assert not ProgressUpdate.objects.exists()
    assert UpdateLinkUse.objects.count() == 1
    assert Action.objects.get(pk=action.pk).rag == Rag.GREEN


# --- Preferences ----------------------------------------------------------------------------


def preferences_path(person: User) -> str:
    return urlsplit(preferences_url(user_id=person.pk)).path


def test_the_preferences_page_shows_the_defaults_and_saves_nothing_by_looking(
    client: Client, owner: User, clock: time_machine.Traveller
) -> None:
    response = client.get(preferences_path(owner))

    assert response.status_code == 200
    page = assert_accessible_form(response.content.decode())
    assert page.title() == "Your reminder emails \N{EN DASH} Action plan delivery service"
    boxes = {e.attrs["name"]: "checked" in e.attrs for e in page.all("input", type="checkbox")}
    assert boxes == {
        "before_due": True,
        "on_due_date": True,
        "overdue": True,
        "as_supporting_owner": True,
        "digests": True,
    }
    assert page.by_id("id_days_before").attrs.get("value") is None
    assert "Escalations cannot be switched off" in text_of(response.content.decode())
    assert [" ".join(e.text.split()) for e in page.all("legend")] == ["Reminders", "Digests"]
    assert not NotificationPreference.objects.exists()


def test_the_preferences_page_shows_what_the_person_chose_before(
    client: Client, owner: User, clock: time_machine.Traveller
) -> None:
    preferences_update(user=owner, fields={"days_before": [5, 2], "overdue": False})

    page = Page(client.get(preferences_path(owner)).content.decode())

    assert page.by_id("id_days_before").attrs["value"] == "5, 2"
    assert "checked" not in page.by_id("id_overdue").attrs
    assert "checked" in page.by_id("id_before_due").attrs


def test_the_preferences_page_saves_the_choices_and_shows_them(
    client: Client, owner: User, clock: time_machine.Traveller
) -> None:
    response = client.post(
        preferences_path(owner),
        {"before_due": "on", "days_before": "10, 5,3", "overdue": "on"},
    )

    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Your choices are saved" in text
    assert "Which working days before 10, 5 and 3 working days before" in text
    assert "A reminder on the due date Off" in text
    assert "Weekly digests Off" in text
    saved = NotificationPreference.objects.get(user=owner)
    assert (saved.before_due, saved.days_before, saved.on_due_date, saved.overdue) == (
        True,
        [10, 5, 3],
        False,
        True,
    )
    assert (saved.as_supporting_owner, saved.digests) == (False, False)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Each reminder is between 1 and 60 working days before the due date."),
        ("61", "Each reminder is between 1 and 60 working days before the due date."),
        ("abc", "Enter whole numbers of working days separated by commas, for example 10, 3."),
        ("3.5", "Enter whole numbers of working days separated by commas, for example 10, 3."),
        ("3,3", "Each number of days appears once."),
    ],
)
def test_days_before_that_cannot_be_used_are_refused_and_change_nothing(
    client: Client, owner: User, clock: time_machine.Traveller, typed: str, message: str
) -> None:
    preferences_update(user=owner, fields={"days_before": [10, 3], "digests": False})
    before = list(NotificationPreference.objects.values())

    response = client.post(preferences_path(owner), {"days_before": typed, "digests": "on"})

    assert response.status_code == 400
    page = assert_accessible_form(response.content.decode())
    assert page.title().startswith("Error: Your reminder emails")
    assert error_summary(page) == {"id_days_before": message}
    assert message in page.by_id("id_days_before_error").text
    assert page.by_id("id_days_before").attrs["value"] == typed
    assert list(NotificationPreference.objects.values()) == before


def test_an_expired_or_tampered_preferences_link_changes_nothing(
    client: Client, owner: User, clock: time_machine.Traveller
) -> None:
    path = preferences_path(owner)
    clock.move_to(NOW + dt.timedelta(days=settings.PREFERENCES_LINK_MAX_AGE_DAYS, minutes=1))

    expired = client.post(path, {"digests": "on"})
    token = path.split("/")[-2]
    tampered = client.post(
        reverse("preferences-link", args=[token[:-1] + ("A" if token[-1] != "A" else "B")]), {}
    )

    assert expired.status_code == 410
    assert "This link has expired" in text_of(expired.content.decode())
    assert tampered.status_code == 404
    assert "This link does not work" in text_of(tampered.content.decode())
    assert not NotificationPreference.objects.exists()


def test_a_saved_preference_changes_which_reminders_are_sent(
    client: Client, action: Action, owner: User
) -> None:
    # From Wednesday 25 November, Monday 30 November is 3 working days ahead and Wednesday
    # 2 December is 5.
    Action.objects.filter(pk=action.pk).update(due_date=dt.date(2026, 11, 30))
    later = ActionFactory.create(
        recommendation=action.recommendation, owner=owner, due_date=dt.date(2026, 12, 2)
    )

    def reminders_for_owner() -> list[tuple[str, int, int]]:
        due = reminders_queue(today=TODAY, dry_run=True).due
        return [
            (line.reason, line.days, line.item_id) for line in due if line.recipient_id == owner.pk
        ]

    assert reminders_for_owner() == [("due_soon", 3, action.pk)]  # the plan's 10 and 3

    client.post(preferences_path(owner), {"days_before": "5", "on_due_date": "on"})
    assert reminders_for_owner() == []  # reminders before the due date switched off

    client.post(preferences_path(owner), {"before_due": "on", "days_before": "5"})
    assert reminders_for_owner() == [("due_soon", 5, later.pk)]
    result = reminders_queue(today=TODAY)
    assert len(result.queued_ids) == 1
    [row] = NotificationPreference.objects.get(user=owner).user.notifications.all()
    assert [item["id"] for item in row.items] == [later.pk]
