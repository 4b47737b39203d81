"""OPTIONS: the DAV header announces WebDAV class 1 (RFC 4918 §10.1) and calendar access
(RFC 4791 §5.1) on calendar collections and calendar object resources."""

from __future__ import annotations

import pytest

from conformance.api import RecordingSession, expect
from suites.caldav import dav, ical


@pytest.fixture
def targets(dav_session: RecordingSession, calendar: str) -> dict[str, str]:
    event = f"{calendar}options.ics"
    dav.store(dav_session, event, ical.simple_event())
    return {"calendar collection": calendar, "calendar object resource": event}


@pytest.mark.requirement("caldav.options.dav-class-1")
@pytest.mark.parametrize("target", ["calendar collection", "calendar object resource"])
def test_dav_header_names_class_1(dav_session: RecordingSession, targets: dict[str, str],
                                  target: str) -> None:
    response = dav_session.request("OPTIONS", targets[target])
    tokens = dav.dav_header_tokens(response)
    expect("1" in tokens, f"the DAV header of OPTIONS on a {target} names compliance class 1",
           expected="1", actual=response.headers.get("DAV"))


@pytest.mark.requirement("caldav.options.calendar-access")
@pytest.mark.parametrize("target", ["calendar collection", "calendar object resource"])
def test_dav_header_names_calendar_access(dav_session: RecordingSession,
                                          targets: dict[str, str], target: str) -> None:
    response = dav_session.request("OPTIONS", targets[target])
    tokens = dav.dav_header_tokens(response)
    expect("calendar-access" in tokens,
           f"the DAV header of OPTIONS on a {target} names calendar-access",
           expected="calendar-access", actual=response.headers.get("DAV"))
