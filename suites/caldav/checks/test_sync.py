"""Collection synchronisation with the sync-collection REPORT (RFC 6578)."""

from __future__ import annotations

import re

import pytest
import requests

from conformance.api import RecordingSession, cant_tell, current_evidence, expect, expect_equal
from suites.caldav import dav, ical

# RFC 3986 §3: scheme ":" hier-part, without white space.
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


def sync(session: RecordingSession, calendar: str, token: str) -> requests.Response:
    # RFC 6578 §3.2: the report is defined for Depth: 0 only.
    return dav.report(session, calendar, dav.sync_collection(token), depth="0")


def entries_by_path(response: requests.Response, what: str) -> dict[str, dav.DavResponse]:
    return {dav.path_of(e.href).rstrip("/"): e for e in dav.parse_multistatus(response, what)}


def reported(response: requests.Response, what: str) -> list[tuple[str, int | None]]:
    """Each DAV:response of a sync-collection answer: its path and status, in order (a
    member listed twice appears twice)."""
    return [(dav.path_of(e.href).rstrip("/"), status_of(e))
            for e in dav.parse_multistatus(response, what)]


def status_of(entry: dav.DavResponse) -> int | None:
    if entry.status is not None:
        return entry.status
    return next((p.status for p in entry.propstats), None)


def uid_of(url: str) -> str:
    return f"eos-sync-{dav.path_of(url).strip('/').replace('/', '-')}"


@pytest.fixture
def synced(dav_session: RecordingSession, calendar: str) -> tuple[str, list[str], str]:
    """A calendar with three events, and the token of an initial sync of it."""
    members = [f"{calendar}{name}.ics" for name in ("keep", "change", "drop")]
    for member in members:
        # The UID derives from the URL, so a later PUT to the URL is a modification.
        dav.store(dav_session, member, ical.simple_event(uid_of(member), "first version"))
    response = sync(dav_session, calendar, "")
    if response.status_code != 207:
        cant_tell(f"the initial sync-collection answered {response.status_code}")
    token = dav.sync_token_of(response, "initial sync-collection")
    if not token:
        cant_tell("the initial sync-collection returned no DAV:sync-token to continue from")
    return calendar, members, token


@pytest.mark.requirement("caldav.sync.supported-report")
def test_sync_collection_is_advertised(dav_session: RecordingSession, calendar: str) -> None:
    entry = dav.single_response(
        dav.propfind(dav_session, calendar, [dav.d("supported-report-set")]), calendar,
        "PROPFIND supported-report-set")
    reports = dav.supported_reports(entry.prop(dav.d("supported-report-set")))
    expect(dav.d("sync-collection") in reports,
           "DAV:supported-report-set of a calendar lists DAV:sync-collection",
           expected=dav.d("sync-collection"), actual=reports)


@pytest.mark.requirement("caldav.sync.initial")
def test_initial_sync_lists_every_member(dav_session: RecordingSession, calendar: str) -> None:
    members = [f"{calendar}{n}.ics" for n in ("a", "b", "c")]
    for member in members:
        dav.store(dav_session, member, ical.simple_event())
    # A member removed before the first sync is no news to a client starting from nothing.
    gone = f"{calendar}gone.ics"
    dav.store(dav_session, gone, ical.simple_event())
    if not 200 <= dav_session.request("DELETE", gone).status_code < 300:
        cant_tell("could not delete a member before the initial sync")
    listed = reported(sync(dav_session, calendar, ""), "initial sync-collection")
    removed = sorted(p for p, status in listed if status == 404)
    expect(removed == [], "the initial sync reports no removed members", expected=[],
           actual=removed)
    # RFC 6578 §3.4: all member URLs, and only those: each member once, nothing else.
    expect_equal(sorted(p for p, _ in listed), sorted(dav.path_of(m) for m in members),
                 "members the initial sync lists")


@pytest.mark.requirement("caldav.sync.response-token")
def test_sync_returns_a_token_that_moves_on(dav_session: RecordingSession,
                                           calendar: str) -> None:
    dav.store(dav_session, f"{calendar}old.ics", ical.simple_event())
    response = sync(dav_session, calendar, "")
    expect_equal(response.status_code, 207, "status of an initial sync-collection")
    first = dav.sync_token_of(response, "initial sync-collection")
    expect(bool(first), "the initial sync-collection response holds a DAV:sync-token",
           expected="a token", actual=first)
    assert first is not None
    dav.store(dav_session, f"{calendar}new.ics", ical.simple_event())
    response = sync(dav_session, calendar, first)
    expect_equal(response.status_code, 207, "status of an incremental sync-collection")
    second = dav.sync_token_of(response, "incremental sync-collection")
    expect(bool(second), "the incremental sync-collection response holds a DAV:sync-token",
           expected="a token", actual=second)
    expect(second != first, "the sync token changes once the collection changed",
           expected=f"not {first}", actual=second)


