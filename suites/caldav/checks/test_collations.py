"""Collations named in a text-match (RFC 4791 §7.5.1): a server MUST support i;ascii-casemap
when a query names it, not only as the default collation of an unnamed text-match."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from lxml import etree

from conformance.api import RecordingSession, expect, expect_equal
from suites.caldav import dav, ical
from suites.caldav.calendars import CalendarFactory

SUMMARIES = {"meeting": "Team Meeting", "lunch": "Lunch break"}


@dataclass
class Summaries:
    calendar: str
    paths: dict[str, str]


@pytest.fixture(scope="module")
def summaries(dav_session: RecordingSession, calendar_home: str) -> Iterator[Summaries]:
    calendars = CalendarFactory(dav_session, calendar_home)
    calendar = calendars.create()
    paths = {}
    try:
        for day, (name, summary) in enumerate(SUMMARIES.items(), start=10):
            url = f"{calendar}{name}.ics"
            dav.store(dav_session, url, ical.calendar_text(ical.component(
                "VEVENT", ical.new_uid(), f"DTSTART:202604{day}T100000Z",
                f"DTEND:202604{day}T110000Z", f"SUMMARY:{summary}")))
            paths[name] = dav.path_of(url).rstrip("/")
        yield Summaries(calendar, paths)
    finally:
        calendars.cleanup()


def summary_query(text: str, collation: str) -> etree._Element:
    return dav.calendar_query(dav.comp_filter("VEVENT", dav.prop_filter(
        "SUMMARY", dav.text_match(text, collation=collation))))


@pytest.mark.requirement("caldav.query.collation-ascii-casemap")
@pytest.mark.parametrize("text", ["TEAM MEETING", "team meeting"])
def test_named_ascii_casemap_ignores_case(dav_session: RecordingSession, summaries: Summaries,
                                          text: str) -> None:
    response = dav.report(dav_session, summaries.calendar, summary_query(text, "i;ascii-casemap"))
    expect(response.status_code == 207, "calendar-query with collation i;ascii-casemap is "
           "supported", expected=207, actual=response.status_code)
    found = dav.matched_paths(response, "text-match i;ascii-casemap")
    expect_equal(found, {summaries.paths["meeting"]},
                 f"events whose SUMMARY contains {text!r} under i;ascii-casemap")

