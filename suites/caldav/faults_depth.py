"""Faults for the depth requirements (recurrence, expansion, time zones, protected
properties, COPY/MOVE, ACL, sync limits): each imitates a plausible server bug, put in front
of a real reference server by the fault proxy. ``faults.py`` joins them into ``FAULTS``;
``tests/integration/test_caldav_depth_faults.py`` proves them, one server start per list.

Store-side bugs (a server that drops EXDATE, RDATE, overridden components, TZIDs or the
summer-time rule when it parses what it stores) are imitated by rewriting the PUT body on
its way in: the real server then stores and evaluates exactly what such a server would.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from lxml import etree

from conformance.api import Fault, ProxyRequest, ProxyResponse
from suites.caldav import dav, fault_xml

DAV, CALDAV = dav.DAV, dav.CALDAV
_d, _c, _xml, _serialize = fault_xml.d, fault_xml.c, fault_xml.parse, fault_xml.serialize
_CRLF = "\r\n"




# --- iCalendar text rewriting ---------------------------------------------------------------

def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


def _join(lines: list[str]) -> str:
    return _CRLF.join(line for line in lines if line) + _CRLF


def _drop_properties(names: tuple[str, ...]) -> Callable[[str], str]:
    def edit(text: str) -> str:
        return _join([line for line in _lines(text)
                      if not re.match(rf"({'|'.join(names)})[;:]", line)])
    return edit


def _drop_components(keep: Callable[[list[str]], bool], name: str) -> Callable[[str], str]:
    """Remove each ``name`` component (BEGIN..END) whose lines ``keep`` rejects."""
    def edit(text: str) -> str:
        out: list[str] = []
        block: list[str] | None = None
        for line in _lines(text):
            if block is None and line == f"BEGIN:{name}":
                block = [line]
            elif block is not None:
                block.append(line)
                if line == f"END:{name}":
                    if keep(block):
                        out.extend(block)
                    block = None
            else:
                out.append(line)
        return _join(out)
    return edit


_drop_overrides = _drop_components(
    lambda block: not any(line.startswith("RECURRENCE-ID") for line in block), "VEVENT")
_drop_vtimezones = _drop_components(lambda block: False, "VTIMEZONE")
_drop_daylight = _drop_components(lambda block: False, "DAYLIGHT")


def _winter_time_only(text: str) -> str:
    # Renamed as well: a server that caches zones by TZID (vobject does) would otherwise
    # keep using the full zone it parsed before the fault was put in front of it.
    tzids = set(re.findall(r"^TZID:(.*)$", text.replace("\r", ""), re.MULTILINE))
    for tzid in tzids:
        renamed = f"{tzid}-winter-{uuid.uuid4().hex[:8]}"
        text = text.replace(f"TZID:{tzid}", f"TZID:{renamed}")
        text = text.replace(f"TZID={tzid}:", f"TZID={renamed}:")
    return _drop_daylight(text)


def _drop_tzids(text: str) -> str:
    return _drop_vtimezones(re.sub(r";TZID=[^:;]*", "", text))


def _on_stored_ical(edit: Callable[[str], str]) -> Callable[[ProxyRequest], ProxyRequest]:
    def on_request(request: ProxyRequest) -> ProxyRequest:
        if request.method != "PUT" or b"BEGIN:VCALENDAR" not in request.body:
            return request
        return request.with_body(edit(request.body.decode("utf-8")).encode("utf-8"))
    return on_request


def _on_served_ical(edit: Callable[[str], str]
                    ) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.method != "GET" or b"BEGIN:VCALENDAR" not in response.body:
            return response
        return response.with_body(edit(response.body.decode("utf-8")).encode("utf-8"))
    return on_response


# --- REPORT rewriting -----------------------------------------------------------------------

def _report_root(request: ProxyRequest, *tags: str) -> etree._Element | None:
    if request.method != "REPORT":
        return None
    root = _xml(request.body)
    return root if root is not None and root.tag in tags else None


def _strip_in_report(element: str, *reports: str) -> Callable[[ProxyRequest], ProxyRequest]:
    def on_request(request: ProxyRequest) -> ProxyRequest:
        root = _report_root(request, *reports)
        found = [] if root is None else list(root.iter(element))
        if root is None or not found:
            return request
        for node in found:
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)
        return request.with_body(_serialize(root))
    return on_request


_QUERY, _MULTIGET = _c("calendar-query"), _c("calendar-multiget")


def _asks_expand(request: ProxyRequest) -> bool:
    root = _report_root(request, _QUERY, _MULTIGET)
    return root is not None and root.find(f".//{_c('expand')}") is not None


def _edit_report_data(edit: Callable[[str], str]
                      ) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    """Rewrite the iCalendar text of every calendar-data of an expanding REPORT's answer."""
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        root = _xml(response.body) if _asks_expand(request) else None
        if root is None:
            return response
        for node in root.iter(_c("calendar-data")):
            if node.text:
                node.text = edit(node.text)
        return response.with_body(_serialize(root))
    return on_response


