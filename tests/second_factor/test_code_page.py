"""The code at sign-in: a real code from the app's key lets the person on to where they were
going; wrong codes say so, are recorded, and past a few the device makes them wait; recovery
codes work once each."""

import pytest
import time_machine
from django.test import Client

from accounts.models import SignInEvent, SignInRecord, User
from accounts.second_factor import recovery_codes_make
from tests.second_factor.conftest import code_for, set_up_app, sign_in

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_keeps_next_through_the_code_to_the_page_asked_for(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    device = set_up_app(administrator)
    asked_for = client.get("/workspace/plans/")
    assert asked_for["Location"] == "/sign-in/?next=/workspace/plans/"

    after_password = sign_in(client, administrator, next_url="/workspace/plans/")
    assert after_password == "/workspace/plans/"
    code_page = client.get(after_password)
    assert code_page["Location"] == "/sign-in/second-factor/?next=%2Fworkspace%2Fplans%2F"
    html = client.get(code_page["Location"]).content.decode()
    assert 'name="next" value="/workspace/plans/"' in html
    assert 'autocomplete="one-time-code"' in html

    answered = client.post(
        "/sign-in/second-factor/", {"code": code_for(device), "next": "/workspace/plans/"}
    )

    assert answered.status_code == 302 and answered["Location"] == "/workspace/plans/"
    assert client.get("/workspace/plans/").status_code == 200
    assert not SignInRecord.objects.filter(event=SignInEvent.SECOND_FACTOR_FAILED).exists()


def test_a_code_typed_with_spaces_works(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    device = set_up_app(administrator)
    sign_in(client, administrator)
    code = code_for(device)

    answered = client.post("/sign-in/second-factor/", {"code": f" {code[:3]} {code[3:]} "})

    assert answered["Location"] == "/"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)"]
)
def test_a_next_address_on_another_site_is_not_followed(
    client: Client, administrator: User, clock: time_machine.Traveller, next_url: str
) -> None:
    device = set_up_app(administrator)
    sign_in(client, administrator)

    answered = client.post("/sign-in/second-factor/", {"code": code_for(device), "next": next_url})

    assert answered["Location"] == "/"


def test_a_wrong_code_says_so_signs_in_nobody_and_is_recorded(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    device = set_up_app(administrator)
    sign_in(client, administrator)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post("/sign-in/second-factor/", {"code": wrong, "next": "/workspace/plans/"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Enter your code" in html
    assert "There is a problem" in html
    assert "The code is not right. Enter the code your authenticator app shows now" in html
    assert 'name="next" value="/workspace/plans/"' in html
    assert client.get("/workspace/plans/")["Location"].startswith("/sign-in/second-factor/")
    record = SignInRecord.objects.get(event=SignInEvent.SECOND_FACTOR_FAILED)
    assert record.user == administrator
    assert record.method == "second factor"
    assert record.detail == "signing in: wrong code"
    assert record.address == "127.0.0.1"


def test_something_that_is_not_a_code_is_refused_without_counting_as_a_guess(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    set_up_app(administrator)
    sign_in(client, administrator)

    empty = client.post("/sign-in/second-factor/", {"code": ""}).content.decode()
    odd = client.post("/sign-in/second-factor/", {"code": "12 34 5!"}).content.decode()

    assert (
        "Enter the 6-digit code from your authenticator app, or one of your recovery codes" in empty
    )
    assert "Enter the 6 digits your authenticator app shows, or a recovery code" in odd
    assert not SignInRecord.objects.filter(event=SignInEvent.SECOND_FACTOR_FAILED).exists()


def test_after_wrong_codes_even_the_right_one_waits_and_the_page_says_how_long(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    device = set_up_app(administrator)
    sign_in(client, administrator)
    right = code_for(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for attempt in range(4):
        if attempt:
            clock.shift(2 ** (attempt - 1))  # each wait over, just
        client.post("/sign-in/second-factor/", {"code": wrong})
    # Four wrong codes in a row: the device checks nothing for 2 ** 3 = 8 seconds.

    refused = client.post("/sign-in/second-factor/", {"code": right})

    html = refused.content.decode()
    assert refused.status_code == 429
    assert refused["Retry-After"] == "8"
    assert "Too many wrong codes. Wait 8 seconds" in html
    assert client.get("/workspace/plans/")["Location"].startswith("/sign-in/second-factor/")
    details = list(
        SignInRecord.objects.filter(event=SignInEvent.SECOND_FACTOR_FAILED).values_list(
            "detail", flat=True
        )
    )
    assert details.count("signing in: wrong code") == 4
    assert details.count("signing in: refused unchecked, waiting after wrong codes") == 1

    clock.shift(9)
    accepted = client.post("/sign-in/second-factor/", {"code": code_for(device)})

    assert accepted.status_code == 302
    assert client.get("/workspace/plans/").status_code == 200


def test_a_long_wait_is_told_with_the_wrong_code_itself(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    device = set_up_app(administrator)
    device.throttling_failure_count = 7
    device.save()
    sign_in(client, administrator)
    clock.shift(3600)  # the earlier waits are over
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    html = client.post("/sign-in/second-factor/", {"code": wrong}).content.decode()

    # The eighth wrong code in a row: 2 ** 7 seconds before the next is checked.
    assert "The code is not right" in html
    assert "Wait 3 minutes before you try again" in html


def test_a_code_cannot_be_used_twice(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    device = set_up_app(administrator)
    code = code_for(device)
    sign_in(client, administrator)
    assert client.post("/sign-in/second-factor/", {"code": code}).status_code == 302
    client.post("/sign-out/")

    other = Client()
    sign_in(other, administrator)
    replayed = other.post("/sign-in/second-factor/", {"code": code})

    assert replayed.status_code == 200
    assert "The code is not right" in replayed.content.decode()


def test_a_recovery_code_works_once_and_says_how_many_are_left(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    set_up_app(administrator)
    sign_in(client, administrator)
    codes = recovery_codes_make(user=administrator)
    answered = client.post("/sign-in/second-factor/", {"code": codes[0].upper()}, follow=True)

    assert answered.redirect_chain[-1][0] == "/"
    assert "You used a recovery code. You have 9 left." in answered.content.decode()
    client.post("/sign-out/")

    sign_in(client, administrator)
    again = client.post("/sign-in/second-factor/", {"code": codes[0]})
    assert again.status_code == 200
    assert "The recovery code is not right, or it has been used already" in again.content.decode()
    clock.shift(2)
    assert client.post("/sign-in/second-factor/", {"code": codes[1]}).status_code == 302


def test_with_no_recovery_codes_left_the_page_says_what_to_do(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    set_up_app(administrator)
    sign_in(client, administrator)

    html = client.post("/sign-in/second-factor/", {"code": "abcdefgh"}).content.decode()

    assert "You have no recovery codes left" in html
    assert "ask a superuser to reset your second factor" in html


def test_the_code_page_sends_someone_not_signed_in_to_sign_in(client: Client) -> None:
    response = client.get("/sign-in/second-factor/?next=/workspace/plans/")

    assert response["Location"].startswith("/sign-in/?next=/sign-in/second-factor/")


def test_someone_whose_session_has_its_factor_goes_straight_on(
    client: Client, administrator: User, clock: time_machine.Traveller
) -> None:
    device = set_up_app(administrator)
    sign_in(client, administrator)
    client.post("/sign-in/second-factor/", {"code": code_for(device)})

    response = client.get("/sign-in/second-factor/?next=/workspace/plans/")

    assert response["Location"] == "/workspace/plans/"
