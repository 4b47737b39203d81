"""Time zones: events stored with a TZID and their VTIMEZONE (RFC 5545 §3.6.5, RFC 4791 §4.1),
time-range queries that must resolve local times through the VTIMEZONE (RFC 4791 §9.9), also
across a change to summer time, and the CALDAV:calendar-timezone property (§5.2.2).

The zone is written out in full in the data (``zones.BERLIN_VTIMEZONE``), so the expected
UTC moments follow from RFC 5545 alone, whatever zone database the server has.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from conformance.api import RecordingSession, expect, expect_equal, inapplicable
from suites.caldav import dav, ical, zones
from suites.caldav.calendars import CalendarFactory


@dataclass
class Zoned:
    calendar: str
    single: str  # one event, 10 February 2026 09:00-10:00 Berlin = 08:00-09:00 UTC
    daily: str  # zones.berlin_daily

    def path(self, url: str) -> str:
        return dav.path_of(url).rstrip("/")


@pytest.fixture(scope="module")
def zoned(dav_session: RecordingSession, calendar_home: str) -> Iterator[Zoned]:
    calendars = CalendarFactory(dav_session, calendar_home)
    try:
        calendar = calendars.create()
        single, daily = f"{calendar}winter.ics", f"{calendar}daily.ics"
        dav.store(dav_session, single, zones.berlin_event(
            ical.new_uid(), f"DTSTART;TZID={zones.BERLIN}:20260210T090000",
            f"DTEND;TZID={zones.BERLIN}:20260210T100000", "SUMMARY:Winter meeting"))
        dav.store(dav_session, daily, zones.berlin_daily(ical.new_uid()))
        yield Zoned(calendar, single, daily)
    finally:
        calendars.cleanup()


def matching(session: RecordingSession, zoned: Zoned, start: str, end: str) -> set[str]:
    body = dav.calendar_query(dav.comp_filter("VEVENT", dav.time_range(start, end)),
                              with_data=False)
    return dav.matched_paths(dav.report(session, zoned.calendar, body),
                             f"calendar-query time-range {start}/{end}")


@pytest.mark.requirement("caldav.tz.vtimezone-kept")
def test_vtimezone_is_served_with_the_event(dav_session: RecordingSession,
                                            zoned: Zoned) -> None:
    response = dav_session.get(zoned.single)
    expect_equal(response.status_code, 200, f"GET {zoned.path(zoned.single)}")
    calendar = ical.parse(response.content, "GET of the event in Europe/Berlin")
    tzids = sorted(str(c.get("TZID")) for c in calendar.walk() if c.name == "VTIMEZONE")
    used = sorted({str(p.params["TZID"]) for e in ical.components(calendar, "VEVENT")
                   for p in (e.get("DTSTART"), e.get("DTEND"))
                   if p is not None and "TZID" in p.params})
    # Converted to UTC the event needs no VTIMEZONE; with a TZID it needs exactly that one.
    expect_equal(tzids, used, "VTIMEZONE TZIDs against the TZIDs the event uses")


@pytest.mark.requirement("caldav.tz.tzid-kept")
def test_tzid_start_is_the_same_moment(dav_session: RecordingSession, zoned: Zoned) -> None:
    response = dav_session.get(zoned.single)
    expect_equal(response.status_code, 200, f"GET {zoned.path(zoned.single)}")
    events = ical.components(ical.parse(response.content, "GET of the event"), "VEVENT")
    expect_equal(len(events), 1, "VEVENTs served")
    starts = [zones.moment_text(e.get("DTSTART")) for e in events]
    # 09:00 Berlin in February is 08:00 UTC; a floating 09:00 (no TZID) is another moment.
    expect_equal(starts, ["20260210T080000Z"], "DTSTART as a UTC moment")


@pytest.mark.requirement("caldav.tz.time-range-tzid")
def test_time_range_uses_the_vtimezone(dav_session: RecordingSession, zoned: Zoned) -> None:
    single = zoned.path(zoned.single)
    expect_equal(matching(dav_session, zoned, "20260210T073000Z", "20260210T083000Z"),
                 {single}, "events in 07:30-08:30 UTC (the event starts 08:00 UTC)")
    expect_equal(matching(dav_session, zoned, "20260210T091500Z", "20260210T100000Z"),
                 set(), "events in 09:15-10:00 UTC (the event ended 09:00 UTC)")


@pytest.mark.requirement("caldav.tz.time-range-dst")
def test_time_range_across_summer_time(dav_session: RecordingSession, zoned: Zoned) -> None:
    daily = zoned.path(zoned.daily)
    # Before the change (27 March) the 09:00 instance is at 08:00 UTC, after it (30 March)
    # at 07:00 UTC; the ranges hold only one of the two readings.
    expect_equal(matching(dav_session, zoned, "20260327T081500Z", "20260327T083000Z"),
                 {daily}, "events in 08:15-08:30 UTC on 27 March (standard time)")
    expect_equal(matching(dav_session, zoned, "20260330T070000Z", "20260330T073000Z"),
                 {daily}, "events in 07:00-07:30 UTC on 30 March (summer time)")
    expect_equal(matching(dav_session, zoned, "20260330T081500Z", "20260330T090000Z"),
                 set(), "events in 08:15-09:00 UTC on 30 March (the instance ended 08:00)")


@pytest.mark.requirement("caldav.tz.calendar-timezone-stored")
def test_calendar_timezone_is_kept(dav_session: RecordingSession, calendar: str) -> None:
    value = ical.calendar_text(zones.BERLIN_VTIMEZONE)
    response = dav.proppatch(dav_session, calendar,
                             [dav.element(dav.c("calendar-timezone"), text=value)])
    entry = dav.single_response(response, calendar, "PROPPATCH calendar-timezone")
    status = entry.prop_status(dav.c("calendar-timezone"))
    if status == 403:
        # RFC 4918 §9.2.1: 403 is the server declining to set the property, which §5.2.2
        # allows (SHOULD be defined; the server may provision it itself).
        inapplicable("PROPPATCH answered 403 for CALDAV:calendar-timezone (RFC 4918 §9.2.1)",
                     "the server does not let clients set the calendar time zone")
    expect_equal(status, 200, "propstat status for CALDAV:calendar-timezone")
    found = dav.propfind(dav_session, calendar, [dav.c("calendar-timezone")])
    text = dav.prop_text(dav.single_response(found, calendar, "PROPFIND calendar-timezone"),
                         dav.c("calendar-timezone"))
    expect(bool(text), "PROPFIND returns a CALDAV:calendar-timezone value")
    stored = ical.parse(text or "", "CALDAV:calendar-timezone")
    tzids = [str(c.get("TZID")) for c in stored.walk() if c.name == "VTIMEZONE"]
    expect_equal(tzids, [zones.BERLIN], "VTIMEZONEs in the stored calendar-timezone")
