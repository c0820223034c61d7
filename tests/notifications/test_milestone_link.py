"""A milestone's accountable lead records it as achieved from the link in a reminder."""

import datetime as dt
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.test import Client

from accounts.models import User
from actions.models import Milestone
from notifications.delivery import notification_deliver
from notifications.links import milestone_url
from notifications.models import Notification
from notifications.services import escalations_queue, reminders_queue
from tests.factories import (
    BoardFactory,
    MilestoneFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def lead() -> User:
    return UserFactory.create(name="Priya Lead", email="priya.lead@northshire.gov.uk")


@pytest.fixture
def milestone(lead: User) -> Milestone:
    recommendation = RecommendationFactory.create(
        plan=PlanFactory.create(), number=1, title="Improve EHC plans", lead=lead
    )
    return MilestoneFactory.create(
        recommendation=recommendation,
        title="All assessments older than 20 weeks completed",
        due_date=dt.date(2026, 11, 27),
    )


def path_for(milestone: Milestone, person: User) -> str:
    url = milestone_url(milestone_id=milestone.pk, user_id=person.pk, notification_id=1)
    return urlsplit(url).path


def test_the_reminder_links_the_lead_to_a_form_that_records_the_milestone_achieved(
    client: Client, milestone: Milestone, lead: User
) -> None:
    # Due Friday: 2 working days ahead is not a reminder day, so go to its "due today".
    with time_machine.travel(dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC), tick=False):
        reminders_queue(today=dt.date(2026, 11, 27))
        [row] = Notification.objects.filter(recipient=lead)
        notification_deliver(notification_id=row.pk)
    [message] = mail.outbox
    [link] = re.findall(r"Record it as achieved: (\S+)", str(message.body))

    page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    assert "Record a milestone as achieved" in page.content.decode()

    done = client.post(
        urlsplit(link).path,
        {"achieved_on": "25/11/2026", "version": str(milestone.version)},
    )

    assert done.status_code == 200
    assert "Milestone recorded as achieved" in done.content.decode()
    milestone.refresh_from_db()
    assert milestone.achieved_on == dt.date(2026, 11, 25)
    assert milestone.history.latest().history_user == lead
    # Achieved: its chasing stops, and the link has done its work.
    assert client.get(urlsplit(link).path).status_code == 410


def test_a_future_date_is_refused_beside_its_field_and_changes_nothing(
    client: Client, milestone: Milestone, lead: User
) -> None:
    response = client.post(path_for(milestone, lead), {"achieved_on": "01/12/2026"})

    assert response.status_code == 400
    assert "A milestone cannot be achieved in the future" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.achieved_on is None


def test_a_milestone_changed_meanwhile_shows_the_form_again_saying_why(
    client: Client, milestone: Milestone, lead: User
) -> None:
    seen_version = milestone.version
    milestone.title = "Every assessment older than 20 weeks completed"
    milestone.save()

    response = client.post(
        path_for(milestone, lead), {"achieved_on": "25/11/2026", "version": str(seen_version)}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this milestone while you had this page open" in html
    milestone.refresh_from_db()
    assert milestone.achieved_on is None


def test_someone_who_does_not_lead_it_gets_403_and_changes_nothing(
    client: Client, milestone: Milestone
) -> None:
    stranger = UserFactory.create()
    response = client.post(path_for(milestone, stranger), {"achieved_on": "25/11/2026"})

    assert response.status_code == 403
    milestone.refresh_from_db()
    assert milestone.achieved_on is None


def test_a_tampered_link_gets_404_and_an_expired_one_410(
    client: Client, milestone: Milestone, lead: User, clock: time_machine.Traveller
) -> None:
    path = path_for(milestone, lead)
    assert client.get(path[:-3] + "xy/").status_code == 404
    clock.shift(dt.timedelta(days=15))
    assert client.post(path, {"achieved_on": "25/11/2026"}).status_code == 410
    milestone.refresh_from_db()
    assert milestone.achieved_on is None


def test_an_escalation_to_the_board_carries_no_link_for_them(
    milestone: Milestone, lead: User
) -> None:
    member = UserFactory.create(email="exec@northshire.gov.uk")
    milestone.recommendation.plan.board = BoardFactory.create(members=[member])
    milestone.recommendation.plan.save()
    Milestone.objects.filter(pk=milestone.pk).update(due_date=dt.date(2026, 11, 16))
    escalations_queue(today=dt.date(2026, 11, 25))
    for row in Notification.objects.all():
        notification_deliver(notification_id=row.pk)

    bodies = {m.to[0]: str(m.body) for m in mail.outbox}
    assert "Record it as achieved" in bodies[lead.email]
    assert "Record it as achieved" not in bodies[member.email]
