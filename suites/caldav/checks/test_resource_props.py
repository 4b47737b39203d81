"""Live properties of calendar object resources against what GET answers (RFC 4918 §15.4,
§15.6, §15.7): DAV:getetag is the ETag header, DAV:getcontentlength the body's length and
DAV:getlastmodified the Last-Modified date."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import pytest

from conformance.api import RecordingSession, expect, expect_equal, inapplicable
from suites.caldav import dav, ical


def stored(session: RecordingSession, calendar: str, tag: str) -> tuple[object, str | None]:
    url = f"{calendar}props.ics"
    dav.store(session, url, ical.simple_event())
    response = session.get(url)
    expect_equal(response.status_code, 200, f"GET {dav.path_of(url)}")
    entry = dav.single_response(dav.propfind(session, url, [tag]), url, f"PROPFIND {tag}")
    return response, dav.prop_text(entry, tag)


@pytest.mark.requirement("caldav.props.getetag-matches-header")
def test_getetag_is_the_etag_header(dav_session: RecordingSession, calendar: str) -> None:
    response, value = stored(dav_session, calendar, dav.d("getetag"))
    header = getattr(response, "headers", {}).get("ETag")
    expect(bool(header), "GET answers an ETag header")
    expect_equal(value, header, "DAV:getetag against the ETag header of GET")


@pytest.mark.requirement("caldav.props.getcontentlength")
def test_getcontentlength_is_the_body_length(dav_session: RecordingSession,
                                             calendar: str) -> None:
    response, value = stored(dav_session, calendar, dav.d("getcontentlength"))
    body = getattr(response, "content", b"")
    expect(bool(body), "GET answers a body")
    expect_equal(value, str(len(body)), "DAV:getcontentlength against the GET body's octets")


@pytest.mark.requirement("caldav.props.getlastmodified")
def test_getlastmodified_is_the_last_modified_header(dav_session: RecordingSession,
                                                     calendar: str) -> None:
    response, value = stored(dav_session, calendar, dav.d("getlastmodified"))
    header = getattr(response, "headers", {}).get("Last-Modified")
    if not header:
        # §15.7 covers only resources whose GET answers Last-Modified.
        inapplicable("GET answers no Last-Modified header (RFC 4918 §15.7 applies to "
                     "resources that return it)", "nothing to compare the property with")
    expect(bool(value), "DAV:getlastmodified is defined")
    expect_equal(parsedate_to_datetime(value or ""), parsedate_to_datetime(header),
                 "DAV:getlastmodified against the Last-Modified header of GET")
