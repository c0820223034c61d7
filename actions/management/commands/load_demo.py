"""Load the Northshire demonstration plan; safe to run again (``make run`` runs it each time)."""

from typing import Any

from django.core.management.base import BaseCommand

from actions.dates import local_today
from actions.demo import demo_load


class Command(BaseCommand):
    help = (
        "Create or bring up to date the Northshire demo plan (people, boards, a published "
        "Written Statement of Action with progress), dated around today. Running it again "
        "changes nothing that is already up to date. Development only: prints the demo logins."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = demo_load(today=local_today())
        self.stdout.write(summary.line())
        self.stdout.write("Demo logins (development only):")
        for login in summary.logins:
            self.stdout.write(f"  {login.role}: {login.email} / {login.password}")
