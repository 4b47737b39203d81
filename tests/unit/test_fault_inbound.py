"""The generic pieces for faults on a candidate's own outgoing requests: the runner names the
active fault to the checks' process, and a proxied manifest keeps the other endpoints."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.candidate.manifest import load_manifest
from conformance.suite.fault_runner import proxied_manifest
from conformance.suite.faults import ACTIVE_FAULT_ENV, Fault, active_fault

CATALOGUE = [
    Fault("a", "first", ("r",)),
    Fault("b", "second", ("r",), inbound=Fault("b-in", "", ())),
]


def test_no_active_fault_outside_fault_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ACTIVE_FAULT_ENV, raising=False)
    assert active_fault(CATALOGUE) is None
    monkeypatch.setenv(ACTIVE_FAULT_ENV, "none")
    assert active_fault(CATALOGUE) is None


def test_active_fault_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ACTIVE_FAULT_ENV, "b")
    fault = active_fault(CATALOGUE)
    assert fault is not None and fault.inbound is not None and fault.inbound.name == "b-in"


def test_proxied_manifest_keeps_expanded_endpoints(tmp_path: Path) -> None:
    source = tmp_path / "c.toml"
    source.write_text(
        'id = "c"\nproduct = "C"\nvendor = "V"\nversion = "1"\n[claims]\nx = ["p"]\n'
        '[[artefacts]]\nname = "c"\ndigest = "sha256:' + "0" * 64 + '"\n'
        '[launch]\nkind = "process"\ncommand = ["true"]\n'
        '[endpoints]\nbase = "http://127.0.0.1:{port}/"\norigin = "http://127.0.0.1:{port}/"\n'
    )
    loaded = load_manifest(source)
    path = proxied_manifest(loaded, "http://127.0.0.1:9/", tmp_path, "p",
                            {"base": "http://127.0.0.1:5/", "origin": "http://127.0.0.1:5/"})
    manifest = load_manifest(path).manifest
    assert manifest.endpoints == {"base": "http://127.0.0.1:9/", "origin": "http://127.0.0.1:5/"}
    assert manifest.launch["kind"] == "endpoint"
