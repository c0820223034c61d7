"""Two day's sweeps racing on real PostgreSQL (a second beat, or an operator's run beside
the schedule): each person still gets one email for the day, and each escalation is in one
of them only."""

from collections import Counter

import pytest

from notifications.day import day_queue
from notifications.models import Escalation, Notification, NotificationKind
from tests.factories import (
    ActionFactory,
    BoardFactory,
    MilestoneFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.notifications.test_races import TODAY, pytestmark, run_together, timeline

__all__ = ["pytestmark", "timeline"]  # the PostgreSQL-only marks and the pinned clock

LONG_OVERDUE = TODAY.replace(day=16)  # seven working days late: ladder levels 1 and 2


@pytest.mark.parametrize("table", ["notifications_escalation", "notifications_notification"])
def test_two_days_sweeps_racing_send_each_person_one_email_with_each_escalation_once(
    table: str,
) -> None:
    executive = [UserFactory.create() for _ in range(2)]
    plan = PlanFactory.create(board=BoardFactory.create(members=executive))
    leads = []
    for _ in range(4):
        recommendation = RecommendationFactory.create(plan=plan, lead=UserFactory.create())
        leads.append(recommendation.lead_id)
        MilestoneFactory.create(recommendation=recommendation, due_date=LONG_OVERDUE)
        ActionFactory.create(recommendation=recommendation, due_date=TODAY)
        ActionFactory.create(
            recommendation=recommendation, owner_id=recommendation.lead_id, due_date=TODAY
        )

    results = run_together(lambda: day_queue(today=TODAY), threads=2, table=table)

    rows = Notification.objects.all()
    assert not rows.filter(kind=NotificationKind.ESCALATION).exists()
    per_person = Counter(rows.values_list("recipient_id", flat=True))
    assert per_person and max(per_person.values()) == 1
    assert set(leads) | {u.pk for u in executive} <= set(per_person)
    handed_out = [pk for result in results for pk in result.queued_ids]
    assert sorted(handed_out) == sorted(rows.values_list("pk", flat=True))
    told = Counter(
        (row.recipient_id, item["id"], item["level"])
        for row in rows
        for item in row.items
        if item["reason"] == "escalated"
    )
    assert told and max(told.values()) == 1
    assert len(told) == sum(e.told.count() for e in Escalation.objects.all())
    # Each lead's email has the escalation first, then their action due today.
    for row in rows.filter(recipient_id__in=leads):
        assert [item["reason"] for item in row.items] == ["escalated", "due_today"]
