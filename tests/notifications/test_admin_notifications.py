"""The chasing in the admin, as a superuser and as a plan administrator (``is_staff`` only).

A plan's own reminder rule and escalation ladder are edited on the plan's page and change
what the next sweep decides; the ledger and the escalations are records to read, never to
add, edit or delete; a failed email can be sent again. Forms are posted as a browser posts
them (``form_data`` reads the page first).
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from accounts.models import User
from actions.models import Action, Milestone, Plan
from notifications.delivery import notification_deliver
from notifications.models import (
    Escalation,
    EscalationStep,
    Notification,
    NotificationKind,
    NotificationStatus,
    ReminderRule,
)
from notifications.services import escalations_queue, reminders_queue
from tests.admin.forms import add_inline_row, form_data, url
from tests.factories import ActionFactory, UserFactory
from tests.notifications.conftest import TODAY, SmallPlan
from tests.notifications.smtp import running_smtp_server

pytestmark = pytest.mark.django_db

# Wednesday 2 December 2026: 5 working days after today, not one of the default 10 and 3.
FIVE_DAYS_AHEAD = dt.date(2026, 12, 2)


@pytest.fixture
def officer() -> User:
    """A plan administrator who is not a superuser."""
    return UserFactory.create(
        name="Olu Officer", email="plan.admin@northshire.gov.uk", is_staff=True
    )


@pytest.fixture(params=["superuser", "plan administrator"])
def staff(request: pytest.FixtureRequest, admin_client: Client, officer: User) -> Client:
    """Each test runs once as a superuser and once as a plan administrator."""
    if request.param == "superuser":
        return admin_client
    client = Client()
    client.force_login(officer)
    return client


def plan_page(client: Client, plan: Plan) -> dict[str, Any]:
    return form_data(client.get(url("actions_plan_change", plan.pk)), "plan_form")


def add_reminder_rule(data: dict[str, Any], **fields: str) -> None:
    """Fill in the plan's own reminder rule, with the hidden initial value a browser sends."""
    row = int(data["reminder_rule-TOTAL_FORMS"])
    data[f"initial-reminder_rule-{row}-days_before"] = "[10, 3]"
    add_inline_row(data, "reminder_rule", **{"on_due_date": "on", "overdue_every": "5", **fields})


def errors_on(response: Any) -> list[str]:
    """The messages shown beside the fields of a refused form."""
    assert response.status_code == 200, f"expected the form again, got {response.status_code}"
    html = response.content.decode()
    return re.findall(r"<li>(.*?)</li>", " ".join(re.findall(r'"errorlist[^>]*>(.*?)</ul>', html)))


def shown(response: Any) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


# --- A plan's own rule and ladder ---------------------------------------------------------


def test_the_plan_page_shows_its_own_reminder_rule_and_ladder_but_not_the_defaults(
    small_plan: SmallPlan, staff: Client
) -> None:
    plan = small_plan.plan
    ReminderRule.objects.create(plan=plan, days_before=[7, 2], on_due_date=False, overdue_every=4)
    step = EscalationStep.objects.create(
        plan=plan, item_type="milestone", level=1, after_working_days=2, audience="executive"
    )

    response = staff.get(url("actions_plan_change", plan.pk))
    page = response.content.decode()
    assert "Reminder rule of this plan (instead of the default)" in page
    assert "Escalation step of this plan (instead of the default ladder)" in page
    data = form_data(response, "plan_form")
    assert data["reminder_rule-TOTAL_FORMS"] == "1"
    assert data["reminder_rule-0-days_before"] == "[7, 2]"
    assert "reminder_rule-0-on_due_date" not in data  # unticked
    assert data["reminder_rule-0-overdue_every"] == "4"
    # Only this plan's step: the six rows of the default ladder are not on the plan's page.
    assert data["escalation_steps-TOTAL_FORMS"] == "1"
    assert data["escalation_steps-0-id"] == str(step.pk)
    assert (
        data["escalation_steps-0-item_type"],
        data["escalation_steps-0-level"],
        data["escalation_steps-0-after_working_days"],
        data["escalation_steps-0-audience"],
    ) == ("milestone", "1", "2", "executive")


def test_a_plan_without_its_own_rule_offers_to_add_one_with_the_default_days(
    small_plan: SmallPlan, staff: Client
) -> None:
    data = plan_page(staff, small_plan.plan)
    assert data["reminder_rule-TOTAL_FORMS"] == "0"
    assert data["reminder_rule-MAX_NUM_FORMS"] == "1"  # one rule per plan
    assert data["escalation_steps-TOTAL_FORMS"] == "0"


