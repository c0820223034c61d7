"""The password validators: what Django's similarity check already refuses for Jo Bloggs
(jo.bloggs@northshire.gov.uk), what it lets through that ours refuses, and what both accept.

Every page and form that sets a password uses them (``AUTH_PASSWORD_VALIDATORS``): the reset
page, the admin's "add person" and "change password" forms.
"""

import pytest
from django.contrib.auth.password_validation import (
    UserAttributeSimilarityValidator,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import User
from accounts.password_validation import NotLikeYouValidator
from tests.factories import UserFactory
from tests.passwords.conftest import JO_EMAIL, OLD_PASSWORD

LIKE_EMAIL = (
    "Your password is too like your email address. Choose one that does not contain your "
    "name or any part of your email address."
)
LIKE_NAME = "Your password is too like your name. Choose one that does not contain your name."


def jo_bloggs() -> User:
    return User(email=JO_EMAIL, name="Jo Bloggs")


def refusal(validator: object, password: str, user: User) -> str | None:
    try:
        validator.validate(password, user)  # type: ignore[attr-defined]
    except ValidationError as error:
        return " ".join(error.messages)
    return None


# (password, does Django's check alone refuse it?, what ours says)
CASES = [
    # Django's check already refuses these; ours says so in words that say what to do.
    ("jo.bloggs", True, LIKE_EMAIL),
    ("jobloggs", True, LIKE_EMAIL),
    ("JO.BLOGGS", True, LIKE_EMAIL),
    ("sggolb.oj", True, LIKE_EMAIL),
    ("Northshire", True, LIKE_EMAIL),
    # Django lets these through: the email's first part or the name with something added.
    ("JoBloggs2024", False, LIKE_NAME),
    ("jo.bloggs.2024!", False, LIKE_EMAIL),
    ("Bloggs!Bloggs", False, LIKE_EMAIL),
    ("my-name-is-bloggs", False, LIKE_EMAIL),
    ("J0B1oggs!!1", False, LIKE_EMAIL),
    ("B10GGS-rules-OK", False, LIKE_EMAIL),
    # Nothing to do with Jo: both accept.
    ("correct horse battery", False, None),
    ("majority-rules-ok", False, None),
    ("plum-orchard-lantern-42", False, None),
]


@pytest.mark.parametrize(("password", "django_refuses", "ours_says"), CASES)
def test_it_refuses_a_password_like_the_email_or_the_name(
    password: str, django_refuses: bool, ours_says: str | None
) -> None:
    django_says = refusal(UserAttributeSimilarityValidator(), password, jo_bloggs())
    assert (django_says is not None) == django_refuses, django_says
    assert refusal(NotLikeYouValidator(), password, jo_bloggs()) == ours_says


@pytest.mark.parametrize(
    ("email", "name", "password", "says"),
    [
        # A name Django does not look at (the model's "name", not first and last names).
        ("p.sharma@nhs.example", "Priya Sharma", "Priya-2024!", LIKE_NAME),
        ("p.sharma@nhs.example", "Priya Sharma", "sharmas-garden", LIKE_EMAIL),
        # Accents and case set aside.
        ("s.jones@northshire.gov.uk", "Siân Jones", "SIAN-in-the-garden", LIKE_NAME),
        # A short first name counts only with the rest of the name.
        ("al.li@northshire.gov.uk", "Al Li", "alliance-of-four", LIKE_EMAIL),
        ("al.li@northshire.gov.uk", "Al Li", "always-late-17", None),
        # A generic mailbox: its own word is the giveaway, nothing else.
        ("send.team@northshire.gov.uk", "", "the-send-team-rocks", LIKE_EMAIL),
        ("send.team@northshire.gov.uk", "", "lantern-and-plum", None),
    ],
)
def test_names_and_addresses_of_other_shapes(
    email: str, name: str, password: str, says: str | None
) -> None:
    assert refusal(NotLikeYouValidator(), password, User(email=email, name=name)) == says


def test_without_a_person_there_is_nothing_to_compare() -> None:
    assert refusal(NotLikeYouValidator(), "JoBloggs2024", None) is None  # type: ignore[arg-type]


def test_the_service_uses_it_with_djangos_other_validators(db: None) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password("JoBloggs2024", jo_bloggs())
    assert refused.value.messages == [LIKE_NAME]
    with pytest.raises(ValidationError) as short:
        validate_password("plum", jo_bloggs())
    assert any("at least 8 characters" in message for message in short.value.messages)
    validate_password("plum-orchard-lantern-42", jo_bloggs())


def test_the_admins_change_password_form_refuses_a_password_like_the_email(
    client: Client, admin_user: User
) -> None:
    jo = UserFactory.create(email=JO_EMAIL, name="Jo Bloggs")
    client.force_login(admin_user)
    page = f"/admin/accounts/user/{jo.pk}/password/"
    assert client.get(page).status_code == 200

    refused = client.post(page, {"password1": "JoBloggs2024", "password2": "JoBloggs2024"})

    assert refused.status_code == 200
    assert LIKE_NAME in refused.content.decode()
    jo.refresh_from_db()
    assert jo.check_password(OLD_PASSWORD)


def test_the_admins_add_person_form_refuses_a_password_like_the_email(
    client: Client, admin_user: User
) -> None:
    client.force_login(admin_user)

    refused = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "kim.okafor@northshire.gov.uk",
            "name": "Kim Okafor",
            "usable_password": "true",
            "password1": "Okafor-2025!",
            "password2": "Okafor-2025!",
        },
    )

    assert refused.status_code == 200
    assert LIKE_EMAIL in refused.content.decode()
    assert not User.objects.filter(email="kim.okafor@northshire.gov.uk").exists()
