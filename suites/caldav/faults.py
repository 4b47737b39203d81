"""The CalDAV fault catalogue: each fault makes a real server (behind a rewriting proxy) break
one rule, and names the requirements whose checks must then fail.

A fault imitates a plausible server bug as a client would see it: a header not sent, a
condition not evaluated, a filter not applied, a property left out. Faults only name
requirements the reference server passes without them, and whose checks come out ``failed``
(not ``cantTell``) with them; ``conformance faults run caldav --candidate radicale`` proves it.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from lxml import etree

from conformance.api import Exemption, Fault, ProxyRequest, ProxyResponse
from suites.caldav import dav, fault_xml
from suites.caldav.faults_depth import DEPTH_FAULTS

DAV, CALDAV = dav.DAV, dav.CALDAV
_d, _c, _xml, _serialize = fault_xml.d, fault_xml.c, fault_xml.parse, fault_xml.serialize


# --- helpers --------------------------------------------------------------------------------



def _remove(root: etree._Element, tag: str) -> bool:
    found = list(root.iter(tag))
    for node in found:
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)
    return bool(found)


def _is_report(request: ProxyRequest, root_tag: str) -> etree._Element | None:
    """The parsed body of a REPORT whose root element is ``root_tag``, else None."""
    if request.method != "REPORT":
        return None
    root = _xml(request.body)
    return root if root is not None and root.tag == root_tag else None


def _rewrite_request_xml(root_tag: str, edit: Callable[[etree._Element], bool]
                         ) -> Callable[[ProxyRequest], ProxyRequest]:
    def on_request(request: ProxyRequest) -> ProxyRequest:
        root = _is_report(request, root_tag)
        if root is None or not edit(root):
            return request
        return request.with_body(_serialize(root))
    return on_request


def _rewrite_response_xml(methods: set[str], edit: Callable[[etree._Element], bool]
                          ) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.method not in methods:
            return response
        root = _xml(response.body)
        if root is None or not edit(root):
            return response
        return response.with_body(_serialize(root))
    return on_response


def _is_object(request: ProxyRequest) -> bool:
    return request.path_only.endswith(".ics")


def _valid_event() -> bytes:
    uid = f"fault-{uuid.uuid4()}"
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//EOS faults//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260310T100000Z\r\n"
            "SUMMARY:substituted\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


# --- headers and statuses -------------------------------------------------------------------

def _drop_etag(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if request.method in ("GET", "HEAD", "PUT"):
        return response.without_header("ETag")
    return response


def _created_as_ok(method: str) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.method == method and response.status == 201:
            return response.with_status(200)
        return response
    return on_response


def _drop_dav_header(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    return response.without_header("DAV") if request.method == "OPTIONS" else response


def _calendar_as_text_plain(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if request.method == "GET" and _is_object(request) and response.status == 200:
        return response.with_header("Content-Type", "text/plain; charset=utf-8")
    return response


def _strip_request_header(name: str) -> Callable[[ProxyRequest], ProxyRequest]:
    def on_request(request: ProxyRequest) -> ProxyRequest:
        return request.without_header(name)
    return on_request


def _depth_1_as_0(request: ProxyRequest) -> ProxyRequest:
    if request.method == "PROPFIND" and (request.header("Depth") or "").strip() == "1":
        return request.with_header("Depth", "0")
    return request


def _well_known_missing(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.path_only.rstrip("/") == "/.well-known/caldav":
        return ProxyResponse(404, [("Content-Type", "text/plain")], b"Not Found")
    return request


def _well_known_to_nowhere(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.path_only.rstrip("/") == "/.well-known/caldav":
        return ProxyResponse(301, [("Location", "/no-dav-service-here/")], b"")
    return request


def _delete_not_performed(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.method == "DELETE" and _is_object(request):
        return ProxyResponse(204, [], b"")
    return request


# --- request bodies -------------------------------------------------------------------------

def _strip_time_ranges(root: etree._Element) -> bool:
    return _remove(root, _c("time-range"))


def _case_sensitive_text_match(root: etree._Element) -> bool:
    changed = False
    for node in root.iter(_c("text-match")):
        if node.get("collation") is None:
            node.set("collation", "i;octet")
            changed = True
    return changed


def _ignore_negation(root: etree._Element) -> bool:
    changed = False
    for node in root.iter(_c("text-match")):
        if node.attrib.pop("negate-condition", None) is not None:
            changed = True
    return changed


def _ignore_inner_comp_filters(root: etree._Element) -> bool:
    changed = False
    for outer in root.iter(_c("comp-filter")):
        if outer.get("name") == "VCALENDAR":
            for inner in outer.findall(_c("comp-filter")):
                outer.remove(inner)
                changed = True
    return changed


def _ignore_is_not_defined(root: etree._Element) -> bool:
    return _remove(root, _c("is-not-defined"))


def _always_initial_sync(root: etree._Element) -> bool:
    token = root.find(_d("sync-token"))
    if token is None or not (token.text or "").strip():
        return False
    token.text = ""
    return True


class _UidReuse:
    """Lets a second resource reuse a UID, as a server skipping the uniqueness check does."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.owner: dict[str, str] = {}

    def __call__(self, request: ProxyRequest) -> ProxyRequest:
        if request.method != "PUT":
            return request
        text = request.body.decode("utf-8", "replace")
        match = re.search(r"^UID:(.+?)\r?$", text, re.MULTILINE)
        if match is None:
            return request
        uid, path = match.group(1), request.path_only
        with self.lock:
            owner = self.owner.setdefault(uid, path)
        if owner == path:
            return request
        fresh = f"{uid}-fault-{uuid.uuid4().hex[:8]}"
        return request.with_body(text.replace(f"UID:{uid}", f"UID:{fresh}").encode())


