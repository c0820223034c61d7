"""Spreadsheets as a council officer makes them, and a plan as a comparable snapshot."""

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.db import connection, models
from openpyxl import Workbook

from accounts.models import User
from actions.dates import LONDON
from actions.models import Plan, PlanType
from tests.factories import PlanTypeFactory, UserFactory

# 10:00 in London on a Wednesday; every completion and achievement date in the files is
# before it.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)

HEADER = [
    "recommendation",
    "outcome",
    "action reference",
    "title",
    "owner email",
    "start",
    "due",
    "status",
    "RAG",
    "milestone",
    "milestone due",
    "milestone achieved",
    "completed on",
    "lead email",
    "supporting owners",
]

# Every table an import could write to, the audit history included.
WRITABLE: list[type[models.Model]] = [
    m
    for m in apps.get_models(include_auto_created=True)
    if m._meta.app_label in {"actions", "accounts"}
]


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def row(**cells: Any) -> list[Any]:
    """A table row by column name; the columns not named are blank."""
    unknown = set(cells) - {name.replace(" ", "_").lower() for name in HEADER}
    assert not unknown, unknown
    return [cells.get(name.replace(" ", "_").lower(), "") for name in HEADER]


def csv_bytes(rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in rows:
        sheet.append([None if cell == "" else cell for cell in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    # One query, not one a table: the fuzz tests count after every file they try.
    counts = ", ".join(
        f"(SELECT COUNT(*) FROM {connection.ops.quote_name(m._meta.db_table)})" for m in WRITABLE
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return {m._meta.label: count for m, count in zip(WRITABLE, row, strict=True)}


@pytest.fixture
def people(db: None) -> dict[str, User]:
    return {
        "owner": UserFactory.create(email="owner@westvale.gov.uk", name="Olu Owner"),
        "helper": UserFactory.create(email="helper@westvale.gov.uk", name="Hana Helper"),
        "lead": UserFactory.create(email="lead@westvale.gov.uk", name="Lee Lead"),
        "lead2": UserFactory.create(email="lead2@westvale.gov.uk", name="Lin Lead"),
        "closed": UserFactory.create(email="left@westvale.gov.uk", is_active=False),
        "admin": UserFactory.create(
            email="admin@westvale.gov.uk", is_staff=True, is_superuser=True
        ),
    }


@pytest.fixture
def wsoa(db: None) -> PlanType:
    return PlanTypeFactory.create()


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """Everything a spreadsheet carries, keyed by natural keys (not ids)."""
    recommendations = []
    for rec in plan.recommendations.order_by("number"):
        recommendations.append(
            {
                "number": rec.number,
                "title": rec.title,
                "lead": rec.lead.email,
                "outcomes": list(rec.outcomes.order_by("number").values_list("number", "title")),
                "actions": sorted(
                    (
                        a.reference,
                        a.title,
                        a.outcome.title if a.outcome else None,
                        a.owner.email,
                        tuple(sorted(u.email for u in a.supporting_owners.all())),
                        a.start_date,
                        a.due_date,
                        a.status,
                        a.rag,
                        a.completed_on,
                    )
                    for a in rec.actions.all()
                ),
                "milestones": sorted(
                    (
                        m.title,
                        m.due_date,
                        m.achieved_on,
                        tuple(sorted(m.actions.values_list("reference", flat=True))),
                    )
                    for m in rec.milestones.all()
                ),
            }
        )
    return {"recommendations": recommendations}
