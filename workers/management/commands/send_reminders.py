import datetime as dt

from notifications.services import QueueResult, reminders_queue
from workers.sweep_command import SweepCommand


class Command(SweepCommand):
    help = "Queues the reminders due on a working day (each person's daily email), once."
    what = "reminder"

    def queue(self, *, today: dt.date, dry_run: bool) -> QueueResult:
        return reminders_queue(today=today, dry_run=dry_run)
