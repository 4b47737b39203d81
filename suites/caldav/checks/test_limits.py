"""Limits and protected properties of calendar collections: CALDAV:max-resource-size is a
positive integer (RFC 4791 §5.2.5), and the properties RFC 4791 §5.2.3-5.2.5 and RFC 4918
§15.6 say "MUST be protected" cannot be changed by PROPPATCH.

Each of these CalDAV properties MAY be defined; where the server does not define it (a 404
propstat, RFC 4918 §9.1) the rule has nothing to apply to and the check says inapplicable.
A protected property is refused with a 403 propstat (RFC 4918 §9.2.1,
DAV:cannot-modify-protected-property); a 409 (the instruction failed) is also a refusal.
"""

from __future__ import annotations

import pytest
from lxml import etree

from conformance.api import RecordingSession, expect, expect_equal, inapplicable
from suites.caldav import dav, ical

REFUSED = (403, 409)


def defined_value(session: RecordingSession, url: str, tag: str) -> etree._Element:
    """The property's value, or inapplicable when the server answers it 404 (not defined)."""
    entry = dav.single_response(dav.propfind(session, url, [tag]), url, f"PROPFIND {tag}")
    value = entry.prop(tag)
    if value is None:
        status = entry.prop_status(tag)
        if status == 404:
            inapplicable(f"PROPFIND answered {tag} with a 404 propstat (RFC 4918 §9.1)",
                         "the server does not define this optional property")
        expect(False, f"PROPFIND reports {tag} with 200 or 404, not {status}")
    assert value is not None
    return value


def canonical(value: etree._Element) -> bytes:
    return bytes(etree.tostring(value, method="c14n"))


@pytest.mark.requirement("caldav.limits.max-resource-size-value")
def test_max_resource_size_is_a_positive_integer(dav_session: RecordingSession,
                                                 calendar: str) -> None:
    text = "".join(defined_value(dav_session, calendar, dav.c("max-resource-size")).itertext())
    expect(text.strip().isdigit() and int(text) > 0,
           f"CALDAV:max-resource-size {text.strip()!r} is a positive integer")


def refuses_change(session: RecordingSession, url: str, tag: str,
                   attempt: etree._Element) -> None:
    before = defined_value(session, url, tag)
    entry = dav.single_response(dav.proppatch(session, url, [attempt]), url, f"PROPPATCH {tag}")
    status = entry.prop_status(tag)
    expect(status in REFUSED, f"PROPPATCH of the protected {tag} is refused (403), got {status}")
    after = defined_value(session, url, tag)
    expect_equal(canonical(after), canonical(before), f"{tag} after the refused PROPPATCH")


@pytest.mark.requirement("caldav.protected.supported-calendar-component-set")
def test_component_set_is_protected(dav_session: RecordingSession, calendar: str) -> None:
    tag = dav.c("supported-calendar-component-set")
    refuses_change(dav_session, calendar, tag,
                   dav.element(tag, dav.element(dav.c("comp"), name="VJOURNAL")))


@pytest.mark.requirement("caldav.protected.supported-calendar-data")
def test_supported_calendar_data_is_protected(dav_session: RecordingSession,
                                              calendar: str) -> None:
    tag = dav.c("supported-calendar-data")
    refuses_change(dav_session, calendar, tag, dav.element(tag, dav.element(
        dav.c("calendar-data"), **{"content-type": "application/json", "version": "1.0"})))


@pytest.mark.requirement("caldav.protected.getetag")
def test_getetag_is_protected(dav_session: RecordingSession, calendar: str) -> None:
    url = f"{calendar}etag.ics"
    dav.store(dav_session, url, ical.simple_event())
    refuses_change(dav_session, url, dav.d("getetag"),
                   dav.element(dav.d("getetag"), text='"chosen-by-the-client"'))
