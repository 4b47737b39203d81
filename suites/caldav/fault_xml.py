"""What the CalDAV fault hooks use to read and rewrite WebDAV XML bodies, for faults.py and
faults_depth.py alike."""

from __future__ import annotations

from lxml import etree

from suites.caldav.dav import CALDAV, DAV

# A candidate's body is untrusted: no entities, no network.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def d(local: str) -> str:
    return f"{{{DAV}}}{local}"


def c(local: str) -> str:
    return f"{{{CALDAV}}}{local}"


def parse(body: bytes) -> etree._Element | None:
    """The body's root element, or None for an empty or malformed body."""
    try:
        return etree.fromstring(body, _PARSER) if body.strip() else None
    except etree.XMLSyntaxError:
        return None


def serialize(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
