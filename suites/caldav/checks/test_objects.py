"""Calendar object resources: PUT, GET and DELETE of events and tasks (RFC 9110 §9.3,
RFC 4918 §9.6), and the WebDAV properties every such resource carries (RFC 4918 §15)."""

from __future__ import annotations

import pytest

from conformance.api import RecordingSession, expect, expect_equal, expect_in
from suites.caldav import dav, ical

KINDS = ["VEVENT", "VTODO"]


def sample(kind: str, uid: str, summary: str) -> str:
    if kind == "VEVENT":
        return ical.simple_event(uid, summary)
    return ical.simple_todo(uid, summary, "DUE:20260312T170000Z")


@pytest.mark.requirement("caldav.put.created-201")
@pytest.mark.parametrize("kind", KINDS)
def test_put_of_a_new_object_answers_201(dav_session: RecordingSession, calendar: str,
                                         kind: str) -> None:
    response = dav.put_ical(dav_session, f"{calendar}new.ics",
                            sample(kind, ical.new_uid(), "created"))
    expect_equal(response.status_code, 201, f"status of a PUT creating a {kind} resource")


@pytest.mark.requirement("caldav.put.updated-200-204")
@pytest.mark.parametrize("kind", KINDS)
def test_put_replacing_an_object_answers_200_or_204(dav_session: RecordingSession,
                                                    calendar: str, kind: str) -> None:
    url, uid = f"{calendar}update.ics", ical.new_uid()
    dav.store(dav_session, url, sample(kind, uid, "first"))
    response = dav.put_ical(dav_session, url, sample(kind, uid, "second"))
    expect_in(response.status_code, (200, 204), f"status of a PUT replacing a {kind} resource")


@pytest.mark.requirement("caldav.put.round-trip")
@pytest.mark.parametrize("kind", KINDS)
def test_get_returns_what_was_put(dav_session: RecordingSession, calendar: str,
                                  kind: str) -> None:
    url, uid = f"{calendar}roundtrip.ics", ical.new_uid()
    dav.store(dav_session, url, sample(kind, uid, "Planning, part 2; room \\ 3"))
    response = dav_session.request("GET", url)
    expect_equal(response.status_code, 200, f"status of GET on a stored {kind}")
    found = [c for c in ical.components(ical.parse(response.content, "GET body"), kind)
             if str(c.get("UID")) == uid]
    expect(len(found) == 1, f"the GET body holds the stored {kind} with UID {uid}",
           expected=uid, actual=response.text[:300])
    expect_equal(str(found[0].get("SUMMARY")), "Planning, part 2; room \\ 3",
                 f"SUMMARY of the stored {kind}")


@pytest.mark.requirement("caldav.content-type.text-calendar")
def test_get_labels_calendar_data_text_calendar(dav_session: RecordingSession,
                                                calendar: str) -> None:
    url = f"{calendar}typed.ics"
    dav.store(dav_session, url, ical.simple_event())
    response = dav_session.request("GET", url)
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    expect_equal(media_type, "text/calendar", "media type of GET on a calendar object resource")


@pytest.mark.requirement("caldav.delete.removes-resource")
@pytest.mark.parametrize("kind", KINDS)
def test_delete_then_get_answers_404(dav_session: RecordingSession, calendar: str,
                                     kind: str) -> None:
    url = f"{calendar}doomed.ics"
    dav.store(dav_session, url, sample(kind, ical.new_uid(), "doomed"))
    response = dav_session.request("DELETE", url)
    expect(200 <= response.status_code < 300, "DELETE of a calendar object resource succeeds",
           expected="2xx", actual=response.status_code)
    expect_equal(dav_session.request("GET", url).status_code, 404, "GET after DELETE")
    expect_equal(dav.propfind(dav_session, url, [dav.d("getetag")]).status_code, 404,
                 "PROPFIND after DELETE")


@pytest.mark.requirement("caldav.delete.collection-members")
def test_delete_of_a_calendar_removes_its_members(dav_session: RecordingSession,
                                                  calendar: str) -> None:
    members = [f"{calendar}a.ics", f"{calendar}b.ics"]
    for member in members:
        dav.store(dav_session, member, ical.simple_event())
    response = dav_session.request("DELETE", calendar)
    expect(200 <= response.status_code < 300, "DELETE of a calendar collection succeeds",
           expected="2xx", actual=response.status_code)
    for url in [calendar, *members]:
        expect_equal(dav_session.request("GET", url).status_code, 404,
                     f"GET {dav.path_of(url)} after deleting its calendar")


@pytest.mark.requirement("caldav.props.getcontenttype")
def test_getcontenttype_matches_get(dav_session: RecordingSession, calendar: str) -> None:
    url = f"{calendar}typed.ics"
    dav.store(dav_session, url, ical.simple_event())
    get = dav_session.request("GET", url)
    entry = dav.single_response(dav.propfind(dav_session, url, [dav.d("getcontenttype")]), url,
                                "PROPFIND getcontenttype")
    value = dav.prop_text(entry, dav.d("getcontenttype"))
    expect(value is not None, "DAV:getcontenttype is defined on a resource GET labels",
           expected=get.headers.get("Content-Type"), actual=entry.prop_status(
               dav.d("getcontenttype")))
    assert value is not None
    expect_equal(value.split(";")[0].strip().lower(),
                 get.headers.get("Content-Type", "").split(";")[0].strip().lower(),
                 "media type in DAV:getcontenttype and in the GET Content-Type")


@pytest.mark.requirement("caldav.props.resourcetype")
def test_object_resourcetype_is_defined_and_not_a_collection(dav_session: RecordingSession,
                                                             calendar: str) -> None:
    url = f"{calendar}plain.ics"
    dav.store(dav_session, url, ical.simple_event())
    entry = dav.single_response(dav.propfind(dav_session, url, [dav.d("resourcetype")]), url,
                                "PROPFIND resourcetype")
    value = entry.prop(dav.d("resourcetype"))
    expect(value is not None, "DAV:resourcetype is defined on a calendar object resource",
           expected="200 propstat", actual=entry.prop_status(dav.d("resourcetype")))
    assert value is not None
    kinds = [child.tag for child in value]
    expect(kinds == [], "DAV:resourcetype of a calendar object resource is empty",
           expected=[], actual=kinds)
