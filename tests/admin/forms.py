"""Reading and posting admin forms, for every test that drives the admin through its pages.

Forms are posted the way a browser posts them: the fields are read from the page the
administrator was shown (``form_data``), then the test changes what a person would change.
Inline rows are added and found as "Add another" shows them; ``listed`` reads what a
changelist shows and ``page_errors`` the page of a refused form.
"""

from html.parser import HTMLParser
from typing import Any

from django.contrib.admin.utils import quote
from django.urls import reverse

# --- Reading and posting admin forms ------------------------------------------------------


class _FormReader(HTMLParser):
    """What a browser would submit from the form with the given id, untouched."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.found = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_multiple = False
        self._select_options: list[tuple[str, bool]] = []
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._textarea_text = ""

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = self.found = True
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
                return
            self._add(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._select_multiple = "multiple" in a
            self._select_options = []
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a)
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea = name
            self._textarea_text = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea_text += data
        elif self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "form":
            self.inside = False
        elif tag == "option" and self._option is not None:
            value, selected = self._option
            self._select_options.append(
                (value if value is not None else self._option_text.strip(), selected)
            )
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._select_options if selected]
            if not chosen and not self._select_multiple and self._select_options:
                chosen = [self._select_options[0][0]]
            for value in chosen:
                self._add(self._select, value)
            if not chosen:
                self.data.setdefault(self._select, [])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the one newline that follows <textarea>.
            text = self._textarea_text
            self._add(self._textarea, text[1:] if text.startswith("\n") else text)
            self._textarea = None


def form_data(response: Any, form_id: str) -> dict[str, Any]:
    """The fields of a form on an admin page, as the browser would post them."""
    assert response.status_code == 200, response.status_code
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    assert reader.found, f"no form {form_id!r} on the page"
    data: dict[str, Any] = {}
    for name, values in reader.data.items():
        if "__prefix__" in name:
            continue  # the hidden template row for "Add another"
        data[name] = values if len(values) != 1 else values[0]
    return data


def progress_form(response: Any) -> dict[str, Any]:
    """The progress page's form has no id: read the one posted form in the content block."""
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<form method="post" novalidate>')
    end = html.index("</form>", start) + len("</form>")
    reader = _FormReader("progress")
    reader.feed(html[start:end].replace("<form ", '<form id="progress" ', 1))
    assert reader.found
    return {k: v[0] if len(v) == 1 else v for k, v in reader.data.items()}


def add_inline_row(data: dict[str, Any], prefix: str, **fields: Any) -> None:
    """Fill in the next empty row of an inline, as "Add another" does."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)


def inline_row_index(data: dict[str, Any], prefix: str, pk: int) -> int:
    """Which row of an inline shows the object with this primary key."""
    for index in range(int(data[f"{prefix}-TOTAL_FORMS"])):
        if data.get(f"{prefix}-{index}-id") == str(pk):
            return index
    raise AssertionError(f"no row for {pk} in {prefix}")


def url(name: str, *args: Any) -> str:
    return reverse(f"admin:{name}", args=[quote(arg) for arg in args])


def page_errors(response: Any) -> str:
    """The error messages an administrator sees on a refused form."""
    assert response.status_code == 200, f"expected the form again, got {response.status_code}"
    return response.content.decode()


def listed(response: Any) -> set[int]:
    assert response.status_code == 200, response.status_code
    return {obj.pk for obj in response.context["cl"].result_list}
