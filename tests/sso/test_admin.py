"""Administrators choose which organisations must sign in through single sign-on, in the admin."""

from typing import Any

import pytest
from django.test import Client

from accounts.models import SsoOnlyOrganisation, User
from tests.factories import UserFactory
from tests.sso.conftest import Providers

pytestmark = pytest.mark.django_db

ADD = "/admin/accounts/ssoonlyorganisation/add/"


@pytest.fixture
def administrator(client: Client) -> User:
    admin = UserFactory.create(is_staff=True, organisation="Northshire Schools")
    client.force_login(admin)
    return admin


def test_an_organisation_is_added_and_the_page_says_whom_it_reaches(
    client: Client, administrator: User, sso: Providers
) -> None:
    for _ in range(2):
        UserFactory.create(organisation="Northshire County Council")
    answer = client.post(ADD, {"organisation": "  northshire  county council "}, follow=True)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "2 people of northshire county council now sign in only through single sign-on" in page
    entry = SsoOnlyOrganisation.objects.get()
    assert entry.organisation == "northshire county council"
    listing = client.get("/admin/accounts/ssoonlyorganisation/").content.decode()
    assert '<td class="field-people">2</td>' in listing


def test_the_same_organisation_in_another_case_is_refused_plainly(
    client: Client, administrator: User, sso: Providers
) -> None:
    SsoOnlyOrganisation.objects.create(organisation="Northshire County Council")
    answer = client.post(ADD, {"organisation": "NORTHSHIRE COUNTY COUNCIL"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "This organisation is already on the list." in page
    assert "is violated" not in page
    assert SsoOnlyOrganisation.objects.count() == 1


def test_the_admin_warns_when_no_provider_is_set_up(
    client: Client, administrator: User, settings: Any
) -> None:
    settings.SSO_PROVIDERS = ()
    page = client.get(ADD).content.decode()
    assert "No single sign-on provider is set up on this service" in page
