"""The Matrix checks are ``inapplicable`` only on a positive signal the spec defines, and say
which: a real Synapse behind a proxy that removes what the spec lets a server leave out
(a 404 for /.well-known/matrix/client, optional capabilities, ``unstable_features``,
``m.upload.size``, versions before v1.11). The same places answering 500 instead give
``failed`` (or ``cantTell`` where a precondition is gone), never ``inapplicable``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.api import Fault, ProxyRequest, ProxyResponse
from conformance.candidate.manifest import resolve_manifest
from conformance.locations import bundled_candidates_dir
from conformance.outcomes import Outcome
from conformance.suite.discovery import discover_suites
from conformance.suite.fault_runner import FaultResult, run_fault_catalogue

REQUIREMENTS = (
    "matrix.wellknown.base-url",
    "matrix.capabilities.room-versions",
    "matrix.capabilities.change-password",
    "matrix.versions.unstable-features",
    "matrix.media.config",
)
SIGNALS = {
    "test_well_known": "answered 404",
    "test_capabilities_room_versions": "does not list m.room_versions",
    "test_capabilities_change_password": "does not list m.change_password",
    "test_unstable_features": "announces no unstable_features",
    "test_config": "lists no m.upload.size",
}


def _leave_out(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    body = response.json_object()
    path = request.path_only
    if path.endswith("/.well-known/matrix/client"):
        return ProxyResponse.from_json(404, {"errcode": "M_NOT_FOUND", "error": "Not found"})
    if body is None:
        return response
    if path.endswith("/capabilities"):
        for name in ("m.room_versions", "m.change_password"):
            body["capabilities"].pop(name, None)
    elif path.endswith("/media/config"):
        body.pop("m.upload.size", None)
    elif path.endswith("/client/versions"):
        body.pop("unstable_features", None)
    else:
        return response
    return response.with_json(body)


def _old_versions(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    body = response.json_object()
    if not request.path_only.endswith("/client/versions") or body is None:
        return response
    return response.with_json(dict(body, versions=["r0.6.1", "v1.1", "v1.10"]))


def _errors(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if request.path_only.endswith(("/.well-known/matrix/client", "/capabilities",
                                   "/media/config", "/client/versions")):
        return ProxyResponse.from_json(500, {"errcode": "M_UNKNOWN", "error": "Internal"})
    return response


FAULTS = [
    Fault("optional-parts-left-out", "what the spec lets a server leave out is left out",
          REQUIREMENTS, on_response=_leave_out),
    Fault("before-v1-11", "/versions announces nothing newer than v1.10",
          ("matrix.media.config", "matrix.media.thumbnail"), on_response=_old_versions),
    Fault("errors-at-the-same-places", "the same endpoints answer 500",
          REQUIREMENTS, on_response=_errors),
]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, FaultResult]]:
    work = tmp_path_factory.mktemp("signals")
    loaded = resolve_manifest("synapse", bundled_candidates_dir())
    _, found = run_fault_catalogue(loaded, discover_suites()["matrix"], FAULTS, work)
    return work, {r.fault.name: r for r in found}


def _signals(work: Path, fault: str) -> dict[str, str | None]:
    report = json.loads((work / f"fault-{fault}" / "synapse" / "report.json").read_text())
    return {c["nodeid"].rsplit("::", 1)[1]: c.get("signal") for c in report["checks"]}


def test_left_out_parts_are_inapplicable_with_their_signal(
    results: tuple[Path, dict[str, FaultResult]],
) -> None:
    work, found = results
    result = found["optional-parts-left-out"]
    assert result.outcomes == dict.fromkeys(REQUIREMENTS, Outcome.INAPPLICABLE)
    signals = _signals(work, "optional-parts-left-out")
    for check, words in SIGNALS.items():
        assert words in str(signals[check]), (check, signals[check])
        assert "CS API v1.15 §" in str(signals[check]), check


def test_an_older_version_makes_media_checks_inapplicable(
    results: tuple[Path, dict[str, FaultResult]],
) -> None:
    work, found = results
    assert set(found["before-v1-11"].outcomes.values()) == {Outcome.INAPPLICABLE}
    signals = _signals(work, "before-v1-11")
    assert all("no version >= v1.11" in str(s) for s in signals.values()), signals


def test_an_error_status_is_never_inapplicable(
    results: tuple[Path, dict[str, FaultResult]],
) -> None:
    _, found = results
    outcomes = found["errors-at-the-same-places"].outcomes
    # /versions failing takes away the list the media check needs: that is cantTell.
    assert outcomes == {**dict.fromkeys(REQUIREMENTS, Outcome.FAILED),
                        "matrix.media.config": Outcome.CANT_TELL}
