"""Preconditions of PUT and MKCALENDAR (RFC 4791 §5.3.1, §5.3.2.1) and how a violation is
reported (RFC 4791 §1.3: 403 or 409 with the precondition element in DAV:error).

Each violation is tried once per check: a rejection check (the precondition's own
requirement) and a reporting check (caldav.precondition.error-body).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests

from conformance.api import (
    RecordingSession,
    cant_tell,
    expect,
    expect_equal,
    expect_in,
    inapplicable,
)
from suites.caldav import dav, ical
from suites.caldav.calendars import CalendarFactory, mkcalendar_body

VALID_DATA = dav.c("valid-calendar-data")
VALID_OBJECT = dav.c("valid-calendar-object-resource")


@dataclass
class Attempt:
    """A request that breaks a precondition, and what a conforming answer names."""

    response: requests.Response
    conditions: tuple[str, ...]  # any of these elements is the right report
    not_stored: str | None = None  # a URL that must still be unmapped afterwards
    untouched: str | None = None  # a URL whose resource must still answer GET 200


COMPONENT_SET = dav.c("supported-calendar-component-set")


def restricted_calendar(session: RecordingSession, calendars: CalendarFactory) -> str:
    """A VEVENT-only calendar. The rule does not apply to a server that refuses the component
    set the way RFC 4791 §5.3.1.1 defines, or whose calendar does not define the property
    (§5.2.3: then every component type is accepted); any other failure to make one leaves
    the check unable to tell."""
    url = f"{calendars.home}eos-events-only-{len(calendars.created)}/"
    response = session.request("MKCALENDAR", url, data=mkcalendar_body("events", ["VEVENT"]),
                               headers={"Content-Type": dav.XML})
    calendars.created.append(url)
    if response.status_code == 207:
        statuses = [p.status for r in dav.parse_multistatus(response, "MKCALENDAR refusal")
                    for p in r.propstats if COMPONENT_SET in p.props]
        if statuses and statuses[0] in (403, 409):
            inapplicable(f"MKCALENDAR answered 207 with a {statuses[0]} propstat for "
                         "CALDAV:supported-calendar-component-set (RFC 4791 §5.3.1.1)",
                         "the server cannot make a calendar restricted to some components")
    if response.status_code != 201:
        cant_tell(f"could not create a VEVENT-only calendar: MKCALENDAR answered "
                  f"{response.status_code}")
    entry = dav.single_response(dav.propfind(session, url, [COMPONENT_SET]), url,
                                "PROPFIND supported-calendar-component-set")
    if entry.prop(COMPONENT_SET) is None and entry.prop_status(COMPONENT_SET) == 404:
        inapplicable("CALDAV:supported-calendar-component-set not defined on the calendar "
                     "(404 propstat; RFC 4791 §5.2.3: in its absence every component type "
                     "is accepted)", "the calendar restricts no component type")
    if entry.prop(COMPONENT_SET) is None:
        cant_tell("PROPFIND of CALDAV:supported-calendar-component-set answered "
                  f"{entry.prop_status(COMPONENT_SET)} for the new calendar")
    return url


def vtodo_into_event_calendar(session: RecordingSession, calendars: CalendarFactory) -> Attempt:
    url = f"{restricted_calendar(session, calendars)}task.ics"
    response = dav.put_ical(session, url, ical.simple_todo())
    return Attempt(response, (dav.c("supported-calendar-component"),), not_stored=url)


MALFORMED = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:eos-malformed\r\n"
             "DTSTART:20260310T100000Z\r\nthis line has no property name\r\nEND:VEVENT\r\n")


def invalid_data(body: str) -> Callable[..., Attempt]:
    def attempt(session: RecordingSession, calendars: CalendarFactory) -> Attempt:
        url = f"{calendars.create()}invalid.ics"
        return Attempt(dav.put_ical(session, url, body), (VALID_DATA, VALID_OBJECT),
                       not_stored=url)
    return attempt


def object_rule_breaker(body: Callable[[], str]) -> Callable[..., Attempt]:
    def attempt(session: RecordingSession, calendars: CalendarFactory) -> Attempt:
        url = f"{calendars.create()}broken.ics"
        return Attempt(dav.put_ical(session, url, body()), (VALID_OBJECT, VALID_DATA),
                       not_stored=url)
    return attempt


# Each body breaks only the rule it is about: its events have a DTEND, so a server that
# refuses an event without one (Cyrus) does not pass these for that other reason.
def two_uids() -> str:
    return ical.calendar_text(
        ical.event(ical.new_uid(), "one", "20260310T100000Z", "20260310T110000Z"),
        ical.event(ical.new_uid(), "two", "20260311T100000Z", "20260311T110000Z"))


def two_component_types() -> str:
    uid = ical.new_uid()
    return ical.calendar_text(ical.event(uid, "event", "20260310T100000Z", "20260310T110000Z"),
                              ical.todo(uid, "task"))


def method_property() -> str:
    return ical.calendar_text(ical.event(ical.new_uid(), "published", "20260310T100000Z",
                                         "20260310T110000Z"),
                              method="PUBLISH")


def same_uid_twice(session: RecordingSession, calendars: CalendarFactory) -> Attempt:
    calendar, uid = calendars.create(), ical.new_uid()
    first, second = f"{calendar}first.ics", f"{calendar}second.ics"
    dav.store(session, first, ical.simple_event(uid, "first"))
    response = dav.put_ical(session, second, ical.simple_event(uid, "second"))
    return Attempt(response, (dav.c("no-uid-conflict"),), not_stored=second, untouched=first)


def json_body(session: RecordingSession, calendars: CalendarFactory) -> Attempt:
    url = f"{calendars.create()}data.json"
    response = dav.put_ical(session, url, '{"summary": "not iCalendar"}',
                            content_type="application/json")
    return Attempt(response, (dav.c("supported-calendar-data"), VALID_DATA), not_stored=url)


def mkcalendar_over_calendar(session: RecordingSession, calendars: CalendarFactory) -> Attempt:
    calendar = calendars.create()
    response = session.request("MKCALENDAR", calendar, data=mkcalendar_body("again"),
                               headers={"Content-Type": dav.XML})
    return Attempt(response, (dav.d("resource-must-be-null"),))


def mkcalendar_inside_calendar(session: RecordingSession,
                               calendars: CalendarFactory) -> Attempt:
    inner = f"{calendars.create()}inner/"
    calendars.created.insert(0, inner)
    response = session.request("MKCALENDAR", inner, data=mkcalendar_body("nested"),
                               headers={"Content-Type": dav.XML})
    return Attempt(response, (dav.c("calendar-collection-location-ok"),))


OBJECT_RULES = {
    "two different UIDs": object_rule_breaker(two_uids),
    "VEVENT and VTODO together": object_rule_breaker(two_component_types),
    "a METHOD property": object_rule_breaker(method_property),
}

# iCalendar needs at least one component in a VCALENDAR (RFC 5545 §3.4, "1*component").
INVALID_DATA = {
    "a line without a property name": invalid_data(MALFORMED),
    "no calendar component": invalid_data(ical.calendar_text()),
}

VIOLATIONS: dict[str, Callable[[RecordingSession, CalendarFactory], Attempt]] = {
    "supported-calendar-component": vtodo_into_event_calendar,
    **{f"valid-calendar-data ({name})": make for name, make in INVALID_DATA.items()},
    **{f"valid-calendar-object-resource ({name})": make for name, make in OBJECT_RULES.items()},
    "no-uid-conflict": same_uid_twice,
    "supported-calendar-data": json_body,
    "resource-must-be-null": mkcalendar_over_calendar,
    "calendar-collection-location-ok": mkcalendar_inside_calendar,
}


def expect_rejected(session: RecordingSession, attempt: Attempt, what: str) -> None:
    status = attempt.response.status_code
    expect(not 200 <= status < 300, f"{what} is rejected", expected="4xx", actual=status)
    if attempt.not_stored:
        expect_equal(session.request("GET", attempt.not_stored).status_code, 404,
                     f"GET of the URL after the rejected {what}")
    if attempt.untouched:
        expect_equal(session.request("GET", attempt.untouched).status_code, 200,
                     f"GET of the resource that already existed before the rejected {what}")


@pytest.mark.requirement("caldav.put.supported-calendar-component")
def test_vtodo_into_vevent_only_calendar_is_rejected(dav_session: RecordingSession,
                                                     calendars: CalendarFactory) -> None:
    expect_rejected(dav_session, vtodo_into_event_calendar(dav_session, calendars),
                    "PUT of a VTODO into a VEVENT-only calendar")


@pytest.mark.requirement("caldav.put.valid-calendar-data")
@pytest.mark.parametrize("flaw", list(INVALID_DATA))
def test_invalid_icalendar_is_rejected(dav_session: RecordingSession,
                                       calendars: CalendarFactory, flaw: str) -> None:
    expect_rejected(dav_session, INVALID_DATA[flaw](dav_session, calendars),
                    f"PUT of iCalendar data with {flaw}")


@pytest.mark.requirement("caldav.put.valid-calendar-object-resource")
@pytest.mark.parametrize("rule", list(OBJECT_RULES))
def test_object_breaking_section_4_1_is_rejected(dav_session: RecordingSession,
                                                 calendars: CalendarFactory, rule: str) -> None:
    expect_rejected(dav_session, OBJECT_RULES[rule](dav_session, calendars),
                    f"PUT of a calendar object with {rule}")


@pytest.mark.requirement("caldav.put.no-uid-conflict")
def test_uid_used_by_another_resource_is_rejected(dav_session: RecordingSession,
                                                  calendars: CalendarFactory) -> None:
    expect_rejected(dav_session, same_uid_twice(dav_session, calendars),
                    "PUT of a UID another resource of the calendar uses")


@pytest.mark.requirement("caldav.put.no-uid-conflict-href")
def test_uid_conflict_names_the_other_resource(dav_session: RecordingSession,
                                               calendars: CalendarFactory) -> None:
    attempt = same_uid_twice(dav_session, calendars)
    condition = None
    if attempt.response.content:
        root = dav.parse_xml(attempt.response, "no-uid-conflict error body")
        condition = root.find(dav.c("no-uid-conflict"))
    expect(condition is not None, "the error body holds CALDAV:no-uid-conflict",
           expected="CALDAV:no-uid-conflict", actual=attempt.response.text[:300])
    assert condition is not None
    href = condition.findtext(dav.d("href"))
    expect(href is not None and dav.same_path(href, attempt.untouched or ""),
           "CALDAV:no-uid-conflict names the resource already using the UID",
           expected=dav.path_of(attempt.untouched or ""), actual=href)


@pytest.mark.requirement("caldav.put.supported-calendar-data")
def test_non_calendar_media_type_is_rejected(dav_session: RecordingSession,
                                             calendars: CalendarFactory) -> None:
    expect_rejected(dav_session, json_body(dav_session, calendars),
                    "PUT of application/json into a calendar")


@pytest.mark.requirement("caldav.precondition.error-body")
@pytest.mark.parametrize("violation", list(VIOLATIONS))
def test_violation_is_reported_with_its_precondition(dav_session: RecordingSession,
                                                     calendars: CalendarFactory,
                                                     violation: str) -> None:
    attempt = VIOLATIONS[violation](dav_session, calendars)
    expect_in(attempt.response.status_code, (403, 409),
              f"status of a request violating {violation}")
    found = dav.error_conditions(attempt.response)
    expect(any(tag in found for tag in attempt.conditions),
           f"the DAV:error body names the violated precondition ({violation})",
           expected=list(attempt.conditions), actual=found or attempt.response.text[:200])
