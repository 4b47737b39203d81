"""Every CalDAV requirement's checks are shown able to fail: a fault of the catalogue breaks
it (proven in tests/integration/test_caldav_faults.py), or a real reference server fails it
(a documented known deviation, enforced in test_caldav_reference.py), or it is listed below
with the reason neither is possible yet."""

from __future__ import annotations

from conformance.candidate.manifest import load_manifest
from conformance.locations import bundled_candidates_dir
from conformance.suite.discovery import discover_suites
from conformance.suite.fault_runner import load_faults

# Requirements no fault in front of Radicale can prove, with why.
NOT_PROVABLE_YET = {
    "caldav.collection.supported-calendar-data":
        "Radicale does not define this optional property, so its check is inapplicable there "
        "and a fault cannot be shown to turn a pass into a failure",
    "caldav.principal.unauthenticated":
        "both reference servers make it inapplicable (Radicale answers 401, Xandikos has no "
        "authentication); it needs a candidate that serves unauthenticated principals",
}


def test_every_requirement_is_shown_able_to_fail() -> None:
    suite = discover_suites()["caldav"]
    broken_by_faults = {r for fault in load_faults(suite) for r in fault.breaks}
    failed_by_real_servers = {
        deviation.requirement
        for path in bundled_candidates_dir().glob("*.toml")
        for deviation in load_manifest(path).manifest.known_deviations
    }
    proven = broken_by_faults | failed_by_real_servers | set(NOT_PROVABLE_YET)
    unproven = sorted(set(suite.catalogue.by_id) - proven)
    assert unproven == [], f"requirements with no fault and no failing real server: {unproven}"


def test_exemptions_are_still_needed() -> None:
    suite = discover_suites()["caldav"]
    broken_by_faults = {r for fault in load_faults(suite) for r in fault.breaks}
    assert set(NOT_PROVABLE_YET) <= set(suite.catalogue.by_id)
    assert not set(NOT_PROVABLE_YET) & broken_by_faults, "a fault now covers an exemption"
