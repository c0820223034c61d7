"""Settings come from the environment: production refuses to start without its secrets,
development works with none at all, and a few variables switch to real services.

Each case runs Django in a subprocess with a clean environment, as an operator would.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Prints what the process ended up with, as JSON on the last line of stdout.
SHOW_SETTINGS = """
import json
from django.conf import settings
from django.db import connection
connection.ensure_connection()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "DB_ENGINE": settings.DATABASES["default"]["ENGINE"],
    "DB_NAME": str(settings.DATABASES["default"]["NAME"]),
    "DB_HOST": settings.DATABASES["default"].get("HOST", ""),
    "BROKER_URL": settings.CELERY_BROKER_URL,
    "BROKER_OPTIONS": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "EMAIL_HOST": settings.EMAIL_HOST,
    "EMAIL_PORT": settings.EMAIL_PORT,
    "EMAIL_FILE_PATH": str(settings.EMAIL_FILE_PATH),
}))
"""

SHOW_SERVICE_SETTINGS = SHOW_SETTINGS.replace("connection.ensure_connection()\n", "")


# What an operator sets for production: anything less and it refuses to start.
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-" + "x7Qk2mZp9" * 5,
    "ALLOWED_HOSTS": "example.org",
    "SITE_URL": "https://example.org",
    "DEFAULT_FROM_EMAIL": "Action plan service <actions@example.org>",
}


def clean_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """Only what any shell has, plus VAR_DIR so that nothing is written into the checkout."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env["VAR_DIR"] = str(var_dir)
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_of(env: dict[str, str], code: str = SHOW_SETTINGS) -> dict[str, object]:
    result = manage(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    shown: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return shown


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = clean_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="example.org",
    )

    result = manage(env, "check")

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0]
    assert "Traceback" not in result.stderr


