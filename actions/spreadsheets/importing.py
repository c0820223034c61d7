"""Importing a file: check it, and write it only if it has no problem at all.

Import is all or nothing: a council corrects its spreadsheet and tries again, rather than
finding half a plan in the service. ``plan_import`` is what the command and the admin call;
``ImportResult`` is what they show: the problems, or what was (or, in a dry run, would be)
added, in one line.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from accounts.models import User
from actions.models import Plan
from actions.spreadsheets.building import plan_build
from actions.spreadsheets.checking import plan_check
from actions.spreadsheets.problems import Problem, count


@dataclass
class ImportResult:
    filename: str
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    plan: Plan | None = None
    plan_slug: str = ""
    plan_created: bool = False
    recommendations: int = 0
    outcomes: int = 0
    actions: int = 0
    milestones: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> str:
        parts = [
            count(self.recommendations, "recommendation"),
            count(self.outcomes, "outcome"),
            count(self.actions, "action"),
            count(self.milestones, "milestone"),
        ]
        return f"{', '.join(parts[:-1])} and {parts[-1]}"

    def summary(self) -> str:
        """One line: what happened, or why nothing did."""
        name = self.filename or "The file"
        if self.problems:
            return (
                f"{name}: {count(len(self.problems), 'problem')} found; nothing was imported. "
                "Correct the file and try again."
            )
        target = f'{"the new" if self.plan_created else "the"} plan "{self.plan_slug}"'
        if self.dry_run:
            return f"{name} is ready to import: it would add {self.counts()} to {target}."
        return f"{name} imported: {self.counts()} added to {target}."


def plan_import(
    *,
    data: bytes,
    by: User,
    filename: str = "",
    plan_slug: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Check the file; unless it has a problem or this is a dry run, write it in one go.

    ``plan_slug`` (the command's --plan, the admin's choice) wins over the file's "plan slug".
    """
    planned, problems = plan_check(data=data, filename=filename, plan_slug=plan_slug)
    result = ImportResult(filename=filename, dry_run=dry_run, problems=problems)
    if problems:
        return result
    result.plan_slug = planned.slug
    result.plan_created = planned.existing is None
    recommendations = planned.recommendations.values()
    result.recommendations = len(recommendations)
    result.outcomes = sum(len(r.outcomes) for r in recommendations)
    result.actions = sum(len(r.actions) for r in recommendations)
    result.milestones = sum(len(r.milestones) for r in recommendations)
    if dry_run:
        return result
    try:
        result.plan = plan_build(
            planned, by=by, reason=f"Imported from {filename or 'a spreadsheet'}"
        )
    except ValidationError as exc:
        # Someone changed the plan or the people between the check and the write.
        result.problems = [Problem(0, "", " ".join(exc.messages))]
    return result
