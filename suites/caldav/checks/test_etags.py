"""Entity tags of calendar object resources (RFC 4791 §5.3.4) and the conditional requests
clients build on them (RFC 9110 §13.1.1 If-Match, §13.1.2 If-None-Match)."""

from __future__ import annotations

import pytest

from conformance.api import (
    RecordingSession,
    cant_tell,
    current_evidence,
    expect,
    expect_equal,
    inapplicable,
)
from suites.caldav import dav, ical


@pytest.fixture
def stored(dav_session: RecordingSession, calendar: str) -> tuple[str, str, str]:
    """A stored event: its URL, its UID and its current entity tag."""
    url, uid = f"{calendar}tagged.ics", ical.new_uid()
    dav.store(dav_session, url, ical.simple_event(uid, "original"))
    etag = dav.current_etag(dav_session, url) or dav_session.request("GET", url).headers.get(
        "ETag")
    if not etag:
        cant_tell("the stored event has neither DAV:getetag nor an ETag header to test with")
    return url, uid, etag


def summary_of(session: RecordingSession, url: str) -> str | None:
    response = session.request("GET", url)
    if response.status_code != 200:
        return None
    found = ical.components(ical.parse(response.content, "GET body"), "VEVENT")
    return str(found[0].get("SUMMARY")) if found else None


def is_strong(etag: str | None) -> bool:
    # A weak tag starts with W/; a strong one is just the quoted string (RFC 9110 §8.8.3).
    return etag is not None and len(etag) >= 2 and etag.startswith('"') and etag.endswith('"')


@pytest.mark.requirement("caldav.etag.getetag-strong")
@pytest.mark.parametrize("kind", ["VEVENT", "VTODO"])
def test_getetag_is_a_strong_entity_tag(dav_session: RecordingSession, calendar: str,
                                        kind: str) -> None:
    url = f"{calendar}item.ics"
    dav.store(dav_session, url, ical.simple_event() if kind == "VEVENT" else ical.simple_todo())
    entry = dav.single_response(dav.propfind(dav_session, url, [dav.d("getetag")]), url,
                                "PROPFIND getetag")
    value = dav.prop_text(entry, dav.d("getetag"))
    expect(value is not None, f"DAV:getetag is defined on a {kind} resource",
           expected="a strong entity tag", actual=entry.prop_status(dav.d("getetag")))
    expect(is_strong(value), "DAV:getetag is a strong entity tag (quoted, without W/)",
           expected='"…"', actual=value)


@pytest.mark.requirement("caldav.etag.get-header")
def test_get_carries_the_current_strong_etag(dav_session: RecordingSession,
                                             stored: tuple[str, str, str]) -> None:
    url, _, etag = stored
    header = dav_session.request("GET", url).headers.get("ETag")
    expect(is_strong(header), "GET carries a strong ETag header", expected=etag, actual=header)
    expect_equal(header, etag, "ETag of GET compared with DAV:getetag")


@pytest.mark.requirement("caldav.etag.put-returns-etag")
def test_put_stored_verbatim_returns_its_etag(dav_session: RecordingSession,
                                              calendar: str) -> None:
    # Servers may normalise what they store; sending back the server's own form of the
    # object is the case where octet-equal storage, and so the SHOULD, is to be expected.
    url = f"{calendar}verbatim.ics"
    dav.store(dav_session, url, ical.simple_event())
    canonical = dav_session.request("GET", url).content
    response = dav.put_ical(dav_session, url, canonical)
    if not 200 <= response.status_code < 300:
        cant_tell(f"PUT of the server's own form of the event answered {response.status_code}")
    if dav_session.request("GET", url).content != canonical:
        inapplicable("GET after the PUT returns other octets than the PUT sent: the server "
                     "rewrote even its own form of the data (RFC 4791 §5.3.4: the SHOULD "
                     "covers only data stored octet for octet)",
                     "the server never stores calendar data verbatim")
    header = response.headers.get("ETag")
    current = dav.current_etag(dav_session, url)
    expect(is_strong(header), "PUT of data stored verbatim returns a strong ETag",
           expected=current, actual=header)
    expect_equal(header, current, "ETag of PUT compared with DAV:getetag")


@pytest.mark.requirement("caldav.etag.put-strong-only-if-unchanged")
def test_strong_put_etag_means_octet_equal_storage(dav_session: RecordingSession,
                                                   calendar: str) -> None:
    # A long line the client left unfolded invites a server to refold, i.e. rewrite, it.
    url = f"{calendar}rewritten.ics"
    long_summary = "A rather long summary line that certainly needs folding " * 3
    data = ical.simple_event(None, long_summary.strip())
    response = dav.put_ical(dav_session, url, data)
    if not 200 <= response.status_code < 300:
        cant_tell(f"PUT of a plain event answered {response.status_code}")
    header = response.headers.get("ETag")
    stored = dav_session.request("GET", url)
    if stored.status_code != 200:
        cant_tell(f"GET of the stored event answered {stored.status_code}")
    if stored.content == data.encode():
        inapplicable("GET returns the very octets the PUT sent: the server stored the data "
                     "unchanged (RFC 4791 §5.3.4: the MUST NOT covers only rewritten data)",
                     "nothing was rewritten, so a strong ETag is allowed")
    log = current_evidence()
    if log is not None:
        log.note("the stored octets differ from the octets sent")
    # Rewritten data: no ETag, or a weak one, obeys the rule; a strong one breaks it.
    expect(not is_strong(header),
           "a PUT whose data the server rewrote carries no strong ETag",
           expected="no ETag header, or a weak one (W/...)", actual=header)


