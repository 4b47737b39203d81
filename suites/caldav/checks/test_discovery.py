"""Finding the user's calendars: the well-known URI (RFC 6764 §5), the current user's
principal (RFC 5397 §3, RFC 3744 §4) and the calendar home (RFC 4791 §6.2.1)."""

from __future__ import annotations

from urllib.parse import urljoin

import caldav
import pytest
import requests
from lxml import etree

from conformance import api
from conformance.api import (
    CandidateContext,
    RecordingSession,
    expect,
    expect_equal,
    expect_in,
    inapplicable,
)
from suites.caldav import dav
from suites.caldav.calendars import CalendarFactory

WELL_KNOWN = "/.well-known/caldav"
# RFC 6764 §5 names 301, 303 and 307 as examples of "the available mechanisms provided by
# HTTP"; 302 and 308 are HTTP redirects too, and keep the method for PROPFIND.
REDIRECTS = (301, 302, 303, 307, 308)


def current_user_principal(session: RecordingSession,
                           url: str) -> tuple[str | None, etree._Element | None]:
    """The href in DAV:current-user-principal at ``url``, and the property element."""
    response = dav.propfind(session, url, [dav.d("current-user-principal")])
    entries = dav.parse_multistatus(response, "PROPFIND current-user-principal")
    prop = next((e.prop(dav.d("current-user-principal")) for e in entries
                 if e.prop(dav.d("current-user-principal")) is not None), None)
    return dav.href_value(prop), prop


def well_known(session: RecordingSession, method: str) -> requests.Response:
    if method == "PROPFIND":
        return dav.propfind(session, WELL_KNOWN, [dav.d("current-user-principal")])
    return session.request(method, WELL_KNOWN)


@pytest.mark.requirement("caldav.principal.current-user-principal")
def test_current_user_principal_names_the_principal(dav_session: RecordingSession) -> None:
    href, _ = current_user_principal(dav_session, "")
    expect(href is not None, "DAV:current-user-principal on the context root holds a DAV:href",
           expected="a DAV:href", actual=href)
    assert href is not None
    url = dav_session.url(href)
    expect(url.startswith(("http://", "https://")), "the principal href is an http(s) URL",
           expected="http(s)", actual=url)
    entry = dav.single_response(
        dav.propfind(dav_session, url, [dav.d("principal-URL"), dav.d("alternate-URI-set")]),
        url, "PROPFIND principal-URL and alternate-URI-set")
    known = [dav.href_value(entry.prop(dav.d("principal-URL")))]
    alternates = entry.prop(dav.d("alternate-URI-set"))
    if alternates is not None:
        known += [(h.text or "").strip() for h in alternates.iter(dav.d("href"))]
    expect(any(k and dav.same_path(k, href) for k in known),
           "the current-user-principal href is one of the principal's DAV:principal-URL or "
           "DAV:alternate-URI-set URLs", expected=dav.path_of(href), actual=known)


@pytest.mark.requirement("caldav.principal.resourcetype")
def test_principal_resourcetype(dav_session: RecordingSession, principal_url: str) -> None:
    entry = dav.single_response(dav.propfind(dav_session, principal_url, [dav.d("resourcetype")]),
                                principal_url, "PROPFIND resourcetype of the principal")
    value = entry.prop(dav.d("resourcetype"))
    kinds = [child.tag for child in value] if value is not None else []
    expect(dav.d("principal") in kinds, "DAV:resourcetype of the principal holds DAV:principal",
           expected=dav.d("principal"), actual=kinds)


@pytest.mark.requirement("caldav.principal.unauthenticated")
def test_unauthenticated_request_gets_the_pseudo_principal(
        candidate: CandidateContext, account_name: str,
        anonymous_session: RecordingSession) -> None:
    if candidate.account(account_name).password is None:
        # [settings.caldav] documents this: an account without a password declares a
        # candidate that does not authenticate users (it sits behind something that does).
        inapplicable(f"the manifest's account {account_name!r} has no password: the candidate "
                     "declares it does not authenticate users ([settings.caldav] account)",
                     "no request the checks send is unauthenticated in the candidate's eyes")
    response = dav.propfind(anonymous_session, "", [dav.d("current-user-principal")])
    if response.status_code == 401:
        # A 401 must carry a challenge (RFC 9110 §15.5.2); with one, the server demands
        # authentication before it answers, so it never returns the property unauthenticated.
        challenge = response.headers.get("WWW-Authenticate")
        expect(bool(challenge), "a 401 to the unauthenticated PROPFIND carries a "
               "WWW-Authenticate challenge (RFC 9110 §15.5.2)", expected="a challenge",
               actual=challenge)
        inapplicable(f"401 with the challenge {challenge!r} to an unauthenticated PROPFIND "
                     "(RFC 9110 §11.6.1: the server requires authentication first)",
                     "the server answers no unauthenticated request, so it never reports a "
                     "principal to one")
    href, prop = current_user_principal(anonymous_session, "")
    children = [child.tag for child in prop] if prop is not None else []
    expect(children == [dav.d("unauthenticated")],
           "DAV:current-user-principal of an unauthenticated request is DAV:unauthenticated",
           expected=[dav.d("unauthenticated")], actual=children or href)