def test_saving_a_plan_with_its_own_reminder_days_changes_the_next_reminder_sweep(
    small_plan: SmallPlan, staff: Client
) -> None:
    plan = small_plan.plan
    action = small_plan.action(due=FIVE_DAYS_AHEAD)
    # Another plan keeps the default rule: its action due the same day is not reminded.
    elsewhere = ActionFactory.create(due_date=FIVE_DAYS_AHEAD)
    assert reminders_queue(today=TODAY, dry_run=True).due == []

    data = plan_page(staff, plan)
    add_reminder_rule(data, days_before="[5]", overdue_every="3")
    response = staff.post(url("actions_plan_change", plan.pk), data)

    assert response.status_code == 302, errors_on(response)
    rule = ReminderRule.objects.get(plan=plan)
    assert (rule.days_before, rule.on_due_date, rule.overdue_every) == ([5], True, 3)
    assert rule.history.get().history_user == response.wsgi_request.user
    queued = reminders_queue(today=TODAY)
    [row] = Notification.objects.filter(pk__in=queued.queued_ids)
    assert row.recipient == small_plan.owner
    assert [(item["id"], item["reason"], item["days"]) for item in row.items] == [
        (action.pk, "due_soon", 5)
    ]
    assert elsewhere.owner_id not in {line.recipient_id for line in queued.due}


def test_removing_a_plans_own_rule_in_the_admin_brings_back_the_default(
    small_plan: SmallPlan, staff: Client
) -> None:
    plan = small_plan.plan
    small_plan.action(due=FIVE_DAYS_AHEAD)
    ReminderRule.objects.create(plan=plan, days_before=[5])
    assert len(reminders_queue(today=TODAY, dry_run=True).due) == 1

    data = plan_page(staff, plan)
    data["reminder_rule-0-DELETE"] = "on"
    response = staff.post(url("actions_plan_change", plan.pk), data)

    assert response.status_code == 302, errors_on(response)
    assert not ReminderRule.objects.filter(plan=plan).exists()
    assert reminders_queue(today=TODAY, dry_run=True).due == []


def test_saving_a_plan_with_its_own_ladder_changes_who_the_escalation_sweep_tells(
    small_plan: SmallPlan, staff: Client
) -> None:
    plan = small_plan.plan
    # Due yesterday: its first late day. The default ladder waits 5 working days for actions.
    action = small_plan.action(due=dt.date(2026, 11, 24))
    assert escalations_queue(today=TODAY, dry_run=True).escalations == []

    data = plan_page(staff, plan)
    add_inline_row(
        data,
        "escalation_steps",
        item_type="action",
        level="1",
        after_working_days="0",
        audience="owner",
    )
    add_inline_row(
        data,
        "escalation_steps",
        item_type="action",
        level="2",
        after_working_days="2",
        audience="accountable_lead",
    )
    response = staff.post(url("actions_plan_change", plan.pk), data)

    assert response.status_code == 302, errors_on(response)
    assert list(
        EscalationStep.objects.filter(plan=plan).values_list(
            "item_type", "level", "after_working_days", "audience"
        )
    ) == [("action", 1, 0, "owner"), ("action", 2, 2, "accountable_lead")]
    escalations_queue(today=TODAY)
    [escalation] = Escalation.objects.filter(action=action)
    assert (escalation.level, escalation.audience) == (1, "owner")
    assert list(escalation.told.all()) == [small_plan.owner]
    assert Notification.objects.get(kind=NotificationKind.ESCALATION).recipient == (
        small_plan.owner
    )


def test_two_steps_for_one_level_are_refused_with_a_message_not_an_error_page(
    small_plan: SmallPlan, staff: Client
) -> None:
    plan = small_plan.plan
    data = plan_page(staff, plan)
    for days in ("0", "3"):
        add_inline_row(
            data,
            "escalation_steps",
            item_type="milestone",
            level="1",
            after_working_days=days,
            audience="accountable_lead",
        )
    response = staff.post(url("actions_plan_change", plan.pk), data)

    assert "This plan&#x27;s ladder already has this level." in errors_on(response)
    assert not EscalationStep.objects.filter(plan=plan).exists()


@pytest.mark.parametrize(
    ("days_before", "message"),
    [
        ("[0]", "Each reminder is between 1 and 60 working days before the due date."),
        ("[10, 61]", "Each reminder is between 1 and 60 working days before the due date."),
        ("[3, 3]", "Each number of days appears once."),
        ('["x"]', "Give whole numbers of working days, for example [10, 3]."),
        ("[1.5]", "Give whole numbers of working days, for example [10, 3]."),
        ("10", "Give whole numbers of working days, for example [10, 3]."),
        ("ten and three", "Enter a valid JSON."),
        ("", "Give a list such as [10, 3], or [] for no reminders before the due date."),
    ],
)
def test_bad_reminder_days_on_the_plan_page_are_refused_with_a_message_and_nothing_is_saved(
    small_plan: SmallPlan, staff: Client, days_before: str, message: str
) -> None:
    plan = small_plan.plan
    data = plan_page(staff, plan)
    data["title"] = "A new title that must not be saved"
    add_reminder_rule(data, days_before=days_before)

    response = staff.post(url("actions_plan_change", plan.pk), data)

    assert errors_on(response) == [message]
    assert not ReminderRule.objects.filter(plan=plan).exists()
    assert Plan.objects.get(pk=plan.pk).title == plan.title


