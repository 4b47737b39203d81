"""Style references the RelaxNG schema cannot check (ODF 1.3 Part 3 §16): a name must name a
declared style, of the family the referring element needs; names are unique per family;
list, outline, page, data and font references name the element of their kind."""

from __future__ import annotations

from collections import Counter
from typing import Any

from suites.odf.rules.model import NS, Document, Subject, q

RESOLVES = "odf.document.style-refs-resolve"
FAMILY = "odf.document.style-family-matches"
UNIQUE = "odf.document.style-names-unique"
LIST = "odf.document.list-style-refs"
PAGE = "odf.document.page-style-refs"
DATA = "odf.document.data-style-refs"
FONT = "odf.document.font-face-refs"
LEVELS = "odf.document.list-levels-unique"
REQUIREMENTS = (RESOLVES, FAMILY, UNIQUE, LIST, PAGE, DATA, FONT, LEVELS)

CONTAINERS = ("office:styles", "office:automatic-styles", "office:master-styles")
# The family a referring element needs of the style its *:style-name names.
ELEMENT_FAMILY = {
    q("text:p"): "paragraph", q("text:h"): "paragraph", q("text:span"): "text",
    q("text:a"): "text", q("text:section"): "section", q("text:ruby"): "ruby",
    q("table:table"): "table", q("table:table-column"): "table-column",
    q("table:table-row"): "table-row", q("table:table-cell"): "table-cell",
    q("table:covered-table-cell"): "table-cell", q("draw:page"): "drawing-page",
}
# Attributes whose family does not depend on the element.
ATTRIBUTE_FAMILY = {
    q("draw:text-style-name"): "paragraph", q("style:next-style-name"): "paragraph",
    q("text:cond-style-name"): "paragraph", q("presentation:style-name"): "presentation",
    q("table:default-cell-style-name"): "table-cell",
}
# References to named elements that are not style:style (their own requirement each).
KIND_REFS = {
    q("style:list-style-name"): (LIST, "list"),
    q("style:data-style-name"): (DATA, "data"),
    q("style:percentage-data-style-name"): (DATA, "data"),
    q("style:page-layout-name"): (PAGE, "page-layout"),
    q("draw:master-page-name"): (PAGE, "master-page"),
    q("style:master-page-name"): (PAGE, "master-page"),
}
FONT_ATTRIBUTES = tuple(q(f"style:{a}") for a in ("font-name", "font-name-asian",
                                                  "font-name-complex"))
# Elements whose draw:style-name is a drawing-page style (every other one: graphic).
PAGES = (q("draw:page"), q("style:master-page"), q("presentation:notes"),
         q("style:handout-master"))
LEVELLED = (q("text:list-style"), q("text:outline-style"))


STYLE_TAGS = (q("style:style"), q("style:default-style"))
FAMILY_ATTRIBUTE = q("style:family")
NUMBER_PREFIX = f"{{{NS['number']}}}"
KINDS = {q("text:list-style"): "list", q("text:outline-style"): "outline",
         q("style:page-layout"): "page-layout", q("style:master-page"): "master-page",
         q("style:presentation-page-layout"): "presentation-page-layout"}


def kind_of(element: Any) -> str | None:
    """The family (or kind) of a named style element, or None if it is not one."""
    tag = element.tag
    if tag in STYLE_TAGS:
        return str(element.get(FAMILY_ATTRIBUTE, ""))
    if isinstance(tag, str) and tag.startswith(NUMBER_PREFIX) and tag.endswith("-style"):
        return "data"
    return KINDS.get(tag)


def _declared(document: Document) -> tuple[dict[str, set[str]], set[str]]:
    """name -> kinds declared anywhere in the document; the font-face names."""
    names: dict[str, set[str]] = {}
    fonts: set[str] = set()
    for _, root in document.roots():
        for container in CONTAINERS:
            for holder in root.iterfind(f"./{container}", NS):
                for element in holder.iter():
                    name = element.get(q("style:name"))
                    kind = kind_of(element)
                    if name is not None and kind is not None:
                        names.setdefault(name, set()).add(kind)
        for face in root.iterfind("./office:font-face-decls/style:font-face", NS):
            fonts.add(str(face.get(q("style:name"))))
    return names, fonts


