"""RFC 4791 §5.3.1: creating calendar collections with MKCALENDAR, and its preconditions."""

from __future__ import annotations

from typing import NoReturn

import pytest
import requests

from conformance.api import CheckFailure, RecordingSession, expect, expect_equal, inapplicable
from suites.caldav import dav, ical
from suites.caldav.calendars import CalendarFactory, mkcalendar_body, new_collection_url


@pytest.mark.requirement("caldav.mkcalendar.created")
def test_mkcalendar_answers_201(dav_session: RecordingSession, calendar_home: str) -> None:
    url = new_collection_url(calendar_home)
    response = dav_session.request("MKCALENDAR", url, data=mkcalendar_body("created"),
                                   headers={"Content-Type": dav.XML})
    try:
        expect_equal(response.status_code, 201, "MKCALENDAR status")
    finally:
        dav_session.request("DELETE", url)


@pytest.mark.requirement("caldav.mkcalendar.resourcetype")
def test_new_calendar_has_calendar_resourcetype(dav_session: RecordingSession,
                                                calendar: str) -> None:
    response = dav.propfind(dav_session, calendar, [dav.d("resourcetype")])
    entry = dav.single_response(response, calendar, "PROPFIND resourcetype")
    resourcetype = entry.prop(dav.d("resourcetype"))
    kinds = [child.tag for child in resourcetype] if resourcetype is not None else []
    expect(dav.c("calendar") in kinds and dav.d("collection") in kinds,
           "DAV:resourcetype of a new calendar holds DAV:collection and CALDAV:calendar",
           expected=[dav.d("collection"), dav.c("calendar")], actual=kinds)


@pytest.mark.requirement("caldav.mkcalendar.initial-properties")
def test_mkcalendar_sets_the_properties_of_its_body(dav_session: RecordingSession,
                                                    calendars: CalendarFactory) -> None:
    url = new_collection_url(calendars.home)
    body = dav.serialize(dav.element(dav.c("mkcalendar"), dav.element(dav.d("set"), dav.element(
        dav.d("prop"), dav.element(dav.d("displayname"), text="Équipe ☕ calendar"),
        dav.element(dav.c("calendar-description"), text="Made by MKCALENDAR")))))
    response = dav_session.request("MKCALENDAR", url, data=body,
                                   headers={"Content-Type": dav.XML})
    calendars.created.append(url)
    expect_equal(response.status_code, 201, "MKCALENDAR with displayname and description")
    entry = dav.single_response(
        dav.propfind(dav_session, url, [dav.d("displayname"), dav.c("calendar-description")]),
        url, "PROPFIND the new calendar")
    expect_equal(dav.prop_text(entry, dav.d("displayname")), "Équipe ☕ calendar",
                 "DAV:displayname of the new calendar")
    expect_equal(dav.prop_text(entry, dav.c("calendar-description")), "Made by MKCALENDAR",
                 "CALDAV:calendar-description of the new calendar")


COMPONENT_SET = dav.c("supported-calendar-component-set")


def refused_setting_the_component_set(session: RecordingSession, url: str,
                                      response: requests.Response) -> NoReturn:
    """A MKCALENDAR that set no component set: inapplicable only for the refusal RFC 4791
    §5.3.1.1 defines (207 Multi-Status, the property's propstat 403 or 409, nothing created);
    any other answer (a 5xx, a bare 4xx) fails the requirement."""
    if response.status_code == 207:
        refused = [p.status for r in dav.parse_multistatus(response, "MKCALENDAR refusal")
                   for p in r.propstats if COMPONENT_SET in p.props]
        if refused and refused[0] in (403, 409):
            expect_equal(dav.propfind(session, url, [dav.d("resourcetype")]).status_code, 404,
                         "PROPFIND of the calendar whose MKCALENDAR was refused (all "
                         "instructions or none)")
            inapplicable(f"MKCALENDAR answered 207 with a {refused[0]} propstat for "
                         "CALDAV:supported-calendar-component-set (RFC 4791 §5.3.1.1: the "
                         "server cannot set this optional property, §5.2.3)",
                         "the server does not let clients restrict a calendar's component "
                         "types")
    raise CheckFailure(
        f"MKCALENDAR with a supported-calendar-component-set answered {response.status_code}, "
        "neither created the calendar (201) nor refused the property as RFC 4791 §5.3.1.1 "
        "says (207 with a 403 or 409 propstat for it)",
        expected="201, or 207 with a 403/409 propstat", actual=response.status_code)


@pytest.mark.requirement("caldav.mkcalendar.component-set")
@pytest.mark.parametrize("components", [["VEVENT"], ["VTODO"], ["VEVENT", "VTODO"]])
def test_mkcalendar_initialises_the_component_set(dav_session: RecordingSession,
                                                  calendars: CalendarFactory,
                                                  components: list[str]) -> None:
    url = new_collection_url(calendars.home)
    response = dav_session.request("MKCALENDAR", url, data=mkcalendar_body("set", components),
                                   headers={"Content-Type": dav.XML})
    calendars.created.append(url)
    # 207 is no success here: RFC 4791 §5.3.1.1 makes it the answer of a MKCALENDAR whose
    # property instructions failed, the calendar not created.
    if response.status_code == 207 or not 200 <= response.status_code < 300:
        refused_setting_the_component_set(dav_session, url, response)
    entry = dav.single_response(dav.propfind(dav_session, url, [COMPONENT_SET]), url,
                                "PROPFIND supported-calendar-component-set")
    value = entry.prop(COMPONENT_SET)
    names = sorted(comp.get("name", "") for comp in value.iter(dav.c("comp"))) \
        if value is not None else None
    expect_equal(names, sorted(components), "CALDAV:supported-calendar-component-set after "
                 "MKCALENDAR initialised it")


@pytest.mark.requirement("caldav.mkcalendar.resource-must-be-null")
def test_mkcalendar_on_an_existing_calendar_fails(dav_session: RecordingSession,
                                                  calendar: str) -> None:
    member = f"{calendar}kept.ics"
    dav.store(dav_session, member, ical.simple_event())
    response = dav_session.request("MKCALENDAR", calendar, data=mkcalendar_body("again"),
                                   headers={"Content-Type": dav.XML})
    expect(not 200 <= response.status_code < 300,
           "MKCALENDAR on an existing calendar is refused", expected="4xx",
           actual=response.status_code)
    expect_equal(dav_session.request("GET", member).status_code, 200,
                 "GET of a member of the existing calendar after the refused MKCALENDAR")


@pytest.mark.requirement("caldav.mkcalendar.no-nesting")
def test_mkcalendar_inside_a_calendar_fails(dav_session: RecordingSession, calendar: str,
                                            calendars: CalendarFactory) -> None:
    inner = f"{calendar}inner/"
    response = dav_session.request("MKCALENDAR", inner, data=mkcalendar_body("nested"),
                                   headers={"Content-Type": dav.XML})
    calendars.created.insert(0, inner)
    expect(not 200 <= response.status_code < 300,
           "MKCALENDAR inside a calendar collection is refused", expected="403 or 409",
           actual=response.status_code)
    expect_equal(dav.propfind(dav_session, inner, [dav.d("resourcetype")]).status_code, 404,
                 "PROPFIND of the refused nested calendar")