def test_a_nudge_interval_over_60_working_days_is_refused_on_the_plan_page(
    small_plan: SmallPlan, staff: Client
) -> None:
    data = plan_page(staff, small_plan.plan)
    add_reminder_rule(data, days_before="[5]", overdue_every="61")
    response = staff.post(url("actions_plan_change", small_plan.plan.pk), data)
    assert errors_on(response) == ["Nudge at most every 60 working days."]
    assert not ReminderRule.objects.filter(plan=small_plan.plan).exists()


def test_bad_days_on_the_default_rule_are_refused_and_the_default_stays(staff: Client) -> None:
    default = ReminderRule.objects.get(plan=None)
    change_url = url("notifications_reminderrule_change", default.pk)
    data = form_data(staff.get(change_url), "reminderrule_form")
    data["days_before"] = "[3, 0]"

    response = staff.post(change_url, data)

    assert errors_on(response) == [
        "Each reminder is between 1 and 60 working days before the due date."
    ]
    assert ReminderRule.objects.get(pk=default.pk).days_before == [10, 3]


# --- The ledger and escalations are read-only ---------------------------------------------


@dataclass
class Chased:
    small: SmallPlan
    late: Action
    slipped: Milestone


@pytest.fixture
def chased(small_plan: SmallPlan) -> Chased:
    """Reminders to the owner and the supporter; escalations to the lead and the board."""
    small = small_plan
    late = small.action(due=dt.date(2026, 10, 30))  # 18 working days late: levels 1 and 2
    small.action(due=dt.date(2026, 11, 30), supporting_owners=[small.supporter])  # 3 ahead
    slipped = small.milestone(due=dt.date(2026, 11, 16))  # 7 working days late: levels 1, 2
    reminders_queue(today=TODAY)
    escalations_queue(today=TODAY)
    return Chased(small, late, slipped)