def check(subject: Subject) -> None:
    counts: Counter[str] = Counter()
    for document in subject.documents:
        names, fonts = _declared(document)
        for part, root in document.roots():
            _references(subject, part, root, names, fonts, counts)
            _unique(subject, part, root, counts)
            _levels(subject, part, root, counts)
    for requirement, what in ((RESOLVES, "style reference"),
                              (FAMILY, "style reference of a known family"),
                              (UNIQUE, "named style"), (LIST, "list style reference"),
                              (PAGE, "master page or page layout reference"),
                              (DATA, "data style reference"), (FONT, "font reference"),
                              (LEVELS, "list or outline style")):
        subject.examined(requirement, counts[requirement], what)


def _references(subject: Subject, part: str, root: Any, names: dict[str, set[str]],
                fonts: set[str], counts: Counter[str]) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute, value in element.attrib.items():
            if not value:
                continue
            if attribute in FONT_ATTRIBUTES:
                counts[FONT] += 1
                if value not in fonts:
                    subject.add(FONT, part, f"{_short(attribute)}={value!r} names no "
                                "style:font-face of office:font-face-decls", element)
                continue
            if attribute in KIND_REFS:
                requirement, kind = KIND_REFS[attribute]
                counts[requirement] += 1
                if kind not in names.get(value, set()):
                    subject.add(requirement, part, f"{_short(attribute)}={value!r} names no "
                                f"declared {kind} element", element)
                continue
            if attribute == q("text:style-name") and element.tag in (
                    q("text:list"), q("text:numbered-paragraph")):
                counts[LIST] += 1
                if "list" not in names.get(value, set()):
                    subject.add(LIST, part, f"text:style-name={value!r} on "
                                f"{_short(element.tag)} names no text:list-style", element)
                continue
            if not attribute.endswith("style-name") or attribute in (q("style:name"),):
                continue
            counts[RESOLVES] += 1
            kinds = names.get(value)
            if not kinds:
                subject.add(RESOLVES, part, f"{_short(attribute)}={value!r} on "
                            f"{_short(element.tag)} names no declared style", element)
                continue
            needed = _family_needed(element, attribute)
            if needed is not None:
                counts[FAMILY] += 1
                if needed not in kinds:
                    subject.add(FAMILY, part, f"{_short(attribute)}={value!r} on "
                                f"{_short(element.tag)} names a style of family "
                                f"{'/'.join(sorted(kinds))}, not {needed}", element)


def _family_needed(element: Any, attribute: str) -> str | None:
    if attribute in ATTRIBUTE_FAMILY:
        return ATTRIBUTE_FAMILY[attribute]
    if attribute in (q("style:parent-style-name"),) and element.tag == q("style:style"):
        family = element.get(q("style:family"))
        return str(family) if family is not None else None
    if attribute == q("draw:style-name"):
        return "drawing-page" if element.tag in PAGES else "graphic"
    if attribute == q("chart:style-name"):
        return "chart"
    if attribute in (q("text:style-name"), q("table:style-name")):
        return ELEMENT_FAMILY.get(element.tag)
    return None


def _unique(subject: Subject, part: str, root: Any, counts: Counter[str]) -> None:
    for container in CONTAINERS:
        seen: Counter[tuple[str, str]] = Counter()
        for holder in root.iterfind(f"./{container}", NS):
            for element in holder:
                name, kind = element.get(q("style:name")), kind_of(element)
                if name is None or kind is None:
                    continue
                counts[UNIQUE] += 1
                seen[(kind, name)] += 1
                if seen[(kind, name)] == 2:
                    subject.add(UNIQUE, part, f"{container} declares the {kind} style "
                                f"{name!r} more than once", element)


def _levels(subject: Subject, part: str, root: Any, counts: Counter[str]) -> None:
    for element in root.iter(*LEVELLED):
        counts[LEVELS] += 1
        levels = Counter(child.get(q("text:level")) for child in element
                         if child.get(q("text:level")) is not None)
        twice = sorted(str(level) for level, n in levels.items() if n > 1)
        if twice:
            subject.add(LEVELS, part, f"{_short(element.tag)} {element.get(q('style:name'))!r} "
                        f"defines level {', '.join(twice)} more than once", element)


def _short(name: str) -> str:
    if name.startswith("{"):
        uri, local = name[1:].split("}")
        prefix = next((p for p, u in NS.items() if u == uri), "?")
        return f"{prefix}:{local}"
    return name
