"""Compile digests, briefings and summaries once, store them, and queue them through the ledger.

A board gets one snapshot per period of its cadence (an ISO week, a fortnight, a month):
``digest_snapshot`` builds it or hands back the one already stored, and ``digests_queue``
(the beat sweep) does that for every active plan and board whose period has not been sent,
then puts one ledger row per member in ``notifications.Notification`` with
``INSERT ... ON CONFLICT DO NOTHING``: a second sweep in the same period sends nothing.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from actions.models import (
    Board,
    BoardAudience,
    Plan,
    PlanStatus,
)
from digests.content import content_for, state_of
from digests.models import DigestSnapshot
from digests.periods import period_of
from digests.selectors import PlanData, plan_data, recipients_of
from digests.spreadsheet import action_list_xlsx
from digests.unreachable import people_not_reached
from notifications.ledger import insert_new
from notifications.models import Notification, NotificationKind, NotificationStatus

logger = logging.getLogger(__name__)

KIND_OF_AUDIENCE: dict[str, str] = {
    BoardAudience.EXECUTIVE: NotificationKind.DIGEST,
    BoardAudience.LEAD_MEMBER: NotificationKind.BRIEFING,
    BoardAudience.PARENT_CARER_FORUM: NotificationKind.SUMMARY,
}


# --- Snapshots ------------------------------------------------------------------------------


@dataclass
class CompileResult:
    snapshot: DigestSnapshot
    created: bool
    queued_ids: list[int] = field(default_factory=list)


def boards_of(plan: Plan, audience: str | None = None) -> list[Board]:
    """The plan's board and its other audiences (``other_boards`` prefetched or not)."""
    boards = [plan.board] if plan.board is not None else []
    boards += [b for b in plan.other_boards.all() if b.pk != plan.board_id]
    return [b for b in boards if audience is None or b.audience == audience]


def digest_snapshot(
    *,
    plan: Plan,
    board: Board,
    as_of: dt.date,
    now: dt.datetime,
    data: PlanData | None = None,
    recipients: list[dict[str, Any]] | None = None,
) -> tuple[DigestSnapshot, bool]:
    """The board's snapshot for the period ``as_of`` falls in: the stored one, or a new one.

    Built at most once per (plan, board, period): a second call, or a sweep racing this one,
    gets the stored snapshot unchanged.
    """
    period = period_of(cadence=board.cadence, day=as_of)
    existing = DigestSnapshot.objects.filter(plan=plan, board=board, period=period).first()
    if existing is not None:
        return existing, False
    data = data or plan_data(plan=plan, as_of=as_of, now=now)
    previous = (
        DigestSnapshot.objects.filter(plan=plan, board=board, as_of__lt=as_of)
        .order_by("-as_of", "-id")
        .values("state", "as_of")
        .first()
    )
    state = state_of(data)
    content = content_for(
        data=data,
        board=board,
        period=period,
        state=state,
        previous=previous["state"] if previous else None,
        previous_as_of=previous["as_of"] if previous else None,
    )
    if board.audience == BoardAudience.EXECUTIVE:
        # Read here, not in content_for (which makes no queries), and stored with the rest.
        content["unreachable"] = people_not_reached(plan=plan, as_of=as_of, now=now)
    if recipients is None:
        recipients = recipients_of(board_ids=[board.pk])[board.pk]
    snapshot = DigestSnapshot(
        plan=plan,
        board=board,
        audience=board.audience,
        period=period,
        as_of=as_of,
        created_at=now,
        content=content,
        state=state,
        recipients=[{"id": r["id"], "email": r["email"]} for r in recipients],
        spreadsheet=action_list_xlsx(data=data, title=plan.title, made_at=now)
        if board.audience == BoardAudience.EXECUTIVE
        else b"",
    )
    ids = insert_new(DigestSnapshot, [snapshot])
    if not ids:  # another sweep stored it first: theirs is the one
        return DigestSnapshot.objects.get(plan=plan, board=board, period=period), False
    snapshot.pk = ids[0]
    return snapshot, True


def digest_queue(
    *, snapshot: DigestSnapshot, now: dt.datetime, recipients: list[dict[str, Any]] | None = None
) -> list[int]:
    """One ledger row per recipient; the ids of the rows this call added.

    ``recipients`` are the board's members now: a snapshot built on demand earlier in the
    period goes to whoever is on the board when it is sent, and records them.
    """
    kind = KIND_OF_AUDIENCE.get(snapshot.audience, NotificationKind.DIGEST)
    if recipients is not None and snapshot.queued_at is None:
        snapshot.recipients = [{"id": r["id"], "email": r["email"]} for r in recipients]
    rows = [
        Notification(
            recipient_id=person["id"],
            kind=kind,
            # The row names its snapshot here; ``items`` is for reminder lines (the ledger's
            # API reads each item as an action or milestone), so it stays empty.
            subject_key=f"snapshot:{snapshot.pk}",
            occurrence=snapshot.period,
            items=[],
            to_email=person["email"],
            status=NotificationStatus.QUEUED,
            created_at=now,
            next_attempt_at=now,
            updated_at=now,
        )
        for person in snapshot.recipients
    ]
    ids = insert_new(Notification, rows)
    DigestSnapshot.objects.filter(pk=snapshot.pk, queued_at__isnull=True).update(
        queued_at=now, recipients=snapshot.recipients
    )
    return ids


