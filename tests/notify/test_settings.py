"""Choosing GOV.UK Notify by settings: a key switches the channel, production checks the rest.

Each case runs Django in a subprocess with a clean environment, as an operator would.
"""

from pathlib import Path

import pytest

from tests.notify.conftest import API_KEY, REPLY_TO_ID, TEMPLATE_ID
from tests.test_settings import PRODUCTION, clean_env, manage, refusal

SHOW_CHANNEL = (
    "from django.conf import settings; "
    "print(settings.NOTIFICATIONS_CHANNEL, settings.NOTIFY_BASE_URL, settings.NOTIFY_TIMEOUT)"
)
NOTIFY = {
    "NOTIFY_API_KEY": API_KEY,
    "NOTIFY_TEMPLATE_ID": TEMPLATE_ID,
    "NOTIFY_REPLY_TO_ID": REPLY_TO_ID,
}


def channel(env: dict[str, str]) -> str:
    result = manage(env, "shell", "-c", SHOW_CHANNEL)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_without_a_key_mail_goes_by_the_email_backend(tmp_path: Path) -> None:
    assert channel(clean_env(tmp_path)).split()[0] == "email"


def test_a_complete_notify_setup_sends_through_notifys_api_in_production(tmp_path: Path) -> None:
    assert channel(clean_env(tmp_path, **PRODUCTION | NOTIFY)) == (
        "notify https://api.notifications.service.gov.uk 10"
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"NOTIFY_TEMPLATE_ID": ""}, "NOTIFY_TEMPLATE_ID must be set"),
        ({"NOTIFY_TEMPLATE_ID": "reminders"}, "NOTIFY_TEMPLATE_ID must be the template's id"),
        ({"NOTIFY_API_KEY": "my-key"}, "NOTIFY_API_KEY must be the whole key"),
        ({"NOTIFY_REPLY_TO_ID": "replies"}, "NOTIFY_REPLY_TO_ID must be a reply-to address's id"),
        (
            {"NOTIFY_BASE_URL": "http://notify.example"},
            "NOTIFY_BASE_URL must start with https://, not 'http://notify.example'",
        ),
    ],
)
def test_production_refuses_to_start_with_an_incomplete_notify_setup(
    tmp_path: Path, change: dict[str, str], words: str
) -> None:
    line = refusal(clean_env(tmp_path, **PRODUCTION | NOTIFY | change))

    assert line.startswith("Refusing to start: ")
    assert words in line
