"""Checking the plan details above the table: which plan the file fills, and a new plan's details.

The plan is named by the caller (the command's --plan, the admin's choice) or by the file's
"plan slug" row. A file fills a new plan or an existing empty one only, so that progress
recorded in the service is never overwritten by an older spreadsheet: an existing plan with
recommendations is refused. A new plan is created from the file's details (title, type,
local area, start and end), so each of them must be there and valid; an existing plan keeps
its own.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug

from actions.models import Plan, PlanType
from actions.spreadsheets.cells import Cell, cell_text, is_blank, parse_date
from actions.spreadsheets.columns import (
    LOCAL_AREA,
    PLAN_END,
    PLAN_SLUG,
    PLAN_START,
    PLAN_TITLE,
    PLAN_TYPE,
)
from actions.spreadsheets.planned import PlannedPlan
from actions.spreadsheets.problems import Report, count

Details = Mapping[str, tuple[int, Cell]]


def check_plan_details(
    report: Report, *, details: Details, plan_slug: str | None, planned: PlannedPlan
) -> None:
    """Note the plan in ``planned`` (its slug, the plan if it exists, a new plan's details)."""
    slug = _slug(report, details=details, plan_slug=plan_slug)
    if slug is None:
        return
    planned.slug = slug
    existing = Plan.objects.filter(slug=slug).first()
    planned.existing = existing
    if existing is not None:
        _check_empty(report, existing, slug=slug)
        return
    # A new plan: its details come from the rows above the table.
    planned.details = _new_plan_details(report, details=details, slug=slug)


def _slug(report: Report, *, details: Details, plan_slug: str | None) -> str | None:
    slug_row, slug_cell = details.get(PLAN_SLUG, (0, None))
    slug = plan_slug or cell_text(slug_cell)
    if not slug:
        report.add(
            0,
            "",
            'Say which plan the file is for: add a "plan slug" row above the table, or '
            "choose the plan (--plan SLUG on the command line).",
        )
        return None
    try:
        validate_slug(slug)
    except ValidationError:
        report.add(
            slug_row if not plan_slug else 0,
            PLAN_SLUG if not plan_slug else "",
            f'"{slug}" is not a plan slug: use letters, numbers and hyphens only.',
        )
        return None
    return slug


def _check_empty(report: Report, existing: Plan, *, slug: str) -> None:
    recommendations = existing.recommendations.count()
    if recommendations:
        report.add(
            0,
            "",
            f'The plan "{slug}" already has {count(recommendations, "recommendation")}: '
            "a spreadsheet fills a new or empty plan only, so that nothing recorded "
            "in the service is overwritten. Change an existing plan in the admin or "
            "the API, or import into a new plan.",
        )


def _new_plan_details(report: Report, *, details: Details, slug: str) -> dict[str, Any]:
    values: dict[str, Any] = {"slug": slug}
    for name in (PLAN_TITLE, PLAN_TYPE, LOCAL_AREA, PLAN_START, PLAN_END):
        row, cell = details.get(name, (0, None))
        if is_blank(cell):
            where = f"row {row}" if row else "a row above the table"
            report.add(
                row,
                name if row else "",
                f'There is no plan "{slug}" yet, so the file must give its "{name}" '
                f"(in {where}: the label in the first cell, the value in the second).",
            )
            continue
        if name in (PLAN_START, PLAN_END):
            try:
                values[name] = parse_date(cell)
            except ValueError as exc:
                report.add(row, name, f"{exc}.")
        elif name == PLAN_TYPE:
            plan_type = _plan_type(report, row=row, cell=cell)
            if plan_type is not None:
                values[name] = plan_type
        else:
            values[name] = _plan_text(report, row=row, name=name, cell=cell)
    start, end = values.get(PLAN_START), values.get(PLAN_END)
    if start and end and end < start:
        report.add(details[PLAN_END][0], PLAN_END, "the plan cannot end before it starts.")
    return values


def _plan_type(report: Report, *, row: int, cell: Cell) -> PlanType | None:
    text = cell_text(cell)
    plan_type = (
        PlanType.objects.filter(name__iexact=text).first()
        or PlanType.objects.filter(slug__iexact=text).first()
    )
    if plan_type is None:
        known = ", ".join(PlanType.objects.order_by("name").values_list("name", flat=True))
        report.add(
            row,
            PLAN_TYPE,
            f'"{text}" is not a plan type (known: {known}); add it in the admin first.',
        )
    return plan_type


def _plan_text(report: Report, *, row: int, name: str, cell: Cell) -> str:
    text = cell_text(cell)
    limit = 250 if name == PLAN_TITLE else 150
    if len(text) > limit:
        report.add(row, name, f"at most {limit} characters (this has {len(text)}).")
    return text