def _any_media_type_stored(request: ProxyRequest) -> ProxyRequest:
    """A server that ignores Content-Type and stores whatever arrives as an event."""
    media_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    if request.method != "PUT" or media_type in ("", "text/calendar"):
        return request
    return request.with_body(_valid_event()).with_header("Content-Type",
                                                         "text/calendar; charset=utf-8")


def _proppatch_not_applied(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    """Acknowledges every PROPPATCH instruction with 200 without applying any."""
    if request.method != "PROPPATCH":
        return request
    root = _xml(request.body)
    if root is None:
        return request
    prop = etree.Element(_d("prop"))
    for instruction in root:
        for named in instruction.iter(_d("prop")):
            for child in named:
                prop.append(etree.Element(child.tag))
    answer = etree.Element(_d("multistatus"), nsmap={"d": DAV})
    response = etree.SubElement(answer, _d("response"))
    etree.SubElement(response, _d("href")).text = request.path_only
    propstat = etree.SubElement(response, _d("propstat"))
    propstat.append(prop)
    etree.SubElement(propstat, _d("status")).text = "HTTP/1.1 200 OK"
    return ProxyResponse(207, [("Content-Type", "application/xml; charset=utf-8")],
                         _serialize(answer))


# --- response bodies ------------------------------------------------------------------------

def _strip(tag: str) -> Callable[[etree._Element], bool]:
    def edit(root: etree._Element) -> bool:
        return _remove(root, tag)
    return edit


def _drop_sync_token(root: etree._Element) -> bool:
    token = root.find(_d("sync-token"))
    if root.tag != _d("multistatus") or token is None:
        return False
    root.remove(token)
    return True


def _drop_removed_members(root: etree._Element) -> bool:
    if root.tag != _d("multistatus") or root.find(_d("sync-token")) is None:
        return False
    removed = [e for e in root.findall(_d("response"))
               if " 404 " in f"{e.findtext(_d('status')) or ''} "]
    for entry in removed:
        root.remove(entry)
    return bool(removed)


def _token_without_scheme(root: etree._Element) -> bool:
    token = root.find(_d("sync-token"))
    if root.tag != _d("multistatus") or token is None or ":" not in (token.text or ""):
        return False
    token.text = (token.text or "").rsplit("/", 1)[-1].split(":")[-1]
    return True


def _unknown_properties_as_empty(root: etree._Element) -> bool:
    changed = False
    for status in root.iter(_d("status")):
        parent = status.getparent()
        if parent is not None and parent.tag == _d("propstat") and " 404 " in f"{status.text} ":
            status.text = "HTTP/1.1 200 OK"
            changed = True
    return changed


def _weaken_getetag(root: etree._Element) -> bool:
    changed = False
    for node in root.iter(_d("getetag")):
        if node.text and not node.text.startswith("W/"):
            node.text = f"W/{node.text}"
            changed = True
    return changed


def _drop_principal_resourcetype(root: etree._Element) -> bool:
    changed = False
    for resourcetype in root.iter(_d("resourcetype")):
        changed |= _remove(resourcetype, _d("principal"))
    return changed


def _drop_calendar_resourcetype(root: etree._Element) -> bool:
    changed = False
    for resourcetype in root.iter(_d("resourcetype")):
        changed |= _remove(resourcetype, _c("calendar"))
    return changed


def _drop_last_multiget_response(request: ProxyRequest,
                                 response: ProxyResponse) -> ProxyResponse:
    asked = _is_report(request, _c("calendar-multiget"))
    if asked is None:
        return response
    hrefs = [(h.text or "").strip() for h in asked.findall(_d("href"))]
    root = _xml(response.body)
    if root is None or not hrefs:
        return response
    for entry in root.findall(_d("response")):
        href = (entry.findtext(_d("href")) or "").strip()
        if href.rstrip("/").endswith(hrefs[-1].rstrip("/")):
            root.remove(entry)
            return response.with_body(_serialize(root))
    return response


def _lowercase_summary(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if request.method != "GET" or not _is_object(request) or response.status != 200:
        return response
    text = response.body.decode("utf-8", "replace")
    lowered = re.sub(r"^(SUMMARY[^:]*:)(.*)$", lambda m: m.group(1) + m.group(2).lower(), text,
                     flags=re.MULTILINE)
    return response.with_body(lowered.encode())


def _drop_freebusy_periods(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if request.method != "REPORT" or not response.body.lstrip().startswith(b"BEGIN:VCALENDAR"):
        return response
    kept = [line for line in response.body.split(b"\n") if not line.startswith(b"FREEBUSY")]
    return response.with_body(b"\n".join(kept))



# --- faults proving the remaining checks can fail --------------------------------------------

def _if_match_never_matches(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    # A server that compares ETags with their quotes stripped on one side only.
    if request.header("If-Match") not in (None, "*"):
        return ProxyResponse(412, [("Content-Type", "text/plain")], b"Precondition Failed")
    return request


def _collection_delete_ignored(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.method == "DELETE" and request.path_only.endswith("/"):
        return ProxyResponse(204, [], b"")
    return request


def _frozen_etag(path: str) -> str:
    return f'"frozen-{uuid.uuid5(uuid.NAMESPACE_URL, path).hex[:16]}"'


def _etag_never_changes(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    """The ETag is derived from the URL alone, so it stays the same when the data changes."""
    if response.header("ETag") is not None:
        response = response.with_header("ETag", _frozen_etag(request.path_only))
    if request.method != "PROPFIND":
        return response
    root = _xml(response.body)
    if root is None:
        return response
    changed = False
    for entry in root.iter(_d("response")):
        href = (entry.findtext(_d("href")) or "").strip()
        for etag in entry.iter(_d("getetag")):
            etag.text = _frozen_etag(href)
            changed = True
    return response.with_body(_serialize(root)) if changed else response


def _component_set_not_stored(request: ProxyRequest) -> ProxyRequest:
    if request.method != "MKCALENDAR":
        return request
    root = _xml(request.body)
    if root is None or not _remove(root, _c("supported-calendar-component-set")):
        return request
    return request.with_body(_serialize(root))


def _refused_creation_reported_as_success(
    request: ProxyRequest, response: ProxyResponse
) -> ProxyResponse:
    if request.method == "MKCALENDAR" and 400 <= response.status < 500:
        return ProxyResponse(201, [], b"")
    return response


def _depth_0_as_1(request: ProxyRequest) -> ProxyRequest:
    if request.method == "PROPFIND" and (request.header("Depth") or "").strip() == "0":
        return request.with_header("Depth", "1")
    return request


def _objects_typed_as_collections(root: etree._Element) -> bool:
    changed = False
    for entry in root.iter(_d("response")):
        if not (entry.findtext(_d("href")) or "").strip().endswith(".ics"):
            continue
        for resourcetype in entry.iter(_d("resourcetype")):
            if resourcetype.find(_d("collection")) is None:
                etree.SubElement(resourcetype, _d("collection"))
                changed = True
    return changed


def _replacement_answers_201(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if request.method == "PUT" and response.status in (200, 204):
        return response.with_status(201)
    return response


def _octet_collation_as_caseless(root: etree._Element) -> bool:
    changed = False
    for node in root.iter(_c("text-match")):
        if node.get("collation") == "i;octet":
            node.set("collation", "i;ascii-casemap")
            changed = True
    return changed


def _ignore_prop_filters(root: etree._Element) -> bool:
    return _remove(root, _c("prop-filter"))


def _drop_changed_members(root: etree._Element) -> bool:
    """An incremental sync that only ever reports removals."""
    if root.tag != _d("multistatus") or root.find(_d("sync-token")) is None:
        return False
    changed = False
    for entry in list(root.findall(_d("response"))):
        if entry.find(_d("propstat")) is not None:
            root.remove(entry)
            changed = True
    return changed


def _sync_report_not_advertised(root: etree._Element) -> bool:
    changed = False
    for supported in list(root.iter(_d("supported-report"))):
        if supported.find(f"{_d('report')}/{_d('sync-collection')}") is not None:
            parent = supported.getparent()
            if parent is not None:
                parent.remove(supported)
                changed = True
    return changed


def _stale_sync_token_property(root: etree._Element) -> bool:
    if root.tag != _d("multistatus"):
        return False
    changed = False
    for prop in root.iter(_d("prop")):
        for token in prop.findall(_d("sync-token")):
            token.text = "http://eos-conformance.invalid/sync/stale"
            changed = True
    return changed


# --- faults for skip sites that used to grant "inapplicable" ---------------------------------

def _component_set_crashes(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    """A server whose MKCALENDAR handler fails on CALDAV:comp elements."""
    root = _xml(request.body) if request.method == "MKCALENDAR" else None
    if root is None or next(root.iter(_c("supported-calendar-component-set")), None) is None:
        return request
    return ProxyResponse(500, [("Content-Type", "text/plain")], b"Internal Server Error")


class _RefusedButCreated:
    """Reports the component set refused the way RFC 4791 §5.3.1.1 says (207, 403 propstat)
    yet creates the calendar without it: instructions neither all executed nor none."""

    def on_request(self, request: ProxyRequest) -> ProxyRequest:
        return _component_set_not_stored(request)

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.method != "MKCALENDAR" or response.status != 201:
            return response
        answer = etree.Element(_d("multistatus"), nsmap={"d": DAV, "c": CALDAV})
        entry = etree.SubElement(answer, _d("response"))
        etree.SubElement(entry, _d("href")).text = request.path_only
        propstat = etree.SubElement(entry, _d("propstat"))
        etree.SubElement(etree.SubElement(propstat, _d("prop")),
                         _c("supported-calendar-component-set"))
        etree.SubElement(propstat, _d("status")).text = "HTTP/1.1 403 Forbidden"
        return ProxyResponse(207, [("Content-Type", "application/xml; charset=utf-8")],
                             _serialize(answer))


_REFUSED_BUT_CREATED = _RefusedButCreated()


def _dead_property_refused_but_stored(root: etree._Element) -> bool:
    """PROPPATCH answers 403 for properties outside DAV: and CalDAV, though it stored them."""
    changed = False
    for propstat in root.iter(_d("propstat")):
        prop = propstat.find(_d("prop"))
        status = propstat.find(_d("status"))
        if prop is None or status is None or " 200 " not in f"{status.text} ":
            continue
        if any(not child.tag.startswith((f"{{{DAV}}}", f"{{{CALDAV}}}")) for child in prop):
            status.text = "HTTP/1.1 403 Forbidden"
            changed = True
    return changed


# --- faults proving the exact comparisons (a loose check let these through) ----------------

def _ignore_param_filters(root: etree._Element) -> bool:
    return _remove(root, _c("param-filter"))


def _multiget_as_query(request: ProxyRequest) -> ProxyRequest:
    """A server that answers calendar-multiget with every resource of the collection."""
    root = _is_report(request, _c("calendar-multiget"))
    if root is None:
        return request
    query = etree.Element(_c("calendar-query"), nsmap={"d": DAV, "c": CALDAV})
    prop = root.find(_d("prop"))
    if prop is not None:
        query.append(prop)
    calendar = etree.SubElement(etree.SubElement(query, _c("filter")), _c("comp-filter"))
    calendar.set("name", "VCALENDAR")
    return request.with_body(_serialize(query)).with_header("Depth", "1")


_MOMENT = re.compile(rb"(\d{8}T\d{6}Z)/(\d{8}T\d{6}Z)")


def _freebusy_periods_end_late(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    """FREEBUSY periods end an hour late (an end converted with a wrong UTC offset)."""
    if request.method != "REPORT" or not response.body.lstrip().startswith(b"BEGIN:VCALENDAR"):
        return response

    def later(match: re.Match[bytes]) -> bytes:
        end = datetime.strptime(match.group(2).decode(), "%Y%m%dT%H%M%SZ") + timedelta(hours=1)
        return match.group(1) + b"/" + end.strftime("%Y%m%dT%H%M%SZ").encode()

    lines = [_MOMENT.sub(later, line) if line.startswith(b"FREEBUSY") else line
             for line in response.body.split(b"\n")]
    return response.with_body(b"\n".join(lines))


class _DeletedCalendarsListed:
    """A calendar home listing served from a stale index: deleted calendars stay listed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.deleted: list[str] = []

    def __call__(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        path = request.path_only
        if request.method == "DELETE" and path.endswith("/") and 200 <= response.status < 300:
            with self.lock:
                self.deleted.append(path)
            return response
        if request.method != "PROPFIND" or (request.header("Depth") or "").strip() != "1":
            return response
        root = _xml(response.body)
        with self.lock:
            ghosts = [d for d in self.deleted if d.rstrip("/").rsplit("/", 1)[0] + "/" == path]
        if root is None or root.tag != _d("multistatus") or not ghosts:
            return response
        for ghost in ghosts:
            entry = etree.SubElement(root, _d("response"))
            etree.SubElement(entry, _d("href")).text = ghost
            propstat = etree.SubElement(entry, _d("propstat"))
            prop = etree.SubElement(propstat, _d("prop"))
            kind = etree.SubElement(prop, _d("resourcetype"))
            etree.SubElement(kind, _d("collection"))
            etree.SubElement(kind, _c("calendar"))
            etree.SubElement(prop, _d("displayname")).text = "eos check"
            etree.SubElement(propstat, _d("status")).text = "HTTP/1.1 200 OK"
        return response.with_body(_serialize(root))


# --- faults in front of Xandikos: rules Radicale itself breaks ---------------------------------

class _ComponentSetNotEnforced:
    """Records the supported-calendar-component-set MKCALENDAR gives and reports it, but never
    enforces it: the calendar underneath accepts every component type."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sets: dict[str, list[str]] = {}

    def on_request(self, request: ProxyRequest) -> ProxyRequest:
        root = _xml(request.body) if request.method == "MKCALENDAR" else None
        wanted = None if root is None else next(
            root.iter(_c("supported-calendar-component-set")), None)
        if root is None or wanted is None:
            return request
        with self.lock:
            self.sets[request.path_only.rstrip("/")] = [
                comp.get("name", "") for comp in wanted.iter(_c("comp"))]
        _remove(root, _c("supported-calendar-component-set"))
        return request.with_body(_serialize(root))

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.method != "PROPFIND" or b"supported-calendar-component-set" not in request.body:
            return response
        root = _xml(response.body)
        if root is None:
            return response
        changed = False
        for entry in root.iter(_d("response")):
            href = urlsplit((entry.findtext(_d("href")) or "").strip()).path.rstrip("/")
            with self.lock:
                recorded = self.sets.get(href)
            if recorded is None:
                continue
            _remove(entry, _c("supported-calendar-component-set"))
            propstat = etree.SubElement(entry, _d("propstat"))
            value = etree.SubElement(etree.SubElement(propstat, _d("prop")),
                                     _c("supported-calendar-component-set"))
            for name in recorded:
                etree.SubElement(value, _c("comp")).set("name", name)
            etree.SubElement(propstat, _d("status")).text = "HTTP/1.1 200 OK"
            changed = True
        return response.with_body(_serialize(root)) if changed else response


_COMPONENT_SET_NOT_ENFORCED = _ComponentSetNotEnforced()


def _get_ignores_if_none_match(request: ProxyRequest) -> ProxyRequest:
    if request.method == "GET":
        return request.without_header("If-None-Match")
    return request


def _depth_infinity_as_1(request: ProxyRequest) -> ProxyRequest:
    if request.method == "PROPFIND" and (request.header("Depth") or "").strip() == "infinity":
        return request.with_header("Depth", "1")
    return request


def _depth_infinity_skips_the_request_uri(request: ProxyRequest,
                                          response: ProxyResponse) -> ProxyResponse:
    """Depth: infinity answers for every descendant but not for the resource asked about."""
    if request.method != "PROPFIND" or (request.header("Depth") or "").strip() != "infinity":
        return response
    root = _xml(response.body)
    if root is None:
        return response
    asked = request.path_only.rstrip("/")
    for entry in root.findall(_d("response")):
        href = urlsplit((entry.findtext(_d("href")) or "").strip()).path.rstrip("/")
        if href == asked:
            root.remove(entry)
            return response.with_body(_serialize(root))
    return response


def _is_initial_sync(request: ProxyRequest) -> bool:
    root = _is_report(request, _d("sync-collection"))
    return root is not None and not (root.findtext(_d("sync-token")) or "").strip()


class _InitialSyncListsRemoved:
    """An initial sync-collection that also reports members deleted before it (404)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.deleted: list[str] = []

    def __call__(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.method == "DELETE" and _is_object(request) and 200 <= response.status < 300:
            with self.lock:
                self.deleted.append(request.path_only)
            return response
        if not _is_initial_sync(request):
            return response
        root = _xml(response.body)
        with self.lock:
            gone = [d for d in self.deleted if d.startswith(request.path_only)]
        if root is None or root.tag != _d("multistatus") or not gone:
            return response
        for path in gone:
            entry = etree.Element(_d("response"))
            etree.SubElement(entry, _d("href")).text = path
            etree.SubElement(entry, _d("status")).text = "HTTP/1.1 404 Not Found"
            root.insert(0, entry)
        return response.with_body(_serialize(root))


def _initial_sync_lists_the_collection(request: ProxyRequest,
                                       response: ProxyResponse) -> ProxyResponse:
    """An initial sync answered like PROPFIND Depth: 1: the collection itself among its
    members."""
    if not _is_initial_sync(request):
        return response
    root = _xml(response.body)
    if root is None or root.tag != _d("multistatus"):
        return response
    entry = etree.Element(_d("response"))
    etree.SubElement(entry, _d("href")).text = request.path_only
    propstat = etree.SubElement(entry, _d("propstat"))
    etree.SubElement(etree.SubElement(propstat, _d("prop")), _d("getetag")).text = '"0"'
    etree.SubElement(propstat, _d("status")).text = "HTTP/1.1 200 OK"
    root.insert(0, entry)
    return response.with_body(_serialize(root))


RADICALE_FAULTS: list[Fault] = [
    Fault("etag-header-dropped",
          "GET and PUT responses carry no ETag header.",
          ("caldav.etag.get-header", "caldav.etag.put-returns-etag"),
          on_response=_drop_etag),
    Fault("getetag-weak",
          "DAV:getetag values are weak entity tags (W/\"…\").",
          ("caldav.etag.getetag-strong",),
          on_response=_rewrite_response_xml({"PROPFIND", "REPORT"}, _weaken_getetag)),
    Fault("if-match-ignored",
          "If-Match is never evaluated: stale writes and deletes go through.",
          ("caldav.conditional.if-match-stale", "caldav.conditional.delete-if-match-stale"),
          on_request=_strip_request_header("If-Match")),
    Fault("if-none-match-ignored",
          "If-None-Match is never evaluated: If-None-Match: * overwrites existing resources.",
          ("caldav.conditional.if-none-match-star-existing",),
          on_request=_strip_request_header("If-None-Match")),
    Fault("put-answers-200",
          "A PUT creating a resource answers 200 OK instead of 201 Created.",
          ("caldav.put.created-201", "caldav.conditional.if-none-match-star-new"),
          on_response=_created_as_ok("PUT")),
    Fault("mkcalendar-answers-200",
          "MKCALENDAR answers 200 OK instead of 201 Created.",
          ("caldav.mkcalendar.created", "caldav.mkcalendar.initial-properties"),
          on_response=_created_as_ok("MKCALENDAR")),
    Fault("calendar-not-in-resourcetype",
          "Calendar collections do not report CALDAV:calendar in DAV:resourcetype.",
          ("caldav.mkcalendar.resourcetype",),
          on_response=_rewrite_response_xml({"PROPFIND"}, _drop_calendar_resourcetype)),
    Fault("dav-header-dropped",
          "OPTIONS responses carry no DAV header.",
          ("caldav.options.dav-class-1", "caldav.options.calendar-access"),
          on_response=_drop_dav_header),
    Fault("calendar-served-as-text-plain",
          "GET of a calendar object resource is labelled text/plain.",
          ("caldav.content-type.text-calendar", "caldav.props.getcontenttype"),
          on_response=_calendar_as_text_plain),
    Fault("summary-lowercased",
          "The server lower-cases SUMMARY text when it serves a calendar object.",
          ("caldav.put.round-trip",),
          on_response=_lowercase_summary),
    Fault("delete-not-performed",
          "DELETE of a calendar object resource answers 204 but removes nothing.",
          ("caldav.delete.removes-resource",),
          on_request=_delete_not_performed),
    Fault("uid-reuse-allowed",
          "A second resource may reuse a UID already used in the calendar.",
          ("caldav.put.no-uid-conflict",),
          on_request=_UidReuse()),
    Fault("any-media-type-stored",
          "PUT ignores Content-Type: a non-iCalendar body is stored as an event.",
          ("caldav.put.supported-calendar-data",),
          on_request=_any_media_type_stored),
    Fault("depth-1-treated-as-0",
          "PROPFIND with Depth: 1 answers for the collection only.",
          ("caldav.propfind.depth-1",),
          on_request=_depth_1_as_0),
    Fault("unknown-property-reported-200",
          "Properties a resource lacks are reported with status 200 and no value.",
          ("caldav.propfind.unknown-property-404",),
          on_response=_rewrite_response_xml({"PROPFIND"}, _unknown_properties_as_empty)),
    Fault("proppatch-not-applied",
          "PROPPATCH acknowledges every instruction with 200 but changes nothing.",
          ("caldav.proppatch.displayname", "caldav.proppatch.dead-property"),
          on_request=_proppatch_not_applied),
    Fault("time-range-ignored",
          "calendar-query ignores CALDAV:time-range filters.",
          ("caldav.query.time-range-vevent", "caldav.query.time-range-recurring",
           "caldav.query.time-range-all-day", "caldav.query.time-range-vtodo"),
          on_request=_rewrite_request_xml(_c("calendar-query"), _strip_time_ranges)),
    Fault("comp-filter-ignored",
          "calendar-query ignores comp-filters below VCALENDAR.",
          # calendar-data: a VTODO query then answers for the events too, which the check
          # once let through by looking the tasks up one by one.
          ("caldav.query.comp-filter", "caldav.query.calendar-data"),
          on_request=_rewrite_request_xml(_c("calendar-query"), _ignore_inner_comp_filters)),
    Fault("text-match-case-sensitive",
          "text-match compares octets by default instead of i;ascii-casemap.",
          ("caldav.query.text-match-caseless",),
          on_request=_rewrite_request_xml(_c("calendar-query"), _case_sensitive_text_match)),
    Fault("negate-condition-ignored",
          "text-match ignores negate-condition.",
          ("caldav.query.text-match-negate",),
          on_request=_rewrite_request_xml(_c("calendar-query"), _ignore_negation)),
    Fault("is-not-defined-ignored",
          "prop-filter ignores CALDAV:is-not-defined and matches defined properties.",
          ("caldav.query.is-not-defined",),
          on_request=_rewrite_request_xml(_c("calendar-query"), _ignore_is_not_defined)),
    Fault("calendar-data-stripped",
          "REPORT responses leave out CALDAV:calendar-data.",
          ("caldav.query.calendar-data", "caldav.multiget.calendar-data"),
          on_response=_rewrite_response_xml({"REPORT"}, _strip(_c("calendar-data")))),
    Fault("multiget-response-dropped",
          "calendar-multiget leaves out the response for the last href asked for.",
          ("caldav.multiget.calendar-data", "caldav.multiget.missing-href"),
          on_response=_drop_last_multiget_response),
    Fault("freebusy-periods-dropped",
          "free-busy-query answers a VFREEBUSY without any FREEBUSY period.",
          ("caldav.freebusy.vfreebusy",),
          on_response=_drop_freebusy_periods),
    Fault("sync-token-dropped",
          "sync-collection responses carry no DAV:sync-token.",
          ("caldav.sync.response-token",),
          on_response=_rewrite_response_xml({"REPORT"}, _drop_sync_token)),
    Fault("sync-token-not-a-uri",
          "sync-collection returns bare opaque tokens without a URI scheme.",
          ("caldav.sync.token-is-uri",),
          on_response=_rewrite_response_xml({"REPORT"}, _token_without_scheme)),
    Fault("sync-token-not-checked",
          "sync-collection accepts any token, answering as for an initial sync.",
          # changed/removed: the answer then lists every member, which the checks once
          # accepted as long as the expected ones were among them.
          ("caldav.sync.invalid-token", "caldav.sync.changed-members",
           "caldav.sync.removed-members"),
          on_request=_rewrite_request_xml(_d("sync-collection"), _always_initial_sync)),
    Fault("sync-removals-hidden",
          "sync-collection never reports removed members.",
          ("caldav.sync.removed-members",),
          on_response=_rewrite_response_xml({"REPORT"}, _drop_removed_members)),
    Fault("principal-url-dropped",
          "Principals do not define DAV:principal-URL.",
          ("caldav.principal.current-user-principal",),
          on_response=_rewrite_response_xml({"PROPFIND"}, _strip(_d("principal-URL")))),
    Fault("principal-not-in-resourcetype",
          "Principal resources do not report DAV:principal in DAV:resourcetype.",
          ("caldav.principal.resourcetype",),
          on_response=_rewrite_response_xml({"PROPFIND"}, _drop_principal_resourcetype)),
    Fault("well-known-redirects-nowhere",
          "/.well-known/caldav redirects to a path where no CalDAV service answers.",
          ("caldav.discovery.context-path",),
          on_request=_well_known_to_nowhere),
    Fault("well-known-not-redirected",
          "/.well-known/caldav answers 404 instead of redirecting to the context path.",
          ("caldav.discovery.well-known-redirect",),
          on_request=_well_known_missing),
    Fault("calendar-home-set-dropped",
          "Principals do not define CALDAV:calendar-home-set.",
          ("caldav.discovery.calendar-home-set",),
          on_response=_rewrite_response_xml({"PROPFIND"}, _strip(_c("calendar-home-set")))),
    Fault("if-match-never-matches",
          "Every PUT or DELETE with If-Match fails with 412, even with the current ETag.",
          ("caldav.conditional.if-match-current",),
          on_request=_if_match_never_matches),
    Fault("collection-delete-ignored",
          "DELETE of a collection answers 204 but removes neither it nor its members.",
          ("caldav.delete.collection-members",),
          on_request=_collection_delete_ignored),
    Fault("etag-never-changes",
          "ETags are derived from the URL only, so they stay the same when the data changes.",
          ("caldav.etag.changes-on-modify",),
          on_response=_etag_never_changes),
    Fault("component-set-not-stored",
          "MKCALENDAR ignores the supported-calendar-component-set it is given.",
          ("caldav.mkcalendar.component-set",),
          on_request=_component_set_not_stored),
    Fault("mkcalendar-refusal-hidden",
          "A refused MKCALENDAR (over an existing resource, inside a calendar) answers 201 "
          "although nothing was created.",
          ("caldav.mkcalendar.resource-must-be-null", "caldav.mkcalendar.no-nesting"),
          on_response=_refused_creation_reported_as_success),
    Fault("depth-0-treated-as-1",
          "PROPFIND with Depth: 0 also answers for the members of a collection.",
          ("caldav.propfind.depth-0",),
          on_request=_depth_0_as_1),
    Fault("objects-typed-as-collections",
          "Calendar object resources report DAV:collection in DAV:resourcetype.",
          ("caldav.props.resourcetype",),
          on_response=_rewrite_response_xml({"PROPFIND"}, _objects_typed_as_collections)),
    Fault("replacement-answers-201",
          "A PUT replacing an existing resource answers 201 Created.",
          ("caldav.put.updated-200-204",),
          on_response=_replacement_answers_201),
    Fault("octet-collation-ignored",
          "text-match treats the i;octet collation as the caseless default.",
          ("caldav.query.collation-octet",),
          on_request=_rewrite_request_xml(_c("calendar-query"), _octet_collation_as_caseless)),
    Fault("prop-filter-ignored",
          "calendar-query ignores prop-filters.",
          ("caldav.query.prop-filter",),
          on_request=_rewrite_request_xml(_c("calendar-query"), _ignore_prop_filters)),
    Fault("sync-changes-hidden",
          "sync-collection reports removed members but never new or changed ones.",
          ("caldav.sync.changed-members",),
          on_response=_rewrite_response_xml({"REPORT"}, _drop_changed_members)),
    Fault("sync-report-not-advertised",
          "DAV:supported-report-set leaves out DAV:sync-collection.",
          ("caldav.sync.supported-report",),
          on_response=_rewrite_response_xml({"PROPFIND"}, _sync_report_not_advertised)),
    Fault("sync-token-property-stale",
          "The DAV:sync-token property is stuck at an old value the report no longer returns.",
          ("caldav.sync.token-property",),
          on_response=_rewrite_response_xml({"PROPFIND"}, _stale_sync_token_property)),
    Fault("calendar-description-not-stored",
          "PROPPATCH of CALDAV:calendar-description answers 200 but the value is never kept.",
          ("caldav.collection.calendar-description",),
          on_response=_rewrite_response_xml({"PROPFIND"}, _strip(_c("calendar-description")))),
    Fault("param-filter-ignored",
          "calendar-query ignores param-filters, matching on the property alone.",
          ("caldav.query.param-filter",),
          on_request=_rewrite_request_xml(_c("calendar-query"), _ignore_param_filters)),
    # The skip sites that granted "inapplicable" on any error: each answer below is an error
    # or a broken refusal, and must now fail the requirement.
    Fault("mkcalendar-component-set-crashes",
          "MKCALENDAR with a supported-calendar-component-set answers 500.",
          ("caldav.mkcalendar.component-set",),
          on_request=_component_set_crashes),
    Fault("mkcalendar-component-set-refused-but-created",
          "MKCALENDAR reports the component set refused (207, 403 propstat) but creates the "
          "calendar anyway.",
          ("caldav.mkcalendar.component-set",),
          on_request=_REFUSED_BUT_CREATED.on_request,
          on_response=_REFUSED_BUT_CREATED.on_response),
    Fault("dead-property-refused-but-stored",
          "PROPPATCH answers 403 for a dead property, yet stores it.",
          ("caldav.proppatch.dead-property",),
          on_response=_rewrite_response_xml({"PROPPATCH"}, _dead_property_refused_but_stored)),
    # Loose checks made exact: each of these answers held what the old check searched for.
    Fault("multiget-answers-whole-collection",
          "calendar-multiget answers for every resource of the collection, asked for or not.",
          ("caldav.multiget.calendar-data", "caldav.multiget.missing-href"),
          on_request=_multiget_as_query),
    Fault("freebusy-periods-end-late",
          "free-busy-query periods end an hour after the busy time does.",
          ("caldav.freebusy.vfreebusy",),
          on_response=_freebusy_periods_end_late),
    Fault("deleted-calendars-listed",
          "The calendar home keeps listing calendars that were deleted.",
          ("caldav.discovery.calendar-home-set",),
          on_response=_DeletedCalendarsListed()),
]


# Faults for rules Radicale itself breaks, so no fault in front of it can be shown caught:
# they are proven in front of Xandikos, which keeps these rules
# (tests/integration/test_caldav_faults.py; `conformance faults run caldav --candidate
# xandikos`), and `conformance faults run caldav --candidate radicale` leaves them out.
_PROVEN_IN_FRONT_OF_XANDIKOS: list[Fault] = [
    Fault("component-set-not-enforced",
          "The component set given to MKCALENDAR is recorded and reported but not enforced.",
          ("caldav.put.supported-calendar-component",),
          on_request=_COMPONENT_SET_NOT_ENFORCED.on_request,
          on_response=_COMPONENT_SET_NOT_ENFORCED.on_response),
    Fault("get-ignores-if-none-match",
          "GET ignores If-None-Match and answers 200 with the body for a current ETag.",
          ("caldav.conditional.get-not-modified",),
          on_request=_get_ignores_if_none_match),
    Fault("depth-infinity-treated-as-1",
          "PROPFIND with Depth: infinity answers as for Depth: 1.",
          ("caldav.propfind.depth-infinity",),
          on_request=_depth_infinity_as_1),
    Fault("depth-infinity-skips-the-request-uri",
          "PROPFIND with Depth: infinity answers for the descendants, not the resource itself.",
          ("caldav.propfind.depth-infinity",),
          on_response=_depth_infinity_skips_the_request_uri),
    Fault("initial-sync-lists-removed",
          "An initial sync-collection also reports members deleted before it, with 404.",
          ("caldav.sync.initial",),
          on_response=_InitialSyncListsRemoved()),
    Fault("initial-sync-lists-the-collection",
          "An initial sync-collection lists the collection itself among its members.",
          ("caldav.sync.initial",),
          on_response=_initial_sync_lists_the_collection),
]

XANDIKOS_FAULTS = [
    replace(fault, proven_against="xandikos") for fault in _PROVEN_IN_FRONT_OF_XANDIKOS
]

# The reference candidate each list is proven against, and the whole catalogue.
PROVEN_AGAINST: dict[str, list[Fault]] = {
    "radicale": RADICALE_FAULTS,
    "xandikos": XANDIKOS_FAULTS,
}
# The depth requirements' faults (recurrence, time zones, COPY/MOVE, ...) live in
# faults_depth.py and are proven by tests/integration/test_caldav_depth_faults.py.
FAULTS: list[Fault] = [*RADICALE_FAULTS, *XANDIKOS_FAULTS, *DEPTH_FAULTS]


# MUST/SHOULD requirements no fault breaks, and why (tests/unit/test_fault_coverage.py).
# The fault runner proves a fault only for a requirement the reference passes through a
# transparent proxy; these pass on neither reference server, so no fault in front of either
# can be proven. Each but the last is shown able to fail by Radicale's steady known deviation
# (Xandikos fails or does not support it too); see suites/caldav/README.md.
_BOTH_FAIL = "both reference servers break it, so no fault in front of either can be proven"
EXEMPTIONS: dict[str, Exemption] = {
    "caldav.precondition.error-body": Exemption(
        f"{_BOTH_FAIL}: Radicale answers violations 400 with a plain-text body, Xandikos 412",
        proven_by="radicale"),
    "caldav.put.valid-calendar-object-resource": Exemption(
        f"{_BOTH_FAIL}: both store an object with a METHOD property", proven_by="radicale"),
    "caldav.put.no-uid-conflict-href": Exemption(
        f"{_BOTH_FAIL}: neither names the resource holding the UID in a DAV:href",
        proven_by="radicale"),
    "caldav.etag.put-strong-only-if-unchanged": Exemption(
        f"{_BOTH_FAIL}: both rewrite stored data and still answer the PUT with a strong ETag",
        proven_by="radicale"),
    "caldav.collection.calendar-description-lang": Exemption(
        f"{_BOTH_FAIL}: both drop the xml:lang of CALDAV:calendar-description",
        proven_by="radicale"),
    "caldav.propfind.finite-depth-error": Exemption(
        "Radicale cuts Depth: infinity short without the 403 it requires, and Xandikos "
        "supports infinity, which makes the rule inapplicable there: no reference passes it",
        proven_by="radicale"),
}
