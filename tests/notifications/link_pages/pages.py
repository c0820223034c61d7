"""Reading the pages reached from email links as HTML, to check their text and structure.

``Page`` parses a page into its elements, each with its ancestors; ``assert_accessible_form``
holds the checks a screen reader user depends on; ``error_summary`` and ``checked`` read what
a refused form shows and what it kept.
"""

from html.parser import HTMLParser


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None], parents: list["Element"]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parents = parents
        self.text = ""


class Page(HTMLParser):
    """The page's elements, each with its ancestors and text: enough to check its structure."""

    VOID = {"input", "meta", "br", "link", "img", "hr"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), list(self._open))
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += f" {data}"

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def by_id(self, id_: str) -> Element:
        [element] = [e for e in self.elements if e.attrs.get("id") == id_]
        return element

    def inputs(self) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag in ("input", "textarea", "select")
            and e.attrs.get("type") not in ("hidden", "submit")
        ]

    def title(self) -> str:
        return " ".join(self.all("title")[0].text.split())


def text_of(html: str) -> str:
    page = Page(html)
    return " ".join(page.all("main")[0].text.split())


def assert_accessible_form(html: str) -> Page:
    """The checks a screen reader user depends on, on any of these forms."""
    page = Page(html)
    assert page.all("html")[0].attrs["lang"] == "en-GB"
    assert page.all("a", href="#main")[0].text.strip() == "Skip to main content"
    assert page.by_id("main").tag == "main"
    assert len(page.all("h1")) == 1
    assert not page.all("script")
    labelled = {label.attrs["for"] for label in page.all("label")}
    for element in page.inputs():
        assert element.attrs.get("id") in labelled, f"no label for {element.attrs}"
        if element.attrs.get("type") == "radio":
            [fieldset] = [p for p in element.parents if p.tag == "fieldset"]
            legends = [e for e in page.all("legend") if fieldset in e.parents]
            assert legends and legends[0].text.strip()
    for element in page.elements:
        for id_ in (element.attrs.get("aria-describedby") or "").split():
            page.by_id(id_)  # every hint and error it points to is on the page
    [form] = page.all("form")
    assert form.attrs["method"] == "post"
    assert page.all("input", type="hidden", name="csrfmiddlewaretoken")
    return page


def error_summary(page: Page) -> dict[str, str]:
    """The error summary's links: the id each points to, and its message."""
    [summary] = [e for e in page.elements if e.attrs.get("role") == "alert"]
    [heading] = [e for e in page.all("h2") if summary in e.parents]
    assert heading.text.strip() == "There is a problem"
    links = {}
    for link in page.all("a"):
        if summary in link.parents:
            target = (link.attrs["href"] or "").removeprefix("#")
            assert page.by_id(target).tag in ("input", "textarea")
            links[target] = " ".join(link.text.split())
    return links


def checked(page: Page, name: str) -> list[str | None]:
    return [e.attrs.get("value") for e in page.all("input", name=name) if "checked" in e.attrs]
