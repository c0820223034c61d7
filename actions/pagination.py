"""Pages of at most 200 rows, with a 400 (not a quiet default) for a page or size that
makes no sense."""

from django.core.paginator import Paginator
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
