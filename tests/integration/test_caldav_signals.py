"""A CalDAV check says ``inapplicable`` only for the answer its RFC defines for an optional
feature the server lacks, never for an error. Proxies in front of a real Radicale give each
such answer (Radicale itself supports these features), and the check must come out
``inapplicable`` with its signal; the faults of ``suites/caldav/faults.py`` show the errors
and broken refusals next to them come out ``failed``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from conformance.candidate.launchers import launcher_of
from conformance.candidate.launchers.base import Launcher, RunningCandidate, free_loopback_port
from conformance.candidate.manifest import LoadedManifest, resolve_manifest
from conformance.locations import bundled_candidates_dir
from conformance.report.model import Report
from conformance.suite.discovery import discover_suites
from conformance.suite.fault_runner import proxied_manifest, run_checks
from conformance.suite.faults import Fault, FaultProxy, ProxyRequest, ProxyResponse

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
DEAD = "{https://eos.example/ns/conformance}colour-note"


def refusal(request: ProxyRequest, refused: list[tuple[str, str]]) -> ProxyResponse:
    """A 207 whose propstats refuse ``refused`` (tag, status): how RFC 4791 §5.3.1.1 and
    RFC 4918 §9.2.1 say a server declines to set properties, nothing done."""
    root = etree.Element(f"{{{DAV}}}multistatus")
    entry = etree.SubElement(root, f"{{{DAV}}}response")
    etree.SubElement(entry, f"{{{DAV}}}href").text = request.path_only
    for tag, status in refused:
        propstat = etree.SubElement(entry, f"{{{DAV}}}propstat")
        etree.SubElement(etree.SubElement(propstat, f"{{{DAV}}}prop"), tag)
        etree.SubElement(propstat, f"{{{DAV}}}status").text = f"HTTP/1.1 {status}"
    return ProxyResponse(207, [("Content-Type", "application/xml; charset=utf-8")],
                         etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def component_set_refused(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.method != "MKCALENDAR" or b"supported-calendar-component-set" not in request.body:
        return request
    return refusal(request, [(f"{{{DAV}}}displayname", "424 Failed Dependency"),
                             (f"{{{CALDAV}}}supported-calendar-component-set", "403 Forbidden")])


def dead_property_refused(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.method != "PROPPATCH" or b"colour-note" not in request.body:
        return request
    return refusal(request, [(DEAD, "403 Forbidden")])


def description_protected(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.method != "PROPPATCH" or b"calendar-description" not in request.body:
        return request
    return refusal(request, [(f"{{{CALDAV}}}calendar-description", "403 Forbidden")])


def restricted_calendar_fails(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.method == "MKCALENDAR" and "events-only" in request.path:
        return ProxyResponse(500, [("Content-Type", "text/plain")], b"Internal Server Error")
    return request


# name: (the proxy, the requirements whose checks run, the outcome each check must have)
CASES = {
    "component-set-refused": (component_set_refused,
                              ["caldav.mkcalendar.component-set",
                               "caldav.put.supported-calendar-component"], "inapplicable"),
    "dead-property-refused": (dead_property_refused, ["caldav.proppatch.dead-property"],
                              "inapplicable"),
    "description-protected": (description_protected,
                              ["caldav.collection.calendar-description",
                               "caldav.collection.calendar-description-lang"], "inapplicable"),
    # A 5xx while setting up is no signal: the check cannot tell, it is not "inapplicable".
    "restricted-calendar-500": (restricted_calendar_fails,
                                ["caldav.put.supported-calendar-component"], "cantTell"),
}


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[LoadedManifest, Launcher, RunningCandidate, int, Path]]:
    loaded = resolve_manifest("radicale", bundled_candidates_dir())
    work = tmp_path_factory.mktemp("signals")
    port = free_loopback_port()
    launcher = launcher_of(loaded, work / "candidate", public_port=port)
    running = launcher.start()
    try:
        yield loaded, launcher, running, port, work
    finally:
        launcher.stop()


@pytest.mark.parametrize("case", sorted(CASES))
def test_only_the_rfc_answer_makes_a_check_inapplicable(
        radicale: tuple[LoadedManifest, Launcher, RunningCandidate, int, Path],
        case: str) -> None:
    loaded, launcher, running, port, work = radicale
    hook, requirements, outcome = CASES[case]
    fault = Fault(case, case, tuple(requirements), on_request=hook)
    with FaultProxy(running.base_url, fault, port) as proxy:
        manifest = proxied_manifest(loaded, proxy.url, work, case, running.endpoints,
                                    launcher.template_values)
        report: Report | None = run_checks(manifest, loaded.manifest.id,
                                           discover_suites()["caldav"], requirements, work, case)
    assert report is not None
    checks = [c for c in report.checks if set(c.requirements) & set(requirements)]
    assert checks, "no check ran"
    assert {c.nodeid: str(c.outcome) for c in checks} == {c.nodeid: outcome for c in checks}
    if outcome == "inapplicable":
        assert all(c.signal for c in checks)
