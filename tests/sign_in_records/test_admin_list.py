"""Administrators read the sign-in records in the admin: London times, the person linked,
filters by event, method and date, search by email and address. Nobody adds, changes or
deletes a record there, and people who are not administrators cannot see them at all."""

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import SignInEvent, SignInRecord, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LONDON = dt.timezone(dt.timedelta(hours=1))  # BST on the day below
# 10:00 BST on Tuesday 14 July 2026.
NOW = dt.datetime(2026, 7, 14, 10, 0, tzinfo=LONDON)
CHANGELIST = "/admin/accounts/signinrecord/"


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def officer() -> User:
    """A plan administrator who is not a superuser."""
    return UserFactory.create(name="Olu Officer", email="olu@northshire.gov.uk", is_staff=True)


@pytest.fixture
def jo() -> User:
    return UserFactory.create(name="Jo Owner", email="jo@northshire.gov.uk")


def signed_in_as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    # Signing in above is itself recorded; the tests count only their own records.
    SignInRecord.objects.all().delete()
    return client


def record(**fields: object) -> SignInRecord:
    values: dict[str, object] = {
        "event": SignInEvent.SIGNED_IN,
        "method": "password",
        "address": "203.0.113.7",
        "detail": "workspace",
    }
    values.update(fields)
    return SignInRecord.objects.create(**values)


def listed(client: Client, **query: str) -> list[str]:
    """The emails on the changelist, top to bottom."""
    response = client.get(CHANGELIST, query)
    assert response.status_code == 200
    return [row.email for row in response.context["cl"].result_list]


def test_an_administrator_reads_each_record_with_its_london_time_and_the_person_linked(
    officer: User, jo: User
) -> None:
    client = signed_in_as(officer)
    record(user=jo, email=jo.email, at=dt.datetime(2026, 7, 14, 8, 5, 9, tzinfo=dt.UTC))
    record(
        event=SignInEvent.SIGN_IN_FAILED,
        email="nobody@nowhere.example",
        address=None,
        at=dt.datetime(2026, 1, 5, 8, 5, tzinfo=dt.UTC),
    )
    html = client.get(CHANGELIST).content.decode()
    # 08:05 UTC is 09:05 in London in July, and 08:05 in January.
    assert "14 Jul 2026, 09:05:09 BST" in html
    assert "5 Jan 2026, 08:05:00 GMT" in html
    person_page = reverse("admin:accounts_user_change", args=[jo.pk])
    assert f'<a href="{person_page}">Jo Owner</a>' in html
    assert "Sign-in failed" in html and "nobody@nowhere.example" in html
    assert "203.0.113.7" in html and "workspace" in html


def test_the_list_is_newest_first_and_filters_by_event_method_and_date(
    officer: User, jo: User
) -> None:
    client = signed_in_as(officer)
    record(email="old@x.example", at=NOW - dt.timedelta(days=40))
    record(email="sso@x.example", method="sso:northshire", at=NOW - dt.timedelta(hours=2))
    record(email="failed@x.example", event=SignInEvent.SIGN_IN_FAILED, at=NOW)
    assert listed(client) == ["failed@x.example", "sso@x.example", "old@x.example"]
    assert listed(client, event__exact="sign_in_failed") == ["failed@x.example"]
    assert listed(client, method="sso:northshire") == ["sso@x.example"]
    cl = client.get(CHANGELIST).context["cl"]
    (dates,) = [spec for spec in cl.filter_specs if spec.field_path == "at"]
    (past_week,) = [c["query_string"] for c in dates.choices(cl) if c["display"] == "Past 7 days"]
    week = client.get(CHANGELIST + past_week).context["cl"].result_list
    assert [row.email for row in week] == ["failed@x.example", "sso@x.example"]


def test_every_filter_link_on_the_list_opens(officer: User) -> None:
    client = signed_in_as(officer)
    record(email="a@x.example")
    record(email="b@x.example", event=SignInEvent.TOKEN_CREATED, method="api token")
    cl = client.get(CHANGELIST).context["cl"]
    links = [choice["query_string"] for spec in cl.filter_specs for choice in spec.choices(cl)]
    assert len(links) > 10
    for link in links:
        assert client.get(CHANGELIST + link).status_code == 200, link


def test_search_finds_records_by_email_or_address(officer: User) -> None:
    client = signed_in_as(officer)
    record(email="jo@northshire.gov.uk", address="203.0.113.7")
    record(email="sam@southshire.gov.uk", address="2001:db8::5")
    record(email="nobody@nowhere.example", address=None)
    assert listed(client, q="southshire") == ["sam@southshire.gov.uk"]
    assert listed(client, q="203.0.113") == ["jo@northshire.gov.uk"]
    assert listed(client, q="2001:db8") == ["sam@southshire.gov.uk"]
    assert listed(client, q="nothing like it") == []


def test_the_list_costs_the_same_queries_for_three_records_or_three_hundred(
    officer: User,
) -> None:
    client = signed_in_as(officer)
    people = UserFactory.create_batch(3)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CHANGELIST).status_code == 200
        return len(captured)

    for person in people:
        record(user=person, email=person.email)
    few = queries()
    SignInRecord.objects.bulk_create(
        SignInRecord(
            event=SignInEvent.SIGNED_IN,
            user=UserFactory.create() if n % 30 == 0 else people[n % 3],
            method="password",
            address=f"198.51.100.{n % 250}",
            at=NOW - dt.timedelta(minutes=n),
        )
        for n in range(297)
    )
    assert queries() == few


def test_nobody_adds_changes_or_deletes_a_record_in_the_admin(
    officer: User, admin_user: User, jo: User
) -> None:
    for user in (officer, admin_user):
        client = signed_in_as(user)
        kept = record(user=jo, email=jo.email)
        change = reverse("admin:accounts_signinrecord_change", args=[kept.pk])
        delete = reverse("admin:accounts_signinrecord_delete", args=[kept.pk])

        assert client.get(reverse("admin:accounts_signinrecord_add")).status_code == 403
        # The record's page opens to read, with nothing to save.
        page = client.get(change)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert client.post(change, {"email": "changed@x.example"}).status_code == 403
        assert client.get(delete).status_code == 403
        assert client.post(delete, {"post": "yes"}).status_code == 403
        listing = client.get(CHANGELIST)
        assert "delete_selected" not in listing.content.decode()
        bulk = client.post(
            CHANGELIST, {"action": "delete_selected", "_selected_action": [kept.pk], "post": "yes"}
        )
        assert bulk.status_code in (200, 302)
        assert SignInRecord.objects.filter(pk=kept.pk, email=jo.email).exists()


def test_someone_who_is_not_an_administrator_cannot_see_the_records(jo: User) -> None:
    client = signed_in_as(jo)
    kept = record(user=jo, email=jo.email)
    for path in (CHANGELIST, reverse("admin:accounts_signinrecord_change", args=[kept.pk])):
        refused = client.get(path)
        assert refused.status_code == 302
        assert refused["Location"].startswith("/admin/login/")
    page = client.get(CHANGELIST, follow=True).content.decode()
    assert "not authorized to access this page" in page
    assert "203.0.113.7" not in page
