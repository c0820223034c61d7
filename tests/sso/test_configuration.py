"""Single sign-on is configured from the environment, off unless configured, and a mistake
stops the start with one sentence that names the variable."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from accounts.sso.claims import asserts_mfa
from accounts.sso.config import SsoProvider, form_action_sources, read_providers
from tests.factories import UserFactory
from tests.sso.conftest import Providers

ROOT = Path(__file__).resolve().parents[2]

COUNCIL = {
    "SSO_PROVIDERS": "council, nhs",
    "SSO_COUNCIL_ISSUER": "https://login.northshire.gov.uk/realms/staff/",
    "SSO_COUNCIL_CLIENT_ID": "action-plans",
    "SSO_COUNCIL_CLIENT_SECRET": "s3cret",
    "SSO_COUNCIL_EMAIL_DOMAINS": "northshire.gov.uk, @Northshire-Schools.org.uk",
    "SSO_COUNCIL_LABEL": "Northshire Council",
    "SSO_NHS_ISSUER": "http://127.0.0.1:9400",
    "SSO_NHS_CLIENT_ID": "action-plans",
    "SSO_NHS_CLIENT_SECRET": "other",
    "SSO_NHS_EMAIL_DOMAINS": "nhs.net",
}


def test_providers_are_read_from_the_environment() -> None:
    council, nhs = read_providers(COUNCIL)
    assert council == SsoProvider(
        slug="council",
        label="Northshire Council",
        issuer="https://login.northshire.gov.uk/realms/staff",
        client_id="action-plans",
        client_secret="s3cret",
        email_domains=("northshire.gov.uk", "northshire-schools.org.uk"),
    )
    assert council.button == "Sign in with Northshire Council"
    assert council.allows("Jo@Northshire.gov.uk") and not council.allows("jo@nhs.net")
    assert (nhs.label, nhs.issuer) == ("Nhs", "http://127.0.0.1:9400")
    assert form_action_sources([council, nhs]) == [
        "https://login.northshire.gov.uk",
        "http://127.0.0.1:9400",
    ]


def test_no_providers_unless_named() -> None:
    assert read_providers({}) == ()
    assert read_providers({"SSO_PROVIDERS": " "}) == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SSO_COUNCIL_CLIENT_SECRET": ""}, "also needs SSO_COUNCIL_CLIENT_SECRET"),
        ({"SSO_NHS_EMAIL_DOMAINS": ""}, "also needs SSO_NHS_EMAIL_DOMAINS"),
        ({"SSO_PROVIDERS": "Council"}, '"Council" is not a short name'),
        ({"SSO_PROVIDERS": "council,council"}, "names the same provider twice"),
        (
            {"SSO_COUNCIL_ISSUER": "http://login.northshire.gov.uk"},
            "must use https (plain http only for a provider on 127.0.0.1)",
        ),
        ({"SSO_COUNCIL_ISSUER": "login.northshire.gov.uk"}, "is not a web address"),
        ({"SSO_COUNCIL_ISSUER": "https://a.example/?x=1"}, "must not have a query"),
        ({"SSO_COUNCIL_EMAIL_DOMAINS": "northshire"}, '"northshire" is not an email domain'),
    ],
)
def test_a_mistake_is_named(change: dict[str, str], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_providers({**COUNCIL, **change})


def test_the_service_will_not_start_with_a_provider_half_configured() -> None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SSO_")}
    environment.update(SSO_PROVIDERS="council", SSO_COUNCIL_ISSUER="https://id.example")
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    ran = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode != 0
    assert (
        'Single sign-on provider "council" (in SSO_PROVIDERS) also needs '
        "SSO_COUNCIL_CLIENT_ID, SSO_COUNCIL_CLIENT_SECRET, SSO_COUNCIL_EMAIL_DOMAINS."
    ) in ran.stderr


@pytest.mark.django_db
def test_without_providers_the_pages_offer_passwords_only(client: Client, settings: Any) -> None:
    settings.SSO_PROVIDERS = ()
    assert "Sign in with" not in client.get("/sign-in/").content.decode()
    admin = client.get("/admin/login/").content.decode()
    assert "Or sign in through your organisation" not in admin
    assert client.get("/sign-in/sso/council/").status_code == 404
    assert (
        client.post(
            "/sign-in/",
            {"username": UserFactory.create().email, "password": "correct horse battery"},
        ).status_code
        == 302
    )


@pytest.mark.django_db
def test_each_provider_is_a_button_on_both_sign_in_pages(client: Client, sso: Providers) -> None:
    page = client.get("/sign-in/?next=/workspace/plans/").content.decode()
    assert '<a href="/sign-in/sso/council/?next=%2Fworkspace%2Fplans%2F" role="button"' in page
    assert "Sign in with Northshire Council</a>" in page
    assert "Sign in with Northshire NHS</a>" in page
    admin = client.get("/admin/login/?next=/admin/").content.decode()
    assert '<a class="button" href="/sign-in/sso/nhs/?next=%2Fadmin%2F">' in admin
    assert "Sign in with Northshire Council" in admin
    # The page's policy lets sign-out's redirect reach the providers.
    policy = client.get("/sign-in/")["Content-Security-Policy"]
    assert f"form-action 'self' {sso.council.issuer} {sso.nhs.issuer}" in policy


@pytest.mark.parametrize(
    ("amr", "expected"),
    [
        (["mfa"], True),
        (["pwd", "sms"], True),
        (["face", "pin"], True),
        (["pwd", "kba"], False),
        (["otp"], False),
        (["hwk", "user"], False),
        ("mfa", False),
        ([], False),
    ],
)
def test_what_counts_as_multi_factor(amr: object, expected: bool) -> None:
    assert asserts_mfa({"amr": amr}) is expected


def test_a_provider_that_sends_no_email_verified_claim_can_be_trusted_by_setting() -> None:
    """Microsoft Entra ID sends no email_verified: the setting says its addresses are real."""
    entra = {**COUNCIL, "SSO_NHS_EMAILS_ARE_VERIFIED": "true"}
    council, nhs = read_providers(entra)
    assert (council.emails_are_verified, nhs.emails_are_verified) == (False, True)
    with pytest.raises(ImproperlyConfigured, match='SSO_NHS_EMAILS_ARE_VERIFIED "perhaps"'):
        read_providers({**COUNCIL, "SSO_NHS_EMAILS_ARE_VERIFIED": "perhaps"})