@pytest.mark.requirement("caldav.discovery.well-known-redirect")
@pytest.mark.parametrize("method", ["GET", "PROPFIND"])
def test_well_known_uri_redirects(dav_session: RecordingSession, method: str) -> None:
    response = well_known(dav_session, method)
    expect_in(response.status_code, REDIRECTS, f"status of {method} {WELL_KNOWN}")
    location = response.headers.get("Location")
    expect(bool(location), "the redirect names a Location", expected="a URL", actual=location)
    assert location is not None
    expect(dav.path_of(urljoin(response.url, location)).rstrip("/") != WELL_KNOWN,
           "the redirect leads away from the well-known URI", expected="the context path",
           actual=location)


@pytest.mark.requirement("caldav.discovery.context-path")
def test_well_known_leads_to_the_principal(dav_session: RecordingSession,
                                           principal_url: str) -> None:
    response = well_known(dav_session, "PROPFIND")
    location = response.headers.get("Location")
    if response.status_code not in REDIRECTS or not location:
        api.cant_tell(f"{WELL_KNOWN} does not redirect ({response.status_code}); see "
                              "caldav.discovery.well-known-redirect")
    context = urljoin(response.url, location)
    href, _ = current_user_principal(dav_session, context)
    expect(href is not None and dav.same_path(dav_session.url(href), principal_url),
           "PROPFIND of DAV:current-user-principal on the context path the well-known URI "
           "leads to names the user's principal", expected=dav.path_of(principal_url),
           actual=href)


@pytest.mark.requirement("caldav.discovery.calendar-home-set")
def test_principal_names_its_calendar_home(dav_session: RecordingSession,
                                           principal_url: str) -> None:
    entry = dav.single_response(
        dav.propfind(dav_session, principal_url, [dav.c("calendar-home-set")]), principal_url,
        "PROPFIND calendar-home-set")
    home = dav.href_value(entry.prop(dav.c("calendar-home-set")))
    expect(home is not None, "the principal defines CALDAV:calendar-home-set",
           expected="a DAV:href", actual=entry.prop_status(dav.c("calendar-home-set")))


@pytest.mark.requirement("caldav.discovery.calendar-home-set")
def test_a_client_library_finds_a_new_calendar(candidate: CandidateContext, account_name: str,
                                               dav_session: RecordingSession,
                                               calendars: CalendarFactory) -> None:
    """What a real client does: principal, calendar home, calendars (python caldav). The home
    may hold calendars the check knows nothing of, so of the two it made, exactly the one it
    kept must be listed: the new calendar, and not the one it deleted."""
    kept, deleted = calendars.create(), calendars.create()
    if not 200 <= dav_session.request("DELETE", deleted).status_code < 300:
        api.cant_tell(f"could not delete the calendar {dav.path_of(deleted)}")
    account = candidate.account(account_name)
    # Credentials go with the first request, as a client configured with them sends them: a
    # server may answer anonymous requests (DAV:unauthenticated, RFC 5397 §3) instead of
    # challenging, and the library then never logs in (seen on Cyrus).
    client = caldav.DAVClient(  # type: ignore[operator]
        url=candidate.endpoint("base"), username=account.username, password=account.password,
        auth_type="basic" if account.password else None)
    client.session.hooks["response"].append(api.record_response)
    try:
        found = [dav.path_of(str(c.url)).rstrip("/") for c in client.principal().calendars()]
    finally:
        client.close()
    ours = {dav.path_of(u).rstrip("/") for u in (kept, deleted)}
    expect_equal(sorted(p for p in found if p in ours), [dav.path_of(kept).rstrip("/")],
                 "of a new calendar and a deleted one, the calendars a client finds through "
                 "the principal's calendar home")
