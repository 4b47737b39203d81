"""WebDAV properties: PROPFIND depths and unknown properties (RFC 4918 §9.1), PROPPATCH
(RFC 4918 §9.2), and the calendar collection properties of RFC 4791 §5.2."""

from __future__ import annotations

from typing import NoReturn

import pytest

from conformance.api import CheckFailure, RecordingSession, expect, expect_equal, inapplicable
from suites.caldav import dav, ical

EOS = "https://eos.example/ns/conformance"


@pytest.fixture
def populated(dav_session: RecordingSession, calendar: str) -> tuple[str, list[str]]:
    """A calendar with two events."""
    members = [f"{calendar}one.ics", f"{calendar}two.ics"]
    for member in members:
        dav.store(dav_session, member, ical.simple_event())
    return calendar, members


def paths(responses: list[dav.DavResponse]) -> set[str]:
    return {dav.path_of(r.href).rstrip("/") for r in responses}


@pytest.mark.requirement("caldav.propfind.depth-0")
def test_propfind_depth_0_answers_for_the_collection_only(
        dav_session: RecordingSession, populated: tuple[str, list[str]]) -> None:
    calendar, _ = populated
    response = dav.propfind(dav_session, calendar, [dav.d("resourcetype")], depth="0")
    found = paths(dav.parse_multistatus(response, "PROPFIND Depth: 0"))
    expect_equal(found, {dav.path_of(calendar).rstrip("/")}, "hrefs of PROPFIND Depth: 0")


@pytest.mark.requirement("caldav.propfind.depth-1")
def test_propfind_depth_1_lists_the_members(dav_session: RecordingSession,
                                            populated: tuple[str, list[str]]) -> None:
    calendar, members = populated
    response = dav.propfind(dav_session, calendar, [dav.d("getetag")], depth="1")
    found = paths(dav.parse_multistatus(response, "PROPFIND Depth: 1"))
    wanted = {dav.path_of(u).rstrip("/") for u in [calendar, *members]}
    expect_equal(found, wanted, "hrefs of PROPFIND Depth: 1 on a calendar with two events")


def deep_paths(populated: tuple[str, list[str]]) -> set[str]:
    calendar, members = populated
    return {dav.path_of(u).rstrip("/") for u in [calendar, *members]}


def walked(session: RecordingSession, url: str) -> list[str]:
    """Every path at or below ``url``, found with Depth: 1 PROPFINDs collection by collection:
    what a Depth: infinity answer must list, once each (RFC 4918 §9.1)."""
    here = dav.path_of(url).rstrip("/")
    found = [here]
    entries = dav.parse_multistatus(dav.propfind(session, url, [dav.d("resourcetype")],
                                                 depth="1"), "PROPFIND Depth: 1")
    for entry in entries:
        path = dav.path_of(entry.href).rstrip("/")
        if path == here:
            continue
        kind = entry.prop(dav.d("resourcetype"))
        if kind is not None and kind.find(dav.d("collection")) is not None:
            found += walked(session, session.url(entry.href.rstrip("/") + "/"))
        else:
            found.append(path)
    return sorted(found)


@pytest.mark.requirement("caldav.propfind.depth-infinity")
def test_propfind_depth_infinity_is_supported(dav_session: RecordingSession,
                                              calendar_home: str,
                                              populated: tuple[str, list[str]]) -> None:
    response = dav.propfind(dav_session, calendar_home, [dav.d("resourcetype")],
                            depth="infinity")
    expect_equal(response.status_code, 207, "status of PROPFIND Depth: infinity on the "
                 "calendar home")
    found = sorted(dav.path_of(r.href).rstrip("/")
                   for r in dav.parse_multistatus(response, "PROPFIND Depth: infinity"))
    wanted = deep_paths(populated)
    expect(wanted <= set(found), "PROPFIND Depth: infinity on the calendar home reaches the "
           "calendar and its events", expected=sorted(wanted), actual=found)
    # Exactly the home and everything below it, once each: nothing left out, nothing extra.
    expect_equal(found, walked(dav_session, calendar_home),
                 "paths of PROPFIND Depth: infinity on the calendar home, compared with the "
                 "tree Depth: 1 PROPFINDs walk")