def _instances_keep_the_rule(text: str) -> str:
    lines = []
    for line in _lines(text):
        lines.append(line)
        if line.startswith("RECURRENCE-ID"):
            lines.append("RRULE:FREQ=DAILY;COUNT=1")
    return _join(lines)


_UTC_ZONE = _CRLF.join(["BEGIN:VTIMEZONE", "TZID:Etc/UTC", "BEGIN:STANDARD",
                        "DTSTART:19700101T000000", "TZOFFSETFROM:+0000", "TZOFFSETTO:+0000",
                        "END:STANDARD", "END:VTIMEZONE"])


def _vtimezone_added(text: str) -> str:
    return text.replace("BEGIN:VEVENT", f"{_UTC_ZONE}{_CRLF}BEGIN:VEVENT", 1)


def _widened_time_ranges(request: ProxyRequest) -> ProxyRequest:
    """A server comparing with <= and >= (closed ranges): a second more on each side."""
    root = _report_root(request, _QUERY)
    if root is None:
        return request
    changed = False
    for node in root.iter(_c("time-range")):
        for name, step in (("start", -1), ("end", 1)):
            value = node.get(name)
            if value:
                moment = datetime.strptime(value, "%Y%m%dT%H%M%SZ") + timedelta(seconds=step)
                node.set(name, moment.strftime("%Y%m%dT%H%M%SZ"))
                changed = True
    return request.with_body(_serialize(root)) if changed else request


def _half_open_ranges_dropped(request: ProxyRequest) -> ProxyRequest:
    """A server that ignores a time-range lacking start or end (matching everything)."""
    root = _report_root(request, _QUERY)
    if root is None:
        return request
    found = [n for n in root.iter(_c("time-range")) if not (n.get("start") and n.get("end"))]
    for node in found:
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)
    return request.with_body(_serialize(root)) if found else request


