"""COPY and MOVE of calendar object resources (RFC 4918 §9.8, §9.9, §10.6) and the CalDAV
preconditions that apply to them as to PUT (RFC 4791 §5.3.2.1: "PUT, COPY, and MOVE").

A refusal is judged by what it refuses and by the precondition element it names; its status
code (403 or 409, RFC 4791 §1.3) is ``caldav.precondition.error-body``'s business, so a
server that names the right precondition with another 4xx is not failed twice.
"""

from __future__ import annotations

import pytest
import requests

from conformance.api import RecordingSession, expect, expect_equal, inapplicable
from suites.caldav import dav, ical
from suites.caldav.calendars import CalendarFactory

PER_ACCOUNT_UID = {dav.c("no-uid-conflict"), dav.c("unique-scheduling-object-resource")}


def relocate(session: RecordingSession, method: str, source: str, destination: str,
             overwrite: str | None = None) -> requests.Response:
    # An absolute path (RFC 4918 §10.3 Simple-ref): it stays right behind a proxy or a
    # front end that names the server by another host than the one it knows itself by.
    headers = {"Destination": dav.path_of(destination)}
    if overwrite is not None:
        headers["Overwrite"] = overwrite
    return session.request(method, source, headers=headers)


def uids_at(session: RecordingSession, url: str) -> set[str] | None:
    """The UIDs served at ``url``, or None when GET answers 404."""
    response = session.get(url)
    if response.status_code == 404:
        return None
    expect_equal(response.status_code, 200, f"GET {dav.path_of(url)}")
    return ical.uids(response.content, f"GET {dav.path_of(url)}")


def refused_with(response: requests.Response, condition: str, what: str) -> None:
    expect(400 <= response.status_code < 500, f"{what} is refused with a 4xx, got "
           f"{response.status_code}")
    expect(condition in dav.error_conditions(response),
           f"{what}: the DAV:error body names {condition}")


@pytest.mark.requirement("caldav.move.object")
def test_move_to_another_calendar(dav_session: RecordingSession,
                                  calendars: CalendarFactory) -> None:
    first, second = calendars.create(), calendars.create()
    uid = ical.new_uid()
    source, destination = f"{first}moving.ics", f"{second}moved.ics"
    dav.store(dav_session, source, ical.simple_event(uid))
    response = relocate(dav_session, "MOVE", source, destination)
    # 201 and 204 are the codes RFC 4918 lists; any other 2xx but 207 still says "done".
    expect(200 <= response.status_code < 300 and response.status_code != 207,
           f"MOVE succeeds (201 or 204), got {response.status_code}")
    expect_equal(uids_at(dav_session, source), None, "UIDs at the source after MOVE (404)")
    expect_equal(uids_at(dav_session, destination), {uid}, "UIDs at the destination")


@pytest.mark.requirement("caldav.move.overwrite-false")
def test_move_does_not_overwrite_with_overwrite_f(dav_session: RecordingSession,
                                                  calendar: str) -> None:
    kept, moving = ical.new_uid(), ical.new_uid()
    source, destination = f"{calendar}moving.ics", f"{calendar}taken.ics"
    dav.store(dav_session, destination, ical.simple_event(kept))
    dav.store(dav_session, source, ical.simple_event(moving))
    response = relocate(dav_session, "MOVE", source, destination, overwrite="F")
    expect_equal(response.status_code, 412, "MOVE with Overwrite: F onto an existing resource")
    expect_equal(uids_at(dav_session, destination), {kept}, "UIDs at the destination")
    expect_equal(uids_at(dav_session, source), {moving}, "UIDs at the source")


@pytest.mark.requirement("caldav.move.no-uid-conflict")
def test_move_refuses_a_second_copy_of_a_uid(dav_session: RecordingSession,
                                             calendars: CalendarFactory) -> None:
    first, second = calendars.create(), calendars.create()
    uid = ical.new_uid()
    source, holder = f"{first}twin.ics", f"{second}holder.ics"
    dav.store(dav_session, holder, ical.simple_event(uid, "already here"))
    stored = dav.put_ical(dav_session, source, ical.simple_event(uid, "moving in"))
    named = set(dav.error_conditions(stored)) & PER_ACCOUNT_UID
    if named:
        # The server keeps each UID once per account, not just per calendar: the conflict the
        # rule is about cannot be set up, and the refusal names a precondition saying so
        # (RFC 4791 §5.3.2.1, or RFC 6638 §3.2.4.1 unique-scheduling-object-resource).
        inapplicable(f"PUT of the UID into a second calendar of the account was refused with "
                     f"{sorted(named)[0]}", "the account holds each UID only once, so no "
                     "MOVE can bring a second one into a calendar")
    expect(200 <= stored.status_code < 300, f"set-up PUT of {dav.path_of(source)} answered "
           f"{stored.status_code}")
    target = f"{second}twin.ics"
    response = relocate(dav_session, "MOVE", source, target)
    refused_with(response, dav.c("no-uid-conflict"), "MOVE onto a UID the calendar holds")
    expect_equal(uids_at(dav_session, target), None, "resource at the MOVE's destination")
    expect_equal(uids_at(dav_session, source), {uid}, "UIDs still at the source")


@pytest.mark.requirement("caldav.copy.object")
def test_copy_to_another_calendar(dav_session: RecordingSession,
                                  calendars: CalendarFactory) -> None:
    first, second = calendars.create(), calendars.create()
    uid = ical.new_uid()
    source, destination = f"{first}original.ics", f"{second}copy.ics"
    dav.store(dav_session, source, ical.simple_event(uid))
    response = relocate(dav_session, "COPY", source, destination)
    # 201 and 204 are the codes RFC 4918 lists; any other 2xx but 207 still says "done".
    expect(200 <= response.status_code < 300 and response.status_code != 207,
           f"COPY succeeds (201 or 204), got {response.status_code}")
    expect_equal(uids_at(dav_session, destination), {uid}, "UIDs at the destination")
    expect_equal(uids_at(dav_session, source), {uid}, "UIDs at the source after COPY")


@pytest.mark.requirement("caldav.copy.no-uid-conflict")
def test_copy_within_a_calendar_is_refused(dav_session: RecordingSession,
                                           calendar: str) -> None:
    uid = ical.new_uid()
    source, target = f"{calendar}original.ics", f"{calendar}second.ics"
    dav.store(dav_session, source, ical.simple_event(uid))
    response = relocate(dav_session, "COPY", source, target)
    refused_with(response, dav.c("no-uid-conflict"), "COPY within the same calendar")
    expect_equal(uids_at(dav_session, target), None, "resource at the COPY's destination")


@pytest.mark.requirement("caldav.copy.overwrite-false")
def test_copy_does_not_overwrite_with_overwrite_f(dav_session: RecordingSession,
                                                  calendars: CalendarFactory) -> None:
    first, second = calendars.create(), calendars.create()
    kept, copied = ical.new_uid(), ical.new_uid()
    source, destination = f"{first}original.ics", f"{second}taken.ics"
    dav.store(dav_session, destination, ical.simple_event(kept))
    dav.store(dav_session, source, ical.simple_event(copied))
    response = relocate(dav_session, "COPY", source, destination, overwrite="F")
    expect_equal(response.status_code, 412, "COPY with Overwrite: F onto an existing resource")
    expect_equal(uids_at(dav_session, destination), {kept}, "UIDs at the destination")
