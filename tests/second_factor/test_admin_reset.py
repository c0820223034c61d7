"""A superuser resets someone's second factor from the people list; nobody else can, and the
admin has no page on which to plant a device with a known key."""

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.second_factor import recovery_codes_make
from tests.second_factor.conftest import code_for, person, set_up_app, sign_in

pytestmark = pytest.mark.django_db

PEOPLE = "/admin/accounts/user/"


def admin_with_code(client: Client, user: User) -> None:
    device = set_up_app(user)
    sign_in(client, user)
    assert client.post("/sign-in/second-factor/", {"code": code_for(device)}).status_code == 302


def test_a_superuser_resets_a_second_factor_and_the_person_sets_it_up_again(
    client: Client, clock: time_machine.Traveller
) -> None:
    boss = person(is_staff=True, is_superuser=True)
    admin_with_code(client, boss)
    lost_phone = person(is_staff=True)
    set_up_app(lost_phone)
    recovery_codes_make(user=lost_phone)
    assert "reset_second_factor" in client.get(PEOPLE).content.decode()

    response = client.post(
        PEOPLE, {"action": "reset_second_factor", "_selected_action": [lost_phone.pk]}, follow=True
    )

    assert "Second factor reset for 1 of 1 people selected" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=lost_phone).exists()
    assert not StaticDevice.objects.filter(user=lost_phone).exists()
    assert TOTPDevice.objects.filter(user=boss).exists()
    other = Client()
    sign_in(other, lost_phone)
    assert other.get("/sign-in/second-factor/")["Location"] == "/sign-in/second-factor/set-up/"


def test_a_plan_administrator_is_not_offered_the_reset_and_cannot_post_it(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    admin_with_code(client, administrator)
    colleague = person(is_staff=True)
    set_up_app(colleague)

    page = client.get(PEOPLE).content.decode()
    forged = client.post(
        PEOPLE, {"action": "reset_second_factor", "_selected_action": [colleague.pk]}, follow=True
    )

    assert "reset_second_factor" not in page
    assert "No action selected" in forged.content.decode()
    assert TOTPDevice.objects.filter(user=colleague).exists()


def test_the_admin_has_no_device_pages(client: Client, clock: time_machine.Traveller) -> None:
    boss = person(is_staff=True, is_superuser=True)
    admin_with_code(client, boss)

    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/add/").status_code == 404
