"""Access control as CalDAV requires it (RFC 4791 §2: WebDAV ACL, RFC 3744): the privileges
the server reports for the account on its own calendar (DAV:current-user-privilege-set,
RFC 3744 §5.4) include reading and writing, which the account is seen to do.

DAV:all contains every privilege and DAV:write contains write-content and write-properties
(RFC 3744 §3.12, §3.2), so either grants what the owner needs.
"""

from __future__ import annotations

import pytest

from conformance.api import RecordingSession, expect, expect_equal
from suites.caldav import dav, ical

READ = {dav.d("read"), dav.d("all")}
WRITE = {dav.d("write"), dav.d("all")}


@pytest.mark.requirement("caldav.acl.owner-privileges")
def test_owner_may_read_and_write_its_calendar(dav_session: RecordingSession,
                                               calendar: str) -> None:
    # The account does write and read here, so a privilege set without them is wrong.
    url = f"{calendar}mine.ics"
    dav.store(dav_session, url, ical.simple_event())
    expect_equal(dav_session.get(url).status_code, 200, "GET of the account's own event")
    tag = dav.d("current-user-privilege-set")
    entry = dav.single_response(dav.propfind(dav_session, calendar, [tag]), calendar,
                                "PROPFIND current-user-privilege-set")
    value = entry.prop(tag)
    expect(value is not None, "the calendar reports DAV:current-user-privilege-set "
           f"(propstat {entry.prop_status(tag)})")
    assert value is not None
    granted = {child.tag for privilege in value.iter(dav.d("privilege")) for child in privilege}
    expect(bool(granted & READ), f"a read privilege is granted: {sorted(granted)}")
    expect(bool(granted & WRITE), f"a write privilege is granted: {sorted(granted)}")
