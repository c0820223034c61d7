"""Reading the recommendation page in its tests: signing in, fetching a page, its elements
and tables, the references in its action list, and the mark-as-achieved and reading forms as
they post."""

from html.parser import HTMLParser

from django.test import Client

from accounts.models import User
from actions.models import Milestone


def as_(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def get(client: Client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.content.decode()[:500]
    return response.content.decode()


class Elements(HTMLParser):
    """Every element's tag and attributes, and each table's rows of cell text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.found.append((tag, attributes))
        if tag == "table":
            self._table = attributes.get("id") or f"table-{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def all(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [
            attrs
            for name, attrs in self.found
            if name == tag and all(attrs.get(k.replace("_", "-")) == v for k, v in wanted.items())
        ]


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def listed_references(html: str) -> list[str]:
    """The references in the action table, in the order shown."""
    table = next(
        (rows for rows in elements(html).tables.values() if rows and rows[0][0] == "Reference"),
        [],
    )
    return [row[0] for row in table[1:]]


def achieved_data(
    milestone: Milestone, day: str = "1", month: str = "12", year: str = "2026"
) -> dict[str, str]:
    prefix = f"milestone-{milestone.pk}"
    return {
        f"{prefix}-version": str(milestone.version),
        f"{prefix}-achieved_on_day": day,
        f"{prefix}-achieved_on_month": month,
        f"{prefix}-achieved_on_year": year,
    }


def reading_data(
    measure_pk: int,
    day: str = "30",
    month: str = "11",
    year: str = "2026",
    value: str = "55.5",
    note: str = "",
) -> dict[str, str]:
    prefix = f"measure-{measure_pk}"
    return {
        f"{prefix}-taken_on_day": day,
        f"{prefix}-taken_on_month": month,
        f"{prefix}-taken_on_year": year,
        f"{prefix}-value": value,
        f"{prefix}-note": note,
    }
