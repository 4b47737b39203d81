"""Reading a consumer's exports: HTML structure (headings, list items, emphasis, pictures,
title), the lines of a plain-text export, and the rows of a CSV export by their first cell."""

from __future__ import annotations

import re
import unicodedata

from lxml import html

from suites.odf.compare import csv_rows, html_body
from suites.odf.content import normalise

HEADING = re.compile(r"h([1-6])")
BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.I)
ITALIC_STYLE = re.compile(r"font-style\s*:\s*(italic|oblique)", re.I)


def html_headings(data: bytes) -> list[tuple[int, str]]:
    """Every h1-h6 of the body, in document order, with its level."""
    found = []
    for element in html_body(data).iter():
        match = HEADING.fullmatch(str(element.tag))
        if match:
            found.append((int(match.group(1)), normalise(element.text_content())))
    return found


def html_list_items(data: bytes) -> list[str]:
    """The text of every li inside a ul or ol, in document order."""
    return [normalise(li.text_content()) for li in html_body(data).iter("li")
            if any(a.tag in ("ul", "ol") for a in li.iterancestors())]


def _holder(body: html.HtmlElement, text: str) -> html.HtmlElement | None:
    """The innermost element whose own text content holds ``text``."""
    best = None
    for element in body.iter():
        if isinstance(element.tag, str) and text in normalise(element.text_content()):
            best = element
    return best


def emphasis(data: bytes, text: str) -> set[str]:
    """How ``text`` is shown: {"bold", "italic"} or fewer; None when it is not shown."""
    body = html_body(data)
    element = _holder(body, text)
    if element is None:
        return {"absent"}
    found: set[str] = set()
    for node in [element, *element.iterancestors()]:
        style = node.get("style") or ""
        if node.tag in ("b", "strong") or BOLD_STYLE.search(style):
            found.add("bold")
        if node.tag in ("i", "em") or ITALIC_STYLE.search(style):
            found.add("italic")
    return found


def html_images(data: bytes) -> list[str]:
    return [img.get("src") or "" for img in html_body(data).iter("img")]


def html_title(data: bytes) -> str | None:
    titles = html.fromstring(data).xpath("//head/title")
    return normalise(titles[0].text_content()) if titles else None


def text_lines(text: str) -> list[str]:
    """The lines of a plain-text export, with a byte order mark and line ends removed."""
    return [line.rstrip("\r") for line in text.removeprefix("\ufeff").split("\n")]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def rows_by_label(text: str) -> dict[str, list[list[str]]]:
    """The rows of a CSV export grouped by their first cell (a label may repeat)."""
    rows: dict[str, list[list[str]]] = {}
    for row in csv_rows(text):
        rows.setdefault(row[0], []).append(row)
    return rows
