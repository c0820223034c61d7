"""Every response carries a Content-Security-Policy that lets a page run this site's files only.

The admin's session is good on every page of the origin, so a script from another site, or one
written into a page, must not run there. These tests read the header on each kind of response,
and read each kind of page for what the policy would block (an inline script or style, a file
from another site) and for its language. tests/accessibility/test_csp_console.py runs the
pages in Chromium.
"""

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import rest_framework
import time_machine
from django.conf import settings
from django.http import HttpResponseBase
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from accounts.models import User
from actions.models import Action, ActionStatus, Rag
from notifications.links import preferences_url, update_token
from tests.factories import ActionFactory, PlanFactory, RecommendationFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def policy_of(response: HttpResponseBase) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on a {response.status_code} response"
    return policy_of_header(header)


def policy_of_header(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def body_of(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


@dataclass
class Site:
    """A little of everything a page can show: a published plan, an action, its owner, staff."""

    plan_slug: str
    action: Action
    owner: User
    staff: User


@pytest.fixture
def site(db: None) -> Iterator[Site]:
    with time_machine.travel(NOW, tick=False):
        owner = UserFactory.create(name="Owen Owner", email="owen.owner@northshire.gov.uk")
        staff = UserFactory.create(
            email="admin@northshire.gov.uk", is_staff=True, is_superuser=True
        )
        plan = PlanFactory.create(published=True)
        recommendation = RecommendationFactory.create(plan=plan, number=1, lead=staff)
        action = ActionFactory.create(
            recommendation=recommendation,
            reference="1.1",
            owner=owner,
            due_date=dt.date(2026, 12, 18),
            status=ActionStatus.IN_PROGRESS,
            rag=Rag.GREEN,
        )
        yield Site(plan_slug=plan.slug, action=action, owner=owner, staff=staff)


@pytest.fixture(autouse=True)
def static_files_from_the_apps(settings: Any) -> None:
    """Whitenoise serves static files here as in production, from the apps (no collectstatic)."""
    settings.WHITENOISE_USE_FINDERS = True


def signed_in(site: Site) -> Client:
    client = Client()
    client.force_login(site.staff)
    return client


# --- The header on every kind of response --------------------------------------------------

# (what, path, signed in, Accept, expected status)
RESPONSES = [
    ("the home page", "/", False, "text/html", 200),
    ("the public plan page", "/plans/{slug}/", False, "text/html", 200),
    ("an API answer in JSON", "/api/me/", True, "application/json", 200),
    ("an API refusal in JSON", "/api/me/", False, "application/json", 401),
    ("a page that is not there", "/no-such-page/", False, "text/html", 404),
    ("an API address that is not there", "/api/no-such-thing/", False, "application/json", 404),
    ("a redirect to sign in", "/admin/", False, "text/html", 302),
    ("the admin sign-in page", "/admin/login/", False, "text/html", 200),
    ("the API docs", "/api/docs/", False, "text/html", 200),
    ("the API docs' start-up script", "/api/docs/?script=", False, "*/*", 200),
    ("the OpenAPI schema", "/api/schema/", False, "*/*", 200),
    ("a static file", "/static/plan_pages/plan-page.css", False, "*/*", 200),
]


@pytest.mark.parametrize(
    ("path", "sign_in", "accept", "status"),
    [row[1:] for row in RESPONSES],
    ids=[row[0] for row in RESPONSES],
)
def test_every_kind_of_response_carries_the_policy(
    site: Site, path: str, sign_in: bool, accept: str, status: int
) -> None:
    client = signed_in(site) if sign_in else Client()

    response = client.get(path.format(slug=site.plan_slug), HTTP_ACCEPT=accept)

    assert response.status_code == status
    policy = policy_of(response)
    assert policy == POLICY
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]


SHOW_POLICY = """
import json
from django.conf import settings
from django.test import Client
# A page that reads nothing from the database, which this process has not set up.
response = Client().get("/api/docs/", secure=True, HTTP_HOST="example.org")
print(json.dumps({
    "status": response.status_code,
    "header": response.headers.get("Content-Security-Policy"),
    "middleware": settings.MIDDLEWARE,
}))
"""


@pytest.mark.parametrize("module", ["local", "test", "production", "bench"])
def test_every_settings_module_sends_the_same_policy(tmp_path: Path, module: str) -> None:
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE=f"config.settings.{module}",
        VAR_DIR=str(tmp_path),
        SECRET_KEY="a-secret-for-this-test-only-" + "x7Qk2mZp9" * 5,
        ALLOWED_HOSTS="example.org",
        SITE_URL="https://example.org",
        DEFAULT_FROM_EMAIL="Action plan service <actions@example.org>",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW_POLICY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])

    assert shown["status"] == 200
    assert policy_of_header(shown["header"]) == POLICY
    # Outside whitenoise, which answers static files without the middleware below it.
    middleware = shown["middleware"]
    csp = middleware.index("csp.middleware.CSPMiddleware")
    assert csp < middleware.index("whitenoise.middleware.WhiteNoiseMiddleware")


