"""Your settings: reminder choices (the service behind the signed link and the API), the
calendar address, and the person's API token."""

import datetime as dt
import re
from collections.abc import Iterator
from html import unescape

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from actions.dates import LONDON
from notifications.links import calendar_url
from notifications.models import NotificationPreference
from notifications.preferences import preference_for, preferences_update
from tests.factories import ActionFactory, BoardFactory, RecommendationFactory, UserFactory
from tests.plan_pages.html import read_page

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)
SETTINGS = "/workspace/settings/"
REVOKE = "/workspace/settings/api-token/revoke/"

# Everything the form sends when every box is ticked and the days are the plan's choice.
ALL_ON = {
    "before_due": "on",
    "days_before": "",
    "on_due_date": "on",
    "overdue": "on",
    "as_supporting_owner": "on",
    "digests": "on",
}


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def person() -> User:
    return UserFactory.create(name="Owen Owner")


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def checked(html: str) -> set[str]:
    return set(re.findall(r'<input type="checkbox" name="(\w+)"[^>]*checked', html))


def test_the_page_shows_the_persons_current_choices(client: Client, person: User) -> None:
    preferences_update(user=person, fields={"overdue": False, "days_before": [5, 2]})

    response = signed_in(client, person).get(SETTINGS)

    assert response.status_code == 200
    html = response.content.decode()
    assert read_page(html).headings[0] == (1, "Your settings")
    assert checked(html) == {"before_due", "on_due_date", "as_supporting_owner", "digests"}
    assert 'name="days_before" value="5, 2"' in html
    assert 'aria-current="page">Your settings</a>' in html


def test_saving_the_form_changes_what_the_reminders_read(client: Client, person: User) -> None:
    signed_in(client, person)
    response = client.post(
        SETTINGS, {**ALL_ON, "before_due": "", "days_before": "10, 4", "digests": ""}
    )

    assert response.status_code == 302
    assert response["Location"] == SETTINGS
    saved = preference_for(user=person)
    assert (saved.before_due, saved.days_before, saved.digests) == (False, [10, 4], False)
    assert (saved.on_due_date, saved.overdue, saved.as_supporting_owner) == (True, True, True)
    html = client.get(SETTINGS).content.decode()
    assert "Your reminder choices have been saved." in text_of(html)
    assert 'role="alert"' in html


def test_days_that_are_not_numbers_are_refused_with_a_message_by_the_field(
    client: Client, person: User
) -> None:
    response = signed_in(client, person).post(SETTINGS, {**ALL_ON, "days_before": "ten, three"})

    assert response.status_code == 400
    html = response.content.decode()
    message = "Enter whole numbers of working days separated by commas, for example 10, 3."
    assert "<title>Error: Your settings" in html
    assert f'<a href="#id_days_before">{message}</a>' in html
    assert 'id="id_days_before_error"' in html
    assert re.search(
        r'<input[^>]*class="govuk-input govuk-input--width-10 govuk-input--error"', html
    )
    assert re.search(r'aria-describedby="id_days_before_helptext id_days_before_error"', html)
    # What was typed is kept, and nothing is saved.
    assert 'value="ten, three"' in html
    assert not NotificationPreference.objects.filter(user=person).exists()


def test_the_services_refusal_is_shown_beside_the_field_and_changes_nothing(
    client: Client, person: User
) -> None:
    preferences_update(user=person, fields={"days_before": [10, 3]})

    response = signed_in(client, person).post(SETTINGS, {**ALL_ON, "days_before": "90, 3"})

    assert response.status_code == 400
    html = response.content.decode()
    refusal = "Each reminder is between 1 and 60 working days before the due date."
    assert f'<a href="#id_days_before">{refusal}</a>' in html
    assert preference_for(user=person).days_before == [10, 3]


def test_the_calendar_address_is_the_persons_own_with_how_to_subscribe(
    client: Client, person: User
) -> None:
    html = signed_in(client, person).get(SETTINGS).content.decode()

    address = calendar_url(user_id=person.pk, password=person.password)
    assert f'value="{address}"' in html
    assert "paste it" in text_of(html)


@pytest.mark.parametrize("role", ["owner", "lead", "board member", "administrator"])
def test_each_person_sees_only_their_own_settings(client: Client, role: str) -> None:
    action = ActionFactory.create()
    member = UserFactory.create()
    BoardFactory.create(members=[member])
    people = {
        "owner": action.owner,
        "lead": RecommendationFactory.create().lead,
        "board member": member,
        "administrator": UserFactory.create(is_staff=True),
    }
    person = people[role]
    other = UserFactory.create()
    preferences_update(user=other, fields={"days_before": [7]})

    html = signed_in(client, person).get(SETTINGS).content.decode()

    assert calendar_url(user_id=person.pk, password=person.password) in html
    assert calendar_url(user_id=other.pk, password=other.password) not in html
    assert 'value="7"' not in html


def test_someone_signed_out_is_sent_to_sign_in_and_nothing_is_saved(client: Client) -> None:
    response = client.post(SETTINGS, {**ALL_ON, "digests": ""})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("workspace:sign-in"))
    assert not NotificationPreference.objects.exists()


# --- The API token ------------------------------------------------------------------------------


def test_without_a_token_the_page_says_so_and_offers_no_button(
    client: Client, person: User
) -> None:
    html = signed_in(client, person).get(SETTINGS).content.decode()

    assert "You have no API token." in text_of(html)
    assert "Sign out of the API" not in html


def test_with_a_token_the_page_says_when_it_was_issued_but_never_shows_it(
    client: Client, person: User
) -> None:
    token = Token.objects.create(user=person)

    html = signed_in(client, person).get(SETTINGS).content.decode()

    assert "You have one. It was issued on 30 November 2026 at 10:00." in text_of(html)
    assert "Sign out of the API (revoke your token)" in html
    assert token.key not in html


def test_revoking_deletes_the_token_so_the_api_refuses_it(client: Client, person: User) -> None:
    token = Token.objects.create(user=person)
    colleague = Token.objects.create(user=UserFactory.create())
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/plans/").status_code == 200

    response = signed_in(client, person).post(REVOKE)

    assert response.status_code == 302
    assert response["Location"] == SETTINGS
    assert not Token.objects.filter(user=person).exists()
    assert Token.objects.filter(pk=colleague.pk).exists()
    assert api.get("/api/plans/").status_code == 401
    html = client.get(SETTINGS).content.decode()
    assert "You have signed out of the API: your token no longer works." in text_of(html)


def test_revoking_with_no_token_changes_nothing_and_says_so(client: Client, person: User) -> None:
    other = Token.objects.create(user=UserFactory.create())

    signed_in(client, person).post(REVOKE)

    assert Token.objects.filter(pk=other.pk).exists()
    html = client.get(SETTINGS).content.decode()
    assert "You had no API token, so there was nothing to revoke." in text_of(html)


def test_revoking_needs_a_post_from_someone_signed_in(client: Client, person: User) -> None:
    Token.objects.create(user=person)

    assert signed_in(Client(), person).get(REVOKE).status_code == 405
    response = client.post(REVOKE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("workspace:sign-in"))
    assert Token.objects.filter(user=person).exists()
