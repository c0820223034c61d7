"""The workspace's words for dates, lateness, status and RAG: plain English, never colour alone."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from actions.dates import LONDON, local_today
from actions.models import BoardAudience
from digests.emails import CADENCE_WORDS
from workspace.charts import figure as measure_figure

register = template.Library()

# RAG as GOV.UK tags: the word is always shown, the colour only repeats it.
_RAG = {
    "red": ("Red", "govuk-tag--red"),
    "amber": ("Amber", "govuk-tag--orange"),
    "green": ("Green", "govuk-tag--green"),
    "blue": ("Blue (complete)", ""),
}
_STATUS = {
    "not_started": ("Not started", "govuk-tag--grey"),
    "in_progress": ("In progress", "govuk-tag--turquoise"),
    "completed": ("Completed", ""),
    "blocked": ("Blocked", "govuk-tag--red"),
    "cancelled": ("Cancelled", "govuk-tag--grey"),
}


def _tag(label: str, modifier: str) -> SafeString:
    return format_html('<strong class="govuk-tag {}">{}</strong>', modifier, label)


@register.simple_tag
def rag_tag(rag: str) -> SafeString:
    label, modifier = _RAG.get(rag, (rag.title(), "govuk-tag--grey"))
    return _tag(label, modifier)


@register.simple_tag
def status_tag(status: str) -> SafeString:
    label, modifier = _STATUS.get(status, (status.replace("_", " ").capitalize(), ""))
    return _tag(label, modifier)


def _working_days(count: int) -> str:
    return f"{count} working day{'' if count == 1 else 's'}"


@register.filter
def overdue_words(days: int) -> str:
    """ "3 working days overdue"; the first late day is "1 working day overdue"."""
    return f"{_working_days(max(days, 1))} overdue"


@register.filter
def due_words(days: int, due_date: dt.date | None = None) -> str:
    """ "Due in 3 working days"; ``{{ days|due_words:due_date }}`` says "Due on Saturday" for a
    day that is not a working day ahead of the next one, not "Due today"."""
    if days <= 0:
        if due_date is not None and due_date > local_today():
            return f"Due on {due_date:%A}"
        return "Due today"
    return f"Due in {_working_days(days)}"


@register.filter
def long_date(day: dt.date | dt.datetime | None) -> str:
    """ "Tuesday 3 February 2026": the GOV.UK style, with no leading zero."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        # The London day: a late-evening time in UTC can already be the next day here.
        day = day.astimezone(LONDON).date() if day.tzinfo else day.date()
    return f"{day:%A} {day.day} {day:%B %Y}"


@register.filter
def short_date(day: dt.date | None) -> str:
    if day is None:
        return ""
    return f"{day.day} {day:%b %Y}"


@register.filter
def plural(count: int, words: str) -> str:
    """``{{ n|plural:"action,actions" }}`` gives "1 action" or "3 actions"."""
    one, _, many = words.partition(",")
    return f"{count} {one if count == 1 else many or one + 's'}"


# The digest's words for a RAG mix (digests.content.RAG_WORDS), keyed as its headline counts
# and in the order of the bars drawn beside them (workspace.plan_charts).
_MIX = (
    ("complete", "complete"),
    ("on_track", "on track"),
    ("at_risk", "at risk"),
    ("off_track", "off track"),
)


@register.simple_tag
def rag_words(figures: dict[str, int]) -> str:
    """ "2 complete, 3 on track, 1 at risk" from a digest headline's figures; the parts with
    none are left out."""
    parts = [f"{figures.get(key, 0)} {words}" for key, words in _MIX if figures.get(key, 0)]
    return ", ".join(parts) or "No actions yet"


_DIGEST_NAMES = {
    BoardAudience.LEAD_MEMBER: "Lead Member briefing",
    BoardAudience.PARENT_CARER_FORUM: "Parent Carer Forum summary",
}


@register.filter
def digest_name(snapshot: Any) -> str:
    """What a stored digest was, as its email called it: "Weekly digest", "Lead Member
    briefing", "Parent Carer Forum summary"."""
    if snapshot.audience in _DIGEST_NAMES:
        return _DIGEST_NAMES[snapshot.audience]
    return f"{CADENCE_WORDS.get(snapshot.board.cadence, 'Weekly')} digest"


@register.filter
def is_web_address(text: str) -> bool:
    """Only http and https addresses become links: a stored ``javascript:`` never runs."""
    return str(text).lower().startswith(("https://", "http://"))


@register.filter
def figure(value: Decimal | float | int | None, unit: str = "") -> str:
    """A measure's figure as people write it: ``{{ reading.value|figure:measure.unit }}`` gives
    "52.5%" or "1,250 days"."""
    if value is None:
        return ""
    return measure_figure(value, unit)