@pytest.mark.requirement("caldav.propfind.finite-depth-error")
def test_refused_depth_infinity_names_propfind_finite_depth(
        dav_session: RecordingSession, calendar_home: str,
        populated: tuple[str, list[str]]) -> None:
    response = dav.propfind(dav_session, calendar_home, [dav.d("resourcetype")],
                            depth="infinity")
    if response.status_code == 207:
        found = paths(dav.parse_multistatus(response, "PROPFIND Depth: infinity"))
        if deep_paths(populated) <= found:
            inapplicable("PROPFIND Depth: infinity answered 207 down to the events two levels "
                         "below the calendar home: the server supports infinite depth "
                         "(RFC 4918 §9.1)", "a server that answers Depth: infinity never "
                         "refuses it")
        # A 207 that silently stops at some depth refuses infinity without saying so.
        raise CheckFailure("PROPFIND Depth: infinity was answered 207 but stopped short of "
                           "the events two levels down, instead of a 403 with "
                           "DAV:propfind-finite-depth",
                           expected="403 with DAV:propfind-finite-depth",
                           actual=sorted(found))
    expect_equal(response.status_code, 403, "status of a refused Depth: infinity PROPFIND")
    conditions = dav.error_conditions(response)
    expect(dav.d("propfind-finite-depth") in conditions,
           "the refusal names DAV:propfind-finite-depth in a DAV:error body",
           expected=dav.d("propfind-finite-depth"), actual=conditions or response.text[:200])


@pytest.mark.requirement("caldav.propfind.unknown-property-404")
@pytest.mark.parametrize("target", ["calendar collection", "calendar object resource"])
def test_unknown_property_is_reported_404(dav_session: RecordingSession,
                                          populated: tuple[str, list[str]], target: str) -> None:
    calendar, members = populated
    url = calendar if target == "calendar collection" else members[0]
    unknown = dav.qname(EOS, "never-defined")
    response = dav.propfind(dav_session, url, [dav.d("getetag"), unknown])
    entry = dav.single_response(response, url, "PROPFIND of an unknown property")
    expect_equal(entry.prop_status(unknown), 404,
                 f"propstat status of a property the {target} does not have")


@pytest.mark.requirement("caldav.proppatch.dead-property")
def test_dead_property_set_and_remove(dav_session: RecordingSession, calendar: str) -> None:
    tag = dav.qname(EOS, "colour-note")
    setting = dav.proppatch(dav_session, calendar,
                            [dav.element(tag, text="türkis, not teal")])
    entry = dav.single_response(setting, calendar, "PROPPATCH set of a dead property")
    if entry.prop_status(tag) == 403:
        # RFC 4918 §9.2.1 lets a server refuse to alter a property "for reasons the server
        # chooses not to specify"; a refusal must then leave the property unset.
        after = dav.single_response(dav.propfind(dav_session, calendar, [tag]), calendar,
                                    "PROPFIND of the refused dead property")
        expect_equal(after.prop_status(tag), 404, "propstat status of the dead property the "
                     "PROPPATCH refused with 403")
        inapplicable("PROPPATCH answered the dead property with a 403 propstat and did not "
                     "store it (RFC 4918 §9.2.1: the client, for reasons the server chooses "
                     "not to specify, cannot alter the property)",
                     "the server stores no dead properties of this namespace")
    expect_equal(entry.prop_status(tag), 200, "propstat status of setting a dead property")
    read = dav.single_response(dav.propfind(dav_session, calendar, [tag]), calendar,
                               "PROPFIND of the dead property")
    expect_equal(dav.prop_text(read, tag), "türkis, not teal", "dead property value read back")
    removing = dav.single_response(dav.proppatch(dav_session, calendar, remove=[tag]),
                                   calendar, "PROPPATCH remove of the dead property")
    expect_equal(removing.prop_status(tag), 200, "propstat status of removing it")
    gone = dav.single_response(dav.propfind(dav_session, calendar, [tag]), calendar,
                               "PROPFIND after removal")
    expect_equal(gone.prop_status(tag), 404, "propstat status of the removed dead property")


@pytest.mark.requirement("caldav.proppatch.displayname")
def test_displayname_set_and_remove(dav_session: RecordingSession, calendar: str) -> None:
    name = dav.d("displayname")
    setting = dav.single_response(
        dav.proppatch(dav_session, calendar, [dav.element(name, text="Renamed — 日本")]),
        calendar, "PROPPATCH set DAV:displayname")
    expect_equal(setting.prop_status(name), 200, "propstat status of setting DAV:displayname")
    read = dav.single_response(dav.propfind(dav_session, calendar, [name]), calendar,
                               "PROPFIND DAV:displayname")
    expect_equal(dav.prop_text(read, name), "Renamed — 日本", "DAV:displayname after PROPPATCH")
    removing = dav.single_response(dav.proppatch(dav_session, calendar, remove=[name]),
                                   calendar, "PROPPATCH remove DAV:displayname")
    after = dav.single_response(dav.propfind(dav_session, calendar, [name]), calendar,
                                "PROPFIND DAV:displayname after removal")
    if removing.prop_status(name) in (403, 409):
        # Refusing to alter it is allowed: displayname "SHOULD NOT be protected" (RFC 4918
        # §15.2) and 403/409 are PROPPATCH's refusals (§9.2.1). The MUST is that a refused
        # instruction changes nothing (§9.2), so the value must still be there.
        expect_equal(dav.prop_text(after, name), "Renamed — 日本",
                     "DAV:displayname after a refused removal")
        return
    expect_equal(removing.prop_status(name), 200, "propstat status of removing DAV:displayname")
    # A server may show a default name of its own afterwards, but not the removed value.
    expect(dav.prop_text(after, name) != "Renamed — 日本",
           "DAV:displayname no longer holds the removed value",
           expected="404, empty or a server default", actual=dav.prop_text(after, name))


