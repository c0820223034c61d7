import datetime as dt

from notifications.services import QueueResult, day_queue
from workers.sweep_command import SweepCommand


class Command(SweepCommand):
    help = (
        "Queues a working day's email for each person, once: what escalated to them that day "
        "at the top, then their reminders (the same sweep as the schedule's)."
    )
    what = ""

    def queue(self, *, today: dt.date, dry_run: bool) -> QueueResult:
        return day_queue(today=today, dry_run=dry_run)