@pytest.mark.parametrize("model", [Notification, Escalation], ids=["ledger", "escalations"])
def test_the_ledger_and_escalations_can_be_read_but_not_added_changed_or_deleted(
    chased: Chased, staff: Client, model: type[Notification] | type[Escalation]
) -> None:
    info = f"notifications_{model._meta.model_name}"
    row = model.objects.order_by("pk").first()
    assert row is not None
    before = list(model.objects.order_by("pk").values())

    changelist = staff.get(url(f"{info}_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == model.objects.count()
    assert url(f"{info}_add") not in changelist.content.decode()
    action_form = changelist.context["action_form"]
    offered = {value for value, _ in action_form.fields["action"].choices} if action_form else set()
    assert "delete_selected" not in offered

    page = staff.get(url(f"{info}_change", row.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert url(f"{info}_delete", row.pk) not in page.content.decode()

    assert staff.get(url(f"{info}_add")).status_code == 403
    assert staff.post(url(f"{info}_add"), {"level": "1"}).status_code == 403
    assert staff.post(url(f"{info}_change", row.pk), {"status": "sent"}).status_code == 403
    assert staff.get(url(f"{info}_delete", row.pk)).status_code == 403
    assert staff.post(url(f"{info}_delete", row.pk), {"post": "yes"}).status_code == 403
    staff.post(
        url(f"{info}_changelist"),
        {"action": "delete_selected", "_selected_action": [str(row.pk)], "post": "yes"},
    )
    assert list(model.objects.order_by("pk").values()) == before


def test_the_escalations_list_says_who_was_told(chased: Chased, staff: Client) -> None:
    response = staff.get(url("notifications_escalation_changelist"), {"level": "2"})
    assert response.status_code == 200
    rows = {escalation.pk for escalation in response.context["cl"].result_list}
    assert rows == set(Escalation.objects.filter(level=2).values_list("pk", flat=True))
    page = response.content.decode()
    for person in chased.small.executive:
        assert person.name in page
    assert chased.small.lead.name not in page  # told at level 1, filtered out


# --- Sending failed emails again ----------------------------------------------------------


@dataclass
class Outcomes:
    failed: list[Notification]  # the owner's and the supporter's reminders
    sent: list[Notification]  # the lead's escalation
    queued: list[Notification]  # the board members' escalations, not delivered yet


@pytest.fixture
def outcomes(chased: Chased, settings: Settings) -> Outcomes:
    small = chased.small
    reminders = list(
        Notification.objects.filter(kind=NotificationKind.REMINDERS).order_by("recipient__email")
    )
    assert [row.recipient for row in reminders] == [small.owner, small.supporter]
    with running_smtp_server() as server:
        server.handler.refuse_recipient = True
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = server.host
        settings.EMAIL_PORT = server.port
        assert [notification_deliver(notification_id=row.pk) for row in reminders] == [
            "failed",
            "failed",
        ]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lead_row = Notification.objects.get(recipient=small.lead)
    assert notification_deliver(notification_id=lead_row.pk) == "sent"
    queued = list(Notification.objects.filter(recipient__in=small.executive).order_by("pk"))
    return Outcomes(
        failed=[Notification.objects.get(pk=row.pk) for row in reminders],
        sent=[Notification.objects.get(pk=lead_row.pk)],
        queued=queued,
    )


def send_again(client: Client, rows: list[Notification]) -> Any:
    return client.post(
        url("notifications_notification_changelist"),
        {"action": "send_again", "_selected_action": [str(row.pk) for row in rows]},
        follow=True,
    )


def state(row: Notification) -> tuple[Any, ...]:
    fresh = Notification.objects.get(pk=row.pk)
    return (fresh.status, fresh.attempts, fresh.sent_at, fresh.updated_at, fresh.last_error)


def test_a_failed_email_shows_its_error_in_the_ledger(outcomes: Outcomes, staff: Client) -> None:
    response = staff.get(url("notifications_notification_changelist"), {"status__exact": "failed"})
    assert {row.pk for row in response.context["cl"].result_list} == {
        row.pk for row in outcomes.failed
    }
    assert "Recipient address rejected" in response.content.decode()
    for row in outcomes.failed:
        assert (row.status, row.attempts) == (NotificationStatus.FAILED, 1)
        assert row.last_error == (
            f"{row.to_email}: 550 5.1.1 <{row.to_email}>: Recipient address rejected: User unknown"
        )


def test_the_ledger_shows_what_was_sent_without_its_working_update_links(
    outcomes: Outcomes, staff: Client
) -> None:
    [row] = outcomes.failed[:1]
    assert "/update/" in row.body_text and "/update/[link hidden]/" not in row.body_text

    page = staff.get(url("notifications_notification_change", row.pk)).content.decode()

    assert row.subject in page
    assert "/update/[link hidden]/" in page
    # No signed link is on the page to be followed in the owner's name.
    assert not re.search(r"/update/(?!\[link hidden\])[^/\s\"<]+/", page)


def test_sending_failed_emails_again_queues_them_afresh_and_leaves_the_others_alone(
    outcomes: Outcomes, staff: Client
) -> None:
    others = outcomes.sent + outcomes.queued[:1]
    before = {row.pk: state(row) for row in others}

    response = send_again(staff, outcomes.failed + others)

    assert response.status_code == 200
    assert shown(response) == [
        ("success", "2 emails queued to be sent again."),
        ("warning", "2 were not failed (sent, queued or sending) and were left alone."),
    ]
    for row in outcomes.failed:
        fresh = Notification.objects.get(pk=row.pk)
        assert (fresh.status, fresh.attempts) == (NotificationStatus.QUEUED, 0)
        assert fresh.next_attempt_at <= fresh.updated_at
    assert {row.pk: state(row) for row in others} == before

    # Back in the queue, the next delivery sends it.
    mail.outbox.clear()
    assert notification_deliver(notification_id=outcomes.failed[0].pk) == "sent"
    assert [message.to for message in mail.outbox] == [["owner@northshire.gov.uk"]]
    assert Notification.objects.get(pk=outcomes.failed[0].pk).status == NotificationStatus.SENT


def test_sending_only_failed_emails_again_shows_no_warning(
    outcomes: Outcomes, staff: Client
) -> None:
    response = send_again(staff, outcomes.failed)
    assert shown(response) == [("success", "2 emails queued to be sent again.")]
    assert not Notification.objects.filter(status=NotificationStatus.FAILED).exists()


def test_sending_sent_emails_again_sends_nothing(outcomes: Outcomes, staff: Client) -> None:
    rows = outcomes.sent + outcomes.queued
    before = {row.pk: state(row) for row in rows}
    assert len(rows) == 3

    response = send_again(staff, rows)

    assert ("warning", "3 were not failed (sent, queued or sending) and were left alone.") in (
        shown(response)
    )
    assert {row.pk: state(row) for row in rows} == before
    assert Notification.objects.filter(status=NotificationStatus.FAILED).count() == 2


def test_people_who_are_not_administrators_cannot_send_emails_again(outcomes: Outcomes) -> None:
    client = Client()
    client.force_login(UserFactory.create())
    response = client.post(
        url("notifications_notification_changelist"),
        {"action": "send_again", "_selected_action": [str(outcomes.failed[0].pk)]},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert state(outcomes.failed[0])[:2] == (NotificationStatus.FAILED, 1)
