"""Tokens end when their person's right to them does: a new password (however it is set), an
account switched off, an organisation that must now use single sign-on. Nothing else ends them:
not signing in, not Django re-hashing a password at sign-in, not editing a name."""

from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken, SignInEvent, SignInRecord, SsoOnlyOrganisation, User
from accounts.tokens import create_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> User:
    return UserFactory.create(organisation="Northshire County Council")


def works(secret: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return bool(client.get("/api/me/").status_code == 200)


def reason_of(token: ApiToken) -> str:
    token.refresh_from_db()
    assert token.revoked is not None, "the token was not revoked"
    return token.revoked_reason


def test_a_new_password_ends_every_token_of_the_person_and_no_one_elses(person: User) -> None:
    first, first_secret = create_token(user=person)
    second, _ = create_token(user=person)
    _, colleague = create_token(user=UserFactory.create())

    person.set_password("a new and better password")
    person.save()

    assert not works(first_secret)
    assert reason_of(first) == reason_of(second) == "the password was changed"
    assert works(colleague)
    record = SignInRecord.objects.get(event=SignInEvent.TOKEN_REVOKED)
    assert (record.user, record.detail) == (person, "2 tokens: the password was changed")


def test_a_password_set_by_an_administrator_in_the_admin_ends_the_tokens(
    person: User, admin_user: User
) -> None:
    token, _ = create_token(user=person)
    client = Client()
    client.force_login(admin_user)
    new = "another long password 42"

    answer = client.post(
        reverse("admin:auth_user_password_change", args=[person.pk]),
        {"password1": new, "password2": new, "usable_password": "true"},
    )

    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert reason_of(token) == "the password was changed"


def test_a_password_made_unusable_ends_the_tokens(person: User) -> None:
    token, _ = create_token(user=person)
    person.set_unusable_password()
    person.save()
    assert reason_of(token) == "the password was changed"


def test_switching_an_account_off_ends_its_tokens(person: User) -> None:
    token, secret = create_token(user=person)

    person.is_active = False
    person.save(update_fields=["is_active"])

    assert reason_of(token) == "the account was switched off"
    assert not works(secret)


def test_signing_in_and_a_rehash_of_the_same_password_end_nothing(
    person: User, settings: Any
) -> None:
    token, secret = create_token(user=person)
    # A stored hash from weaker settings: Django upgrades it when the password is next checked.
    person.password = make_password("correct horse battery", hasher="md5")
    User.objects.filter(pk=person.pk).update(password=person.password)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]

    answer = APIClient().post(
        "/api/auth/token/",
        {"email": person.email, "password": "correct horse battery"},
        format="json",
    )

    assert answer.status_code == 200
    person.refresh_from_db()
    assert person.password.startswith("pbkdf2_sha256$"), "the hash was not upgraded"
    token.refresh_from_db()
    assert token.revoked is None
    assert works(secret)


def test_changing_a_name_or_job_title_ends_nothing(person: User) -> None:
    token, _ = create_token(user=person)
    person.name = "Owen Owner-Smith"
    person.job_title = "Head of SEND"
    person.save()
    token.refresh_from_db()
    assert token.revoked is None


def test_making_an_organisation_sso_only_ends_the_tokens_of_its_people(person: User) -> None:
    token, _ = create_token(user=person)
    elsewhere = UserFactory.create(organisation="Southshire Council")
    theirs, _ = create_token(user=elsewhere)

    SsoOnlyOrganisation.objects.create(organisation="northshire county council")

    assert reason_of(token) == "the organisation now signs in only with single sign-on"
    theirs.refresh_from_db()
    assert theirs.revoked is None


def test_moving_to_an_sso_only_organisation_ends_the_tokens(person: User) -> None:
    SsoOnlyOrganisation.objects.create(organisation="Southshire Council")
    token, _ = create_token(user=person)

    person.organisation = "SOUTHSHIRE COUNCIL"
    person.save()

    assert reason_of(token) == "the organisation now signs in only with single sign-on"


def test_an_ended_token_keeps_the_first_reason(person: User) -> None:
    token, _ = create_token(user=person)
    person.set_password("a new and better password")
    person.save()
    person.is_active = False
    person.save()
    assert reason_of(token) == "the password was changed"
