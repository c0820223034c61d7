"""Time as the people using the service see it: stored in UTC, reasoned in Europe/London."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def local_now() -> dt.datetime:
    return timezone.now().astimezone(LONDON)


def local_today() -> dt.date:
    """Today's date in London: just after midnight BST is still 'yesterday' in UTC."""
    return local_now().date()
