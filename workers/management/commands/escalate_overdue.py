import datetime as dt

from notifications.services import QueueResult, escalations_queue
from workers.sweep_command import SweepCommand


class Command(SweepCommand):
    help = (
        "Climbs the escalation ladder for items overdue on a working day, telling each level once."
    )
    what = "escalation"

    def queue(self, *, today: dt.date, dry_run: bool) -> QueueResult:
        return escalations_queue(today=today, dry_run=dry_run)
