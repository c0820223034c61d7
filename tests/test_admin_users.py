"""People and tokens in the admin: a plan administrator (``is_staff``, not a superuser) runs the
people of the plan, but can never make anyone a superuser, hand out groups or raw permissions,
touch a superuser's account, or get an API token that signs in as a superuser.

Every refused path is posted the way an attacker would post it (the fields read from the page,
plus the ones the page did not offer), and the database is compared before and after.
"""

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tokens import create_token
from tests.admin.forms import form_data, page_errors, url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase 42"


def password_url(user: User) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def account(user: User) -> tuple[Any, ...]:
    """Everything about a person that an escalation would change."""
    fresh = User.objects.get(pk=user.pk)
    return (
        fresh.email,
        fresh.name,
        fresh.password,
        fresh.is_active,
        fresh.is_staff,
        fresh.is_superuser,
        sorted(fresh.groups.values_list("pk", flat=True)),
        sorted(fresh.user_permissions.values_list("pk", flat=True)),
    )


def inputs(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def root(admin_user: User) -> User:
    """A superuser."""
    return admin_user


@pytest.fixture
def officer() -> User:
    """A plan administrator who is not a superuser."""
    return UserFactory.create(
        name="Olu Officer", email="plan.admin@northshire.gov.uk", is_staff=True
    )


@pytest.fixture
def person() -> User:
    return UserFactory.create(name="Sam Owner", email="sam.owner@northshire.gov.uk")


@pytest.fixture
def powers() -> tuple[Group, Permission]:
    """A group with a raw permission, and a raw permission: both for superusers to hand out."""
    group = Group.objects.create(name="Permission managers")
    perm = Permission.objects.get(codename="change_group")
    group.permissions.add(perm)
    return group, Permission.objects.get(codename="change_permission")


@pytest.fixture
def officer_client(officer: User) -> Client:
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def root_client(root: User) -> Client:
    client = Client()
    client.force_login(root)
    return client


# --- A plan administrator cannot raise anyone's rights ------------------------------------


@pytest.mark.parametrize("whose", ["own", "someone else's"])
def test_a_plan_administrator_cannot_grant_superuser_groups_or_permissions(
    whose: str,
    officer: User,
    person: User,
    powers: tuple[Group, Permission],
    officer_client: Client,
) -> None:
    target = officer if whose == "own" else person
    group, perm = powers
    page = officer_client.get(url("accounts_user_change", target.pk))
    data = form_data(page, "user_form")
    data.update(
        job_title="Head of SEND",
        is_superuser="on",
        groups=[str(group.pk)],
        user_permissions=[str(perm.pk)],
    )
    before = account(target)
    response = officer_client.post(url("accounts_user_change", target.pk), data)
    assert response.status_code == 302, page_errors(response)

    fresh = User.objects.get(pk=target.pk)
    assert fresh.job_title == "Head of SEND"  # the ordinary change went through
    assert account(target) == before  # and nothing else did
    assert not fresh.is_superuser
    assert not fresh.groups.exists()
    assert not fresh.user_permissions.exists()

    # The page never offered them.
    html = inputs(page)
    for field in ("is_superuser", "groups", "user_permissions"):
        assert f'name="{field}"' not in html, field


def test_a_plan_administrator_cannot_create_a_superuser(
    powers: tuple[Group, Permission], officer_client: Client
) -> None:
    group, perm = powers
    page = officer_client.get(url("accounts_user_add"))
    html = inputs(page)
    for field in ("is_superuser", "groups", "user_permissions"):
        assert f'name="{field}"' not in html, field
    data = form_data(page, "user_form")
    data.update(
        email="mallory@northshire.gov.uk",
        name="Mallory",
        usable_password="true",
        password1=NEW_PASSWORD,
        password2=NEW_PASSWORD,
        is_superuser="on",
        groups=[str(group.pk)],
        user_permissions=[str(perm.pk)],
    )
    response = officer_client.post(url("accounts_user_add"), data)
    assert response.status_code == 302, page_errors(response)
    created = User.objects.get(email="mallory@northshire.gov.uk")
    assert not created.is_superuser
    assert not created.groups.exists()
    assert not created.user_permissions.exists()


def test_a_plan_administrator_cannot_change_a_superuser(root: User, officer_client: Client) -> None:
    before = account(root)
    response = officer_client.post(
        url("accounts_user_change", root.pk),
        {
            "email": "plan.admin+root@northshire.gov.uk",
            "name": "Taken over",
            "is_active": "",
            "is_staff": "on",
            "is_superuser": "",
        },
    )
    assert account(root) == before
    assert response.status_code == 403

    page = officer_client.get(url("accounts_user_change", root.pk))
    assert page.status_code == 200  # they may see who the superusers are, read-only
    assert page.context["has_change_permission"] is False
    assert 'name="email"' not in inputs(page)
    assert 'name="_save"' not in inputs(page)


def test_a_plan_administrator_cannot_set_a_superusers_password(
    root: User, officer_client: Client
) -> None:
    before = account(root)
    response = officer_client.post(
        password_url(root),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert account(root) == before
    assert User.objects.get(pk=root.pk).check_password(PASSWORD)
    assert response.status_code == 403
    assert officer_client.get(password_url(root)).status_code == 403

    # Nor switch their password off.
    response = officer_client.post(
        password_url(root), {"usable_password": "false", "unset-password": "1"}
    )
    assert response.status_code == 403
    assert User.objects.get(pk=root.pk).has_usable_password()


def test_a_plan_administrator_cannot_delete_a_superuser(
    root: User, person: User, officer_client: Client
) -> None:
    response = officer_client.post(url("accounts_user_delete", root.pk), {"post": "yes"})
    assert User.objects.filter(pk=root.pk).exists()
    assert response.status_code == 403
    assert officer_client.get(url("accounts_user_delete", root.pk)).status_code == 403

    # Nor by ticking them in the list alongside someone ordinary.
    response = officer_client.post(
        url("accounts_user_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [str(root.pk), str(person.pk)],
            "post": "yes",
        },
    )
    assert User.objects.filter(pk__in=[root.pk, person.pk]).count() == 2
    assert response.status_code == 403


# --- A plan administrator still runs the plan's people ------------------------------------


def test_a_plan_administrator_adds_an_ordinary_person_and_makes_them_an_administrator(
    officer_client: Client,
) -> None:
    data = form_data(officer_client.get(url("accounts_user_add")), "user_form")
    data.update(
        email="Jo.Bloggs@Northshire.gov.uk",
        name="Jo Bloggs",
        organisation="Northshire County Council",
        job_title="SENCO",
        usable_password="true",
        password1=NEW_PASSWORD,
        password2=NEW_PASSWORD,
    )
    response = officer_client.post(url("accounts_user_add"), data)
    assert response.status_code == 302, page_errors(response)
    jo = User.objects.get(email="jo.bloggs@northshire.gov.uk")
    assert jo.check_password(NEW_PASSWORD)

    page = officer_client.get(url("accounts_user_change", jo.pk))
    data = form_data(page, "user_form")
    data.update(
        name="Jo Bloggs-Smith",
        email="jo.smith@northshire.gov.uk",
        organisation="Northshire ICB",
        job_title="Designated clinical officer",
        is_staff="on",
    )
    data.pop("is_active", None)  # unticked
    response = officer_client.post(url("accounts_user_change", jo.pk), data)
    assert response.status_code == 302, page_errors(response)
    jo = User.objects.get(pk=jo.pk)
    assert (jo.name, jo.email, jo.organisation, jo.job_title) == (
        "Jo Bloggs-Smith",
        "jo.smith@northshire.gov.uk",
        "Northshire ICB",
        "Designated clinical officer",
    )
    assert jo.is_staff
    assert not jo.is_active
    assert not jo.is_superuser


def test_a_plan_administrator_sets_an_ordinary_persons_password(
    person: User, officer_client: Client
) -> None:
    data = form_data(officer_client.get(password_url(person)), "user_form")
    data.update(password1=NEW_PASSWORD, password2=NEW_PASSWORD)
    response = officer_client.post(password_url(person), data)
    assert response.status_code == 302, page_errors(response)
    assert User.objects.get(pk=person.pk).check_password(NEW_PASSWORD)


def test_a_plan_administrator_keeps_the_rights_a_superuser_gave_someone(
    person: User, powers: tuple[Group, Permission], officer_client: Client
) -> None:
    group, perm = powers
    person.groups.add(group)
    person.user_permissions.add(perm)
    page = officer_client.get(url("accounts_user_change", person.pk))
    assert "Permission managers" in inputs(page)  # shown, read-only
    data = form_data(page, "user_form")
    data["job_title"] = "Head of SEND"
    response = officer_client.post(url("accounts_user_change", person.pk), data)
    assert response.status_code == 302, page_errors(response)
    fresh = User.objects.get(pk=person.pk)
    assert fresh.job_title == "Head of SEND"
    assert list(fresh.groups.all()) == [group]
    assert list(fresh.user_permissions.all()) == [perm]


# --- A superuser keeps full control -------------------------------------------------------


def test_a_superuser_grants_superuser_groups_and_permissions(
    person: User, powers: tuple[Group, Permission], root_client: Client
) -> None:
    group, perm = powers
    page = root_client.get(url("accounts_user_change", person.pk))
    html = inputs(page)
    for field in ("is_superuser", "groups", "user_permissions"):
        assert f'name="{field}"' in html, field
    data = form_data(page, "user_form")
    data.update(
        is_staff="on", is_superuser="on", groups=[str(group.pk)], user_permissions=[str(perm.pk)]
    )
    response = root_client.post(url("accounts_user_change", person.pk), data)
    assert response.status_code == 302, page_errors(response)
    fresh = User.objects.get(pk=person.pk)
    assert fresh.is_superuser and fresh.is_staff
    assert list(fresh.groups.all()) == [group]
    assert list(fresh.user_permissions.all()) == [perm]


def test_a_superuser_edits_resets_the_password_of_and_deletes_another_superuser(
    root_client: Client,
) -> None:
    other = UserFactory.create(
        name="Other Root", email="other.root@example.gov.uk", is_staff=True, is_superuser=True
    )
    page = root_client.get(url("accounts_user_change", other.pk))
    assert page.context["has_change_permission"] is True
    data = form_data(page, "user_form")
    data.update(name="Other Root (retired)")
    data.pop("is_superuser", None)  # unticked
    response = root_client.post(url("accounts_user_change", other.pk), data)
    assert response.status_code == 302, page_errors(response)
    fresh = User.objects.get(pk=other.pk)
    assert fresh.name == "Other Root (retired)"
    assert not fresh.is_superuser

    fresh.is_superuser = True
    fresh.save()
    data = form_data(root_client.get(password_url(other)), "user_form")
    data.update(password1=NEW_PASSWORD, password2=NEW_PASSWORD)
    response = root_client.post(password_url(other), data)
    assert response.status_code == 302, page_errors(response)
    assert User.objects.get(pk=other.pk).check_password(NEW_PASSWORD)

    response = root_client.post(url("accounts_user_delete", other.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=other.pk).exists()


# --- API tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "root"])
def test_no_api_token_secret_is_shown_or_made_in_the_admin(
    who: str, person: User, request: pytest.FixtureRequest
) -> None:
    # A secret signs in as its owner: it is shown once, to them, and never kept.
    client: Client = request.getfixturevalue(f"{who}_client")
    token, secret = create_token(user=person, name="Monthly returns")
    pages = [
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[person.pk]),
        reverse("admin:accounts_apitoken_changelist"),
        reverse("admin:accounts_apitoken_change", args=[token.pk]),
    ]
    for page in pages:
        answer = client.get(page)
        assert answer.status_code == 200, page
        html = answer.content.decode()
        assert secret not in html and token.key_digest not in html, page
    assert "Monthly returns" in client.get(pages[3]).content.decode()
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404


def test_a_plan_administrator_signs_a_person_out_of_the_api_but_not_a_superuser(
    root: User, person: User, officer_client: Client
) -> None:
    theirs, _ = create_token(user=person)
    root_token, _ = create_token(user=root)
    response = officer_client.post(
        url("accounts_user_changelist"),
        {"action": "revoke_api_tokens", "_selected_action": [str(person.pk), str(root.pk)]},
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    root_token.refresh_from_db()
    assert theirs.revoked is not None
    assert theirs.revoked_reason == "revoked by an administrator"
    assert root_token.revoked is None
