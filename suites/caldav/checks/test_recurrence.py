"""Recurrence: instances added by RDATE, removed by EXDATE and moved by an overridden component
(RFC 4791 §9.9 "time range tests MUST consider every recurrence instance"), the master and its
override kept in one resource (§4.1), and the two ways a REPORT returns part of a recurrence
set: CALDAV:expand (§9.6.5) and CALDAV:limit-recurrence-set (§9.6.6).

One recurring event, stored once for the module, holds every case; the checks only read it.
All times are UTC so the expected instances need no time-zone arithmetic (the time-zone
checks are in ``test_timezones.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from lxml import etree

from conformance.api import RecordingSession, expect, expect_equal
from suites.caldav import dav, ical, zones
from suites.caldav.calendars import CalendarFactory

# Daily at 10:00 UTC for ten days from 1 March 2026; 4 March removed by EXDATE, 20 March added
# by RDATE, 6 March moved to 15:00, 8 March moved to 14:00 on 12 March (beyond the daily run).
MASTER = ["DTSTART:20260301T100000Z", "DTEND:20260301T110000Z",
          "RRULE:FREQ=DAILY;COUNT=10", "EXDATE:20260304T100000Z", "RDATE:20260320T100000Z",
          "SUMMARY:Daily stand-up"]
OVERRIDES = {
    "20260306T100000Z": ["DTSTART:20260306T150000Z", "DTEND:20260306T160000Z",
                         "SUMMARY:Stand-up moved to the afternoon"],
    "20260308T100000Z": ["DTSTART:20260312T140000Z", "DTEND:20260312T150000Z",
                         "SUMMARY:Stand-up moved to Thursday"],
}


@dataclass
class Series:
    calendar: str
    url: str
    uid: str

    @property
    def path(self) -> str:
        return dav.path_of(self.url).rstrip("/")


def series_text(uid: str) -> str:
    parts = [ical.component("VEVENT", uid, *MASTER)]
    for recurrence_id, lines in OVERRIDES.items():
        parts.append(ical.component("VEVENT", uid, f"RECURRENCE-ID:{recurrence_id}", *lines))
    return ical.calendar_text(*parts)


@pytest.fixture(scope="module")
def series(dav_session: RecordingSession, calendar_home: str) -> Iterator[Series]:
    calendars = CalendarFactory(dav_session, calendar_home)
    try:
        calendar = calendars.create()
        uid = ical.new_uid()
        url = f"{calendar}series.ics"
        dav.store(dav_session, url, series_text(uid))
        yield Series(calendar, url, uid)
    finally:
        calendars.cleanup()


def matches(session: RecordingSession, series: Series, start: str, end: str) -> bool:
    body = dav.calendar_query(dav.comp_filter("VEVENT", dav.time_range(start, end)),
                              with_data=False)
    found = dav.matched_paths(dav.report(session, series.calendar, body),
                              f"calendar-query time-range {start}/{end}")
    expect(found <= {series.path}, f"the query matched only resources of this calendar: {found}")
    return series.path in found


@pytest.mark.requirement("caldav.recur.exdate-excluded")
def test_exdate_instance_does_not_match(dav_session: RecordingSession, series: Series) -> None:
    expect(matches(dav_session, series, "20260303T100000Z", "20260303T110000Z"),
           "the 3 March instance matches (the set-up of the EXDATE case)")
    expect(not matches(dav_session, series, "20260304T090000Z", "20260304T120000Z"),
           "the 4 March instance, removed by EXDATE, does not match")


@pytest.mark.requirement("caldav.recur.rdate-included")
def test_rdate_instance_matches(dav_session: RecordingSession, series: Series) -> None:
    expect(not matches(dav_session, series, "20260319T090000Z", "20260319T120000Z"),
           "no instance on 19 March (after the ten daily ones)")
    expect(matches(dav_session, series, "20260320T093000Z", "20260320T103000Z"),
           "the 20 March instance, added by RDATE, matches")


@pytest.mark.requirement("caldav.recur.override-matches-new-time")
def test_moved_instance_matches_at_its_new_time(dav_session: RecordingSession,
                                                 series: Series) -> None:
    expect(matches(dav_session, series, "20260312T140000Z", "20260312T143000Z"),
           "the 8 March instance, moved to 12 March 14:00, matches there")


@pytest.mark.requirement("caldav.recur.override-not-at-original-time")
def test_moved_instance_does_not_match_at_its_old_time(dav_session: RecordingSession,
                                                        series: Series) -> None:
    expect(not matches(dav_session, series, "20260308T093000Z", "20260308T113000Z"),
           "nothing matches on 8 March at 10:00, where the moved instance used to be")


@pytest.mark.requirement("caldav.recur.override-stored")
def test_override_is_kept_with_its_master(dav_session: RecordingSession, series: Series) -> None:
    response = dav_session.get(series.url)
    expect_equal(response.status_code, 200, f"GET {series.path}")
    events = ical.components(ical.parse(response.content, "GET of the series"), "VEVENT")
    kept = sorted(zones.moment_text(e.get("RECURRENCE-ID")) for e in events
                  if e.get("RECURRENCE-ID") is not None)
    expect_equal(kept, sorted(OVERRIDES), "RECURRENCE-IDs of the overridden components")
    expect_equal(len(events), 1 + len(OVERRIDES), "VEVENTs: the master and each override")


# --- expand and limit-recurrence-set -------------------------------------------------------

def _calendar_data(*children: etree._Element) -> etree._Element:
    return dav.element(dav.d("prop"), dav.element(dav.d("getetag")),
                       dav.element(dav.c("calendar-data"), *children))


def _expand(start: str, end: str) -> etree._Element:
    return dav.element(dav.c("expand"), start=start, end=end)


def _query_with(series: Series, session: RecordingSession, start: str, end: str,
                data_child: etree._Element) -> list[Any]:
    body = dav.element(dav.c("calendar-query"), _calendar_data(data_child),
                       dav.element(dav.c("filter"), dav.comp_filter(
                           "VCALENDAR", dav.comp_filter("VEVENT", dav.time_range(start, end)))))
    return _events_of(dav.report(session, series.calendar, body), series, "calendar-query")


def _multiget_with(series: Series, session: RecordingSession,
                   data_child: etree._Element) -> list[Any]:
    body = dav.element(dav.c("calendar-multiget"), _calendar_data(data_child),
                       dav.element(dav.d("href"), text=dav.path_of(series.url)))
    return _events_of(dav.report(session, series.calendar, body, depth=None), series,
                      "calendar-multiget")


def _events_of(response: Any, series: Series, what: str) -> list[Any]:
    entry = dav.single_response(response, series.url, what)
    data = dav.prop_text(entry, dav.c("calendar-data"))
    expect(bool(data), f"{what} returns calendar-data for {series.path}")
    calendar = ical.parse(data or "", f"{what} calendar-data")
    expect_equal([c.name for c in calendar.walk() if c.name == "VTIMEZONE"], [],
                 f"{what}: VTIMEZONE components in expanded data")
    return ical.components(calendar, "VEVENT")


# The range 5-13 March holds the instances of 5, 6 (moved to 15:00), 7, 9 and 10 March and
# the one moved from 8 to 12 March; 4 March is excluded, 8 March itself moved away.
EXPAND_RANGE = ("20260305T000000Z", "20260313T000000Z")
EXPECTED_INSTANCES = {
    ("20260305T100000Z", "20260305T100000Z", "Daily stand-up"),
    ("20260306T100000Z", "20260306T150000Z", "Stand-up moved to the afternoon"),
    ("20260307T100000Z", "20260307T100000Z", "Daily stand-up"),
    ("20260308T100000Z", "20260312T140000Z", "Stand-up moved to Thursday"),
    ("20260309T100000Z", "20260309T100000Z", "Daily stand-up"),
    ("20260310T100000Z", "20260310T100000Z", "Daily stand-up"),
}
RECURRENCE_PROPERTIES = ("RRULE", "RDATE", "EXDATE", "EXRULE")


def instances(events: list[Any]) -> set[tuple[str, str, str]]:
    return {(zones.moment_text(e.get("RECURRENCE-ID")), zones.moment_text(e.get("DTSTART")),
             str(e.get("SUMMARY"))) for e in events}


def expanded(session: RecordingSession, series: Series) -> list[Any]:
    return _query_with(series, session, *EXPAND_RANGE, _expand(*EXPAND_RANGE))


@pytest.mark.requirement("caldav.expand.instances")
def test_expand_returns_the_instances_in_range(dav_session: RecordingSession,
                                               series: Series) -> None:
    events = expanded(dav_session, series)
    expect_equal(len(events), len(EXPECTED_INSTANCES), "expanded VEVENTs, one per instance")
    expect_equal(instances(events), EXPECTED_INSTANCES,
                 "(RECURRENCE-ID, DTSTART, SUMMARY) of the expanded instances")


@pytest.mark.requirement("caldav.expand.recurrence-id")
def test_expanded_instances_carry_recurrence_id(dav_session: RecordingSession,
                                                series: Series) -> None:
    events = expanded(dav_session, series)
    expect(len(events) > 0, "expand returned instances")
    missing = [zones.moment_text(e.get("DTSTART")) for e in events
               if e.get("RECURRENCE-ID") is None]
    # The initial instance (1 March) is outside the range, so every one needs RECURRENCE-ID.
    expect_equal(missing, [], "expanded instances without a RECURRENCE-ID (by DTSTART)")


@pytest.mark.requirement("caldav.expand.no-recurrence-properties")
def test_expanded_instances_have_no_recurrence_rules(dav_session: RecordingSession,
                                                     series: Series) -> None:
    events = expanded(dav_session, series)
    expect(len(events) > 0, "expand returned instances")
    found = sorted({p for e in events for p in RECURRENCE_PROPERTIES if e.get(p) is not None})
    expect_equal(found, [], "recurrence properties in expanded instances")


@pytest.mark.requirement("caldav.expand.utc")
def test_expanded_instances_are_in_utc(dav_session: RecordingSession,
                                       tz_series: Series) -> None:
    # A series in Europe/Berlin: its instances must come back in UTC, with no VTIMEZONE
    # (checked in _events_of) and no TZID parameter.
    start, end = "20260323T000000Z", "20260402T000000Z"
    events = _query_with(tz_series, dav_session, start, end, _expand(start, end))
    expect(len(events) > 0, "expand returned instances")
    local = sorted(f"{name}:{e.get(name).to_ical().decode()}" for e in events
                   for name in ("DTSTART", "DTEND", "RECURRENCE-ID")
                   if e.get(name) is not None and not zones.is_utc(e.get(name)))
    expect_equal(local, [], "expanded date-times not in UTC")
    expect_equal(sorted(zones.moment_text(e.get("DTSTART")) for e in events),
                 sorted(zones.BERLIN_DAILY_UTC), "the UTC start of each instance")


@pytest.mark.requirement("caldav.expand.multiget")
def test_multiget_expands_too(dav_session: RecordingSession, series: Series) -> None:
    events = _multiget_with(series, dav_session, _expand(*EXPAND_RANGE))
    expect_equal(instances(events), EXPECTED_INSTANCES,
                 "(RECURRENCE-ID, DTSTART, SUMMARY) of the instances calendar-multiget expands")
    found = sorted({p for e in events for p in RECURRENCE_PROPERTIES if e.get(p) is not None})
    expect_equal(found, [], "recurrence properties in expanded instances")


@pytest.mark.requirement("caldav.limit-recurrence-set.overrides")
def test_limit_recurrence_set_keeps_the_overrides_in_range(dav_session: RecordingSession,
                                                          series: Series) -> None:
    # 11-13 March holds the current time of the override moved from 8 March (12 March), not
    # the one of 6 March (neither its original nor its current time).
    limit = dav.element(dav.c("limit-recurrence-set"), start="20260311T000000Z",
                        end="20260313T000000Z")
    events = _multiget_with(series, dav_session, limit)
    overrides = sorted(zones.moment_text(e.get("RECURRENCE-ID")) for e in events
                       if e.get("RECURRENCE-ID") is not None)
    masters = [e for e in events if e.get("RECURRENCE-ID") is None]
    expect_equal(len(masters), 1, "master components returned")
    expect_equal(overrides, ["20260308T100000Z"], "overridden components returned")


# --- a series in a zone with daylight saving time, shared with expand.utc -----------------

@pytest.fixture(scope="module")
def tz_series(dav_session: RecordingSession, series: Series) -> Series:
    uid = ical.new_uid()
    url = f"{series.calendar}berlin.ics"
    dav.store(dav_session, url, zones.berlin_daily(uid))
    return Series(series.calendar, url, uid)


@pytest.mark.requirement("caldav.expand.rdate")
def test_expand_returns_the_rdate_instance(dav_session: RecordingSession,
                                           series: Series) -> None:
    start, end = "20260319T000000Z", "20260321T000000Z"
    events = _query_with(series, dav_session, start, end, _expand(start, end))
    expect_equal(instances(events), {("20260320T100000Z", "20260320T100000Z", "Daily stand-up")},
                 "instances expanded on 19-20 March (the RDATE one)")


@pytest.mark.requirement("caldav.expand.exdate")
def test_expand_leaves_out_the_exdate_instance(dav_session: RecordingSession,
                                               series: Series) -> None:
    start, end = "20260303T000000Z", "20260306T000000Z"
    events = _query_with(series, dav_session, start, end, _expand(start, end))
    expect_equal(sorted(zones.moment_text(e.get("RECURRENCE-ID")) for e in events),
                 ["20260303T100000Z", "20260305T100000Z"],
                 "RECURRENCE-IDs expanded on 3-5 March (4 March is an EXDATE)")
