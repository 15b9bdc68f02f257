"""A small DOM on top of html.parser for the page tests, and the accessible structure every
page keeps (what the browser's accessibility checks look at first): one ``<h1>``, one
``<main>``, named landmarks, a label for every control, captions and scopes in tables,
unique ids, nothing the strict Content-Security-Policy would block."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

NBSP, NARROW_NBSP = "\u00a0", "\u202f"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    """An HTML element with its attributes, children and text."""

    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def iter(self) -> Iterator[Element]:
        """This element and every element under it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        """Descendants (and self) named ``tag`` whose attributes have the given values
        (``class_`` matches one class among several)."""
        found = []
        for element in self.iter():
            if element.tag != tag:
                continue
            if all(element.has_class(value) if name == "class_" else
                   element.attrs.get(name.rstrip("_").replace("_", "-")) == value
                   for name, value in attrs.items()):
                found.append(element)
        return found

    def find(self, tag: str, **attrs: str) -> Element:
        """The first match; fails the test when there is none."""
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]

    def get(self, name: str) -> str:
        """An attribute's value (empty when absent or without value)."""
        return self.attrs.get(name) or ""

    def has_class(self, name: str) -> bool:
        """Whether ``name`` is one of the element's classes."""
        return name in self.get("class").split()

    @property
    def text(self) -> str:
        """The text inside, whitespace collapsed; no-break spaces are kept."""
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else f" {child.text} ")
        return re.sub(r"[ \t\r\n]+", " ", "".join(parts)).strip()


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        if len(dict(attrs)) != len(attrs):
            self.problems.append(f"<{tag}> has an attribute twice")
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.stack[-1].tag != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1].tag}>")
            while len(self.stack) > 1 and self.stack[-1].tag != tag:
                self.stack.pop()
        if len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    """The document tree; the HTML must be well nested."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    unclosed = [element.tag for element in builder.stack[1:]]
    assert not builder.problems and not unclosed, (builder.problems, unclosed)
    return builder.root


def squash(text: str) -> str:
    """``text`` with no-break spaces as plain ones, for readable comparisons."""
    return text.replace(NBSP, " ").replace(NARROW_NBSP, " ")


def assert_accessible_structure(document: Element) -> None:
    """Fail when the page breaks a rule of its accessible structure (see the module)."""
    assert document.find("html").get("lang") in {"fr", "en"}
    assert document.find("title").text
    assert len(document.find_all("h1")) == 1
    assert len(document.find_all("main")) == 1
    assert len(document.find_all("header")) == 1 and len(document.find_all("footer")) == 1
    navs = document.find_all("nav")
    assert len(navs) >= 2 and all(nav.get("aria-label") for nav in navs)
    ids = [element.get("id") for element in document.iter() if element.get("id")]
    assert len(ids) == len(set(ids)), "an id is used twice"
    labels = {label.get("for") for label in document.find_all("label")}
    for tag in ("input", "select", "textarea"):
        for control in document.find_all(tag):
            if control.get("type") in {"hidden", "submit"}:
                continue
            assert control.get("id") in labels or control.get("aria-label"), control.attrs
    for table in document.find_all("table"):
        assert table.find("caption").text
        assert all(th.get("scope") in {"col", "row"} for th in table.find_all("th"))
    assert all("alt" in image.attrs for image in document.find_all("img"))
    for named in (*document.find_all("a"), *document.find_all("button")):
        assert named.text or named.get("aria-label"), f"<{named.tag}> without a name"
    for section in document.find_all("section"):
        assert section.get("aria-labelledby") in ids
    # what the strict CSP would block: no inline style or script, no event attribute
    assert not document.find_all("script") and not document.find_all("style")
    for element in document.iter():
        assert "style" not in element.attrs
        assert not [name for name in element.attrs if name.startswith("on")]
