"""Every ActivityPub requirement's checks are shown able to fail: a fault of the catalogue
breaks it (proven in tests/integration/test_activitypub_faults.py), or the reference server
fails it (a documented known deviation, enforced in test_activitypub_reference.py), or it is
listed below with the reason neither is possible yet."""

from __future__ import annotations

from conformance.candidate.manifest import load_manifest
from conformance.locations import bundled_candidates_dir
from conformance.suite.discovery import discover_suites
from conformance.suite.fault_runner import load_faults

# Requirements no fault in front of bovine-herd can prove, with why.
NOT_PROVABLE_YET: dict[str, str] = {
    "activitypub.actor.shared-inbox":
        "bovine-herd advertises no sharedInbox, so the check is inapplicable there and a fault "
        "cannot turn a pass into a failure; it needs a candidate that advertises one",
}


def _deviations() -> set[str]:
    return {
        deviation.requirement
        for path in bundled_candidates_dir().glob("*.toml")
        for deviation in load_manifest(path).manifest.known_deviations
        if deviation.requirement.startswith("activitypub.")
    }


def test_every_requirement_is_shown_able_to_fail() -> None:
    suite = discover_suites()["activitypub"]
    broken_by_faults = {r for fault in load_faults(suite) for r in fault.breaks}
    proven = broken_by_faults | _deviations() | set(NOT_PROVABLE_YET)
    unproven = sorted(set(suite.catalogue.by_id) - proven)
    assert unproven == [], f"requirements with no fault and no failing real server: {unproven}"


def test_exemptions_are_still_needed() -> None:
    suite = discover_suites()["activitypub"]
    broken_by_faults = {r for fault in load_faults(suite) for r in fault.breaks}
    assert set(NOT_PROVABLE_YET) <= set(suite.catalogue.by_id)
    assert not set(NOT_PROVABLE_YET) & broken_by_faults, "a fault now covers an exemption"
    assert not set(NOT_PROVABLE_YET) & _deviations(), "a real server now fails an exemption"


def test_faults_do_not_target_known_deviations() -> None:
    # A fault can only prove a check able to fail if the check passes without it.
    suite = discover_suites()["activitypub"]
    targeted = {r for fault in load_faults(suite) for r in fault.breaks}
    assert not targeted & _deviations()
