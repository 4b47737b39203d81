"""Every OpenID Connect requirement's checks are shown able to fail: a fault of the catalogue
breaks it (proven in tests/integration/test_oidc_faults.py), or a real reference provider
fails it (a documented known deviation, enforced in test_oidc_reference.py), or it is listed
below with the reason neither is possible yet."""

from __future__ import annotations

from conformance.candidate.manifest import load_manifest
from conformance.locations import bundled_candidates_dir
from conformance.suite.discovery import discover_suites
from conformance.suite.fault_runner import load_faults

NOT_PROVABLE_YET = {
    "oidc.authz.code-issued":
        "every flow needs the code as a precondition, so a fault that withholds it makes the "
        "check cantTell, not failed",
    "oidc.authz.redirect-uri-required":
        "a proxy cannot know which registered redirect URI a buggy provider would pick, and "
        "oidc-provider has no setting that defaults it when several are registered",
}


def failed_by_real_providers() -> set[str]:
    return {
        deviation.requirement
        for path in bundled_candidates_dir().glob("*.toml")
        for deviation in load_manifest(path).manifest.known_deviations
    }


def test_every_requirement_is_shown_able_to_fail() -> None:
    suite = discover_suites()["oidc"]
    broken_by_faults = {r for fault in load_faults(suite) for r in fault.breaks}
    proven = broken_by_faults | failed_by_real_providers() | set(NOT_PROVABLE_YET)
    unproven = sorted(set(suite.catalogue.by_id) - proven)
    assert unproven == [], f"requirements with no fault and no failing real provider: {unproven}"


def test_exemptions_are_still_needed() -> None:
    suite = discover_suites()["oidc"]
    broken_by_faults = {r for fault in load_faults(suite) for r in fault.breaks}
    assert set(NOT_PROVABLE_YET) <= set(suite.catalogue.by_id)
    assert not set(NOT_PROVABLE_YET) & broken_by_faults, "a fault now covers an exemption"
    assert not set(NOT_PROVABLE_YET) & failed_by_real_providers(), (
        "a real provider now fails an exemption"
    )


def test_variants_exist_for_every_variant_fault() -> None:
    suite = discover_suites()["oidc"]
    directory = bundled_candidates_dir() / "variants" / "oidc-provider"
    for fault in load_faults(suite):
        if fault.variant is not None:
            variant = load_manifest(directory / f"{fault.variant}.toml").manifest
            assert variant.id == "oidc-provider"
            assert variant.launch["env"]["EOS_OIDC_MISCONFIGURE"] == fault.variant
