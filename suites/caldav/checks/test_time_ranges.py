"""Time-range edges (RFC 4791 §9.9): the end of a range is not inclusive, an event's DTEND is
not part of the event, a range open at one end reaches to infinity, and a recurrence ends at
its COUNT or UNTIL. Every check compares the whole set of matching resources."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from conformance.api import RecordingSession, expect, expect_equal
from suites.caldav import dav, ical
from suites.caldav.calendars import CalendarFactory

EVENTS = {
    "may-10": ["DTSTART:20260510T100000Z", "DTEND:20260510T110000Z"],
    "may-20": ["DTSTART:20260520T100000Z", "DTEND:20260520T110000Z"],
    # 1, 2 and 3 June at 09:00.
    "counted": ["DTSTART:20260601T090000Z", "DTEND:20260601T100000Z",
                "RRULE:FREQ=DAILY;COUNT=3"],
    # 12 May 10:00 for 90 minutes.
    "duration": ["DTSTART:20260512T100000Z", "DURATION:PT1H30M"],
    # Tuesdays 2, 9, 16 and 23 June at 15:00; 30 June is after UNTIL.
    "until": ["DTSTART:20260602T150000Z", "DTEND:20260602T160000Z",
              "RRULE:FREQ=WEEKLY;UNTIL=20260630T000000Z"],
}


@dataclass
class Ranges:
    calendar: str
    paths: dict[str, str]

    def of(self, *names: str) -> set[str]:
        return {self.paths[n] for n in names}


@pytest.fixture(scope="module")
def ranges(dav_session: RecordingSession, calendar_home: str) -> Iterator[Ranges]:
    calendars = CalendarFactory(dav_session, calendar_home)
    try:
        calendar = calendars.create()
        paths = {}
        for name, lines in EVENTS.items():
            url = f"{calendar}{name}.ics"
            dav.store(dav_session, url, ical.calendar_text(
                ical.component("VEVENT", ical.new_uid(), *lines, f"SUMMARY:{name}")))
            paths[name] = dav.path_of(url).rstrip("/")
        yield Ranges(calendar, paths)
    finally:
        calendars.cleanup()


def matching(session: RecordingSession, ranges: Ranges, start: str | None,
             end: str | None) -> set[str]:
    body = dav.calendar_query(dav.comp_filter("VEVENT", dav.time_range(start, end)),
                              with_data=False)
    return dav.matched_paths(dav.report(session, ranges.calendar, body),
                             f"calendar-query time-range {start}/{end}")


@pytest.mark.requirement("caldav.query.time-range-end-exclusive")
def test_range_and_event_ends_are_exclusive(dav_session: RecordingSession,
                                            ranges: Ranges) -> None:
    expect_equal(matching(dav_session, ranges, "20260510T090000Z", "20260510T100000Z"), set(),
                 "events in 09:00-10:00 on 10 May (the event starts at the range's end)")
    expect_equal(matching(dav_session, ranges, "20260510T110000Z", "20260510T120000Z"), set(),
                 "events in 11:00-12:00 on 10 May (the event ends at the range's start)")
    expect_equal(matching(dav_session, ranges, "20260510T105900Z", "20260510T110000Z"),
                 ranges.of("may-10"), "events in 10:59-11:00 on 10 May")


@pytest.mark.requirement("caldav.query.time-range-open-end")
def test_half_open_ranges_reach_to_infinity(dav_session: RecordingSession,
                                            ranges: Ranges) -> None:
    expect_equal(matching(dav_session, ranges, "20260515T000000Z", None),
                 ranges.of("may-20", "counted", "until"), "events from 15 May on")
    expect_equal(matching(dav_session, ranges, None, "20260515T000000Z"),
                 ranges.of("may-10", "duration"), "events before 15 May")


@pytest.mark.requirement("caldav.recur.count-bounds")
def test_count_ends_the_recurrence(dav_session: RecordingSession, ranges: Ranges) -> None:
    expect_equal(matching(dav_session, ranges, "20260603T093000Z", "20260603T100000Z"),
                 ranges.of("counted"), "events at 09:30 on 3 June (the third instance)")
    expect_equal(matching(dav_session, ranges, "20260604T080000Z", "20260605T000000Z"), set(),
                 "events on 4 June (after COUNT=3)")


@pytest.mark.requirement("caldav.recur.until-bounds")
def test_until_ends_the_recurrence(dav_session: RecordingSession, ranges: Ranges) -> None:
    expect_equal(matching(dav_session, ranges, "20260623T150000Z", "20260623T160000Z"),
                 ranges.of("until"), "events at 15:00 on 23 June (before UNTIL)")
    expect_equal(matching(dav_session, ranges, "20260630T140000Z", "20260630T170000Z"), set(),
                 "events on the afternoon of 30 June (after UNTIL)")


@pytest.mark.requirement("caldav.query.time-range-duration")
def test_duration_gives_the_length(dav_session: RecordingSession, ranges: Ranges) -> None:
    expect_equal(matching(dav_session, ranges, "20260512T110000Z", "20260512T111500Z"),
                 ranges.of("duration"), "events in 11:00-11:15 on 12 May (inside PT1H30M)")
    expect_equal(matching(dav_session, ranges, "20260512T113100Z", "20260512T120000Z"), set(),
                 "events in 11:31-12:00 on 12 May (after PT1H30M)")


@pytest.mark.requirement("caldav.query.time-range-instant")
def test_event_without_end_takes_no_time(dav_session: RecordingSession, calendar: str) -> None:
    # In a calendar of its own, stored by the check itself: refusing this valid event
    # (RFC 5545 §3.6.1 gives it the length zero) fails the requirement.
    url = f"{calendar}instant.ics"
    response = dav.put_ical(dav_session, url, ical.calendar_text(ical.component(
        "VEVENT", ical.new_uid(), "DTSTART:20260514T100000Z", "SUMMARY:instant")))
    expect(200 <= response.status_code < 300, "PUT of an event with DTSTART only is stored "
           f"(RFC 5545 §3.6.1), got {response.status_code}")
    alone = Ranges(calendar, {"instant": dav.path_of(url).rstrip("/")})
    expect_equal(matching(dav_session, alone, "20260514T100000Z", "20260514T103000Z"),
                 alone.of("instant"), "events in 10:00-10:30 on 14 May (its start)")
    expect_equal(matching(dav_session, alone, "20260514T100100Z", "20260514T110000Z"), set(),
                 "events in 10:01-11:00 on 14 May (after its instant)")
