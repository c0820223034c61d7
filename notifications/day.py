"""The day's sweep: one email per person per working day, escalations at the top.

The scheduled sweep and ``send_reminders`` climb the escalation ladder first, then decide
the day's reminders, then insert one ledger row per person for the day (kind reminders,
occurrence the day), all in one transaction: what escalated to someone is the first section
of their one email, not a second email.

An escalation recorded after a person's email for the day was queued joins that email if it
has not been sent yet; if it has, it goes in an escalation email of its own, so it is never
lost. Escalations cannot be switched off: the section comes whatever the person's
preferences, even when they have no reminders that day.

After an outage the first sweep of the next working day also sends what fell due on the
working days the service missed (``NOTIFICATIONS_CATCH_UP_WORKING_DAYS``, 3 unless changed),
in the same email, each line saying when it was due. A day counts as missed when no reminder
email at all was queued for it, and only since the service last ran.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import replace

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from actions.dates import add_working_days, working_days_between
from actions.models import Plan
from notifications.due import Due, QueueResult, local_date_of
from notifications.escalations import (
    escalation_emails_insert,
    escalations_record,
    highest_levels,
)
from notifications.ledger import insert_ledger
from notifications.models import Notification, NotificationKind, NotificationStatus
from notifications.reminders import reminders_due

DAILY = "daily"

_Key = tuple[int, str, int, int | None]


def _key(line: Due) -> _Key:
    # An update request is its own line even for an item that is also due: one is about
    # its date, one about the meeting.
    return (line.recipient_id, line.item_type, line.item_id, line.meeting_id)


def _daily_rows() -> QuerySet[Notification]:
    return Notification.objects.filter(kind=NotificationKind.REMINDERS, subject_key=DAILY)


def missed_days(*, today: dt.date, now: dt.datetime) -> list[dt.date]:
    """The working days before ``today`` whose reminders were never queued, oldest first.

    Only for today's own sweep (an operator's run for another day catches up nothing), at
    most the configured number of working days back, and only after the last day the service
    did queue reminders: never for days before it first ran. Newest rows first, so on a
    normal day the look-up stops at the first of today's or yesterday's rows.
    """
    limit = settings.NOTIFICATIONS_CATCH_UP_WORKING_DAYS
    if limit <= 0 or today != local_date_of(now):
        return []
    days = [add_working_days(today, -count) for count in range(limit, 0, -1)]
    latest = (
        _daily_rows()
        .filter(occurrence__in=[day.isoformat() for day in [*days, today]])
        .order_by("-id")
        .values_list("occurrence", flat=True)
        .first()
    )
    if latest == today.isoformat():
        return []  # an earlier sweep today sent what was missed
    if latest is None:
        ran_before = _daily_rows().filter(occurrence__lt=days[0].isoformat()).exists()
        return days if ran_before else []
    return [day for day in days if day > dt.date.fromisoformat(latest)]


def _carried(line: Due, *, was_due: dt.date, today: dt.date) -> Due | None:
    """A line of a missed day as it stands today, saying the day it was due."""
    if line.reason == "update_requested":
        assert line.papers_due_on is not None
        if line.papers_due_on < today:
            return None  # nobody is asked after the papers deadline
        days = working_days_between(today, line.papers_due_on)
        return replace(line, days=days, was_due=was_due)
    if line.due_date < today:
        reason, days = "overdue", working_days_between(line.due_date, today)
    else:
        days = working_days_between(today, line.due_date)
        reason = "due_today" if days == 0 else "due_soon"
    return replace(line, reason=reason, days=days, was_due=was_due)


def caught_up(*, today: dt.date, now: dt.datetime, emails: dict[int, str]) -> list[Due]:
    """The lines of the working days the service missed, oldest day first (``emails`` gets
    their recipients' addresses). About ten queries per missed day, none on a normal day."""
    lines: list[Due] = []
    for day in missed_days(today=today, now=now):
        due, addresses = reminders_due(today=day)
        emails.update(addresses)
        lines.extend(
            carried
            for line in due
            if (carried := _carried(line, was_due=day, today=today)) is not None
        )
    if not lines:
        return []
    # Nothing from before a plan started.
    starts = dict(
        Plan.objects.filter(pk__in={line.plan_id for line in lines}).values_list("pk", "start_date")
    )
    return [
        line
        for line in lines
        if line.was_due is not None
        and (starts.get(line.plan_id) is None or starts[line.plan_id] <= line.was_due)
    ]


def one_email_each(
    escalated: list[Due], due: list[Due], carried: list[Due]
) -> dict[int, tuple[list[Due], list[Due]]]:
    """Each person's escalated lines and other lines, each item said once.

    An item escalated to someone is not also nudged in the same email; an item due today is
    not repeated from a missed day; of a missed day's lines, the latest day's stays.
    """
    top: dict[int, list[Due]] = defaultdict(list)
    for line in highest_levels(escalated):
        top[line.recipient_id].append(line)
    told = {(line.recipient_id, line.item_type, line.item_id) for line in escalated}
    rest: dict[_Key, Due] = {}
    for line in [*due, *carried]:
        if line.reason != "update_requested" and (
            (line.recipient_id, line.item_type, line.item_id) in told
        ):
            continue
        known = rest.get(_key(line))
        if known is not None and known.was_due is None:
            continue  # today's own line says it
        rest[_key(line)] = line
    others: dict[int, list[Due]] = defaultdict(list)
    for line in rest.values():
        others[line.recipient_id].append(line)
    return {
        person: (
            sorted(top.get(person, []), key=Due.urgency),
            sorted(others.get(person, []), key=Due.urgency),
        )
        for person in {*top, *others}
    }


def _join_unsent(result: QueueResult, escalated: QueueResult, *, now: dt.datetime) -> None:
    """Escalations for people whose email for the day was already queued: into that email
    if it has not been picked up for sending, else into an escalation email of their own.

    The row is locked and must still be queued and untouched: the delivery's claim (a
    conditional update on the same row) either comes first, and the escalation gets its own
    email, or waits and then renders the row with the escalation in it.
    """
    new_rows = set(
        Notification.objects.filter(pk__in=result.queued_ids).values_list("recipient_id", flat=True)
    )
    late: dict[int, list[Due]] = defaultdict(list)
    for line in highest_levels(escalated.due):
        if line.recipient_id not in new_rows:
            late[line.recipient_id].append(line)
    if not late:
        return
    unsent = list(
        _daily_rows()
        .select_for_update()
        .filter(
            recipient_id__in=sorted(late),
            occurrence=result.today.isoformat(),
            status=NotificationStatus.QUEUED,
            attempts=0,
            subject="",
        )
        .order_by("recipient_id")
    )
    for row in unsent:
        lines = sorted(late[row.recipient_id], key=Due.urgency)
        told = {(line.item_type, line.item_id) for line in lines}
        row.items = [line.as_item() for line in lines] + [
            item
            for item in row.items
            if item["reason"] == "update_requested" or (item["type"], item["id"]) not in told
        ]
        row.updated_at = now
    Notification.objects.bulk_update(unsent, ["items", "updated_at"])
    result.added_to = {row.recipient_id for row in unsent}
    own = [line for line in escalated.due if line.recipient_id in late.keys() - result.added_to]
    if own:
        alone = replace(escalated, due=own)
        result.queued_ids += escalation_emails_insert(alone, now=now)


def day_queue(
    *, today: dt.date, now: dt.datetime | None = None, dry_run: bool = False
) -> QueueResult:
    """The day's escalations and reminders, one ledger row per person (unless ``dry_run``)."""
    now = now or timezone.now()
    with transaction.atomic():
        escalated = escalations_record(today=today, now=now, dry_run=dry_run)
        due, emails = reminders_due(today=today)
        carried = caught_up(today=today, now=now, emails=emails)
        emails.update(escalated.recipients)
        each = one_email_each(escalated.due, due, carried)
        result = QueueResult(
            today=today,
            due=[line for top, rest in each.values() for line in [*top, *rest]],
            recipients=emails,
            escalations=escalated.escalations,
            resolved=escalated.resolved,
        )
        if dry_run or not each:
            return result
        result.queued_ids = insert_ledger(
            [
                (person, emails[person], [line.as_item() for line in [*top, *rest]])
                for person, (top, rest) in each.items()
            ],
            kind=NotificationKind.REMINDERS,
            subject_key=DAILY,
            occurrence=today.isoformat(),
            now=now,
        )
        if escalated.due:
            _join_unsent(result, escalated, now=now)
    return result
