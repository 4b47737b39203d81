"""WebDAV/CalDAV request bodies and multistatus parsing, on top of the recording session.

Everything goes through ``RecordingSession`` so each exchange is evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from lxml import etree

from conformance.api import CheckFailure, RecordingSession, cant_tell

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
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def element(tag: str, *children: etree._Element, text: str | None = None,
            **attributes: str) -> etree._Element:
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


def propfind(session: RecordingSession, url: str, tags: list[str],
             depth: str = "0") -> requests.Response:
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
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(response.content, parser)
    except etree.XMLSyntaxError:
        return []
    if root.tag != d("error"):
        return []
    return [child.tag for child in root]


# --- PROPPATCH ------------------------------------------------------------------------------

def proppatch(session: RecordingSession, url: str, set_props: list[etree._Element] | None = None,
              remove: list[str] | None = None) -> requests.Response:
    instructions = []
    if set_props:
        instructions.append(element(d("set"), element(d("prop"), *set_props)))
    if remove:
        instructions.append(element(d("remove"), element(d("prop"), *(element(t) for t in remove))))
    body = serialize(element(d("propertyupdate"), *instructions))
    return session.request("PROPPATCH", url, data=body, headers={"Content-Type": XML})


def single_response(response: requests.Response, url: str, what: str) -> DavResponse:
    """The multistatus entry for ``url``; its absence fails the check."""
    entry = find_response(parse_multistatus(response, what), url)
    if entry is None:
        raise CheckFailure(f"{what}: the multistatus holds no response for {path_of(url)}",
                           expected=path_of(url), actual=response.text[:300])
    return entry


def prop_text(entry: DavResponse, tag: str) -> str | None:
    value = entry.prop(tag)
    return None if value is None else "".join(value.itertext()).strip()


# --- REPORT bodies (RFC 4791 §7, RFC 6578 §3.2) ---------------------------------------------

def report(session: RecordingSession, url: str, body: etree._Element,
           depth: str | None = "1") -> requests.Response:
    headers = {"Content-Type": XML}
    if depth is not None:
        headers["Depth"] = depth
    return session.request("REPORT", url, data=serialize(body), headers=headers)


def comp_filter(name: str, *children: etree._Element) -> etree._Element:
    return element(c("comp-filter"), *children, name=name)


def prop_filter(name: str, *children: etree._Element) -> etree._Element:
    return element(c("prop-filter"), *children, name=name)


def param_filter(name: str, *children: etree._Element) -> etree._Element:
    return element(c("param-filter"), *children, name=name)


def text_match(text: str, negate: bool = False, collation: str | None = None) -> etree._Element:
    attributes = {"negate-condition": "yes"} if negate else {}
    if collation:
        attributes["collation"] = collation
    return element(c("text-match"), text=text, **attributes)


def is_not_defined() -> etree._Element:
    return element(c("is-not-defined"))


def time_range(start: str | None = None, end: str | None = None) -> etree._Element:
    attributes = {}
    if start:
        attributes["start"] = start
    if end:
        attributes["end"] = end
    return element(c("time-range"), **attributes)


def calendar_query(*filters: etree._Element, with_data: bool = True) -> etree._Element:
    """A calendar-query whose filter is VCALENDAR holding ``filters``."""
    props = [element(d("getetag"))]
    if with_data:
        props.append(element(c("calendar-data")))
    return element(c("calendar-query"), element(d("prop"), *props),
                   element(c("filter"), comp_filter("VCALENDAR", *filters)))


def calendar_multiget(hrefs: list[str]) -> etree._Element:
    """A calendar-multiget body; send it without Depth (RFC 4791 §7.9: SHOULD NOT be sent)."""
    return element(c("calendar-multiget"),
                   element(d("prop"), element(d("getetag")), element(c("calendar-data"))),
                   *(element(d("href"), text=h) for h in hrefs))


def free_busy_query(start: str, end: str) -> etree._Element:
    return element(c("free-busy-query"), time_range(start, end))


def sync_collection(token: str, props: list[str] | None = None) -> etree._Element:
    return element(d("sync-collection"), element(d("sync-token"), text=token),
                   element(d("sync-level"), text="1"),
                   element(d("prop"), *(element(t) for t in (props or [d("getetag")]))))


def matched_paths(response: requests.Response, what: str) -> set[str]:
    """Paths of the 2xx entries of a REPORT multistatus (the matching resources)."""
    paths = set()
    for entry in parse_multistatus(response, what):
        if entry.status is not None and not 200 <= entry.status < 300:
            continue
        if entry.status is None and not any(200 <= p.status < 300 for p in entry.propstats):
            continue
        paths.add(path_of(entry.href).rstrip("/"))
    return paths


def sync_token_of(response: requests.Response, what: str) -> str | None:
    root = parse_xml(response, what)
    token = root.findtext(d("sync-token"))
    return token.strip() if token else None


def supported_reports(prop: etree._Element | None) -> list[str]:
    """Report element names listed in a DAV:supported-report-set value (RFC 3253 §3.1.5)."""
    if prop is None:
        return []
    found: list[str] = []
    for report_element in prop.iter(d("report")):
        found.extend(child.tag for child in report_element)
    return found


def dav_header_tokens(response: requests.Response) -> list[str]:
    # The DAV header may be repeated; requests joins repeats with ", ".
    value = response.headers.get("DAV", "")
    return [token.strip().strip("<>") for token in value.split(",") if token.strip()]


# --- calendar object resources --------------------------------------------------------------

def put_ical(session: RecordingSession, url: str, data: str | bytes,
             headers: dict[str, str] | None = None,
             content_type: str = "text/calendar; charset=utf-8") -> requests.Response:
    body = data.encode("utf-8") if isinstance(data, str) else data
    return session.request("PUT", url, data=body,
                           headers={"Content-Type": content_type, **(headers or {})})


def store(session: RecordingSession, url: str, data: str | bytes) -> requests.Response:
    """PUT test data the check needs as a precondition; failure means the check can't tell."""
    response = put_ical(session, url, data)
    if not 200 <= response.status_code < 300:
        cant_tell(f"could not store test data: PUT {path_of(url)} answered "
                  f"{response.status_code}")
    return response


def current_etag(session: RecordingSession, url: str) -> str | None:
    response = propfind(session, url, [d("getetag")])
    if response.status_code != 207:
        return None
    entry = find_response(parse_multistatus(response, "PROPFIND getetag"), url)
    return prop_text(entry, d("getetag")) if entry else None
