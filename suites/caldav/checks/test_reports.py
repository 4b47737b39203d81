"""Calendaring REPORTs: calendar-query filters (RFC 4791 §7.8, §9.7), time-range semantics
(§9.9), calendar-multiget (§7.9) and free-busy-query (§7.10).

Every check queries the same small agenda, stored once in a fresh calendar for this module,
and compares the set of matching resources with the set the RFC's rules give. An all-day
event is a floating DATE, whose time depends on the zone the server evaluates it in; its
ranges give the same answer in every zone from UTC-12 to UTC+14.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from conformance.api import RecordingSession, expect, expect_equal
from suites.caldav import dav, ical
from suites.caldav.calendars import CalendarFactory

VEVENT, VTODO = "VEVENT", "VTODO"


@dataclass
class Agenda:
    calendar: str
    urls: dict[str, str]
    uids: dict[str, str]

    def path(self, name: str) -> str:
        return dav.path_of(self.urls[name]).rstrip("/")

    def paths(self, *names: str) -> set[str]:
        return {self.path(n) for n in names}

    @property
    def events(self) -> set[str]:
        return self.paths("meeting", "lunch", "weekly", "holiday")

    @property
    def todos(self) -> set[str]:
        return self.paths("report", "overdue")


AGENDA = {
    # name: (component type, lines after UID/DTSTAMP)
    "meeting": (VEVENT, ["DTSTART:20260310T100000Z", "DTEND:20260310T110000Z",
                         "SUMMARY:Team Meeting", "LOCATION:Room A",
                         "ATTENDEE;PARTSTAT=ACCEPTED:mailto:ana@example.com"]),
    "lunch": (VEVENT, ["DTSTART:20260312T120000Z", "DTEND:20260312T130000Z",
                       "SUMMARY:Lunch with ALICE",
                       "ATTENDEE;PARTSTAT=DECLINED:mailto:bo@example.com"]),
    # Mondays 09:00-10:00 UTC from 5 January 2026, twenty times (until 18 May).
    "weekly": (VEVENT, ["DTSTART:20260105T090000Z", "DTEND:20260105T100000Z",
                        "RRULE:FREQ=WEEKLY;COUNT=20", "SUMMARY:Weekly sync"]),
    "holiday": (VEVENT, ["DTSTART;VALUE=DATE:20260320", "DTEND;VALUE=DATE:20260321",
                         "SUMMARY:Spring holiday"]),
    "report": (VTODO, ["DTSTART:20260310T090000Z", "DUE:20260311T170000Z",
                       "SUMMARY:Write the report"]),
    "overdue": (VTODO, ["DUE:20200101T120000Z", "SUMMARY:Renew the passport"]),
}


@pytest.fixture(scope="module")
def agenda(dav_session: RecordingSession, calendar_home: str) -> Iterator[Agenda]:
    """One agenda for the whole module: these checks only read it (REPORT), so sharing it
    keeps them independent while storing six objects once instead of once per check."""
    calendars = CalendarFactory(dav_session, calendar_home)
    calendar = calendars.create()
    urls, uids = {}, {}
    try:
        for name, (kind, lines) in AGENDA.items():
            uid = ical.new_uid()
            url = f"{calendar}{name}.ics"
            dav.store(dav_session, url, ical.calendar_text(ical.component(kind, uid, *lines)))
            urls[name], uids[name] = url, uid
        yield Agenda(calendar, urls, uids)
    finally:
        calendars.cleanup()


def query(session: RecordingSession, agenda: Agenda, *filters: etree._Element,
          what: str) -> set[str]:
    response = dav.report(session, agenda.calendar, dav.calendar_query(*filters))
    return dav.matched_paths(response, what)


def events_where(*children: etree._Element) -> etree._Element:
    return dav.comp_filter(VEVENT, *children)


@pytest.mark.requirement("caldav.query.comp-filter")
@pytest.mark.parametrize("kind", [VEVENT, VTODO])
def test_comp_filter_selects_the_component_type(dav_session: RecordingSession, agenda: Agenda,
                                                kind: str) -> None:
    found = query(dav_session, agenda, dav.comp_filter(kind), what=f"comp-filter {kind}")
    expect_equal(found, agenda.events if kind == VEVENT else agenda.todos,
                 f"resources matching comp-filter {kind}")


@pytest.mark.requirement("caldav.query.prop-filter")
def test_prop_filter_on_a_defined_property(dav_session: RecordingSession,
                                           agenda: Agenda) -> None:
    found = query(dav_session, agenda, events_where(dav.prop_filter("LOCATION")),
                  what="prop-filter LOCATION")
    expect_equal(found, agenda.paths("meeting"), "events having a LOCATION")
    found = query(dav_session, agenda,
                  events_where(dav.prop_filter("SUMMARY", dav.text_match("sync"))),
                  what="prop-filter SUMMARY text-match")
    expect_equal(found, agenda.paths("weekly"), "events whose SUMMARY contains 'sync'")


@pytest.mark.requirement("caldav.query.param-filter")
def test_param_filter_on_partstat(dav_session: RecordingSession, agenda: Agenda) -> None:
    found = query(dav_session, agenda, events_where(dav.prop_filter(
        "ATTENDEE", dav.param_filter("PARTSTAT", dav.text_match("DECLINED")))),
        what="param-filter PARTSTAT")
    expect_equal(found, agenda.paths("lunch"), "events with an ATTENDEE;PARTSTAT=DECLINED")


@pytest.mark.requirement("caldav.query.is-not-defined")
def test_is_not_defined_selects_components_lacking_the_property(
        dav_session: RecordingSession, agenda: Agenda) -> None:
    found = query(dav_session, agenda,
                  events_where(dav.prop_filter("LOCATION", dav.is_not_defined())),
                  what="prop-filter LOCATION is-not-defined")
    expect_equal(found, agenda.paths("lunch", "weekly", "holiday"), "events without LOCATION")


@pytest.mark.requirement("caldav.query.text-match-caseless")
@pytest.mark.parametrize("text,expected", [("team meeting", "meeting"), ("alice", "lunch"),
                                           ("HOLIDAY", "holiday")])
def test_text_match_ignores_ascii_case_by_default(dav_session: RecordingSession,
                                                  agenda: Agenda, text: str,
                                                  expected: str) -> None:
    found = query(dav_session, agenda,
                  events_where(dav.prop_filter("SUMMARY", dav.text_match(text))),
                  what=f"text-match {text!r}")
    expect_equal(found, agenda.paths(expected), f"events whose SUMMARY contains {text!r} "
                 "under i;ascii-casemap")


@pytest.mark.requirement("caldav.query.text-match-negate")
def test_negated_text_match(dav_session: RecordingSession, agenda: Agenda) -> None:
    found = query(dav_session, agenda,
                  events_where(dav.prop_filter("SUMMARY", dav.text_match("meeting", True))),
                  what="negated text-match")
    expect_equal(found, agenda.paths("lunch", "weekly", "holiday"),
                 "events whose SUMMARY does not contain 'meeting'")


@pytest.mark.requirement("caldav.query.collation-octet")
@pytest.mark.parametrize("text,expected", [("Team Meeting", {"meeting"}),
                                           ("team meeting", set())])
def test_octet_collation_is_case_sensitive(dav_session: RecordingSession, agenda: Agenda,
                                           text: str, expected: set[str]) -> None:
    response = dav.report(dav_session, agenda.calendar, dav.calendar_query(events_where(
        dav.prop_filter("SUMMARY", dav.text_match(text, collation="i;octet")))))
    expect(response.status_code == 207, "calendar-query with collation i;octet is supported",
           expected=207, actual=response.status_code)
    found = dav.matched_paths(response, "text-match i;octet")
    expect_equal(found, agenda.paths(*expected), f"events whose SUMMARY contains {text!r} "
                 "under i;octet")


def in_range(start: str, end: str, kind: str = VEVENT) -> etree._Element:
    return dav.comp_filter(kind, dav.time_range(start, end))


@pytest.mark.requirement("caldav.query.time-range-vevent")
@pytest.mark.parametrize("start,end,expected", [
    ("20260310T103000Z", "20260310T104500Z", {"meeting"}),   # inside the event
    ("20260310T090000Z", "20260310T100001Z", {"meeting"}),   # overlaps its start
    ("20260310T110000Z", "20260310T120000Z", set()),         # starts as it ends
    ("20260310T080000Z", "20260310T100000Z", set()),         # ends as it starts
    ("20260312T000000Z", "20260313T000000Z", {"lunch"}),
])
def test_time_range_on_events(dav_session: RecordingSession, agenda: Agenda, start: str,
                              end: str, expected: set[str]) -> None:
    found = query(dav_session, agenda, in_range(start, end), what=f"time-range {start}/{end}")
    expect_equal(found, agenda.paths(*expected), f"events overlapping {start}/{end}")


@pytest.mark.requirement("caldav.query.time-range-recurring")
@pytest.mark.parametrize("start,end,expected", [
    ("20260316T083000Z", "20260316T093000Z", {"weekly"}),    # the 11th Monday instance
    ("20260317T083000Z", "20260317T093000Z", set()),         # a Tuesday between instances
    ("20260601T000000Z", "20260701T000000Z", set()),         # after the 20th instance
])
def test_time_range_on_recurring_events(dav_session: RecordingSession, agenda: Agenda,
                                        start: str, end: str, expected: set[str]) -> None:
    found = query(dav_session, agenda, in_range(start, end), what=f"time-range {start}/{end}")
    expect_equal(found, agenda.paths(*expected), f"events with an instance in {start}/{end}")


@pytest.mark.requirement("caldav.query.time-range-all-day")
@pytest.mark.parametrize("start,end,expected", [
    ("20260320T090000Z", "20260320T130000Z", {"holiday"}),
    ("20260322T100000Z", "20260322T110000Z", set()),
    ("20260318T000000Z", "20260318T100000Z", set()),
])
def test_time_range_on_all_day_events(dav_session: RecordingSession, agenda: Agenda,
                                      start: str, end: str, expected: set[str]) -> None:
    found = query(dav_session, agenda, in_range(start, end), what=f"time-range {start}/{end}")
    expect_equal(found, agenda.paths(*expected), f"all-day events overlapping {start}/{end}")


@pytest.mark.requirement("caldav.query.time-range-vtodo")
@pytest.mark.parametrize("start,end,expected", [
    ("20260311T000000Z", "20260311T010000Z", {"report"}),    # between DTSTART and DUE
    ("20260401T000000Z", "20260402T000000Z", set()),         # after both tasks
])
def test_time_range_on_tasks(dav_session: RecordingSession, agenda: Agenda, start: str,
                             end: str, expected: set[str]) -> None:
    found = query(dav_session, agenda, in_range(start, end, VTODO),
                  what=f"VTODO time-range {start}/{end}")
    expect_equal(found, agenda.paths(*expected), f"tasks overlapping {start}/{end}")


@pytest.mark.requirement("caldav.query.calendar-data")
def test_query_returns_calendar_data(dav_session: RecordingSession, agenda: Agenda) -> None:
    response = dav.report(dav_session, agenda.calendar, dav.calendar_query(
        dav.comp_filter(VTODO)))
    entries = dav.parse_multistatus(response, "calendar-query with calendar-data")
    by_path = {dav.path_of(e.href).rstrip("/"): e for e in entries}
    # One response per matching task, and none for anything else.
    expect_equal(sorted(dav.path_of(e.href).rstrip("/") for e in entries),
                 sorted(agenda.todos), "hrefs of the calendar-query for VTODO")
    for name in ("report", "overdue"):
        entry = by_path.get(agenda.path(name))
        expect(entry is not None, f"a response for the matching task {name}",
               expected=agenda.path(name), actual=sorted(by_path))
        assert entry is not None
        data = dav.prop_text(entry, dav.c("calendar-data"))
        expect(bool(data), f"CALDAV:calendar-data of {name} is returned",
               expected="iCalendar data", actual=entry.prop_status(dav.c("calendar-data")))
        assert data is not None
        expect_equal(ical.uids(data, f"calendar-data of {name}"), {agenda.uids[name]},
                     f"UIDs in the calendar-data returned for {name}")


@pytest.mark.requirement("caldav.multiget.calendar-data")
def test_multiget_returns_data_and_etags(dav_session: RecordingSession, agenda: Agenda) -> None:
    names = ["meeting", "report"]
    response = dav.report(dav_session, agenda.calendar, dav.calendar_multiget(
        [agenda.path(n) for n in names]), depth=None)
    listed = dav.parse_multistatus(response, "calendar-multiget")
    entries = {dav.path_of(e.href).rstrip("/"): e for e in listed}
    # A response for each href asked for, once, and none for any other resource.
    expect_equal(sorted(dav.path_of(e.href).rstrip("/") for e in listed),
                 sorted(agenda.path(n) for n in names), "hrefs of the calendar-multiget answer")
    for name in names:
        entry = entries.get(agenda.path(name))
        expect(entry is not None, f"a response for the requested href of {name}",
               expected=agenda.path(name), actual=sorted(entries))
        assert entry is not None
        expect_equal(dav.prop_text(entry, dav.d("getetag")),
                     dav.current_etag(dav_session, agenda.urls[name]),
                     f"DAV:getetag returned for {name}")
        data = dav.prop_text(entry, dav.c("calendar-data")) or ""
        expect_equal(ical.uids(data, f"calendar-data of {name}"), {agenda.uids[name]},
                     f"UIDs in the calendar-data returned for {name}")


@pytest.mark.requirement("caldav.multiget.missing-href")
def test_multiget_reports_a_missing_href_404(dav_session: RecordingSession,
                                             agenda: Agenda) -> None:
    missing = f"{dav.path_of(agenda.calendar)}no-such-event.ics"
    response = dav.report(dav_session, agenda.calendar, dav.calendar_multiget(
        [agenda.path("meeting"), missing]), depth=None)
    listed = dav.parse_multistatus(response, "calendar-multiget")
    entry = dav.find_response(listed, missing)
    expect(entry is not None, "the multistatus holds a response for the missing href",
           expected=missing, actual=response.text[:300])
    assert entry is not None
    status = entry.status if entry.status is not None else next(
        (p.status for p in entry.propstats), None)
    expect_equal(status, 404, "status reported for the missing href")
    expect_equal(sorted(dav.path_of(e.href).rstrip("/") for e in listed),
                 sorted([agenda.path("meeting"), missing.rstrip("/")]),
                 "hrefs of the calendar-multiget answer (one existing, one missing)")


def busy_periods(body: bytes) -> list[tuple[datetime, datetime]]:
    calendar = ical.parse(body, "free-busy-query response")
    found = ical.components(calendar, "VFREEBUSY")
    expect_equal(len(found), 1, "number of VFREEBUSY components in the free-busy answer")
    periods = []
    values = found[0].get("FREEBUSY", [])
    for value in values if isinstance(values, list) else [values]:
        for period in value.dt if isinstance(value.dt, list) else [value.dt]:
            start, end_or_length = period if isinstance(period, tuple) else period.dt
            end = start + end_or_length if isinstance(end_or_length, timedelta) \
                else end_or_length
            periods.append((start.astimezone(UTC), end.astimezone(UTC)))
    return periods


def merged(periods: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The busy time as disjoint periods: servers may split or coalesce FREEBUSY periods, so
    touching and overlapping ones are joined before comparing."""
    joined: list[tuple[datetime, datetime]] = []
    for start, end in sorted(periods):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


