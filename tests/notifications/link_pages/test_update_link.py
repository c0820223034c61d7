"""Updating an action from an email's link, without a password.

Looking at the link changes nothing; a good update is recorded once, by the person the link
was sent to, through the same status service and audit as the API. A link already used,
expired, tampered with, sent to someone no longer allowed to report progress, or to an action
that has gone gets a page saying so, and changes nothing.
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from actions.models import Action, ActionStatus, ProgressUpdate, Rag
from actions.services import action_update_status
from notifications.links import preferences_url, update_token
from notifications.models import UpdateLinkUse
from tests.factories import UserFactory
from tests.notifications.link_pages.links import AMBER_UPDATE, NOW, link_to, snapshot
from tests.notifications.link_pages.pages import Page, checked, text_of

# --- Update without a password --------------------------------------------------------------


def test_the_link_shows_a_form_for_its_one_action_and_looking_changes_nothing(
    client: Client, action: Action, owner: User, clock: time_machine.Traveller
) -> None:
    clock.move_to(NOW - dt.timedelta(days=7))
    action_update_status(
        action=action, by=owner, commentary="Interviews booked for the first post."
    )
    clock.move_to(NOW)
    before = snapshot(action)
    url = link_to(action, owner)

    for _ in range(2):  # looking twice: a GET does not use the link up
        response = client.get(url)
        assert response.status_code == 200
    text = text_of(response.content.decode())

    assert "Update action 2.3" in text
    assert "Recruit two additional educational psychologists" in text
    assert "Northshire SEND Written Statement of Action" in text
    assert "Friday 18 December 2026" in text
    assert "Status now In progress" in text
    assert "RAG rating now Green (on track)" in text
    assert "Interviews booked for the first post." in text
    assert "recording this update as Owen Owner" in text
    page = Page(response.content.decode())
    assert checked(page, "status") == [ActionStatus.IN_PROGRESS]
    assert checked(page, "rag") == [Rag.GREEN]
    assert "no-store" in response["Cache-Control"]  # the link is in the address
    assert snapshot(action) == before


def test_an_update_is_recorded_once_by_the_person_the_link_was_sent_to(
    client: Client, action: Action, owner: User
) -> None:
    response = client.post(link_to(action, owner), AMBER_UPDATE)

    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Update recorded" in text
    assert "RAG rating Amber (at risk), changed from green (on track)" in text
    assert "Status In progress, unchanged" in text
    assert "One psychologist starts in January" in text
    [update] = ProgressUpdate.objects.filter(action=action)
    assert update.author == owner
    assert (update.previous_rag, update.rag) == (Rag.GREEN, Rag.AMBER)
    assert update.commentary == AMBER_UPDATE["commentary"]
    action.refresh_from_db()
    assert (action.status, action.rag, action.latest_update) == (
        ActionStatus.IN_PROGRESS,
        Rag.AMBER,
        update,
    )
    latest = action.history.latest()
    assert (latest.history_user, latest.history_change_reason, latest.rag) == (
        owner,
        "Progress update",
        Rag.AMBER,
    )
    [use] = UpdateLinkUse.objects.all()
    assert (use.action_id, use.used_at) == (action.pk, NOW)


def test_a_supporting_owner_records_the_update_under_their_own_name(
    client: Client, action: Action
) -> None:
    supporter = UserFactory.create(name="Sam Supporter", email="sam@nhs.example")
    action.supporting_owners.add(supporter)

    response = client.post(link_to(action, supporter), AMBER_UPDATE)

    assert response.status_code == 200
    assert ProgressUpdate.objects.get(action=action).author == supporter


def test_completing_an_action_records_the_date_it_was_completed(
    client: Client, action: Action, owner: User
) -> None:
    response = client.post(
        link_to(action, owner),
        {
            "status": ActionStatus.COMPLETED,
            "rag": Rag.BLUE,
            "commentary": "Both psychologists are in post.",
            "completed_on": "24/11/2026",
        },
    )

    assert response.status_code == 200
    assert "Date completed Tuesday 24 November 2026" in text_of(response.content.decode())
    action.refresh_from_db()
    assert (action.status, action.rag, action.completed_on) == (
        ActionStatus.COMPLETED,
        Rag.BLUE,
        dt.date(2026, 11, 24),
    )


def test_a_second_use_of_the_same_link_gets_the_already_used_page_and_changes_nothing(
    client: Client, action: Action, owner: User, clock: time_machine.Traveller
) -> None:
    url = link_to(action, owner)
    assert client.post(url, AMBER_UPDATE).status_code == 200
    after_first = snapshot(action)
    clock.move_to(NOW + dt.timedelta(hours=2))

    again = client.post(url, {**AMBER_UPDATE, "rag": Rag.RED, "commentary": "Worse now."})
    looking = client.get(url)

    for response in (again, looking):
        assert response.status_code == 410
        text = text_of(response.content.decode())
        assert "This link has already been used" in text
        assert "action 2.3 on Wednesday 25 November 2026 at 10:00" in text
        assert "Nothing has been changed" in text
    assert snapshot(action) == after_first
    # Another reminder's link for the same action still works.
    fresh_link = link_to(action, owner, notification_id=2)
    assert client.post(
        fresh_link, {**AMBER_UPDATE, "commentary": "Advert closed."}
    ).status_code == (200)


def test_an_expired_link_gets_its_page_and_changes_nothing(
    client: Client, action: Action, owner: User, clock: time_machine.Traveller
) -> None:
    url = link_to(action, owner)
    before = snapshot(action)
    max_age = dt.timedelta(days=settings.UPDATE_LINK_MAX_AGE_DAYS)

    clock.move_to(NOW + max_age - dt.timedelta(minutes=1))
    assert client.get(url).status_code == 200  # still good on its last day
    clock.move_to(NOW + max_age + dt.timedelta(minutes=1))
    responses = [client.get(url), client.post(url, AMBER_UPDATE)]

    for response in responses:
        assert response.status_code == 410
        text = text_of(response.content.decode())
        assert "This link has expired" in text
        assert f"links in reminders work for {settings.UPDATE_LINK_MAX_AGE_DAYS} days" in text
    assert snapshot(action) == before


def test_a_tampered_link_gets_its_page_and_changes_nothing(
    client: Client, action: Action, owner: User
) -> None:
    token = update_token(action_id=action.pk, user_id=owner.pk, notification_id=1)
    # One character changed in the signed part: for example, another action's number.
    tampered = ("B" if token[0] != "B" else "C") + token[1:]
    preferences_token = urlsplit(preferences_url(user_id=owner.pk)).path.split("/")[-2]
    before = snapshot(action)

    for bad in (tampered, token[:-1], preferences_token, "not-a-link"):
        url = reverse("update-link", args=[bad])
        for response in (client.get(url), client.post(url, AMBER_UPDATE)):
            assert response.status_code == 404, bad
            text = text_of(response.content.decode())
            assert "This link does not work" in text
            assert "Check that you copied the whole link" in text
    assert snapshot(action) == before


@pytest.mark.parametrize("change", ["owner_replaced", "person_deactivated"])
def test_a_person_no_longer_allowed_to_report_progress_gets_403_and_changes_nothing(
    client: Client, action: Action, owner: User, change: str
) -> None:
    url = link_to(action, owner)
    if change == "owner_replaced":
        Action.objects.filter(pk=action.pk).update(owner=UserFactory.create(name="New Owner"))
    else:
        User.objects.filter(pk=owner.pk).update(is_active=False)
    before = snapshot(action)

    for response in (client.get(url), client.post(url, AMBER_UPDATE)):
        assert response.status_code == 403
        assert "You can no longer update this action" in text_of(response.content.decode())
    assert snapshot(action) == before


def test_a_link_to_an_action_that_has_gone_gets_404(
    client: Client, action: Action, owner: User
) -> None:
    url = link_to(action, owner)
    action.delete()

    for response in (client.get(url), client.post(url, AMBER_UPDATE)):
        assert response.status_code == 404
        assert "This action no longer exists" in text_of(response.content.decode())
    assert not ProgressUpdate.objects.exists()
    assert not UpdateLinkUse.objects.exists()