def test_production_passes_the_deployment_checks_with_no_warnings(tmp_path: Path) -> None:
    env = clean_env(tmp_path, **PRODUCTION)

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_development_works_with_no_environment_under_var(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    env = clean_env(var_dir)

    assert manage(env, "check").returncode == 0
    shown = settings_of(env)

    assert shown["DEBUG"] is True
    assert shown["DB_ENGINE"] == "django.db.backends.sqlite3"
    assert shown["DB_NAME"] == str(var_dir / "db.sqlite3")
    assert (var_dir / "db.sqlite3").exists()
    assert shown["BROKER_URL"] == "filesystem://localhost//"
    options = shown["BROKER_OPTIONS"]
    assert isinstance(options, dict)
    assert options["data_folder_in"] == str(var_dir / "broker" / "queue")
    assert options["control_folder"] == str(var_dir / "broker" / "control")
    assert (var_dir / "broker" / "queue").is_dir()
    assert shown["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert shown["EMAIL_FILE_PATH"] == str(var_dir / "mail")
    assert (var_dir / "mail").is_dir()


@pytest.mark.parametrize("settings_module", ["config.settings.local", "config.settings.production"])
def test_database_redis_and_smtp_come_from_the_environment(
    tmp_path: Path, settings_module: str
) -> None:
    env = clean_env(
        tmp_path,
        **PRODUCTION | {"DJANGO_SETTINGS_MODULE": settings_module},
        DATABASE_URL="postgres://planner:secret@db.example.org:5432/actionplan",
        REDIS_URL="redis://cache.example.org:6379/2",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
    )

    # No connection: the hosts above do not exist; the settings are what is being tested.
    shown = settings_of(env, SHOW_SERVICE_SETTINGS)

    assert shown["DB_ENGINE"] == "django.db.backends.postgresql"
    assert shown["DB_NAME"] == "actionplan"
    assert shown["DB_HOST"] == "db.example.org"
    assert shown["BROKER_URL"] == "redis://cache.example.org:6379/2"
    assert shown["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert shown["EMAIL_HOST"] == "smtp.example.org"
    assert shown["EMAIL_PORT"] == 587


# --- The address in links, and the sender --------------------------------------------------

# Prints the links the notifications write into reminders and onto the preferences page.
SHOW_LINKS = """
import json
from django.conf import settings
from notifications.links import calendar_url, preferences_url, update_url
print(json.dumps({
    "SITE_URL": settings.SITE_URL,
    "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
    "update": update_url(action_id=7, user_id=3, notification_id=11),
    "preferences": preferences_url(user_id=3),
    "calendar": calendar_url(user_id=3, password="pbkdf2_sha256$hash"),
}))
"""


def refusal(env: dict[str, str]) -> str:
    """The one line production prints when it will not start."""
    result = manage(env, "check")
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Refusing to start: ")
    return lines[0]


def without(name: str) -> dict[str, str]:
    return {key: value for key, value in PRODUCTION.items() if key != name}


def test_production_refuses_to_start_without_a_site_url(tmp_path: Path) -> None:
    line = refusal(clean_env(tmp_path, **without("SITE_URL")))

    assert "SITE_URL must be set" in line


@pytest.mark.parametrize(
    "site_url", ["http://actions.example.org", "actions.example.org", "https://", "ftp://x.org"]
)
def test_production_refuses_a_site_url_that_is_not_https(tmp_path: Path, site_url: str) -> None:
    line = refusal(clean_env(tmp_path, **PRODUCTION | {"SITE_URL": site_url}))

    assert "SITE_URL must be the https:// address" in line
    assert repr(site_url) in line


def test_production_refuses_to_start_without_a_sender(tmp_path: Path) -> None:
    line = refusal(clean_env(tmp_path, **without("DEFAULT_FROM_EMAIL")))

    assert "DEFAULT_FROM_EMAIL must be set" in line


@pytest.mark.parametrize(
    "sender",
    [
        "Action plan service <actions@localhost>",  # the development default
        "actions@localhost.",
        "actions@mailpit",
        "Actions <actions@council.localhost>",
        "example.org",
        "Action plan service",
    ],
)
def test_production_refuses_a_sender_at_no_real_domain(tmp_path: Path, sender: str) -> None:
    line = refusal(clean_env(tmp_path, **PRODUCTION | {"DEFAULT_FROM_EMAIL": sender}))

    assert "DEFAULT_FROM_EMAIL must be the service's sender address at a real mail domain" in line
    assert repr(sender) in line


@pytest.mark.parametrize(
    ("site_url", "sender"),
    [
        ("https://example.org", "Action plan service <actions@example.org>"),
        ("https://actions.northshire.gov.uk/", "actions@northshire.gov.uk"),
    ],
)
def test_production_starts_with_an_https_address_and_a_real_sender(
    tmp_path: Path, site_url: str, sender: str
) -> None:
    env = clean_env(tmp_path, **PRODUCTION | {"SITE_URL": site_url, "DEFAULT_FROM_EMAIL": sender})

    shown = settings_of(env, SHOW_LINKS)

    assert shown["SITE_URL"] == site_url.rstrip("/")
    assert str(shown["update"]).startswith(f"{site_url.rstrip('/')}/")
    assert shown["DEFAULT_FROM_EMAIL"] == sender


def test_under_make_run_links_point_at_the_port_it_serves_on(tmp_path: Path) -> None:
    # make run gives web, worker and beat the same environment (Procfile.dev under honcho),
    # so what one process with WEB_PORT builds is what each of them builds.
    shown = settings_of(clean_env(tmp_path, WEB_PORT="8102"), SHOW_LINKS)

    assert shown["SITE_URL"] == "http://127.0.0.1:8102"
    for name in ("update", "preferences", "calendar"):
        assert str(shown[name]).startswith("http://127.0.0.1:8102/"), shown


def test_without_web_port_links_point_at_port_8000(tmp_path: Path) -> None:
    shown = settings_of(clean_env(tmp_path), SHOW_LINKS)

    assert shown["SITE_URL"] == "http://127.0.0.1:8000"
    assert str(shown["calendar"]).startswith("http://127.0.0.1:8000/calendar/")


def test_a_site_url_that_is_set_wins_over_web_port(tmp_path: Path) -> None:
    env = clean_env(tmp_path, WEB_PORT="8102", SITE_URL="http://dev.northshire.test:9000/")

    shown = settings_of(env, SHOW_LINKS)

    assert shown["SITE_URL"] == "http://dev.northshire.test:9000"
    assert str(shown["update"]).startswith("http://dev.northshire.test:9000/")
