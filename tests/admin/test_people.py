"""People in the admin: a new person's email is stored in lower case and a duplicate in any
case is refused; making someone a plan administrator is saved and leaves their password."""

import pytest
from django.test import Client

from accounts.models import User
from tests.admin.conftest import World
from tests.admin.forms import form_data, page_errors, url

pytestmark = pytest.mark.django_db


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
