"""A recommendation's action list: filtered by the API's ``ActionFilter``, sorted by a column,
cut into pages of 50 (two queries: the count and the page).

The filters are the API's own, so the page and ``GET /api/actions/`` list the same actions for
the same query string; a filter the API would refuse (400) gives no list and a message.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, F, OrderBy, QuerySet, Value, When
from django.db.models.functions import Length

from accounts.models import User
from actions.filters import ActionFilter
from actions.models import Action, ActionStatus, Rag

PAGE_SIZE = 50


def _ranked(field_name: str, order: list[str]) -> Case:
    return Case(
        *(When(**{field_name: value}, then=Value(rank)) for rank, value in enumerate(order)),
        default=Value(len(order)),
    )


# The sortable columns: each sorts by these, then by reference (natural: "1.2" before "1.10").
SORTS: dict[str, list[Any]] = {
    "reference": [Length("reference"), F("reference")],
    "owner": [F("owner__name")],
    "due_date": [F("due_date")],
    "status": [_ranked("status", list(ActionStatus.values))],
    "rag": [_ranked("rag", [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE])],
}
DEFAULT_SORT = "reference"
COLUMNS = [
    ("reference", "Reference"),
    ("title", "Action"),
    ("owner", "Owner"),
    ("due_date", "Due date"),
    ("status", "Status"),
    ("rag", "RAG"),
    ("last_update", "Last update"),
]


@dataclass(frozen=True)
class Header:
    key: str
    label: str
    sortable: bool
    aria_sort: str = ""  # "ascending" or "descending" on the sorted column
    next: str = ""  # the ordering its link asks for


@dataclass(frozen=True)
class FilterField:
    """One of the list's filters as a select: the API's name, and its options in words."""

    name: str
    label: str
    options: list[tuple[str, str, bool]]  # value, words, selected; the first is "any"
    error: str = ""

    @property
    def id(self) -> str:
        return f"filter-{self.name}"


@dataclass
class ActionListing:
    fields: list[FilterField]
    ordering: str
    headers: list[Header]
    page: Page | None = None
    page_range: list[Any] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.page.paginator.count if self.page is not None else 0

    @property
    def filtered(self) -> bool:
        return any(option[2] for f in self.fields for option in f.options[1:])

    @property
    def filter_errors(self) -> list[tuple[str, str]]:
        return [(f.id, f.error) for f in self.fields if f.error]


def _ordering(query: Mapping[str, Any]) -> str:
    wanted = str(query.get("ordering") or DEFAULT_SORT)
    # Only the page's own links make an ordering: anything else is the usual order.
    return wanted if wanted.lstrip("-") in SORTS else DEFAULT_SORT


def _headers(ordering: str) -> list[Header]:
    key, descending = ordering.lstrip("-"), ordering.startswith("-")
    headers = []
    for name, label in COLUMNS:
        if name not in SORTS:
            headers.append(Header(name, label, sortable=False))
        elif name == key:
            direction = "descending" if descending else "ascending"
            headers.append(Header(name, label, True, direction, name if descending else f"-{name}"))
        else:
            headers.append(Header(name, label, True, next=name))
    return headers


def _order_by(ordering: str) -> list[OrderBy]:
    key, descending = ordering.lstrip("-"), ordering.startswith("-")
    terms = [term.desc() if descending else term.asc() for term in SORTS[key]]
    return [*terms, Length("reference").asc(), F("reference").asc(), F("pk").asc()]


FILTER_MESSAGES = {
    "status": "Choose a status from the list.",
    "rag": "Choose a RAG rating from the list.",
    "owner": "Choose an owner from the list.",
    "overdue": "Choose whether to show overdue actions from the list.",
}


def _options(
    anything: str, choices: list[tuple[str, str]], chosen: list[str]
) -> list[tuple[str, str, bool]]:
    return [("", anything, not chosen)] + [(v, words, v in chosen) for v, words in choices]


def filter_fields(filters: ActionFilter, owners: list[User]) -> list[FilterField]:
    """The page's four filters, showing what was chosen and what was refused."""
    errors = filters.errors  # validates the form, so that cleaned_data is there
    cleaned = filters.form.cleaned_data
    owner = cleaned.get("owner")
    overdue = cleaned.get("overdue")
    chosen = {
        "status": cleaned.get("status") or [],
        "rag": cleaned.get("rag") or [],
        "owner": [str(owner)] if owner else [],
        # A date (which the API also takes) is shown as neither: the list cannot name it.
        "overdue": [str(overdue).lower()] if isinstance(overdue, bool) else [],
    }
    people = [(str(p.pk), p.name or p.email) for p in owners]
    yes_no = [("true", "Yes, overdue"), ("false", "No, not overdue")]
    fields = [
        ("status", "Status", "Any status", list(ActionStatus.choices)),
        ("rag", "RAG rating", "Any rating", list(Rag.choices)),
        ("owner", "Owner", "Anyone", people),
        ("overdue", "Overdue", "Overdue or not", yes_no),
    ]
    return [
        FilterField(
            name,
            label,
            _options(anything, choices, chosen[name]),
            FILTER_MESSAGES[name] if name in errors else "",
        )
        for name, label, anything, choices in fields
    ]


def action_listing(
    actions: QuerySet[Action], query: Mapping[str, Any], *, owners: list[User]
) -> ActionListing:
    """The actions filtered as the API filters them, sorted and cut to a page (two queries).

    With a filter the API would refuse (400), there is no list: the page says what to correct.
    """
    filters = ActionFilter(data=query, queryset=actions)
    ordering = _ordering(query)
    listing = ActionListing(
        fields=filter_fields(filters, owners), ordering=ordering, headers=_headers(ordering)
    )
    if filters.is_valid():
        rows = filters.qs.select_related("owner").order_by(*_order_by(ordering))
        paginator = Paginator(rows, PAGE_SIZE)
        listing.page = paginator.get_page(query.get("page"))
        listing.page_range = list(
            paginator.get_elided_page_range(listing.page.number, on_each_side=1, on_ends=1)
        )
    return listing
