"""Fixtures for the password tests: Jo Bloggs of Northshire, eager delivery, a link's address.

``eager_celery`` makes a Celery app of the test's own current while the test runs, with tasks
run where they are enqueued: the delivery task enqueued after a page's commit sends the email
there and then, through the real delivery path (claim, render, send, record).
"""

import re
from collections.abc import Iterator

import pytest
from celery import Celery
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.factories import UserFactory
from workers import tasks

JO_EMAIL = "jo.bloggs@northshire.gov.uk"
OLD_PASSWORD = "correct horse battery"
NEW_PASSWORD = "plum-orchard-lantern-42"


@pytest.fixture
def jo(db: None) -> User:
    return UserFactory.create(
        email=JO_EMAIL, name="Jo Bloggs", organisation="Northshire County Council"
    )


@pytest.fixture
def eager_celery() -> Iterator[Celery]:
    previous = tasks.deliver.app
    app = Celery("password-tests", set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_always_eager=True,
        task_eager_propagates=True,
    )
    app.set_current()
    try:
        yield app
    finally:
        previous.set_current()


def reset_path(text: str) -> str:
    """The address of the one "choose a new password" link in an email, without the site."""
    links = re.findall(re.escape(settings.SITE_URL) + r"(/password-reset/[\w-]+/[\w-]+/)", text)
    assert len(set(links)) == 1, f"expected one reset link in:\n{text}"
    return str(links[0])


def choose_password(client: Client, link: str, password: str = NEW_PASSWORD) -> int:
    """Follows an emailed link and saves a new password; answers the form's status."""
    opened = client.get(link)
    if opened.status_code != 302:
        return int(opened.status_code)
    form = client.get(opened["Location"])
    assert form.status_code == 200, form.content.decode()
    saved = client.post(
        opened["Location"], {"new_password": password, "confirm_password": password}
    )
    return int(saved.status_code)