@pytest.mark.requirement("caldav.etag.changes-on-modify")
def test_etag_changes_when_the_data_changes(dav_session: RecordingSession,
                                            stored: tuple[str, str, str]) -> None:
    url, uid, etag = stored
    dav.store(dav_session, url, ical.simple_event(uid, "modified"))
    after = dav.current_etag(dav_session, url)
    expect(after is not None and after != etag, "DAV:getetag changes after a modification",
           expected=f"not {etag}", actual=after)


@pytest.mark.requirement("caldav.conditional.if-match-current")
def test_put_with_current_if_match_is_performed(dav_session: RecordingSession,
                                                stored: tuple[str, str, str]) -> None:
    url, uid, etag = stored
    response = dav.put_ical(dav_session, url, ical.simple_event(uid, "conditional"),
                            headers={"If-Match": etag})
    expect(200 <= response.status_code < 300, "PUT with If-Match of the current ETag succeeds",
           expected="2xx", actual=response.status_code)
    expect_equal(summary_of(dav_session, url), "conditional", "SUMMARY after the conditional PUT")


@pytest.mark.requirement("caldav.conditional.if-match-stale")
def test_put_with_stale_if_match_is_not_performed(dav_session: RecordingSession,
                                                  stored: tuple[str, str, str]) -> None:
    url, uid, stale = stored
    dav.store(dav_session, url, ical.simple_event(uid, "second version"))
    if dav.current_etag(dav_session, url) == stale:
        cant_tell("the entity tag did not change after a modification; no stale tag to use")
    response = dav.put_ical(dav_session, url, ical.simple_event(uid, "lost update"),
                            headers={"If-Match": stale})
    expect(not 200 <= response.status_code < 300,
           "PUT with an outdated If-Match is not answered with success",
           expected="412", actual=response.status_code)
    expect_equal(summary_of(dav_session, url), "second version",
                 "SUMMARY after the PUT with an outdated If-Match")


@pytest.mark.requirement("caldav.conditional.delete-if-match-stale")
def test_delete_with_stale_if_match_is_not_performed(dav_session: RecordingSession,
                                                     stored: tuple[str, str, str]) -> None:
    url, uid, stale = stored
    dav.store(dav_session, url, ical.simple_event(uid, "second version"))
    if dav.current_etag(dav_session, url) == stale:
        cant_tell("the entity tag did not change after a modification; no stale tag to use")
    response = dav_session.request("DELETE", url, headers={"If-Match": stale})
    expect(not 200 <= response.status_code < 300,
           "DELETE with an outdated If-Match is not answered with success",
           expected="412", actual=response.status_code)
    expect_equal(dav_session.request("GET", url).status_code, 200,
                 "GET after the DELETE with an outdated If-Match")


@pytest.mark.requirement("caldav.conditional.if-none-match-star-existing")
def test_put_if_none_match_star_on_existing_answers_412(dav_session: RecordingSession,
                                                        stored: tuple[str, str, str]) -> None:
    url, uid, _ = stored
    response = dav.put_ical(dav_session, url, ical.simple_event(uid, "overwritten"),
                            headers={"If-None-Match": "*"})
    expect_equal(response.status_code, 412, "PUT with If-None-Match: * on an existing resource")
    expect_equal(summary_of(dav_session, url), "original",
                 "SUMMARY after the refused If-None-Match: * PUT")


@pytest.mark.requirement("caldav.conditional.if-none-match-star-new")
def test_put_if_none_match_star_on_new_url_creates(dav_session: RecordingSession,
                                                   calendar: str) -> None:
    url = f"{calendar}fresh.ics"
    response = dav.put_ical(dav_session, url, ical.simple_event(None, "fresh"),
                            headers={"If-None-Match": "*"})
    expect_equal(response.status_code, 201, "PUT with If-None-Match: * on an unmapped URL")
    expect_equal(summary_of(dav_session, url), "fresh", "SUMMARY of the new resource")


@pytest.mark.requirement("caldav.conditional.get-not-modified")
def test_get_with_current_if_none_match_answers_304(dav_session: RecordingSession,
                                                    stored: tuple[str, str, str]) -> None:
    url, _, etag = stored
    response = dav_session.request("GET", url, headers={"If-None-Match": etag})
    expect_equal(response.status_code, 304, "GET with If-None-Match of the current ETag")
