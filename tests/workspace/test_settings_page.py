"""Your settings: reminder choices (the service behind the signed link and the API), the
calendar address, and the person's API tokens: listed without secrets, made with a secret shown
once, revoked after a confirmation."""

import datetime as dt
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken, SignInEvent, SignInRecord, User
from accounts.tokens import create_token, revoke_token
from actions.dates import LONDON
from notifications.links import calendar_url
from notifications.models import NotificationPreference
from notifications.preferences import preference_for, preferences_update
from tests.factories import ActionFactory, BoardFactory, RecommendationFactory, UserFactory
from tests.plan_pages.html import read_page

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)
SETTINGS = "/workspace/settings/"
CREATE = "/workspace/settings/api-tokens/new/"

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


# --- API tokens ---------------------------------------------------------------------------------


def api_for(secret: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return api


def test_without_tokens_the_page_says_so_and_offers_to_create_one(
    client: Client, person: User
) -> None:
    text = text_of(signed_in(client, person).get(SETTINGS).content.decode())

    assert "You have no API tokens." in text
    assert "Create an API token" in text
    assert "A token works for 90 days." in text


def test_the_page_lists_each_token_with_its_dates_and_status_but_never_a_secret(
    client: Client, person: User
) -> None:
    active, secret = create_token(user=person, name="Monthly returns")
    api_for(secret).get("/api/me/")
    create_token(user=person, name="Old script", max_age=dt.timedelta(days=1))
    revoked, _ = create_token(user=person, name="Leaked one")
    revoke_token(revoked, reason="revoked by its owner")
    create_token(user=UserFactory.create(), name="Someone else's")

    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        html = signed_in(client, person).get(SETTINGS).content.decode()
    text = text_of(html)

    assert secret not in html and active.key_digest not in html
    assert "Someone else's" not in text
    assert (
        f"Monthly returns Revoke the token Monthly returns Status Active Starts with "
        f"{active.prefix} Created 30 November 2026 at 10:00 Expires 28 February 2027 at "
        "10:00 Last used 30 November 2026 at 10:00" in text
    )
    assert "Old script Status Expired" in text
    assert "Expired 1 December 2026 at 10:00 Last used Not used yet" in text
    assert "Leaked one Status Revoked on 30 November 2026 (revoked by its owner)" in text
    # Only a working token can be revoked.
    assert html.count('href="/workspace/settings/api-tokens/') == 1


def test_creating_a_token_shows_its_secret_once_and_the_secret_signs_in(
    client: Client, person: User
) -> None:
    response = signed_in(client, person).post(CREATE, {"name": "Monthly returns"})

    assert response.status_code == 200
    found = re.search(r'id="new-token"[^>]*value="([^"]+)"', response.content.decode())
    assert found is not None
    secret = found.group(1)
    assert secret.startswith("apt_")
    text = text_of(response.content.decode())
    assert "Copy your token now. It will not be shown again" in text
    assert "Works until 28 February 2027 at 10:00" in text
    assert api_for(secret).get("/api/me/").json()["id"] == person.pk
    # Back on the settings page it is listed, and the secret is not there.
    listed = client.get(SETTINGS).content.decode()
    assert "Monthly returns" in listed and secret not in listed
    record = SignInRecord.objects.get(event=SignInEvent.TOKEN_CREATED)
    assert (record.user, record.method, record.detail) == (person, "api token", "Monthly returns")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Enter a name for the token, such as the program that will use it"),
        ("x" * 101, "Name must be 100 characters or fewer"),
    ],
)
def test_a_token_without_a_proper_name_is_refused_with_a_message_and_none_is_made(
    client: Client, person: User, name: str, message: str
) -> None:
    response = signed_in(client, person).post(CREATE, {"name": name})

    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: Your settings" in html
    assert text_of(html).count(message) == 2  # in the summary and by the field
    assert 'href="#token_name"' in html
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_then_the_api_refuses_the_token_and_says_why(
    client: Client, person: User
) -> None:
    token, secret = create_token(user=person, name="Monthly returns")
    _, other_secret = create_token(user=person, name="Dashboard")
    url = f"/workspace/settings/api-tokens/{token.pk}/revoke/"

    confirm = signed_in(client, person).get(url)
    assert confirm.status_code == 200
    assert "Revoke the API token “Monthly returns”?" in text_of(confirm.content.decode())
    assert api_for(secret).get("/api/me/").status_code == 200

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == f"{SETTINGS}#api"
    refused = api_for(secret).get("/api/me/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == (
        "This API token was revoked on 30 November 2026 (revoked by its owner)."
    )
    assert api_for(other_secret).get("/api/me/").status_code == 200
    html = client.get(SETTINGS).content.decode()
    assert "The API token “Monthly returns” has been revoked." in text_of(html)
    record = SignInRecord.objects.get(event=SignInEvent.TOKEN_REVOKED)
    assert (record.user, record.detail) == (person, "Monthly returns")


def test_nobody_can_revoke_or_see_someone_elses_token(client: Client, person: User) -> None:
    theirs, _ = create_token(user=UserFactory.create(), name="Theirs")
    url = f"/workspace/settings/api-tokens/{theirs.pk}/revoke/"

    assert signed_in(client, person).get(url).status_code == 404
    assert client.post(url).status_code == 404

    theirs.refresh_from_db()
    assert theirs.revoked is None


def test_revoking_needs_a_post_from_someone_signed_in(client: Client, person: User) -> None:
    token, _ = create_token(user=person)
    url = f"/workspace/settings/api-tokens/{token.pk}/revoke/"

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("workspace:sign-in"))
    assert client.post(CREATE, {"name": "x"})["Location"].startswith(reverse("workspace:sign-in"))
    assert signed_in(Client(), person).get(CREATE).status_code == 405
    token.refresh_from_db()
    assert token.revoked is None
    assert ApiToken.objects.count() == 1


def test_an_administrator_without_a_second_factor_in_this_session_cannot_create_one(
    client: Client, settings: Any
) -> None:
    settings.SECOND_FACTOR_FOR_STAFF = True
    administrator = UserFactory.create(is_staff=True)

    response = signed_in(client, administrator).post(CREATE, {"name": "Admin script"})

    assert response.status_code == 302
    assert not ApiToken.objects.exists()
