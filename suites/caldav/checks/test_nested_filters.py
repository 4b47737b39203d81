"""comp-filter on a component nested in an event (RFC 4791 §9.7.1): within comp-filter VEVENT,
the scope of a comp-filter VALARM is the event, so an empty one matches the events holding a
VALARM and one holding CALDAV:is-not-defined matches the events holding none.

Two events, one with a VALARM and one without, are stored once for the module; the checks
only query them and compare the matched set exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from conformance.api import RecordingSession, expect_equal
from suites.caldav import dav, ical
from suites.caldav.calendars import CalendarFactory

ALARM = ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder", "TRIGGER:-PT15M",
         "END:VALARM"]
EVENTS = {
    "reminded": ["DTSTART:20260410T100000Z", "DTEND:20260410T110000Z",
                 "SUMMARY:With a reminder", *ALARM],
    "plain": ["DTSTART:20260411T100000Z", "DTEND:20260411T110000Z", "SUMMARY:No reminder"],
}


@dataclass
class Alarms:
    calendar: str
    paths: dict[str, str]


@pytest.fixture(scope="module")
def alarms(dav_session: RecordingSession, calendar_home: str) -> Iterator[Alarms]:
    calendars = CalendarFactory(dav_session, calendar_home)
    calendar = calendars.create()
    paths = {}
    try:
        for name, lines in EVENTS.items():
            url = f"{calendar}{name}.ics"
            dav.store(dav_session, url, ical.calendar_text(
                ical.component("VEVENT", ical.new_uid(), *lines)))
            paths[name] = dav.path_of(url).rstrip("/")
        yield Alarms(calendar, paths)
    finally:
        calendars.cleanup()


def events_matching(session: RecordingSession, alarms: Alarms, absent: bool,
                    what: str) -> set[str]:
    inner = [dav.is_not_defined()] if absent else []
    body = dav.calendar_query(dav.comp_filter("VEVENT", dav.comp_filter("VALARM", *inner)))
    return dav.matched_paths(dav.report(session, alarms.calendar, body), what)


@pytest.mark.requirement("caldav.query.comp-filter-nested")
def test_nested_comp_filter_selects_events_with_an_alarm(dav_session: RecordingSession,
                                                         alarms: Alarms) -> None:
    found = events_matching(dav_session, alarms, False, "comp-filter VEVENT/VALARM")
    expect_equal(found, {alarms.paths["reminded"]}, "events holding a VALARM")


@pytest.mark.requirement("caldav.query.comp-filter-is-not-defined")
def test_comp_filter_is_not_defined_selects_events_without_an_alarm(
        dav_session: RecordingSession, alarms: Alarms) -> None:
    found = events_matching(dav_session, alarms, True,
                            "comp-filter VEVENT/VALARM is-not-defined")
    expect_equal(found, {alarms.paths["plain"]}, "events holding no VALARM")
