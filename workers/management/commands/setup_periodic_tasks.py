"""Install the beat schedule in django-celery-beat; running it again changes nothing."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from workers.schedule import sweeps


class Command(BaseCommand):
    help = "Installs or updates the sweeps that beat starts (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            for sweep in sweeps():
                interval, _ = IntervalSchedule.objects.get_or_create(
                    every=sweep.every_seconds, period=IntervalSchedule.SECONDS
                )
                task, created = PeriodicTask.objects.get_or_create(
                    name=sweep.name,
                    defaults={
                        "task": sweep.task,
                        "interval": interval,
                        "description": sweep.description,
                    },
                )
                changed = created
                for attribute, value in (
                    ("task", sweep.task),
                    ("interval", interval),
                    ("crontab", None),
                    ("description", sweep.description),
                    ("enabled", True),
                    ("one_off", False),
                ):
                    if getattr(task, attribute) != value:
                        setattr(task, attribute, value)
                        changed = True
                if changed:
                    task.save()
                verb = "added" if created else ("updated" if changed else "unchanged")
                self.stdout.write(
                    f"{verb}: {sweep.name} every {sweep.every_seconds} s ({sweep.task})"
                )
