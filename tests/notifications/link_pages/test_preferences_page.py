"""The reminder preferences page reached from an email's link.

Looking saves nothing; saving shows the choices and changes which reminders the next sweep
sends; days that cannot be used are refused beside their field and change nothing; an
expired or tampered link changes nothing.
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from actions.models import Action
from notifications.links import preferences_url
from notifications.models import NotificationPreference
from notifications.preferences import preferences_update
from notifications.services import reminders_queue
from tests.factories import ActionFactory
from tests.notifications.link_pages.links import NOW, TODAY
from tests.notifications.link_pages.pages import (
    Page,
    assert_accessible_form,
    error_summary,
    text_of,
)

# --- Preferences ----------------------------------------------------------------------------


def preferences_path(person: User) -> str:
    return urlsplit(preferences_url(user_id=person.pk)).path


def test_the_preferences_page_shows_the_defaults_and_saves_nothing_by_looking(
    client: Client, owner: User, clock: time_machine.Traveller
) -> None:
    response = client.get(preferences_path(owner))

    assert response.status_code == 200
    page = assert_accessible_form(response.content.decode())
    assert page.title() == "Your reminder emails \N{EN DASH} Action plan delivery service"
    boxes = {e.attrs["name"]: "checked" in e.attrs for e in page.all("input", type="checkbox")}
    assert boxes == {
        "before_due": True,
        "on_due_date": True,
        "overdue": True,
        "as_supporting_owner": True,
        "digests": True,
    }
    assert page.by_id("id_days_before").attrs.get("value") is None
    assert "Escalations cannot be switched off" in text_of(response.content.decode())
    assert [" ".join(e.text.split()) for e in page.all("legend")] == ["Reminders", "Digests"]
    assert not NotificationPreference.objects.exists()


def test_the_preferences_page_shows_what_the_person_chose_before(
    client: Client, owner: User, clock: time_machine.Traveller
) -> None:
    preferences_update(user=owner, fields={"days_before": [5, 2], "overdue": False})

    page = Page(client.get(preferences_path(owner)).content.decode())

    assert page.by_id("id_days_before").attrs["value"] == "5, 2"
    assert "checked" not in page.by_id("id_overdue").attrs
    assert "checked" in page.by_id("id_before_due").attrs


def test_the_preferences_page_saves_the_choices_and_shows_them(
    client: Client, owner: User, clock: time_machine.Traveller
) -> None:
    response = client.post(
        preferences_path(owner),
        {"before_due": "on", "days_before": "10, 5,3", "overdue": "on"},
    )

    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Your choices are saved" in text
    assert "Which working days before 10, 5 and 3 working days before" in text
    assert "A reminder on the due date Off" in text
    assert "Weekly digests Off" in text
    saved = NotificationPreference.objects.get(user=owner)
    assert (saved.before_due, saved.days_before, saved.on_due_date, saved.overdue) == (
        True,
        [10, 5, 3],
        False,
        True,
    )
    assert (saved.as_supporting_owner, saved.digests) == (False, False)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Each reminder is between 1 and 60 working days before the due date."),
        ("61", "Each reminder is between 1 and 60 working days before the due date."),
        ("abc", "Enter whole numbers of working days separated by commas, for example 10, 3."),
        ("3.5", "Enter whole numbers of working days separated by commas, for example 10, 3."),
        ("3,3", "Each number of days appears once."),
    ],
)
def test_days_before_that_cannot_be_used_are_refused_and_change_nothing(
    client: Client, owner: User, clock: time_machine.Traveller, typed: str, message: str
) -> None:
    preferences_update(user=owner, fields={"days_before": [10, 3], "digests": False})
    before = list(NotificationPreference.objects.values())

    response = client.post(preferences_path(owner), {"days_before": typed, "digests": "on"})

    assert response.status_code == 400
    page = assert_accessible_form(response.content.decode())
    assert page.title().startswith("Error: Your reminder emails")
    assert error_summary(page) == {"id_days_before": message}
    assert message in page.by_id("id_days_before_error").text
    assert page.by_id("id_days_before").attrs["value"] == typed
    assert list(NotificationPreference.objects.values()) == before


def test_an_expired_or_tampered_preferences_link_changes_nothing(
    client: Client, owner: User, clock: time_machine.Traveller
) -> None:
    path = preferences_path(owner)
    clock.move_to(NOW + dt.timedelta(days=settings.PREFERENCES_LINK_MAX_AGE_DAYS, minutes=1))

    expired = client.post(path, {"digests": "on"})
    token = path.split("/")[-2]
    tampered = client.post(
        reverse("preferences-link", args=[token[:-1] + ("A" if token[-1] != "A" else "B")]), {}
    )

    assert expired.status_code == 410
    assert "This link has expired" in text_of(expired.content.decode())
    assert tampered.status_code == 404
    assert "This link does not work" in text_of(tampered.content.decode())
    assert not NotificationPreference.objects.exists()


def test_a_saved_preference_changes_which_reminders_are_sent(
    client: Client, action: Action, owner: User
) -> None:
    # From Wednesday 25 November, Monday 30 November is 3 working days ahead and Wednesday
    # 2 December is 5.
    Action.objects.filter(pk=action.pk).update(due_date=dt.date(2026, 11, 30))
    later = ActionFactory.create(
        recommendation=action.recommendation, owner=owner, due_date=dt.date(2026, 12, 2)
    )

    def reminders_for_owner() -> list[tuple[str, int, int]]:
        due = reminders_queue(today=TODAY, dry_run=True).due
        return [
            (line.reason, line.days, line.item_id) for line in due if line.recipient_id == owner.pk
        ]

    assert reminders_for_owner() == [("due_soon", 3, action.pk)]  # the plan's 10 and 3

    client.post(preferences_path(owner), {"days_before": "5", "on_due_date": "on"})
    assert reminders_for_owner() == []  # reminders before the due date switched off

    client.post(preferences_path(owner), {"before_due": "on", "days_before": "5"})
    assert reminders_for_owner() == [("due_soon", 5, later.pk)]
    result = reminders_queue(today=TODAY)
    assert len(result.queued_ids) == 1
    [row] = NotificationPreference.objects.get(user=owner).user.notifications.all()
    assert [item["id"] for item in row.items] == [later.pk]
