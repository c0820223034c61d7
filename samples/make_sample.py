"""Write the sample spreadsheet, samples/northshire-wsoa-sample.xlsx and the same as .csv.

Run from the repository root: ``.venv/bin/python -m samples.make_sample``. The owners are
the demo's people (``manage.py load_demo``), so that under ``make run`` the sample imports:
``.venv/bin/python manage.py import_plan samples/northshire-wsoa-sample.xlsx``.
The files are committed; a test checks that they are what this script writes.
"""

import datetime as dt
import os
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NAME = "northshire-wsoa-sample"

DETAILS_VALUES: list[tuple[str, Any]] = [
    ("plan title", "Northshire SEND Written Statement of Action: sample import"),
    ("plan slug", NAME),
    ("plan type", "Written Statement of Action (WSOA)"),
    ("local area", "Northshire"),
    ("plan start", dt.date(2026, 4, 1)),
    ("plan end", dt.date(2028, 3, 31)),
]

R1 = "1 Improve preparation for adulthood from Year 9"
R2 = "2 Reduce the use of unregistered alternative provision"
R3 = "3 Commission therapies jointly across education, health and care"
HEAD_OF_SEND = "head.of.send@northshire.example"
HEAD_OF_INCLUSION = "head.of.inclusion@northshire.example"
DCO = "dco@northshire.example"


def d(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


# (recommendation, lead, outcome, reference, title, owner, start, due, status, RAG,
#  milestone, completed on, milestone due, milestone achieved, supporting owners)
ROWS: list[tuple[Any, ...]] = [
    (
        R1,
        HEAD_OF_SEND,
        "Young people with EHC plans have a preparation for adulthood plan by Year 10",
        "1.1",
        "Add preparation for adulthood outcomes to every Year 9 annual review",
        "pfa.lead@northshire.example",
        d(2026, 4, 1),
        d(2026, 9, 30),
        "Completed",
        "Blue (complete)",
        "Every Year 9 review covers adulthood",
        d(2026, 9, 25),
        d(2026, 10, 31),
        d(2026, 10, 20),
        "ehc.manager@northshire.example",
    ),
    (
        R1,
        HEAD_OF_SEND,
        "Young people with EHC plans have a preparation for adulthood plan by Year 10",
        "1.2",
        "Train SENCOs to lead adulthood conversations with families",
        "senco.lead@northshire-academies.example",
        d(2026, 6, 1),
        d(2027, 1, 29),
        "In progress",
        "Green (on track)",
        "Every Year 9 review covers adulthood",
        None,
        None,
        None,
        "",
    ),
    (
        R1,
        HEAD_OF_SEND,
        "More young people with SEND move into work, training or supported internships",
        "1.3",
        "Double the number of supported internships with local employers",
        "pfa.lead@northshire.example",
        d(2026, 9, 1),
        d(2027, 7, 30),
        "In progress",
        "Amber (at risk)",
        "",
        None,
        None,
        None,
        "inclusion.officer@northshire.example",
    ),
    (
        R1,
        HEAD_OF_SEND,
        "",
        "",
        "",
        "",
        None,
        None,
        "",
        "",
        "Supported internship offer published on the Local Offer",
        None,
        d(2027, 3, 31),
        None,
        "",
    ),
    (
        R2,
        HEAD_OF_INCLUSION,
        "Every child in alternative provision is safe and in registered provision",
        "2.1",
        "Audit every alternative provision placement commissioned by schools",
        "inclusion.officer@northshire.example",
        d(2026, 5, 1),
        d(2026, 10, 30),
        "Completed",
        "Blue (complete)",
        "",
        d(2026, 10, 16),
        None,
        None,
        "",
    ),
    (
        R2,
        HEAD_OF_INCLUSION,
        "Every child in alternative provision is safe and in registered provision",
        "2.2",
        "Agree quality standards for alternative provision with schools",
        "head@riverside-primary.example",
        d(2026, 9, 1),
        d(2027, 2, 26),
        "Blocked",
        "Red (off track)",
        "Alternative provision framework in place",
        None,
        d(2027, 4, 30),
        None,
        "senco.lead@northshire-academies.example",
    ),
    (
        R2,
        HEAD_OF_INCLUSION,
        "Children return to school full time within two terms",
        "2.3",
        "Track part-time timetables and review each one every six weeks",
        "inclusion.officer@northshire.example",
        None,
        d(2027, 3, 31),
        "Not started",
        "Green (on track)",
        "Alternative provision framework in place",
        None,
        None,
        None,
        "",
    ),
    (
        R3,
        DCO,
        "Children get speech and language and occupational therapy when their EHC plan says",
        "3.1",
        "Agree a joint therapies commissioning plan between the council and the ICB",
        "nd.commissioner@northshire.example",
        d(2026, 7, 1),
        d(2027, 3, 31),
        "In progress",
        "Green (on track)",
        "Joint therapies contract awarded",
        None,
        d(2027, 9, 30),
        None,
        "send.data@northshire.example",
    ),
    (
        R3,
        DCO,
        "Children get speech and language and occupational therapy when their EHC plan says",
        "3.2",
        "Publish therapy waiting times on the Local Offer every quarter",
        "slt.lead@northshire.example",
        d(2026, 10, 1),
        d(2027, 1, 15),
        "Not started",
        "Green (on track)",
        "",
        None,
        None,
        None,
        "",
    ),
    (
        R3,
        DCO,
        "Families know what therapy support is available while they wait",
        "",
        "",
        "",
        None,
        None,
        "",
        "",
        "",
        None,
        None,
        None,
        "",
    ),
]

COLUMNS = (
    "recommendation",
    "lead email",
    "outcome",
    "action reference",
    "title",
    "owner email",
    "start",
    "due",
    "status",
    "RAG",
    "milestone",
    "completed on",
    "milestone due",
    "milestone achieved",
    "supporting owners",
)


def rows() -> list[dict[str, Any]]:
    return [dict(zip(COLUMNS, row, strict=True)) for row in ROWS]


def write(folder: Path = HERE) -> list[Path]:
    from actions.spreadsheets import write_table

    paths = []
    for file_format in ("xlsx", "csv"):
        path = folder / f"{NAME}.{file_format}"
        path.write_bytes(write_table(details=DETAILS_VALUES, rows=rows(), file_format=file_format))
        paths.append(path)
    return paths


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()
    for written in write():
        print(f"Wrote {written.relative_to(HERE.parent)}")
