"""Collations named in a text-match (RFC 4791 §7.5.1): a server MUST support i;ascii-casemap
when a query names it (not only as the default), and a collation it does not support is
refused with the CALDAV:supported-collation precondition (RFC 4791 §7.8, §1.3)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

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


def summary_query(text: str, collation: str) -> bytes:
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


@pytest.mark.requirement("caldav.query.supported-collation")
def test_unknown_collation_is_refused(dav_session: RecordingSession,
                                      summaries: Summaries) -> None:
    response = dav.report(dav_session, summaries.calendar,
                          summary_query("Team", "x-eos;no-such-collation"))
    expect(response.status_code in (403, 409), "a text-match naming an unsupported collation "
           "is refused (403/409)", expected="403 or 409", actual=response.status_code)
    expect(dav.c("supported-collation") in dav.error_conditions(response),
           "the refusal names CALDAV:supported-collation in a DAV:error body")
