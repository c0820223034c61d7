"""Pages of at most 200 rows, with a 400 (not a quiet default) for a page or size that
makes no sense."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


def _whole_number(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 18:
        raise ValidationError({name: [f"{name} must be a whole number from 1 (got {raw!r})."]})
    return int(raw)


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    # Caps what one request can ask the database for; a larger page_size gets 200 rows.
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        asked = _whole_number(request, self.page_size_query_param)
        return self.page_size if asked is None else min(asked, self.max_page_size)

    def get_page_number(self, request: Request, paginator: Paginator) -> int:
        # paginator.page() counts the rows anyway, so naming the last page costs no query.
        self.invalid_page_message = (
            f"There is no page {{page_number}}: the last page is {paginator.num_pages}."
        )
        return _whole_number(request, self.page_query_param) or 1


def _totally_ordered(rows: Any) -> bool:
    """A plain queryset whose explicit order ends with the id (as StrictOrderingFilter's do).

    Only then do the inner and the outer sort agree on rows that tie; and annotations would
    be lost in the outer query.
    """
    if not isinstance(rows, QuerySet) or rows.query.annotations:
        return False
    order = [term for term in rows.query.order_by if isinstance(term, str)]
    return bool(order) and order[-1].lstrip("-") in ("pk", "id")


class IdsFirstPaginator(Paginator):
    """Finds a page's ids first, then reads only those rows, in one query.

    A page of a long list sorted through joins (actions by plan title, recommendation number,
    due date) made PostgreSQL join the owner and read every column of each matching row
    before sorting them all. Here the filters and the sort run on narrow rows (the id and the
    sort keys); the outer query reads the page's rows by id, with the same joins and
    prefetches, without running the filters (the visibility rule) a second time. At national
    scale an administrator's page costs a fifth to a half of what it did (docs/performance.md).
    """

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows: Any = self.object_list
        if _totally_ordered(rows):
            # A sliced subquery keeps its ORDER BY; the outer query sorts the page again.
            page = rows.model._default_manager.filter(pk__in=rows.values("pk")[bottom:top])
            page = page.order_by(*rows.query.order_by)
            page.query.select_related = rows.query.select_related
            rows = page.prefetch_related(*rows._prefetch_related_lookups)
        else:
            rows = rows[bottom:top]
        return Page(rows, number, self)


class IdsFirstPagination(StandardPagination):
    django_paginator_class = IdsFirstPaginator
