"""Removing foreign elements and attributes, as the extended conformance class defines it.

ODF (1.2 Part 1 §3.17, 1.3/1.4 Part 3 §3.17; conformance clause 2.2.2): an *extended*
document must be valid once its foreign elements and attributes — those in namespaces the
specification does not define — are removed. A foreign element inside a paragraph (text:p
or text:h) whose ``office:process-content`` is not "false" stands for its content: it is
replaced by its children and text; anywhere else it goes with its content.
"""

from __future__ import annotations

from lxml import etree

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
PARAGRAPHS = frozenset({f"{{{TEXT_NS}}}p", f"{{{TEXT_NS}}}h"})
PROCESS_CONTENT = f"{{{OFFICE_NS}}}process-content"


def namespace_of(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def strip_foreign(root: etree._Element, odf_namespaces: frozenset[str]) -> list[str]:
    """Remove foreign markup in place; returns what was removed (qualified names, once each)."""
    removed: list[str] = []

    def note(name: str) -> None:
        if name not in removed:
            removed.append(name)

    def is_foreign(tag: object) -> bool:
        return isinstance(tag, str) and namespace_of(tag) not in odf_namespaces

    def in_paragraph(element: etree._Element) -> bool:
        parent = element.getparent()
        while parent is not None and is_foreign(parent.tag):
            parent = parent.getparent()
        return parent is not None and parent.tag in PARAGRAPHS

    # Deepest first, so unwrapping a foreign element never meets a foreign descendant.
    for element in reversed(list(root.iter())):
        if not isinstance(element.tag, str):
            continue
        for attribute in list(element.attrib):
            if namespace_of(attribute) and namespace_of(attribute) not in odf_namespaces:
                note(attribute)
                del element.attrib[attribute]
        if element is root or not is_foreign(element.tag):
            continue
        note(element.tag)
        keep_content = in_paragraph(element) and element.get(PROCESS_CONTENT) != "false"
        _remove(element, keep_content)
    return removed


def _remove(element: etree._Element, keep_content: bool) -> None:
    parent = element.getparent()
    assert parent is not None
    position = parent.index(element)
    tail = element.tail or ""
    children = list(element) if keep_content else []
    if keep_content:
        _append_text(parent, position, element.text or "")
        for offset, child in enumerate(children):
            parent.insert(position + 1 + offset, child)
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
    else:
        _append_text(parent, position, tail)
    parent.remove(element)


def _append_text(parent: etree._Element, position: int, text: str) -> None:
    """Add text right before the child at ``position`` (i.e. after the child before it)."""
    if not text:
        return
    if position == 0:
        parent.text = (parent.text or "") + text
    else:
        previous = parent[position - 1]
        previous.tail = (previous.tail or "") + text
