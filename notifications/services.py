"""The engine's entry points, for the tasks, the commands and the admin.

Each concern has its module; this one names what the rest of the project calls:

- ``notifications.day``: the day's sweep, one email per person (escalations, reminders and
  what a missed day left unsent);
- ``notifications.reminders``: the daily reminder email (before, on and after due dates);
- ``notifications.update_requests``: updates a board meeting asks owners for;
- ``notifications.escalations``: the ladder for overdue actions and milestones;
- ``notifications.ledger``: one row per message, inserted once on its natural key;
- ``notifications.dispatch``: finding rows to deliver again (lost, retrying, stuck);
- ``notifications.delivery``: claiming a row and sending it.
"""

from notifications.day import day_queue
from notifications.dispatch import (
    notifications_reconcile,
    notifications_requeue,
    notifications_to_dispatch,
)
from notifications.due import Due, QueueResult, local_date_of, send_time, sending_day
from notifications.escalations import escalations_queue, escalations_resolve
from notifications.ledger import insert_new
from notifications.reminders import reminders_due, reminders_queue
from notifications.update_requests import UpdateRequest, update_requests_due

__all__ = [
    "Due",
    "QueueResult",
    "UpdateRequest",
    "day_queue",
    "escalations_queue",
    "escalations_resolve",
    "insert_new",
    "local_date_of",
    "notifications_reconcile",
    "notifications_requeue",
    "notifications_to_dispatch",
    "reminders_due",
    "reminders_queue",
    "send_time",
    "sending_day",
    "update_requests_due",
]
