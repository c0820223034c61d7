"""Pages of at most 200 rows, with a 400 (not a quiet default) for a page or size that
makes no sense."""

from typing import Any

from django.core.paginator import InvalidPage
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView


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

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        number = _whole_number(request, self.page_query_param) or 1
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            self.page = paginator.page(number)
        except InvalidPage as exc:
            raise NotFound(
                f"There is no page {number}: the last page is {paginator.num_pages}."
            ) from exc
        self.request = request
        return list(self.page)
