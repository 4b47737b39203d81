"""RFC 4791 §5.3.1: creating calendar collections with MKCALENDAR."""

from __future__ import annotations

import pytest

from conformance import RecordingSession, expect, expect_equal
from suites.caldav import dav
from suites.caldav.conftest import mkcalendar_body, new_collection_url


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
def test_new_calendar_has_calendar_resourcetype(dav_session: RecordingSession, calendar: str) -> None:
    response = dav.propfind(dav_session, calendar, [dav.d("resourcetype")])
    entry = dav.find_response(dav.parse_multistatus(response, "PROPFIND resourcetype"), calendar)
    expect(entry is not None, "PROPFIND on the new calendar returns a response for it")
    assert entry is not None
    resourcetype = entry.prop(dav.d("resourcetype"))
    kinds = [child.tag for child in resourcetype] if resourcetype is not None else []
    expect(dav.c("calendar") in kinds and dav.d("collection") in kinds,
           "DAV:resourcetype of a new calendar holds DAV:collection and CALDAV:calendar",
           expected=[dav.d("collection"), dav.c("calendar")], actual=kinds)
