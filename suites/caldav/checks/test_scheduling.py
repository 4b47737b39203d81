"""CalDAV scheduling (RFC 6638), profile caldav-scheduling: the scheduling inbox and outbox
and how a principal names them (§2.1, §2.2), calendar user addresses (§2.4.1), schedule tags
on scheduling object resources (§3.2.10, §8.3, §9.3), one scheduling object resource per UID
and user (§3.2.4.1) and busy time asked through the outbox (§5), between the checks' account
and a second principal of the same server.

Scheduling is optional for a CalDAV server. A candidate without it declares so in its
manifest (``[settings.caldav] absent = ["scheduling"]``): every check here is then
inapplicable with that declaration as the signal, which the catalogue's "conditional:
scheduling" marks. Nothing here infers the absence from an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
import requests

from conformance.api import (
    CandidateContext,
    RecordingSession,
    cant_tell,
    expect,
    expect_equal,
    inapplicable,
)
from suites.caldav import dav, ical
from suites.caldav.calendars import CalendarFactory

FEATURE = "scheduling"


@pytest.fixture(scope="module", autouse=True)
def scheduling_offered(caldav_settings: dict[str, object]) -> None:
    absent = caldav_settings.get("absent") or []
    if isinstance(absent, list) and FEATURE in absent:
        inapplicable(f"the manifest declares the feature {FEATURE!r} absent "
                     "([settings.caldav] absent)", "the candidate offers no CalDAV scheduling")


@dataclass
class Principal:
    session: RecordingSession
    url: str
    addresses: list[str]
    inbox: str | None
    outbox: str | None
    home: str | None


PRINCIPAL_PROPS = [dav.c("calendar-user-address-set"), dav.c("schedule-inbox-URL"),
                   dav.c("schedule-outbox-URL"), dav.c("calendar-home-set")]


def discover(session: RecordingSession) -> Principal:
    response = dav.propfind(session, "", [dav.d("current-user-principal")])
    href = next((dav.href_value(r.prop(dav.d("current-user-principal")))
                 for r in dav.parse_multistatus(response, "current-user-principal")), None)
    if not href:
        cant_tell("the base URL names no DAV:current-user-principal")
    url = session.url(href)
    entry = dav.single_response(dav.propfind(session, url, PRINCIPAL_PROPS), url,
                                "PROPFIND of the principal's scheduling properties")

    def hrefs(tag: str) -> list[str]:
        value = entry.prop(tag)
        return [] if value is None else [(h.text or "").strip()
                                        for h in value.iter(dav.d("href"))]

    def one(tag: str) -> str | None:
        found = hrefs(tag)
        return session.url(found[0]) if len(found) == 1 and found[0] else None

    return Principal(session, url, hrefs(dav.c("calendar-user-address-set")),
                     one(dav.c("schedule-inbox-URL")), one(dav.c("schedule-outbox-URL")),
                     one(dav.c("calendar-home-set")))


@pytest.fixture(scope="module")
def me(dav_session: RecordingSession) -> Principal:
    return discover(dav_session)


@pytest.fixture(scope="module")
def other(candidate: CandidateContext, caldav_settings: dict[str, object]) -> Principal:
    name = str(caldav_settings.get("second_account", "secondary"))
    try:
        session = candidate.session(name)
    except Exception as error:  # the manifest names no such account
        cant_tell(f"no second principal to schedule with (account {name!r}: {error})")
    return discover(session)


def mailto(principal: Principal) -> str:
    found = [a for a in principal.addresses if a.lower().startswith("mailto:")]
    if not found:
        cant_tell(f"principal {principal.url} has no mailto: calendar user address")
    return found[0]


def resourcetype(session: RecordingSession, url: str) -> set[str]:
    entry = dav.single_response(dav.propfind(session, url, [dav.d("resourcetype")]), url,
                                "PROPFIND resourcetype")
    value = entry.prop(dav.d("resourcetype"))
    return set() if value is None else {child.tag for child in value}


@pytest.mark.requirement("caldav.sched.auto-schedule-advertised")
def test_auto_schedule_is_advertised(me: Principal) -> None:
    expect(me.home is not None, "the principal names a calendar home")
    assert me.home is not None
    tokens = dav.dav_header_tokens(me.session.request("OPTIONS", me.home))
    expect("calendar-auto-schedule" in tokens, f"DAV header of OPTIONS on the calendar home "
           f"names calendar-auto-schedule: {tokens}")


@pytest.mark.requirement("caldav.sched.outbox-url")
def test_principal_names_its_outbox(me: Principal) -> None:
    expect(me.outbox is not None, "CALDAV:schedule-outbox-URL holds one DAV:href")


@pytest.mark.requirement("caldav.sched.outbox-resourcetype")
def test_outbox_is_typed(me: Principal) -> None:
    if me.outbox is None:
        cant_tell("the principal names no schedule outbox")
    expect_equal(resourcetype(me.session, me.outbox) >= {dav.d("collection"),
                                                         dav.c("schedule-outbox")},
                 True, "DAV:resourcetype of the outbox holds collection and schedule-outbox")


@pytest.mark.requirement("caldav.sched.inbox-url")
def test_principal_names_its_inbox(me: Principal) -> None:
    expect(me.inbox is not None, "CALDAV:schedule-inbox-URL holds one DAV:href")


@pytest.mark.requirement("caldav.sched.inbox-resourcetype")
def test_inbox_is_typed(me: Principal) -> None:
    if me.inbox is None:
        cant_tell("the principal names no schedule inbox")
    expect_equal(resourcetype(me.session, me.inbox) >= {dav.d("collection"),
                                                        dav.c("schedule-inbox")},
                 True, "DAV:resourcetype of the inbox holds collection and schedule-inbox")


@pytest.mark.requirement("caldav.sched.calendar-user-address-set")
def test_principals_have_their_own_addresses(me: Principal, other: Principal) -> None:
    expect(bool([a for a in me.addresses if a]), "the principal has calendar user addresses")
    expect(bool([a for a in other.addresses if a]),
           "the second principal has calendar user addresses")
    shared = sorted(set(me.addresses) & set(other.addresses))
    expect_equal(shared, [], "addresses both principals claim")


# --- scheduling object resources -------------------------------------------------------------

@pytest.fixture
def home_calendars(me: Principal) -> Iterator[CalendarFactory]:
    if me.home is None:
        cant_tell("the principal names no calendar home")
    assert me.home is not None
    factory = CalendarFactory(me.session, me.home if me.home.endswith("/") else me.home + "/")
    yield factory
    factory.cleanup()


def invitation(me: Principal, other: Principal, uid: str, summary: str = "Planning") -> str:
    # SCHEDULE-AGENT=CLIENT: the resource is a scheduling object resource (it has an
    # ORGANIZER), but the server sends no message, so the checks leave no mail behind.
    return ical.calendar_text(ical.event(
        uid, summary, "20260415T100000Z", "20260415T110000Z", f"ORGANIZER:{mailto(me)}",
        f"ATTENDEE;PARTSTAT=ACCEPTED:{mailto(me)}",
        f"ATTENDEE;PARTSTAT=NEEDS-ACTION;SCHEDULE-AGENT=CLIENT:{mailto(other)}"))


def store_invitation(me: Principal, other: Principal, url: str, uid: str) -> requests.Response:
    response = dav.put_ical(me.session, url, invitation(me, other, uid))
    if response.status_code not in (200, 201, 204):
        cant_tell(f"could not store a scheduling object resource: PUT answered "
                  f"{response.status_code}")
    return response


@pytest.mark.requirement("caldav.sched.schedule-tag-header")
def test_put_of_scheduling_object_returns_schedule_tag(
        me: Principal, other: Principal, home_calendars: CalendarFactory) -> None:
    url = f"{home_calendars.create()}invitation.ics"
    response = store_invitation(me, other, url, ical.new_uid())
    expect(bool(response.headers.get("Schedule-Tag")), "the PUT answers a Schedule-Tag header")


@pytest.mark.requirement("caldav.sched.schedule-tag-property")
def test_schedule_tag_property_matches_the_header(
        me: Principal, other: Principal, home_calendars: CalendarFactory) -> None:
    url = f"{home_calendars.create()}invitation.ics"
    header = store_invitation(me, other, url, ical.new_uid()).headers.get("Schedule-Tag")
    entry = dav.single_response(dav.propfind(me.session, url, [dav.c("schedule-tag")]), url,
                                "PROPFIND schedule-tag")
    value = dav.prop_text(entry, dav.c("schedule-tag"))
    expect(bool(value), "the scheduling object resource reports CALDAV:schedule-tag")
    if header:
        expect_equal(value, header.strip(), "CALDAV:schedule-tag against the PUT's Schedule-Tag")


@pytest.mark.requirement("caldav.sched.if-schedule-tag-match")
def test_stale_schedule_tag_is_refused(me: Principal, other: Principal,
                                       home_calendars: CalendarFactory) -> None:
    url = f"{home_calendars.create()}invitation.ics"
    uid = ical.new_uid()
    store_invitation(me, other, url, uid)
    response = dav.put_ical(me.session, url, invitation(me, other, uid, "Changed"),
                            headers={"If-Schedule-Tag-Match": '"not-the-schedule-tag"'})
    expect_equal(response.status_code, 412, "PUT with a stale If-Schedule-Tag-Match")
    stored = me.session.get(url)
    expect("Changed" not in stored.text, "the refused PUT left the resource unchanged")


@pytest.mark.requirement("caldav.sched.unique-scheduling-object")
def test_one_scheduling_object_per_uid(me: Principal, other: Principal,
                                       home_calendars: CalendarFactory) -> None:
    uid = ical.new_uid()
    store_invitation(me, other, f"{home_calendars.create()}first.ics", uid)
    second = f"{home_calendars.create()}second.ics"
    response = dav.put_ical(me.session, second, invitation(me, other, uid))
    expect(400 <= response.status_code < 500, "a second scheduling object resource with the "
           f"UID is refused, got {response.status_code}")
    expect(dav.c("unique-scheduling-object-resource") in dav.error_conditions(response),
           "the refusal names CALDAV:unique-scheduling-object-resource")
    expect_equal(me.session.get(second).status_code, 404, "GET of the refused resource")


@pytest.mark.requirement("caldav.sched.freebusy-outbox")
def test_busy_time_through_the_outbox(me: Principal, other: Principal) -> None:
    if me.outbox is None or other.home is None:
        cant_tell("no outbox, or the second principal names no calendar home")
    assert me.outbox is not None and other.home is not None
    theirs = CalendarFactory(other.session, other.home if other.home.endswith("/")
                             else other.home + "/")
    try:
        calendar = theirs.create()
        dav.store(other.session, f"{calendar}busy.ics", ical.simple_event(
            None, "Busy", "20260416T090000Z", "20260416T103000Z"))
        request = ical.calendar_text(ical.component(
            "VFREEBUSY", ical.new_uid(), "DTSTART:20260416T000000Z", "DTEND:20260417T000000Z",
            f"ORGANIZER:{mailto(me)}", f"ATTENDEE:{mailto(other)}"), method="REQUEST")
        response = me.session.request("POST", me.outbox, data=request.encode(), headers={
            "Content-Type": ical.ICAL, "Originator": mailto(me), "Recipient": mailto(other)})
        expect_equal(response.status_code, 200, "POST of the VFREEBUSY request to the outbox")
        root = dav.parse_xml(response, "schedule-response")
        expect_equal(root.tag, dav.c("schedule-response"), "root element of the answer")
        answers = root.findall(dav.c("response"))
        recipients = [(a.findtext(f"{dav.c('recipient')}/{dav.d('href')}") or "").strip()
                      for a in answers]
        expect_equal(recipients, [mailto(other)], "recipients answered")
        status = (answers[0].findtext(dav.c("request-status")) or "").strip()
        expect(status.startswith("2."), f"request-status {status!r} is a 2.x success")
        data = answers[0].findtext(dav.c("calendar-data")) or ""
        reply = ical.parse(data, "the VFREEBUSY reply")
        expect_equal(str(reply.get("METHOD")), "REPLY", "METHOD of the free-busy answer")
        periods = [(p.start, p.end) for fb in ical.components(reply, "VFREEBUSY")
                   for prop in _as_list(fb.get("FREEBUSY")) for p in _periods(prop)]
        expect_equal([(ical.utc(s), ical.utc(e)) for s, e in periods],
                     [("20260416T090000Z", "20260416T103000Z")],
                     "busy periods of the second principal")
    finally:
        theirs.cleanup()


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


@dataclass
class _Period:
    start: datetime
    end: datetime


def _periods(prop: object) -> list[_Period]:
    """The periods of one FREEBUSY property (icalendar gives a list of (start, end|duration))."""
    found = []
    for period in getattr(prop, "dts", [prop]):
        value = getattr(period, "dt", period)
        if isinstance(value, tuple) and len(value) == 2:
            start, end = value
            found.append(_Period(start, end if not hasattr(end, "days") else start + end))
    return found