@pytest.mark.requirement("caldav.freebusy.vfreebusy")
@pytest.mark.parametrize("day,busy,free", [
    # 10 March: the meeting 10:00-11:00 is busy, the afternoon is free.
    ("20260310", ("10:00", "11:00"), ("14:00", "15:00")),
    # 16 March: an instance of the weekly sync 09:00-10:00, nothing at noon.
    ("20260316", ("09:00", "10:00"), ("12:00", "13:00")),
])
def test_free_busy_query_reports_busy_time(dav_session: RecordingSession, agenda: Agenda,
                                           day: str, busy: tuple[str, str],
                                           free: tuple[str, str]) -> None:
    response = dav.report(dav_session, agenda.calendar,
                          dav.free_busy_query(f"{day}T000000Z", f"{day}T235959Z"))
    expect_equal(response.status_code, 200, "status of free-busy-query")
    periods = busy_periods(response.content)

    def moment(clock: str) -> datetime:
        return datetime.strptime(f"{day} {clock}", "%Y%m%d %H:%M").replace(tzinfo=UTC)

    shown = [(s.isoformat(), e.isoformat()) for s, e in merged(periods)]
    expect(not any(s < moment(free[1]) and moment(free[0]) < e for s, e in periods),
           f"FREEBUSY leaves the free time {day} {free[0]}-{free[1]} UTC out",
           expected="no busy period there", actual=shown)
    # The day holds one busy event (VTODOs and the all-day holiday elsewhere do not count,
    # RFC 4791 §7.10): its time exactly, neither less nor more.
    expect_equal(shown, [(moment(busy[0]).isoformat(), moment(busy[1]).isoformat())],
                 f"busy time in the FREEBUSY periods of {day}")


@pytest.mark.requirement("caldav.content-type.text-calendar")
def test_free_busy_answer_is_labelled_text_calendar(dav_session: RecordingSession,
                                                    agenda: Agenda) -> None:
    response = dav.report(dav_session, agenda.calendar,
                          dav.free_busy_query("20260310T000000Z", "20260311T000000Z"))
    expect_equal(response.status_code, 200, "status of free-busy-query")
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    expect_equal(media_type, "text/calendar", "media type of the free-busy-query answer")