# --- What each page holds --------------------------------------------------------------------


@dataclass
class PageReading:
    lang: str | None = None
    # Everything the policy blocks: inline script, inline style, event handler attributes.
    blocked: list[str] = field(default_factory=list)
    # Files the page loads: scripts, stylesheets, icons, images.
    files: list[str] = field(default_factory=list)


class PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.reading = PageReading()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        found = self.reading
        if tag == "html":
            found.lang = attributes.get("lang")
        if tag == "style":
            found.blocked.append("a <style> element")
        if "style" in attributes:
            found.blocked.append(f'style="{attributes["style"]}" on <{tag}>')
        found.blocked.extend(f"{name}= on <{tag}>" for name in attributes if name.startswith("on"))
        if any(value.strip().lower().startswith("javascript:") for value in attributes.values()):
            found.blocked.append(f"a javascript: address on <{tag}>")
        if tag == "script":
            if attributes.get("src"):
                found.files.append(attributes["src"])
            elif attributes.get("type") != "application/json":
                found.blocked.append("an inline <script>")
        if tag == "link" and attributes.get("href"):
            found.files.append(attributes["href"])
        if tag == "img" and attributes.get("src"):
            found.files.append(attributes["src"])


def read(response: HttpResponseBase) -> PageReading:
    reader = PageReader()
    reader.feed(body_of(response).decode())
    return reader.reading


def _update_form(client: Client, site: Site) -> HttpResponseBase:
    token = update_token(action_id=site.action.pk, user_id=site.owner.pk, notification_id=1)
    return client.get(reverse("update-link", args=[token]))


def _preferences(client: Client, site: Site) -> HttpResponseBase:
    url = preferences_url(user_id=site.owner.pk)
    return client.get(url.removeprefix(settings.SITE_URL))


def _refused_form(client: Client, site: Site) -> HttpResponseBase:
    token = update_token(action_id=site.action.pk, user_id=site.owner.pk, notification_id=1)
    return Client(enforce_csrf_checks=True).post(reverse("update-link", args=[token]), {})


def _get(
    path: str, *, staff: bool = False, accept: str = "text/html"
) -> Callable[[Client, Site], HttpResponseBase]:
    def get(client: Client, site: Site) -> HttpResponseBase:
        if staff:
            client.force_login(site.staff)
        action = site.action
        address = path.format(
            slug=site.plan_slug,
            plan=action.plan_id,
            recommendation=action.recommendation_id,
            action=action.pk,
        )
        return client.get(address, headers={"Accept": accept})

    return get