def _rrule_part_dropped(part: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        return re.sub(rf";{part}=[^;\r\n]*", "", text)
    return edit


def _hour_for_instants(text: str) -> str:
    lines = _lines(text)
    if any(re.match(r"(DTEND|DURATION)[;:]", line) for line in lines):
        return text
    out = []
    for line in lines:
        out.append(line)
        if line.startswith("DTSTART:") and line.endswith("Z"):
            out.append("DURATION:PT1H")
    return _join(out)


# --- PROPFIND / PROPPATCH rewriting ---------------------------------------------------------

def _edit_multistatus(method: str, edit: Callable[[etree._Element], bool]
                      ) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.method != method:
            return response
        root = _xml(response.body)
        if root is None or not edit(root):
            return response
        return response.with_body(_serialize(root))
    return on_response


def _edit_text(tag: str, change: Callable[[str], str]) -> Callable[[etree._Element], bool]:
    def edit(root: etree._Element) -> bool:
        nodes = [n for n in root.iter(tag) if (n.text or "").strip()]
        for node in nodes:
            node.text = change((node.text or "").strip())
        return bool(nodes)
    return edit


def _garble_max_resource_size(root: etree._Element) -> bool:
    nodes = list(root.iter(_c("max-resource-size")))
    for node in nodes:
        node.text = "10 MB"
    return bool(nodes)


def _read_only_privileges(root: etree._Element) -> bool:
    nodes = list(root.iter(_d("current-user-privilege-set")))
    for node in nodes:
        for child in list(node):
            node.remove(child)
        privilege = etree.SubElement(node, _d("privilege"))
        etree.SubElement(privilege, _d("read"))
    return bool(nodes)


def _timezone_not_kept(root: etree._Element) -> bool:
    changed = False
    for propstat in root.iter(_d("propstat")):
        prop = propstat.find(_d("prop"))
        zone = None if prop is None else prop.find(_c("calendar-timezone"))
        if zone is not None and (zone.text or "").strip():
            zone.text = None
            status = propstat.find(_d("status"))
            if status is not None:
                status.text = "HTTP/1.1 404 Not Found"
            changed = True
    return changed


def _refusals_reported_as_success(root: etree._Element) -> bool:
    changed = False
    for status in root.iter(_d("status")):
        if " 403 " in f"{status.text or ''} ":
            status.text = "HTTP/1.1 200 OK"
            changed = True
    return changed


# --- COPY and MOVE --------------------------------------------------------------------------

def _acknowledged_not_done(method: str) -> Callable[[ProxyRequest], ProxyRequest | ProxyResponse]:
    def on_request(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
        if request.method == method and (request.header("Overwrite") or "T").upper() != "F":
            return ProxyResponse(201, [], b"")
        return request
    return on_request


def _overwrite_ignored(request: ProxyRequest) -> ProxyRequest:
    if request.method in ("COPY", "MOVE"):
        return request.with_header("Overwrite", "T")
    return request


def _precondition_unnamed(method: str
                          ) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if request.method == method and 400 <= response.status < 500:
            return ProxyResponse(409, [("Content-Type", "text/plain")], b"Conflict")
        return response
    return on_response


# --- the catalogue --------------------------------------------------------------------------

RADICALE_DEPTH_FAULTS: list[Fault] = [
    Fault("exdate-dropped-on-store",
          "The server drops EXDATE when it stores a recurring event.",
          ("caldav.recur.exdate-excluded", "caldav.expand.exdate"),
          on_request=_on_stored_ical(_drop_properties(("EXDATE",)))),
    Fault("rdate-dropped-on-store",
          "The server drops RDATE when it stores a recurring event.",
          ("caldav.recur.rdate-included", "caldav.expand.rdate"),
          on_request=_on_stored_ical(_drop_properties(("RDATE",)))),
    Fault("overrides-dropped-on-store",
          "The server keeps only the master of a recurring event, dropping its overridden "
          "instances (components with RECURRENCE-ID).",
          ("caldav.recur.override-matches-new-time", "caldav.recur.override-not-at-original-time",
           "caldav.recur.override-stored"),
          on_request=_on_stored_ical(_drop_overrides)),
    Fault("overrides-hidden-on-get",
          "GET serves the master component of a recurring event without its overrides.",
          ("caldav.recur.override-stored",),
          on_response=_on_served_ical(_drop_overrides)),
    Fault("expand-ignored",
          "calendar-query ignores CALDAV:expand and returns the stored recurring event.",
          ("caldav.expand.instances", "caldav.expand.no-recurrence-properties"),
          on_request=_strip_in_report(_c("expand"), _QUERY)),
    Fault("expand-ignored-in-multiget",
          "calendar-multiget ignores CALDAV:expand (calendar-query honours it).",
          ("caldav.expand.multiget",),
          on_request=_strip_in_report(_c("expand"), _MULTIGET)),
    Fault("expanded-instances-without-recurrence-id",
          "Expanded instances are returned without their RECURRENCE-ID.",
          ("caldav.expand.recurrence-id",),
          on_response=_edit_report_data(_drop_properties(("RECURRENCE-ID",)))),
    Fault("expanded-instances-keep-a-rule",
          "Each expanded instance carries an RRULE (a one-instance rule copied from the master).",
          ("caldav.expand.no-recurrence-properties",),
          on_response=_edit_report_data(_instances_keep_the_rule)),
    Fault("expanded-data-keeps-a-vtimezone",
          "Expanded calendar-data includes a VTIMEZONE component.",
          ("caldav.expand.utc",),
          on_response=_edit_report_data(_vtimezone_added)),
    Fault("vtimezone-dropped-on-get",
          "GET serves an event with a TZID but without the VTIMEZONE it references.",
          ("caldav.tz.vtimezone-kept",),
          on_response=_on_served_ical(_drop_vtimezones)),
    Fault("tzid-dropped-on-store",
          "The server drops TZID parameters and VTIMEZONEs when storing, so local times "
          "become floating (and are evaluated as UTC).",
          ("caldav.tz.tzid-kept", "caldav.tz.time-range-tzid"),
          on_request=_on_stored_ical(_drop_tzids)),
    Fault("summer-time-rule-ignored",
          "The server keeps only the standard observance of a VTIMEZONE, so it applies the "
          "winter offset all year.",
          ("caldav.tz.time-range-dst",),
          on_request=_on_stored_ical(_winter_time_only)),
    Fault("calendar-timezone-not-kept",
          "PROPPATCH of CALDAV:calendar-timezone answers 200 but PROPFIND does not find it.",
          ("caldav.tz.calendar-timezone-stored",),
          on_response=_edit_multistatus("PROPFIND", _timezone_not_kept)),
    Fault("max-resource-size-with-unit",
          "CALDAV:max-resource-size is reported as '10 MB', not as a number of octets.",
          ("caldav.limits.max-resource-size-value",),
          on_response=_edit_multistatus("PROPFIND", _garble_max_resource_size)),
    Fault("move-acknowledged-not-done",
          "MOVE answers 201 Created but neither removes the source nor creates the "
          "destination.",
          ("caldav.move.object",),
          on_request=_acknowledged_not_done("MOVE")),
    Fault("overwrite-header-ignored",
          "COPY and MOVE ignore the Overwrite header and replace an existing destination.",
          ("caldav.move.overwrite-false",),
          on_request=_overwrite_ignored),
    Fault("move-uid-conflict-unnamed",
          "A MOVE refused for a UID conflict answers a plain-text 409 naming no precondition.",
          ("caldav.move.no-uid-conflict",),
          on_response=_precondition_unnamed("MOVE")),
    Fault("time-range-ends-inclusive",
          "calendar-query compares time ranges as closed intervals, so events touching the "
          "range at either end match.",
          ("caldav.query.time-range-end-exclusive",),
          on_request=_widened_time_ranges),
    Fault("half-open-time-range-ignored",
          "A time-range with only a start or only an end is ignored (everything matches).",
          ("caldav.query.time-range-open-end",),
          on_request=_half_open_ranges_dropped),
    Fault("rrule-count-dropped-on-store",
          "The server drops COUNT from a stored RRULE, so the recurrence never ends.",
          ("caldav.recur.count-bounds",),
          on_request=_on_stored_ical(_rrule_part_dropped("COUNT"))),
    Fault("rrule-until-dropped-on-store",
          "The server drops UNTIL from a stored RRULE, so the recurrence never ends.",
          ("caldav.recur.until-bounds",),
          on_request=_on_stored_ical(_rrule_part_dropped("UNTIL"))),
    Fault("duration-dropped-on-store",
          "The server drops DURATION when storing, so the event takes no time.",
          ("caldav.query.time-range-duration",),
          on_request=_on_stored_ical(_drop_properties(("DURATION",)))),
    Fault("instant-events-get-an-hour",
          "An event with DTSTART only is stored as lasting an hour (a default length added).",
          ("caldav.query.time-range-instant",),
          on_request=_on_stored_ical(_hour_for_instants)),
    Fault("getetag-differs-from-header",
          "PROPFIND reports a DAV:getetag other than the ETag GET answers.",
          ("caldav.props.getetag-matches-header",),
          on_response=_edit_multistatus("PROPFIND", _edit_text(_d("getetag"),
                                                              lambda v: v[:-1] + '-v2"'))),
    Fault("getcontentlength-off-by-crlf",
          "DAV:getcontentlength counts the body without its line ends' CRs.",
          ("caldav.props.getcontentlength",),
          on_response=_edit_multistatus("PROPFIND", _edit_text(
              _d("getcontentlength"), lambda v: str(int(v) - 5) if v.isdigit() else v))),
    Fault("getlastmodified-stale",
          "DAV:getlastmodified stays at the collection's creation date.",
          ("caldav.props.getlastmodified",),
          on_response=_edit_multistatus("PROPFIND", _edit_text(
              _d("getlastmodified"), lambda v: "Thu, 01 Jan 2026 00:00:00 GMT"))),
    Fault("owner-privileges-read-only",
          "DAV:current-user-privilege-set grants the owner only DAV:read on its calendars.",
          ("caldav.acl.owner-privileges",),
          on_response=_edit_multistatus("PROPFIND", _read_only_privileges)),
]

# Rules Radicale breaks itself (its known deviations), proven in front of Xandikos.
_XANDIKOS_DEPTH: list[Fault] = [
    Fault("limit-recurrence-set-ignored",
          "calendar-data ignores CALDAV:limit-recurrence-set and returns every override.",
          ("caldav.limit-recurrence-set.overrides",),
          on_request=_strip_in_report(_c("limit-recurrence-set"), _QUERY, _MULTIGET)),
    Fault("protected-properties-writable",
          "PROPPATCH answers 200 for protected properties (the component set, the supported "
          "calendar data, getetag) and they change or are silently kept.",
          ("caldav.protected.supported-calendar-component-set",
           "caldav.protected.supported-calendar-data", "caldav.protected.getetag"),
          on_response=_edit_multistatus("PROPPATCH", _refusals_reported_as_success)),
    Fault("copy-acknowledged-not-done",
          "COPY answers 201 Created without creating the destination.",
          ("caldav.copy.object",),
          on_request=_acknowledged_not_done("COPY")),
    Fault("copy-uid-conflict-unnamed",
          "A COPY refused for a UID conflict answers a plain-text 409 naming no precondition.",
          ("caldav.copy.no-uid-conflict",),
          on_response=_precondition_unnamed("COPY")),
    Fault("copy-overwrite-ignored",
          "COPY ignores Overwrite: F and replaces an existing destination.",
          ("caldav.copy.overwrite-false",),
          on_request=lambda request: request.with_header("Overwrite", "T")
          if request.method == "COPY" else request),
    Fault("sync-limit-ignored",
          "sync-collection ignores DAV:limit and lists every member.",
          ("caldav.sync.limit-honoured",),
          on_request=_strip_in_report(_d("limit"), _d("sync-collection"))),
]
XANDIKOS_DEPTH_FAULTS = [replace(f, proven_against="xandikos") for f in _XANDIKOS_DEPTH]


# --- rules neither Radicale nor Xandikos keeps, proven in front of Cyrus or DAViCal --------

_COMPONENT = re.compile(rb"BEGIN:V(EVENT|TODO|JOURNAL|FREEBUSY)")


def _empty_calendar_filled_in(request: ProxyRequest) -> ProxyRequest:
    if request.method != "PUT" or b"BEGIN:VCALENDAR" not in request.body:
        return request
    if _COMPONENT.search(request.body):
        return request
    uid = f"filled-in-{uuid.uuid4()}"
    event = (f"BEGIN:VEVENT{_CRLF}UID:{uid}{_CRLF}DTSTAMP:20260101T000000Z{_CRLF}"
             f"DTSTART:20260310T100000Z{_CRLF}DTEND:20260310T110000Z{_CRLF}END:VEVENT{_CRLF}")
    text = request.body.decode("utf-8").replace("END:VCALENDAR", f"{event}END:VCALENDAR")
    return request.with_body(text.encode("utf-8"))


def _anonymous_as_guest(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if request.method != "PROPFIND" or request.header("Authorization"):
        return response
    root = _xml(response.body)
    if root is None:
        return response
    changed = False
    for node in root.iter(_d("current-user-principal")):
        for child in list(node):
            node.remove(child)
        etree.SubElement(node, _d("href")).text = "/principals/guest/"
        changed = True
    return response.with_body(_serialize(root)) if changed else response


def _object_reports_hidden(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if request.method != "PROPFIND" or not request.path_only.endswith(".ics"):
        return response
    root = _xml(response.body)
    if root is None:
        return response
    hidden = {_c("calendar-query"), _c("calendar-multiget")}
    changed = False
    for supported in list(root.iter(_d("supported-report"))):
        report = supported.find(_d("report"))
        if report is not None and any(child.tag in hidden for child in report):
            parent = supported.getparent()
            if parent is not None:
                parent.remove(supported)
                changed = True
    return response.with_body(_serialize(root)) if changed else response


def _dav_token_dropped(token: str) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        value = response.header("DAV")
        if request.method != "OPTIONS" or value is None:
            return response
        kept = [t.strip() for t in value.split(",") if t.strip() != token]
        return response.with_header("DAV", ", ".join(kept))
    return on_response


def _strip_prop(tag: str) -> Callable[[etree._Element], bool]:
    def edit(root: etree._Element) -> bool:
        found = list(root.iter(tag))
        for node in found:
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)
        return bool(found)
    return edit


def _one_address_for_all(root: etree._Element) -> bool:
    nodes = list(root.iter(_c("calendar-user-address-set")))
    for node in nodes:
        for child in list(node):
            node.remove(child)
        etree.SubElement(node, _d("href")).text = "mailto:calendar@localhost"
    return bool(nodes)


def _schedule_tag_dropped(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    return response.without_header("Schedule-Tag") if request.method == "PUT" else response


def _freebusy_periods_dropped(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if request.method != "POST" or b"FREEBUSY" not in response.body:
        return response
    root = _xml(response.body)
    if root is None:
        return response
    for node in root.iter(_c("calendar-data")):
        if node.text:
            node.text = _drop_properties(("FREEBUSY",))(node.text)
    return response.with_body(_serialize(root))


def _unique_uid_refusal_unnamed(request: ProxyRequest, response: ProxyResponse
                                ) -> ProxyResponse:
    if request.method == "PUT" and b"unique-scheduling-object-resource" in response.body:
        return ProxyResponse(403, [("Content-Type", "text/plain")], b"Forbidden")
    return response


_CYRUS_DEPTH: list[Fault] = [
    Fault("auto-schedule-not-advertised",
          "The DAV header leaves out calendar-auto-schedule although the server schedules.",
          ("caldav.sched.auto-schedule-advertised",),
          on_response=_dav_token_dropped("calendar-auto-schedule")),
    Fault("outbox-url-dropped",
          "Principals do not define CALDAV:schedule-outbox-URL.",
          ("caldav.sched.outbox-url",),
          on_response=_edit_multistatus("PROPFIND", _strip_prop(_c("schedule-outbox-URL")))),
    Fault("outbox-untyped",
          "The scheduling outbox reports a plain collection as its DAV:resourcetype.",
          ("caldav.sched.outbox-resourcetype",),
          on_response=_edit_multistatus("PROPFIND", _strip_prop(_c("schedule-outbox")))),
    Fault("inbox-url-dropped",
          "Principals do not define CALDAV:schedule-inbox-URL.",
          ("caldav.sched.inbox-url",),
          on_response=_edit_multistatus("PROPFIND", _strip_prop(_c("schedule-inbox-URL")))),
    Fault("inbox-untyped",
          "The scheduling inbox reports a plain collection as its DAV:resourcetype.",
          ("caldav.sched.inbox-resourcetype",),
          on_response=_edit_multistatus("PROPFIND", _strip_prop(_c("schedule-inbox")))),
    Fault("one-address-for-all-principals",
          "Every principal reports the server's own address as its calendar user address.",
          ("caldav.sched.calendar-user-address-set",),
          on_response=_edit_multistatus("PROPFIND", _one_address_for_all)),
    Fault("schedule-tag-header-dropped",
          "PUT of a scheduling object resource answers no Schedule-Tag header.",
          ("caldav.sched.schedule-tag-header",),
          on_response=_schedule_tag_dropped),
    Fault("schedule-tag-property-dropped",
          "Scheduling object resources do not report CALDAV:schedule-tag.",
          ("caldav.sched.schedule-tag-property",),
          on_response=_edit_multistatus("PROPFIND", _strip_prop(_c("schedule-tag")))),
    Fault("if-schedule-tag-match-ignored",
          "PUT ignores If-Schedule-Tag-Match and overwrites the resource.",
          ("caldav.sched.if-schedule-tag-match",),
          on_request=lambda request: request.without_header("If-Schedule-Tag-Match")),
    Fault("unique-uid-refusal-unnamed",
          "A second scheduling object resource with a UID is refused with a bare 403 naming no "
          "precondition.",
          ("caldav.sched.unique-scheduling-object",),
          on_response=_unique_uid_refusal_unnamed),
    Fault("freebusy-reply-without-periods",
          "The outbox answers a free-busy request with a VFREEBUSY that lists no busy time.",
          ("caldav.sched.freebusy-outbox",),
          on_response=_freebusy_periods_dropped),
    Fault("empty-calendar-filled-in",
          "A VCALENDAR holding no component is accepted: the server adds a default event "
          "instead of refusing the invalid data.",
          ("caldav.put.valid-calendar-data",),
          on_request=_empty_calendar_filled_in),
    Fault("anonymous-as-guest",
          "An unauthenticated PROPFIND names a guest principal as DAV:current-user-principal "
          "instead of DAV:unauthenticated.",
          ("caldav.principal.unauthenticated",),
          on_response=_anonymous_as_guest),
]
_DAVICAL_DEPTH: list[Fault] = [
    Fault("object-reports-not-advertised",
          "DAV:supported-report-set of a calendar object resource leaves out calendar-query "
          "and calendar-multiget.",
          ("caldav.reports.supported-report-set",),
          on_response=_object_reports_hidden),
]
CYRUS_DEPTH_FAULTS = [replace(f, proven_against="cyrus") for f in _CYRUS_DEPTH]
DAVICAL_DEPTH_FAULTS = [replace(f, proven_against="davical") for f in _DAVICAL_DEPTH]

DEPTH_PROVEN_AGAINST: dict[str, list[Fault]] = {
    "radicale": RADICALE_DEPTH_FAULTS,
    "xandikos": XANDIKOS_DEPTH_FAULTS,
    "cyrus": CYRUS_DEPTH_FAULTS,
    "davical": DAVICAL_DEPTH_FAULTS,
}
DEPTH_FAULTS: list[Fault] = [fault for faults in DEPTH_PROVEN_AGAINST.values()
                             for fault in faults]


# --- min-date-time and max-date-time (checks/test_properties_more.py) ----------------------
# Radicale and DAViCal do not define these properties, so the faults run in front of Xandikos;
# they join its list and DEPTH_FAULTS here, below the lists they extend.

def _refusal_of(tag: str) -> Callable[[etree._Element], bool]:
    """A PROPPATCH answer whose 403 propstat for ``tag`` says 200: a server that lets the
    protected property be set (or silently keeps it) and reports success."""
    def edit(root: etree._Element) -> bool:
        changed = False
        for propstat in root.iter(_d("propstat")):
            prop, status = propstat.find(_d("prop")), propstat.find(_d("status"))
            if prop is not None and prop.find(tag) is not None and status is not None \
                    and " 403 " in f"{status.text or ''} ":
                status.text = "HTTP/1.1 200 OK"
                changed = True
        return changed
    return edit


_DATE_LIMITS: list[Fault] = [
    Fault("min-date-time-floating",
          "CALDAV:min-date-time is reported as a floating local time (no trailing Z).",
          ("caldav.limits.min-date-time-value",),
          on_response=_edit_multistatus("PROPFIND", _edit_text(
              _c("min-date-time"), lambda v: v.rstrip("Z")))),
    Fault("max-date-time-as-date",
          "CALDAV:max-date-time is reported as a DATE (no time part).",
          ("caldav.limits.max-date-time-value",),
          on_response=_edit_multistatus("PROPFIND", _edit_text(
              _c("max-date-time"), lambda v: v[:8]))),
    Fault("min-date-time-writable",
          "PROPPATCH of CALDAV:min-date-time answers 200 although the property is protected.",
          ("caldav.protected.min-date-time",),
          on_response=_edit_multistatus("PROPPATCH", _refusal_of(_c("min-date-time")))),
    Fault("max-date-time-writable",
          "PROPPATCH of CALDAV:max-date-time answers 200 although the property is protected.",
          ("caldav.protected.max-date-time",),
          on_response=_edit_multistatus("PROPPATCH", _refusal_of(_c("max-date-time")))),
]
_DATE_LIMIT_FAULTS = [replace(f, proven_against="xandikos") for f in _DATE_LIMITS]
XANDIKOS_DEPTH_FAULTS.extend(_DATE_LIMIT_FAULTS)
DEPTH_FAULTS.extend(_DATE_LIMIT_FAULTS)


# --- comp-filter on a nested component (checks/test_nested_filters.py) ---------------------
# The empty nested comp-filter is kept by Xandikos only, its is-not-defined by Cyrus only, so
# each fault runs in front of the server that keeps the rule it breaks.

def _nested_filter_dropped(select: Callable[[etree._Element], bool]
                           ) -> Callable[[ProxyRequest], ProxyRequest]:
    """A calendar-query whose filter elements ``select`` picks are ignored (removed)."""
    def on_request(request: ProxyRequest) -> ProxyRequest:
        root = _report_root(request, _QUERY)
        found = [] if root is None else [n for n in root.iter() if select(n)]
        if root is None or not found:
            return request
        for node in found:
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)
        return request.with_body(_serialize(root))
    return on_request


def _third_level_comp_filter(node: etree._Element) -> bool:
    """A comp-filter inside a comp-filter inside another (VCALENDAR/VEVENT/VALARM)."""
    levels = 0
    while node is not None and node.tag == _c("comp-filter"):
        levels += 1
        node = node.getparent()
    return levels >= 3


def _is_not_defined_in_comp_filter(node: etree._Element) -> bool:
    parent = node.getparent()
    return node.tag == _c("is-not-defined") and parent is not None \
        and parent.tag == _c("comp-filter")


_NESTED_FILTERS_XANDIKOS: list[Fault] = [
    Fault("third-level-comp-filter-ignored",
          "calendar-query ignores comp-filters below the second level (VALARM within "
          "VEVENT), so every event matches.",
          ("caldav.query.comp-filter-nested",),
          on_request=_nested_filter_dropped(_third_level_comp_filter)),
]
_NESTED_FILTERS_CYRUS: list[Fault] = [
    Fault("comp-filter-is-not-defined-ignored",
          "calendar-query ignores CALDAV:is-not-defined in a comp-filter, so the filter asks "
          "for the component instead of its absence.",
          ("caldav.query.comp-filter-is-not-defined",),
          on_request=_nested_filter_dropped(_is_not_defined_in_comp_filter)),
]
_NESTED_FILTER_FAULTS = [
    *(replace(f, proven_against="xandikos") for f in _NESTED_FILTERS_XANDIKOS),
    *(replace(f, proven_against="cyrus") for f in _NESTED_FILTERS_CYRUS),
]
XANDIKOS_DEPTH_FAULTS.extend(f for f in _NESTED_FILTER_FAULTS if f.proven_against == "xandikos")
CYRUS_DEPTH_FAULTS.extend(f for f in _NESTED_FILTER_FAULTS if f.proven_against == "cyrus")
DEPTH_FAULTS.extend(_NESTED_FILTER_FAULTS)


# --- collations named in a text-match (checks/test_collations.py), in front of Xandikos -----

def _casemap_as_octet(request: ProxyRequest) -> ProxyRequest:
    """A server that compares every named collation octet by octet."""
    root = _report_root(request, _QUERY)
    found = [] if root is None else [n for n in root.iter(_c("text-match"))
                                     if n.get("collation") == "i;ascii-casemap"]
    if root is None or not found:
        return request
    for node in found:
        node.set("collation", "i;octet")
    return request.with_body(_serialize(root))


_COLLATION_FAULTS = [replace(Fault(
    "named-ascii-casemap-compared-as-octets",
    "A text-match naming i;ascii-casemap is compared case-sensitively (as i;octet).",
    ("caldav.query.collation-ascii-casemap",),
    on_request=_casemap_as_octet), proven_against="xandikos")]
XANDIKOS_DEPTH_FAULTS.extend(_COLLATION_FAULTS)
DEPTH_FAULTS.extend(_COLLATION_FAULTS)
