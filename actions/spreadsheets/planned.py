"""The plan a file describes, once checked: what the import writes, and nothing else.

Checking builds these from the valid cells only; the import writes them only when the file
had no problem at all. Emails are kept in lower case, as people are looked up by them.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from actions.models import Plan


@dataclass
class RowAction:
    row: int
    reference: str
    title: str
    owner: str  # email, lower case
    start: dt.date | None
    due: dt.date
    status: str
    rag: str
    completed_on: dt.date | None
    supporting: list[str]  # emails, lower case
    outcome: str
    milestones: list[str]


@dataclass
class PlannedRecommendation:
    number: int
    row: int
    title: str = ""
    lead: str = ""  # email, lower case
    outcomes: list[str] = field(default_factory=list)
    actions: list[RowAction] = field(default_factory=list)
    milestones: dict[str, "PlannedMilestone"] = field(default_factory=dict)


@dataclass
class PlannedMilestone:
    title: str
    row: int
    due: dt.date | None = None
    achieved: dt.date | None = None
    actions: list[str] = field(default_factory=list)


@dataclass
class PlannedPlan:
    """What the file says, checked: the plan's details and its recommendations by number."""

    slug: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    recommendations: dict[int, PlannedRecommendation] = field(default_factory=dict)
    existing: Plan | None = None
