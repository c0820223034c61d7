"""Administrators see the addresses we could not reach, clear one when the person's inbox works
again, and can list the people whose address is not reachable."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from notifications.delivery import notification_deliver
from notifications.models import Notification, NotificationKind, UnreachableAddress
from notifications.services import reminders_queue
from tests.notifications.conftest import TODAY, Clock, SmallPlan, london
from tests.receipts.conftest import post, receipt

pytestmark = pytest.mark.django_db

LIST = reverse("admin:notifications_unreachableaddress_changelist")


@pytest.fixture
def marked(client: Client, small_plan: SmallPlan, sent: Notification) -> UnreachableAddress:
    completed = london(TODAY, dt.time(9, 45))
    assert post(client, receipt(sent, "permanent-failure", completed=completed)).status_code == 200
    return UnreachableAddress.objects.get()


@pytest.fixture
def admin(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


def test_the_list_shows_the_address_the_person_and_the_email_that_failed(
    admin: Client, small_plan: SmallPlan, marked: UnreachableAddress
) -> None:
    html = admin.get(LIST).content.decode()

    assert "owner@northshire.gov.uk" in html
    person = reverse("admin:accounts_user_change", args=[small_plan.owner.pk])
    assert f'<a href="{person}">Owen Owner</a>' in html
    row = reverse("admin:notifications_notification_change", args=[marked.notification_id])
    assert f'<a href="{row}">Ledger row {marked.notification_id}</a>' in html
    assert "permanent failure" in html
    # Marks come from receipts only, and "clear" is the way to remove one.
    assert reverse("admin:notifications_unreachableaddress_add") not in html
    assert 'value="delete_selected"' not in html


def test_a_mark_whose_person_has_a_new_address_says_so(
    admin: Client, small_plan: SmallPlan, marked: UnreachableAddress
) -> None:
    small_plan.owner.email = "owen@northshire.gov.uk"
    small_plan.owner.save()
    html = admin.get(reverse("admin:notifications_unreachableaddress_change", args=[marked.pk]))
    assert "Nobody now: their address has been changed" in html.content.decode()


def test_clearing_an_address_lets_its_emails_go_again(
    admin: Client, small_plan: SmallPlan, marked: UnreachableAddress, clock: Clock
) -> None:
    response = admin.post(LIST, {"action": "clear", "_selected_action": [marked.pk]}, follow=True)

    assert "1 address cleared: emails will be sent to it again." in response.content.decode()
    assert not UnreachableAddress.objects.exists()
    small_plan.action(due=dt.date(2026, 11, 27))
    day = dt.date(2026, 11, 26)
    clock.go_to(day)
    reminders_queue(today=day)
    row = Notification.objects.get(
        recipient=small_plan.owner, kind=NotificationKind.REMINDERS, occurrence=day.isoformat()
    )
    mail.outbox.clear()
    assert notification_deliver(notification_id=row.pk) == "sent"
    assert [m.to for m in mail.outbox] == [["owner@northshire.gov.uk"]]


def test_the_people_list_filters_by_whether_the_address_is_reachable(
    admin: Client, small_plan: SmallPlan, marked: UnreachableAddress
) -> None:
    people = reverse("admin:accounts_user_changelist")

    unreachable = admin.get(people, {"email_reachable": "no"}).content.decode()
    reachable = admin.get(people, {"email_reachable": "yes"}).content.decode()

    assert "owner@northshire.gov.uk" in unreachable
    assert "lead@northshire.gov.uk" not in unreachable
    assert "owner@northshire.gov.uk" not in reachable
    assert "lead@northshire.gov.uk" in reachable
    assert "email reachable" in admin.get(people).content.decode()


def test_the_ledger_shows_and_filters_by_what_notify_said(
    admin: Client, marked: UnreachableAddress
) -> None:
    ledger = reverse("admin:notifications_notification_changelist")

    failed = admin.get(ledger, {"delivery_status": "permanent_failure"}).content.decode()
    delivered = admin.get(ledger, {"delivery_status": "delivered"}).content.decode()

    assert 'id="result_list"' in failed
    table = failed[failed.index('id="result_list"') :]
    assert '<td class="field-delivery_status">Not delivered: address not reachable</td>' in table
    assert 'id="result_list"' not in delivered