@pytest.mark.requirement("caldav.sync.token-is-uri")
def test_sync_token_is_a_uri(dav_session: RecordingSession, calendar: str) -> None:
    dav.store(dav_session, f"{calendar}one.ics", ical.simple_event())
    token = dav.sync_token_of(sync(dav_session, calendar, ""), "initial sync-collection")
    expect(token is not None and URI.fullmatch(token) is not None,
           "the DAV:sync-token is an absolute URI (scheme \":\" ...)",
           expected="e.g. http://server.example/ns/sync/42", actual=token)


@pytest.mark.requirement("caldav.sync.changed-members")
def test_incremental_sync_reports_new_and_changed(dav_session: RecordingSession,
                                                  synced: tuple[str, list[str], str]) -> None:
    calendar, members, token = synced
    created = f"{calendar}created.ics"
    dav.store(dav_session, created, ical.simple_event(None, "created"))
    changed = members[1]
    dav.store(dav_session, changed, ical.simple_event(uid_of(changed), "second version"))
    listed = reported(sync(dav_session, calendar, token), "incremental sync-collection")
    for url, what in ((created, "created"), (changed, "modified")):
        statuses = [status for path, status in listed if path == dav.path_of(url)]
        expect(statuses != [], f"the incremental sync reports the {what} member",
               expected=dav.path_of(url), actual=listed)
        expect(404 not in statuses, f"the {what} member is not reported as removed",
               expected="a propstat", actual=statuses)
    # RFC 6578 §3.2: a response for each member added, changed or removed since the
    # token, each once; the untouched members did not change.
    expect_equal(sorted(p for p, _ in listed), sorted(dav.path_of(u) for u in (created, changed)),
                 "members the incremental sync reports after one creation and one change")


@pytest.mark.requirement("caldav.sync.removed-members")
def test_incremental_sync_reports_removed_with_404(dav_session: RecordingSession,
                                                   synced: tuple[str, list[str], str]) -> None:
    calendar, members, token = synced
    dropped = members[2]
    response = dav_session.request("DELETE", dropped)
    if not 200 <= response.status_code < 300:
        cant_tell(f"DELETE of a member answered {response.status_code}")
    response = sync(dav_session, calendar, token)
    found = entries_by_path(response, "incremental sync-collection")
    entry = found.get(dav.path_of(dropped))
    expect(entry is not None, "the incremental sync reports the removed member",
           expected=dav.path_of(dropped), actual=sorted(found))
    assert entry is not None
    expect_equal(entry.status, 404, "DAV:status of the removed member's response")
    # Exactly the one removal (RFC 6578 §3.2): the other members did not change.
    expect_equal([p for p, _ in reported(response, "incremental sync-collection")],
                 [dav.path_of(dropped)], "members the incremental sync reports after one "
                 "removal")


@pytest.mark.requirement("caldav.sync.invalid-token")
def test_unknown_token_fails_with_valid_sync_token(dav_session: RecordingSession,
                                                   calendar: str) -> None:
    response = sync(dav_session, calendar, "http://eos.example/ns/sync/never-issued-4711")
    # RFC 4918 §16 calls 403 and 409 the most common statuses here but does not demand them;
    # the precondition element itself is what MUST be returned.
    expect(400 <= response.status_code < 500, "sync-collection with a bogus token fails",
           expected="403 or 409", actual=response.status_code)
    if response.status_code not in (403, 409):
        log = current_evidence()
        if log is not None:
            log.note(f"status {response.status_code} is neither of the usual 403 and 409")
    conditions = dav.error_conditions(response)
    expect(dav.d("valid-sync-token") in conditions,
           "the error names the DAV:valid-sync-token precondition",
           expected=dav.d("valid-sync-token"), actual=conditions or response.text[:200])


@pytest.mark.requirement("caldav.sync.token-property")
def test_sync_token_property_matches_the_report(dav_session: RecordingSession,
                                                synced: tuple[str, list[str], str]) -> None:
    calendar, _, token = synced
    entry = dav.single_response(dav.propfind(dav_session, calendar, [dav.d("sync-token")]),
                                calendar, "PROPFIND sync-token")
    value = dav.prop_text(entry, dav.d("sync-token"))
    expect(value is not None, "DAV:sync-token is defined on the calendar",
           expected="a token", actual=entry.prop_status(dav.d("sync-token")))
    expect_equal(value, token, "DAV:sync-token compared with the token the report returned "
                 "for the same, unchanged state")
