"""Reading the action page in its tests: its address, signing in, fetching it, an update as
the form posts it, the form and its error summary as a browser would send and show them, and
the history's entries."""

import datetime as dt
import re
from html.parser import HTMLParser

from django.test import Client

from accounts.models import User
from actions.dates import LONDON
from actions.models import Action, ActionStatus, Rag
from tests.plan_pages.html import read_page

# Wednesday 2 December 2026, mid-morning in London.
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)


def url(action: Action) -> str:
    return f"/workspace/actions/{action.pk}/"


def as_person(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def page(client: Client, action: Action) -> str:
    response = client.get(url(action))
    assert response.status_code == 200
    return response.content.decode()


def an_update(version: int, **fields: str) -> dict[str, str]:
    data = {
        "version": str(version),
        "status": ActionStatus.IN_PROGRESS,
        "rag": Rag.GREEN,
        "commentary": "",
        "completed_on_day": "",
        "completed_on_month": "",
        "completed_on_year": "",
        "evidence_links": "",
    }
    data.update(fields)
    return data


class FormReader(HTMLParser):
    """The update form as a browser would send it: checked radios, typed text, hidden values;
    and the error summary's links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.summary_links: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._link: str | None = None
        self._in_summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if "govuk-error-summary__list" in a.get("class", ""):
            self._in_summary = True
        if tag == "input" and a.get("name") and (a.get("type") != "radio" or "checked" in a):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""
        elif tag == "a" and self._in_summary:
            self._link = a.get("href", "")
            self.summary_links.append((self._link, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "ul" and self._in_summary:
            self._in_summary = False
        elif tag == "a":
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.values[self._textarea] += data
        if self._link is not None:
            href, text = self.summary_links[-1]
            self.summary_links[-1] = (href, " ".join(f"{text} {data}".split()))


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def history(html: str) -> list[str]:
    """The history's entries, newest first, each as its words."""
    part = html[html.index('id="history"') :]
    items = re.findall(
        r'<li class="app-timeline__item">(.*?)</li>\s*(?=<li class="app|</ol>)', part, re.S
    )
    return [read_page(item).text for item in items]