@dataclass
class QueueResult:
    day: dt.date
    snapshot_ids: list[int] = field(default_factory=list)
    queued_ids: list[int] = field(default_factory=list)


def digests_queue(*, today: dt.date, now: dt.datetime) -> QueueResult:
    """Compile and queue every active plan's digests whose period has not been sent yet."""
    result = QueueResult(day=today)
    plans = list(
        Plan.objects.filter(status=PlanStatus.ACTIVE)
        .select_related("board")
        .prefetch_related("other_boards")
        .order_by("pk")
    )
    wanted = {
        (plan.pk, board.pk): period_of(cadence=board.cadence, day=today)
        for plan in plans
        for board in boards_of(plan)
    }
    sent = set(
        DigestSnapshot.objects.filter(
            plan_id__in=[plan.pk for plan in plans],
            period__in=set(wanted.values()),
            queued_at__isnull=False,
        ).values_list("plan_id", "board_id", "period")
    )
    for plan in plans:
        boards = [
            board
            for board in boards_of(plan)
            if (plan.pk, board.pk, wanted[(plan.pk, board.pk)]) not in sent
        ]
        if boards:
            # One plan at a time: a failure in one plan's data leaves the others sent.
            try:
                with transaction.atomic():
                    _plan_queue(plan=plan, boards=boards, today=today, now=now, result=result)
            except Exception:
                logger.exception("Digest of plan %s failed; the next sweep tries again", plan.pk)
    return result


def _plan_queue(
    *, plan: Plan, boards: list[Board], today: dt.date, now: dt.datetime, result: QueueResult
) -> None:
    data = plan_data(plan=plan, as_of=today, now=now)
    people = recipients_of(board_ids=[board.pk for board in boards])
    for board in boards:
        snapshot, _ = digest_snapshot(
            plan=plan, board=board, as_of=today, now=now, data=data, recipients=people[board.pk]
        )
        result.snapshot_ids.append(snapshot.pk)
        result.queued_ids += digest_queue(snapshot=snapshot, now=now, recipients=people[board.pk])


# --- On demand (manage.py compile_digest) ---------------------------------------------------


def _all_stored(plan: Plan, boards: list[Board], as_of: dt.date) -> bool:
    """Whether each board already has its snapshot for the period ``as_of`` falls in."""
    wanted = {(board.pk, period_of(cadence=board.cadence, day=as_of)) for board in boards}
    stored = DigestSnapshot.objects.filter(
        plan=plan,
        board_id__in=[board_id for board_id, _ in wanted],
        period__in=[period for _, period in wanted],
    ).values_list("board_id", "period")
    return wanted <= set(stored)


@dataclass
class OnDemand:
    board: str
    period: str
    snapshot_id: int | None
    created: bool
    text: str
    paths: list[str] = field(default_factory=list)


def digest_compile_on_demand(
    *, plan: Plan, as_of: dt.date, audience: str | None, now: dt.datetime, dry_run: bool
) -> list[OnDemand]:
    """Build (or find) the plan's snapshots as of a date and write each email under
    ``settings.DIGESTS_DIR``; with ``dry_run`` nothing is stored or written.

    A past day is described as it stood at its end (``digests.selectors.plan_data``); one it
    cannot be rebuilt for raises ``CannotRebuild`` (a ``ValueError``), unless every board
    asked for already has its snapshot for that period stored.
    """
    from digests.emails import snapshot_files, snapshot_message

    boards = boards_of(plan, audience)
    if not boards:
        who = dict(BoardAudience.choices).get(audience or "", "any")
        raise ValueError(f'The plan "{plan.slug}" has no {who} board to build a digest for.')
    built = []
    with transaction.atomic():
        data = (
            None if _all_stored(plan, boards, as_of) else plan_data(plan=plan, as_of=as_of, now=now)
        )
        for board in boards:
            snapshot, created = digest_snapshot(
                plan=plan, board=board, as_of=as_of, now=now, data=data
            )
            to = (
                snapshot.recipients[0]["email"]
                if snapshot.recipients
                else settings.DEFAULT_FROM_EMAIL
            )
            message = snapshot_message(snapshot, to=to)
            item = OnDemand(
                board=board.name,
                period=snapshot.period,
                snapshot_id=None if dry_run else snapshot.pk,
                created=created,
                text=str(message.body),
            )
            if not dry_run:
                item.paths = snapshot_files(snapshot, message)
            built.append(item)
        if dry_run:
            transaction.set_rollback(True)
    return built
