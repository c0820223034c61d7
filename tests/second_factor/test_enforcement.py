"""Staff without a second factor in this session are sent to give one, from every page; the
API refuses their session in JSON; nobody else is held up, and with the setting off nobody is."""

import pytest
from django.test import Client, RequestFactory
from pytest_django import Settings

from accounts.models import User
from accounts.second_factor import record_provider_mfa
from accounts.tokens import create_token
from tests.second_factor.conftest import code_for, person, set_up_app, sign_in

pytestmark = pytest.mark.django_db


def test_an_administrator_with_no_app_is_sent_from_a_workspace_page_to_set_one_up(
    client: Client, administrator: User
) -> None:
    sign_in(client, administrator)

    page = client.get("/workspace/plans/?status=active")
    assert page.status_code == 302
    assert (
        page["Location"] == "/sign-in/second-factor/?next=%2Fworkspace%2Fplans%2F%3Fstatus%3Dactive"
    )

    code_page = client.get(page["Location"])
    assert code_page.status_code == 302
    assert code_page["Location"] == (
        "/sign-in/second-factor/set-up/?next=%2Fworkspace%2Fplans%2F%3Fstatus%3Dactive"
    )
    html = client.get(code_page["Location"]).content.decode()
    assert "Set up your authenticator app" in html


@pytest.mark.parametrize("path", ["/", "/admin/", "/admin/accounts/user/", "/workspace/settings/"])
def test_an_administrator_with_an_app_is_asked_for_their_code_on_every_page(
    client: Client, administrator: User, path: str
) -> None:
    set_up_app(administrator)
    sign_in(client, administrator)

    response = client.get(path, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/sign-in/second-factor/?next=")
    assert "<h1" in html and "Enter your code" in html
    assert "Plans, people and boards" not in html  # the admin's index did not open


def test_a_superuser_is_asked_too(client: Client) -> None:
    boss = person(is_staff=True, is_superuser=True)
    set_up_app(boss)
    sign_in(client, boss)

    assert client.get("/admin/")["Location"] == "/sign-in/second-factor/?next=%2Fadmin%2F"


def test_the_admin_sign_in_leads_to_the_code_and_then_to_the_admin(
    client: Client, administrator: User, clock: object
) -> None:
    device = set_up_app(administrator)
    signed_in = client.post(
        "/admin/login/?next=/admin/",
        {"username": administrator.email, "password": "correct horse battery", "next": "/admin/"},
    )
    assert signed_in["Location"] == "/admin/"
    asked = client.get("/admin/")
    assert asked["Location"] == "/sign-in/second-factor/?next=%2Fadmin%2F"

    answered = client.post("/sign-in/second-factor/", {"code": code_for(device), "next": "/admin/"})

    assert answered["Location"] == "/admin/"
    assert "Plans, people and boards" in client.get("/admin/").content.decode()


def test_someone_who_is_not_staff_signs_in_with_a_password_alone(client: Client) -> None:
    officer = person()
    sign_in(client, officer)

    assert client.get("/workspace/plans/").status_code == 200
    assert client.get("/api/me/").status_code == 200


def test_with_the_setting_off_administrators_sign_in_with_a_password_alone(
    client: Client, administrator: User, settings: Settings
) -> None:
    settings.SECOND_FACTOR_FOR_STAFF = False
    set_up_app(administrator)
    sign_in(client, administrator)

    assert client.get("/workspace/plans/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert "Second factor" not in client.get("/workspace/settings/").content.decode()


def test_the_api_refuses_the_session_of_an_administrator_without_a_second_factor_in_json(
    client: Client, administrator: User
) -> None:
    sign_in(client, administrator)

    response = client.get("/api/me/")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "needs a second factor" in response.json()["detail"]
    assert "API token" in response.json()["detail"]


def test_another_authorization_scheme_does_not_get_past_with_the_session(
    client: Client, administrator: User
) -> None:
    # DRF would fall back to the session for a scheme it does not know.
    sign_in(client, administrator)

    response = client.get("/api/me/", HTTP_AUTHORIZATION="Basic c2FtOnNlY3JldA==")

    assert response.status_code == 403
    assert "needs a second factor" in response.json()["detail"]


def test_an_api_token_is_for_the_token_to_decide_not_the_session(
    client: Client, administrator: User
) -> None:
    sign_in(client, administrator)
    _token, secret = create_token(user=administrator)

    with_token = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {secret}")
    with_a_wrong_token = client.get("/api/me/", HTTP_AUTHORIZATION="Token apt_not-a-real-one")

    assert with_token.status_code == 200
    assert with_token.json()["email"] == administrator.email
    assert with_a_wrong_token.status_code == 401


def test_the_public_api_documentation_stays_open(client: Client, administrator: User) -> None:
    sign_in(client, administrator)

    docs = client.get("/api/docs/")

    assert docs.status_code == 200
    assert "swagger" in docs.content.decode().lower()


def test_a_provider_that_asserted_multi_factor_sign_in_counts_as_the_second_factor(
    client: Client, administrator: User, rf: RequestFactory
) -> None:
    set_up_app(administrator)
    sign_in(client, administrator)
    # As single sign-on records it when the ID token's amr says more than a password.
    request = rf.get("/")
    request.session = client.session
    record_provider_mfa(request, provider="Northshire Council")
    request.session.save()

    assert client.get("/workspace/plans/").status_code == 200
    assert client.get("/api/me/").status_code == 200
    settings_page = client.get("/workspace/settings/second-factor/").content.decode()
    assert "sign-in (Northshire Council) checked your second factor" in settings_page


def test_without_the_providers_assertion_a_single_sign_on_session_is_asked_for_the_code(
    client: Client, administrator: User
) -> None:
    set_up_app(administrator)
    client.force_login(administrator)  # signed in, by whatever means, and nothing more

    assert client.get("/workspace/plans/")["Location"].startswith("/sign-in/second-factor/")


def test_signing_out_stays_open_and_ends_the_second_factor_with_the_session(
    client: Client, administrator: User, clock: object
) -> None:
    device = set_up_app(administrator)
    sign_in(client, administrator)
    client.post("/sign-in/second-factor/", {"code": code_for(device)})
    assert client.get("/workspace/plans/").status_code == 200

    signed_out = client.post("/sign-out/")
    assert signed_out.status_code == 302 and signed_out["Location"] == "/"
    sign_in(client, administrator)

    assert client.get("/workspace/plans/")["Location"].startswith("/sign-in/second-factor/")


def test_a_form_post_is_sent_to_the_code_page_without_coming_back_to_it(
    client: Client, administrator: User
) -> None:
    set_up_app(administrator)
    sign_in(client, administrator)

    response = client.post("/workspace/settings/", {"anything": "1"})

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/second-factor/"