@pytest.mark.requirement("caldav.collection.supported-calendar-data")
def test_supported_calendar_data_names_icalendar(dav_session: RecordingSession,
                                                 calendar: str) -> None:
    tag = dav.c("supported-calendar-data")
    entry = dav.single_response(dav.propfind(dav_session, calendar, [tag]), calendar,
                                "PROPFIND supported-calendar-data")
    value = entry.prop(tag)
    if value is None and entry.prop_status(tag) == 404:
        inapplicable("CALDAV:supported-calendar-data not defined (404 propstat; RFC 4791 "
                     "§5.2.4, optional property)", "the calendar does not define the optional "
                     "property, so there is no value to check")
    expect(value is not None, "CALDAV:supported-calendar-data is either defined or reported "
           "absent (404)", expected="a value or a 404 propstat",
           actual=entry.prop_status(tag))
    assert value is not None
    types = [(t.get("content-type"), t.get("version")) for t in value.iter(dav.c("calendar-data"))]
    expect(("text/calendar", "2.0") in types,
           "CALDAV:supported-calendar-data names text/calendar version 2.0",
           expected=("text/calendar", "2.0"), actual=types)


def describe(session: RecordingSession, calendar: str, lang: str | None) -> dav.DavResponse:
    description = dav.element(dav.c("calendar-description"), text="Réunions d'équipe")
    if lang:
        description.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    return dav.single_response(dav.proppatch(session, calendar, [description]), calendar,
                               "PROPPATCH calendar-description")


def protected(tag: str) -> NoReturn:
    inapplicable("PROPPATCH of CALDAV:calendar-description answered with a 403 propstat: the "
                 "property is protected (RFC 4791 §5.2.1: it MAY be protected; RFC 4918 "
                 "§9.2.1: 403 for a protected property)",
                 f"clients cannot set {tag} on this server")


@pytest.mark.requirement("caldav.collection.calendar-description")
def test_calendar_description_can_be_set(dav_session: RecordingSession, calendar: str) -> None:
    tag = dav.c("calendar-description")
    status = describe(dav_session, calendar, None).prop_status(tag)
    if status == 403:
        protected(tag)
    expect_equal(status, 200, "propstat status of setting CALDAV:calendar-description")
    entry = dav.single_response(dav.propfind(dav_session, calendar, [tag]), calendar,
                                "PROPFIND calendar-description")
    expect_equal(dav.prop_text(entry, tag), "Réunions d'équipe",
                 "CALDAV:calendar-description read back")


@pytest.mark.requirement("caldav.collection.calendar-description-lang")
def test_calendar_description_keeps_xml_lang(dav_session: RecordingSession,
                                             calendar: str) -> None:
    tag = dav.c("calendar-description")
    status = describe(dav_session, calendar, "fr").prop_status(tag)
    if status == 403:
        protected(tag)
    expect_equal(status, 200, "propstat status of setting CALDAV:calendar-description with "
                 "xml:lang")
    entry = dav.single_response(dav.propfind(dav_session, calendar, [tag]), calendar,
                                "PROPFIND calendar-description")
    value = entry.prop(tag)
    lang = value.get("{http://www.w3.org/XML/1998/namespace}lang") if value is not None else None
    expect_equal(lang, "fr", "xml:lang of CALDAV:calendar-description read back")


@pytest.mark.requirement("caldav.reports.supported-report-set")
@pytest.mark.parametrize("target", ["calendar collection", "calendar object resource"])
def test_calendar_reports_are_advertised(dav_session: RecordingSession,
                                         populated: tuple[str, list[str]], target: str) -> None:
    calendar, members = populated
    url = calendar if target == "calendar collection" else members[0]
    entry = dav.single_response(
        dav.propfind(dav_session, url, [dav.d("supported-report-set")]), url,
        "PROPFIND supported-report-set")
    reports = dav.supported_reports(entry.prop(dav.d("supported-report-set")))
    for report in (dav.c("calendar-query"), dav.c("calendar-multiget")):
        expect(report in reports, f"DAV:supported-report-set of a {target} lists {report}",
               expected=report, actual=reports)
