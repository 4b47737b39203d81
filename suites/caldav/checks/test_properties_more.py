"""More calendar collection properties: CALDAV:min-date-time and CALDAV:max-date-time
(RFC 4791 §5.2.6, §5.2.7) hold an iCalendar DATE-TIME in UTC and, where defined, are
protected, so PROPPATCH cannot change them.

Each of these properties MAY be defined; a 404 propstat (RFC 4918 §9.1) says the server does
not define it, so its rules have nothing to apply to and the check says inapplicable
(``defined_value``). A protected property is refused with a 403 propstat (RFC 4918 §9.2.1).
"""

from __future__ import annotations

import re

import pytest

from conformance.api import RecordingSession, expect
from suites.caldav import dav
from suites.caldav.checks.test_limits import defined_value, refuses_change

# RFC 5545 §3.3.5, form 2 (UTC time): date, "T", time, "Z".
UTC_DATE_TIME = re.compile(r"\d{8}T\d{6}Z")


def value_text(session: RecordingSession, calendar: str, local: str) -> str:
    return "".join(defined_value(session, calendar, dav.c(local)).itertext()).strip()


@pytest.mark.requirement("caldav.limits.min-date-time-value")
def test_min_date_time_is_a_utc_date_time(dav_session: RecordingSession, calendar: str) -> None:
    text = value_text(dav_session, calendar, "min-date-time")
    expect(UTC_DATE_TIME.fullmatch(text) is not None,
           f"CALDAV:min-date-time {text!r} is an iCalendar DATE-TIME in UTC")


@pytest.mark.requirement("caldav.limits.max-date-time-value")
def test_max_date_time_is_a_utc_date_time(dav_session: RecordingSession, calendar: str) -> None:
    text = value_text(dav_session, calendar, "max-date-time")
    expect(UTC_DATE_TIME.fullmatch(text) is not None,
           f"CALDAV:max-date-time {text!r} is an iCalendar DATE-TIME in UTC")


@pytest.mark.requirement("caldav.protected.min-date-time")
def test_min_date_time_is_protected(dav_session: RecordingSession, calendar: str) -> None:
    tag = dav.c("min-date-time")
    refuses_change(dav_session, calendar, tag, dav.element(tag, text="20200101T000000Z"))


@pytest.mark.requirement("caldav.protected.max-date-time")
def test_max_date_time_is_protected(dav_session: RecordingSession, calendar: str) -> None:
    tag = dav.c("max-date-time")
    refuses_change(dav_session, calendar, tag, dav.element(tag, text="20300101T000000Z"))
