"""The production-like stack in docker-compose.yml, checked without a Docker engine."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.test_settings import clean_env, manage

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")
# ${NAME}, ${NAME:-default} and ${NAME:?message}: what this file uses of compose's syntax.
VARIABLE = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(compose, dict)
    return compose["services"]


def command_of(service: dict[str, Any]) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_it_names_every_service_of_the_stack(services: dict[str, Any]) -> None:
    expected = {"web", "worker", "beat", "postgres", "redis", "mailpit"}
    assert expected <= set(services)


def test_web_worker_and_beat_are_built_from_one_image(services: dict[str, Any]) -> None:
    builds = {repr(services[name]["build"]) for name in APP_SERVICES}
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(builds) == 1
    assert len(images) == 1
    build = services["web"]["build"]
    dockerfile = build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile"
    assert dockerfile == "Dockerfile"


def test_web_runs_gunicorn_on_the_wsgi_app(services: dict[str, Any]) -> None:
    command = command_of(services["web"])
    assert command.startswith("gunicorn config.wsgi")


def test_worker_runs_celery_worker_on_the_project_app(services: dict[str, Any]) -> None:
    command = command_of(services["worker"]).split()
    assert command[:4] == ["celery", "-A", "workers.celery", "worker"]


def test_beat_runs_celery_beat_with_the_database_scheduler(services: dict[str, Any]) -> None:
    command = command_of(services["beat"])
    assert command.startswith("celery -A workers.celery beat")
    assert "django_celery_beat.schedulers:DatabaseScheduler" in command


def test_app_services_get_their_settings_from_the_environment(services: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert env["EMAIL_HOST"] == "mailpit"
        assert str(env["EMAIL_PORT"]) == "1025"
        # Required, never defaulted: compose stops with a message when it is missing.
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")


def test_it_uses_postgres_redis_and_mailpit_images(services: dict[str, Any]) -> None:
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["mailpit"]["image"].startswith("axllent/mailpit:")


def test_backing_services_and_web_have_healthchecks(services: dict[str, Any]) -> None:
    for name in ("web", "worker", "postgres", "redis", "mailpit"):
        assert services[name]["healthcheck"]["test"], name


def test_app_services_start_after_migrations_and_healthy_backing_services(
    services: dict[str, Any],
) -> None:
    assert command_of(services["migrate"]) == "python manage.py migrate --noinput"
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"] == {"condition": "service_completed_successfully"}
        assert depends_on["postgres"] == {"condition": "service_healthy"}
        assert depends_on["redis"] == {"condition": "service_healthy"}


def test_the_dockerfile_installs_the_requirements_and_runs_as_a_plain_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    lines = [line.strip() for line in dockerfile.splitlines()]
    assert any(line.startswith("FROM python:3.11-slim") for line in lines)
    assert any(line.startswith("COPY requirements.txt") for line in lines)
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users
    assert users[-1] not in {"root", "0"}


def interpolate(value: str, shell: dict[str, str]) -> str:
    """A value as compose fills it in from the operator's shell; a missing required one stops."""

    def fill(match: re.Match[str]) -> str:
        name, kind, rest = match.groups()
        if shell.get(name):
            return shell[name]
        if kind == "?":
            raise LookupError(f"{name}: {rest}")
        return rest if kind == "-" else ""

    return VARIABLE.sub(fill, value)


OPERATOR = {
    "SECRET_KEY": "a-long-random-production-secret-" + "x7Qk2mZp9" * 5,
    "SITE_URL": "https://actions.northshire.gov.uk",
    "DEFAULT_FROM_EMAIL": "Action plan service <actions@northshire.gov.uk>",
}


def test_the_public_address_and_the_sender_are_required_never_defaulted(
    services: dict[str, Any],
) -> None:
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["SITE_URL"].startswith("${SITE_URL:?"), name
        assert env["DEFAULT_FROM_EMAIL"].startswith("${DEFAULT_FROM_EMAIL:?"), name
    with pytest.raises(LookupError, match="SITE_URL"):
        interpolate(services["web"]["environment"]["SITE_URL"], {})


def test_the_app_services_settings_load_with_what_the_operator_sets(
    services: dict[str, Any], tmp_path: Path
) -> None:
    envs = [services[name]["environment"] for name in APP_SERVICES]
    assert envs[1:] == envs[:1] * 2  # one environment for the one image
    env = {key: interpolate(str(value), OPERATOR) for key, value in envs[0].items()}

    # Settings only: nothing connects to the postgres, redis or mailpit hosts named there.
    result = manage(clean_env(tmp_path, **env), "check")

    assert result.returncode == 0, result.stderr
