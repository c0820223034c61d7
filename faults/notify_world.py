"""The ledger as the Notify run reads it, once Django is set up on the harness's database."""

from dataclasses import dataclass

from faults.world import with_database
from notifications.models import Notification


@dataclass(frozen=True)
class NotifyRow:
    email: str
    status: str
    attempts: int
    provider_id: str


def ledger(emails: list[str]) -> list[NotifyRow]:
    def read() -> list[NotifyRow]:
        rows = Notification.objects.filter(recipient__email__in=emails).values_list(
            "recipient__email", "status", "attempts", "provider_id"
        )
        return [NotifyRow(*row) for row in rows]

    return with_database(read)
