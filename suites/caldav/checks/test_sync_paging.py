"""sync-collection with a client limit (RFC 6578 §3.7): "If a server is unable to truncate
the result at or below the requested number, then it MUST fail the request with a
DAV:number-of-matches-within-limits post-condition error."

The check stores five events and asks for two. Entries for the request-URI (the 507 that
RFC 6578 §3.6 uses to mark a truncated result) are not members and are not counted.
"""

from __future__ import annotations

import pytest

from conformance.api import RecordingSession, expect
from suites.caldav import dav, ical

MEMBERS, LIMIT = 5, 2


@pytest.mark.requirement("caldav.sync.limit-honoured")
def test_sync_collection_honours_nresults(dav_session: RecordingSession, calendar: str) -> None:
    for number in range(MEMBERS):
        dav.store(dav_session, f"{calendar}member-{number}.ics", ical.simple_event())
    body = dav.sync_collection("")
    body.insert(2, dav.element(dav.d("limit"), dav.element(dav.d("nresults"), text=str(LIMIT))))
    response = dav.report(dav_session, calendar, body)
    if response.status_code != 207:
        expect(dav.d("number-of-matches-within-limits") in dav.error_conditions(response),
               f"a refused limited sync ({response.status_code}) names "
               "DAV:number-of-matches-within-limits")
        return
    members = {dav.path_of(r.href).rstrip("/")
               for r in dav.parse_multistatus(response, "limited sync-collection")
               if not dav.same_path(r.href, calendar)}
    expect(0 < len(members) <= LIMIT,
           f"a sync limited to {LIMIT} results lists 1 to {LIMIT} of the {MEMBERS} members, "
           f"got {len(members)}: {sorted(members)}")
