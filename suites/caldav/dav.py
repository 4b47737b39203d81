"""WebDAV/CalDAV request bodies and multistatus parsing, on top of the recording session.

Everything goes through ``RecordingSession`` so each exchange is evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from lxml import etree

from conformance import CheckFailure, RecordingSession

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CS = "http://calendarserver.org/ns/"
NSMAP = {"d": DAV, "c": CALDAV}
XML = "application/xml; charset=utf-8"


def qname(namespace: str, local: str) -> str:
    return f"{{{namespace}}}{local}"


def d(local: str) -> str:
    return qname(DAV, local)


def c(local: str) -> str:
    return qname(CALDAV, local)


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def element(tag: str, *children: etree._Element, text: str | None = None, **attributes: str) -> etree._Element:
    node = etree.Element(tag, nsmap=NSMAP)
    for key, value in attributes.items():
        node.set(key, value)
    if text is not None:
        node.text = text
    for child in children:
        node.append(child)
    return node


def parse_xml(response: requests.Response, what: str) -> etree._Element:
    """Parse a response body as XML; a body that is not XML fails the check with evidence."""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        return etree.fromstring(response.content, parser)
    except etree.XMLSyntaxError as error:
        raise CheckFailure(f"{what}: response body is not well-formed XML ({error})",
                           expected="an XML body", actual=response.text[:200]) from None


@dataclass
class PropStat:
    status: int
    props: dict[str, etree._Element] = field(default_factory=dict)


@dataclass
class DavResponse:
    href: str
    status: int | None
    propstats: list[PropStat]
    element: etree._Element

    def prop(self, tag: str) -> etree._Element | None:
        """The value of a property found with a 2xx status, or None."""
        for propstat in self.propstats:
            if 200 <= propstat.status < 300 and tag in propstat.props:
                return propstat.props[tag]
        return None

    def prop_status(self, tag: str) -> int | None:
        for propstat in self.propstats:
            if tag in propstat.props:
                return propstat.status
        return None


def status_code(text: str | None) -> int:
    # "HTTP/1.1 200 OK" -> 200
    try:
        return int((text or "").split()[1])
    except (IndexError, ValueError):
        return 0


def parse_multistatus(response: requests.Response, what: str) -> list[DavResponse]:
    if response.status_code != 207:
        raise CheckFailure(f"{what}: expected 207 Multi-Status, got {response.status_code}",
                           expected=207, actual=response.status_code)
    root = parse_xml(response, what)
    if root.tag != d("multistatus"):
        raise CheckFailure(f"{what}: root element is {root.tag}, expected DAV:multistatus",
                           expected=d("multistatus"), actual=root.tag)
    results = []
    for node in root.findall(d("response")):
        href = (node.findtext(d("href")) or "").strip()
        status_text = node.findtext(d("status"))
        propstats = []
        for propstat in node.findall(d("propstat")):
            prop = propstat.find(d("prop"))
            props = {child.tag: child for child in (prop if prop is not None else [])}
            propstats.append(PropStat(status_code(propstat.findtext(d("status"))), props))
        results.append(DavResponse(href, status_code(status_text) if status_text else None,
                                   propstats, node))
    return results


def path_of(href: str) -> str:
    """The path of an href, which may be absolute or relative."""
    return urlsplit(href).path


def same_path(a: str, b: str) -> bool:
    return path_of(a).rstrip("/") == path_of(b).rstrip("/")


def find_response(responses: list[DavResponse], href: str) -> DavResponse | None:
    return next((r for r in responses if same_path(r.href, href)), None)


def propfind_body(*tags: str) -> bytes:
    return serialize(element(d("propfind"), element(d("prop"), *(element(t) for t in tags))))


def propfind(session: RecordingSession, url: str, tags: list[str], depth: str = "0") -> requests.Response:
    return session.request("PROPFIND", url, data=propfind_body(*tags),
                           headers={"Depth": depth, "Content-Type": XML})


def href_value(prop: etree._Element | None) -> str | None:
    if prop is None:
        return None
    text = prop.findtext(d("href"))
    return text.strip() if text else None


def join(base: str, path: str) -> str:
    return urljoin(base, path)


def error_conditions(response: requests.Response) -> list[str]:
    """The precondition elements inside a DAV:error body (RFC 4918 §16), if any."""
    if not response.content:
        return []
    try:
        root = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return []
    if root.tag != d("error"):
        return []
    return [child.tag for child in root]
