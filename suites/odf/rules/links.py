"""Document rules beyond the schema (ODF 1.3 Part 3): xml:id uniqueness, what draw:image and
draw:object point at, OpenFormula namespace prefixes, meta:generator, the root element of
each part, and the office:body child agreeing with the document's media type."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from suites.odf.rules.model import NS, Document, Subject, q

XML_ID = "odf.document.xml-id-unique"
IMAGE = "odf.document.image-href"
OBJECT = "odf.document.object-href"
PREFIX = "odf.document.formula-prefix"
PREFIX_BOUND = "odf.document.formula-prefix-declared"
GENERATOR = "odf.document.meta-generator"
ROOTS = "odf.document.part-roots"
BODY = "odf.document.body-matches-type"
REQUIREMENTS = (XML_ID, IMAGE, OBJECT, PREFIX, PREFIX_BOUND, GENERATOR, ROOTS, BODY)

ROOT_OF = {
    "content.xml": q("office:document-content"), "styles.xml": q("office:document-styles"),
    "meta.xml": q("office:document-meta"), "settings.xml": q("office:document-settings"),
}
BODY_OF = {
    "text": "text", "text-template": "text", "text-master": "text", "text-web": "text",
    "spreadsheet": "spreadsheet", "spreadsheet-template": "spreadsheet",
    "presentation": "presentation", "presentation-template": "presentation",
    "graphics": "drawing", "graphics-template": "drawing", "chart": "chart",
    "chart-template": "chart", "image": "image", "image-template": "image",
    "database": "database",
}
MEDIA_PREFIX = "application/vnd.oasis.opendocument."
FORMULA_ATTRIBUTES = tuple(q(n) for n in ("table:formula", "text:formula", "table:condition",
                                          "table:expression", "style:condition"))
PREFIXED = re.compile(r"^([A-Za-z_][\w.-]*):")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def check(subject: Subject) -> None:
    ids = images = objects = formulas = 0
    for document in subject.documents:
        ids += _xml_ids(subject, document)
        images += _hrefs(subject, document, q("draw:image"), IMAGE)
        objects += _hrefs(subject, document, q("draw:object"), OBJECT)
        formulas += _formulas(subject, document)
        _roots(subject, document)
    subject.examined(XML_ID, ids, "xml:id attribute")
    subject.examined(IMAGE, images, "draw:image with an xlink:href")
    subject.examined(OBJECT, objects, "draw:object with an xlink:href")
    subject.examined(PREFIX, formulas, "formula attribute (table:formula, text:formula …)")
    subject.examined(PREFIX_BOUND, formulas, "formula attribute")
    _generator(subject)
    _body(subject)


def _xml_ids(subject: Subject, document: Document) -> int:
    count = 0
    for part, root in document.roots():
        seen: set[str] = set()
        for element in root.iter():
            value = element.get(q("xml:id")) if isinstance(element.tag, str) else None
            if value is None:
                continue
            count += 1
            if value in seen:
                subject.add(XML_ID, part, f"xml:id {value!r} is used more than once", element)
            seen.add(value)
    return count


def _target(document: Document, href: str) -> str:
    """A package-relative reference resolved against the (sub-)document's directory."""
    path = unquote(href.split("#", 1)[0])
    while path.startswith("./"):
        path = path[2:]
    return document.prefix + path


def _hrefs(subject: Subject, document: Document, tag: str, requirement: str) -> int:
    """Every reference is a valid absolute IRI, or names a file (an image) or a
    sub-document directory (an object) of the package."""
    count = 0
    files = set(subject.files)
    directories = {f.rsplit("/", 1)[0] + "/" for f in files if "/" in f}
    for part, root in document.roots():
        for element in root.iter(tag):
            href = element.get(q("xlink:href"))
            if href is None:
                continue
            count += 1
            if SCHEME.match(href):
                if not _valid_url(href):
                    subject.add(requirement, part, f"xlink:href {href!r} is not a valid IRI",
                                element)
                continue
            target = _target(document, href)
            if tag == q("draw:object"):
                ok = (target.rstrip("/") + "/") in directories
                what = "sub-document directory"
            else:
                ok = target in files
                what = "file"
            if not ok:
                subject.add(requirement, part, f"xlink:href {href!r} names no {what} of the "
                            "package", element)
    return count


def _valid_url(href: str) -> bool:
    if any(c in href for c in ' <>"{}|\\^`'):
        return False
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    return parts.scheme.lower() not in ("http", "https", "ftp") or bool(parts.netloc)


def _formulas(subject: Subject, document: Document) -> int:
    count = 0
    for part, root in document.roots():
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for attribute in FORMULA_ATTRIBUTES:
                value = element.get(attribute)
                if value is None:
                    continue
                count += 1
                found = PREFIXED.match(value)
                if found is None:
                    subject.add(PREFIX, part, f"{attribute.split('}')[1]}={value!r} begins "
                                "with no namespace prefix", element)
                elif found.group(1) not in element.nsmap:
                    subject.add(PREFIX_BOUND, part, f"{attribute.split('}')[1]}={value!r}: "
                                f"prefix {found.group(1)!r} is not declared", element)
    return count


def _roots(subject: Subject, document: Document) -> None:
    for name, root in document.trees.items():
        expected = ROOT_OF.get(name)
        if expected is None:
            continue
        if root.tag != expected and not (name == "content.xml" and root.tag == q("math:math")):
            subject.add(ROOTS, document.part(name), f"the root element is {root.tag}, not "
                        f"{expected}", root)


def _generator(subject: Subject) -> None:
    root = subject.root.trees.get("meta.xml", subject.root.trees.get("document"))
    if root is None:
        subject.add(GENERATOR, "meta.xml", "the document has no meta.xml, so no meta:generator")
        return
    generators = root.findall("./office:meta/meta:generator", NS)
    if not generators or not "".join(generators[0].itertext()).strip():
        subject.add(GENERATOR, "meta.xml", "office:meta has no (or an empty) meta:generator",
                    root)


def _body(subject: Subject) -> None:
    for document in subject.documents:
        media = _media_type(subject, document)
        content = document.trees.get("content.xml", document.trees.get("document"))
        if content is None or media is None or not media.startswith(MEDIA_PREFIX):
            continue
        expected = BODY_OF.get(media[len(MEDIA_PREFIX):])
        if expected is None or expected == "database" or content.tag == q("math:math"):
            continue
        body = content.find("./office:body", NS)
        children = [c.tag.split("}")[1] for c in (body if body is not None else [])
                    if isinstance(c.tag, str)]
        if children != [expected]:
            subject.add(BODY, document.part("content.xml"), f"media type {media} needs "
                        f"office:body/office:{expected}, found {children or 'nothing'}",
                        body if body is not None else content)


def _media_type(subject: Subject, document: Document) -> Any:
    if document.prefix == "":
        return subject.media_type
    return next((e.media_type for e in subject.manifest if e.path == document.prefix), None)