PAGES: dict[str, Callable[[Client, Site], HttpResponseBase]] = {
    "home": _get("/"),
    "public plan": _get("/plans/{slug}/"),
    "update form": _update_form,
    "preferences": _preferences,
    "link that does not work": _get("/update/not-a-real-token/"),
    "form refused by the CSRF check": _refused_form,
    "page that is not there": _get("/no-such-page/"),
    "admin sign-in": _get("/admin/login/"),
    "admin index": _get("/admin/", staff=True),
    "admin list of plans": _get("/admin/actions/plan/", staff=True),
    "admin list of actions": _get("/admin/actions/action/", staff=True),
    "admin periodic task form": _get("/admin/django_celery_beat/periodictask/add/", staff=True),
    "browsable API": _get("/api/plans/", staff=True),
    "browsable API sign-in": _get("/api-auth/login/"),
    "API docs": _get("/api/docs/"),
    "workspace sign-in": _get("/sign-in/"),
    "workspace home, signed in": _get("/", staff=True),
    "workspace plans list": _get("/workspace/plans/", staff=True),
    "workspace plan": _get("/workspace/plans/{plan}/", staff=True),
    "workspace recommendation": _get("/workspace/recommendations/{recommendation}/", staff=True),
    "workspace action": _get("/workspace/actions/{action}/", staff=True),
    "workspace settings": _get("/workspace/settings/", staff=True),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_is_in_english_and_holds_nothing_the_policy_blocks(
    site: Site, page: str
) -> None:
    response = PAGES[page](Client(), site)
    assert response.status_code in (200, 400, 403, 404), response.status_code
    assert response["Content-Type"].startswith("text/html")

    reading = read(response)

    assert reading.lang is not None, "the <html> element has no lang"
    assert reading.lang.lower().startswith("en"), reading.lang
    assert reading.blocked == []
    for address in reading.files:
        assert address.startswith("data:") or not urlsplit(address).netloc, address


def test_the_database_unavailable_page_is_in_english_and_holds_nothing_the_policy_blocks() -> None:
    reader = PageReader()
    reader.feed(render_to_string("database_unavailable.html"))

    assert reader.reading.lang == "en-GB"
    assert reader.reading.blocked == []


# --- /api/docs/ -----------------------------------------------------------------------------


def test_the_api_docs_load_every_file_from_this_site(client: Client, db: None) -> None:
    page = read(client.get("/api/docs/"))
    # Swagger UI's stylesheet and two scripts, the page's stylesheet, the icon, the start-up.
    assert len(page.files) == 6, page.files

    for address in page.files:
        parts = urlsplit(address)
        assert not parts.scheme and not parts.netloc, f"{address} is on another site"
        response = client.get(address)
        assert response.status_code == 200, address
        assert body_of(response), f"{address} is empty"


def test_the_api_docs_start_up_script_is_a_file_that_reads_our_schema(
    client: Client, db: None
) -> None:
    response = client.get("/api/docs/?script=")

    assert response["Content-Type"].startswith("application/javascript")
    script = body_of(response).decode()
    assert "SwaggerUIBundle({" in script
    assert 'url: "/api/schema/"' in script
    # No badge from validator.swagger.io, which would send it the schema's address.
    assert '"validatorUrl": "none"' in script


# --- The copies of DRF's templates ----------------------------------------------------------

DRF_TEMPLATES = Path(rest_framework.__file__).resolve().parent / "templates" / "rest_framework"
HEADER = (
    "{% comment %}A copy of Django REST framework's template of the same name, changed only\n"
    "as tests/test_security_headers.py says: a language on the page, and where DRF writes an\n"
    "inline style or an onclick, which the Content-Security-Policy blocks, a class from\n"
    "api-browsable.css or a log-out button.{% endcomment %}"
)
FLOAT_RIGHT = 'style="float: right; margin-right: 10px"'
# DRF's log-out link sends its form from an onclick attribute, which the policy blocks.
LOG_OUT = textwrap.indent(
    """\
<li class="dropdown">
  <a href="#" class="dropdown-toggle" data-toggle="dropdown">{{ user }} <b class="caret"></b></a>
  <ul class="dropdown-menu">
    <li>
      {% url 'rest_framework:logout' as log_out %}
      <form method="post" action="{{ log_out }}?next={{ request.path|urlencode }}">
        {% csrf_token %}
        <button type="submit" class="btn btn-link api-log-out">Log out</button>
      </form>
    </li>
  </ul>
</li>
""",
    " " * 18,
)
DRF_TEMPLATE_CHANGES: dict[str, list[tuple[str, str]]] = {
    "base.html": [
        ("\n<html>\n", '\n<html lang="en-GB">\n'),
        # Pygments' colours for code in view descriptions, which only Markdown (not installed)
        # would write: nothing here uses them.
        (
            "        {% if code_style %}<style>{{ code_style }}</style>{% endif %}\n",
            '        <link rel="stylesheet" type="text/css" '
            'href="{% static "api-browsable.css" %}"/>\n',
        ),
        ("                  {% optional_logout request user csrf_token %}\n", LOG_OUT),
        (f'<div class="dropdown" {FLOAT_RIGHT}>', '<div class="dropdown api-float-right">'),
        (
            f'<button {FLOAT_RIGHT} data-toggle="modal" data-target="#filtersModal" '
            'class="btn btn-default">',
            '<button data-toggle="modal" data-target="#filtersModal" '
            'class="btn btn-default api-float-right">',
        ),
    ],
    "login_base.html": [
        (
            '<div class="container-fluid" style="margin-top: 30px">',
            '<div class="container-fluid api-login">',
        ),
        (
            '<div class="well" style="width: 320px; margin-left: auto; margin-right: auto">',
            '<div class="well api-login__box">',
        ),
        (
            '<h3 style="margin: 0 0 20px;">Django REST framework</h3>',
            '<h3 class="api-login__title">Django REST framework</h3>',
        ),
        (
            '<div class="well well-small text-error" style="border: none">',
            '<div class="well well-small text-error api-login__error">',
        ),
    ],
    "filters/ordering.html": [
        (
            '<span class="glyphicon glyphicon-ok" style="float: right" aria-hidden="true">',
            '<span class="glyphicon glyphicon-ok pull-right" aria-hidden="true">',
        ),
    ],
}


@pytest.mark.parametrize("name", list(DRF_TEMPLATE_CHANGES))
def test_our_copies_of_drfs_templates_differ_from_the_installed_ones_only_as_listed(
    name: str,
) -> None:
    """After an upgrade of DRF this fails until the copies are made again from the new ones."""
    expected = (DRF_TEMPLATES / name).read_text()
    for old, new in DRF_TEMPLATE_CHANGES[name]:
        assert expected.count(old) == 1, f"DRF's {name} changed: {old!r} is not in it once"
        expected = expected.replace(old, new)

    ours = (ROOT / "templates" / "rest_framework" / name).read_text()

    assert ours == with_header(expected), (
        f"templates/rest_framework/{name} is not DRF's with the changes listed here: copy DRF's "
        "again and make them (the header comment goes after the first line)"
    )


def with_header(template: str) -> str:
    """The header goes after the first line, which may be an {% extends %} (first, or nothing)."""
    first, rest = template.split("\n", 1)
    return f"{first}\n{HEADER}\n{rest}"
