"""Candidates in containers: the CalDAV campaign in container mode gives the same verdicts as
in process mode; bad images and dying containers give clear errors; nothing is left behind.

Needs a container runtime (``docker/setup-runtime.sh`` sets one up; CI runs it). The images
are built by the tests themselves, from the cache when nothing changed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from conformance.candidate.images import container_tool, recipes
from conformance.candidate.launchers.reaper import LABEL
from conformance.locations import bundled_candidates_dir
from tests.integration.conftest import conformance, read_report

CONTAINER_MANIFESTS = bundled_candidates_dir() / "containers"
SEED = "20261122"


@pytest.fixture(scope="module")
def images() -> None:
    if shutil.which("podman") is None and shutil.which("docker") is None:
        pytest.skip("no container runtime here: run docker/setup-runtime.sh")
    for recipe in recipes().values():
        result = conformance("images", "build", recipe.name, cwd=Path.cwd(), timeout=900)
        assert result.returncode == 0, result.stderr[-3000:]


def leftovers() -> list[str]:
    tool = container_tool()
    found = subprocess.run(
        [tool, "ps", "-a", "--filter", f"label={LABEL}", "--format", "{{.ID}} {{.Image}}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.splitlines()


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["outcome"] for r in report["requirements"]}


@pytest.fixture(scope="module")
def both_modes(images: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("modes")
    arguments = ["run", "--campaign", "modes", "--output-root", str(root), "--seed", SEED]
    for candidate in ("radicale", "xandikos"):
        arguments += [
            "--candidate",
            candidate,
            "--candidate",
            str(CONTAINER_MANIFESTS / f"{candidate}.toml"),
        ]
    result = conformance(*arguments, cwd=root, timeout=1200)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    return root / "modes"


@pytest.fixture(scope="module")
def matrix_modes(images: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Matrix campaign against Synapse as a process and in its container."""
    root = tmp_path_factory.mktemp("matrix-modes")
    result = conformance(
        "run",
        "--campaign",
        "modes",
        "--output-root",
        str(root),
        "--seed",
        SEED,
        "--candidate",
        "synapse",
        "--candidate",
        str(CONTAINER_MANIFESTS / "synapse.toml"),
        cwd=root,
        timeout=1200,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    return root / "modes"


def assert_same_outcomes(process: dict[str, Any], container: dict[str, Any]) -> None:
    assert container["verdict"] == process["verdict"]
    differing = {
        r: (o, outcomes(container).get(r))
        for r, o in outcomes(process).items()
        if outcomes(container).get(r) != o
    }
    assert differing == {}, f"process vs container outcomes differ: {differing}"


@pytest.mark.parametrize("candidate", ["radicale", "xandikos"])
def test_container_mode_matches_process_mode(both_modes: Path, candidate: str) -> None:
    process = read_report(both_modes / candidate)
    container = read_report(both_modes / f"{candidate}-container")
    assert_same_outcomes(process, container)


def test_synapse_container_matches_process_mode(matrix_modes: Path) -> None:
    process = read_report(matrix_modes / "synapse")
    container = read_report(matrix_modes / "synapse-container")
    assert_same_outcomes(process, container)
    assert container["candidate"]["observed"] == process["candidate"]["observed"]
    assert container["run"]["start_parameters"]["kind"] == "container"
    assert leftovers() == []


@pytest.mark.parametrize("candidate", ["radicale", "xandikos"])
def test_container_report_names_the_image_that_ran(both_modes: Path, candidate: str) -> None:
    report = read_report(both_modes / f"{candidate}-container")
    (artefact,) = report["candidate"]["artefacts"]
    image_id = subprocess.run(
        [
            container_tool(),
            "image",
            "inspect",
            "--format",
            "{{.Id}}",
            f"localhost/eos-{candidate}:{recipes()[candidate].version}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert artefact["digest"] == f"sha256:{image_id.removeprefix('sha256:')}"
    parameters = report["run"]["start_parameters"]
    assert parameters["kind"] == "container"
    assert parameters["containers"]["candidate"]["image_id"] == artefact["digest"]
    log = both_modes / f"{candidate}-container" / "candidate.log"
    assert log.stat().st_size > 0, "the container's log is kept as evidence"


def test_nothing_is_left_after_the_campaign(both_modes: Path) -> None:
    assert leftovers() == []


def variant(directory: Path, name: str, **launch: Any) -> Path:
    data = {
        "extends": str(CONTAINER_MANIFESTS / "radicale.toml"),
        "id": name,
        "launch": {
            "kind": "container",
            "image": "localhost/eos-radicale:3.9.0",
            "port": 5232,
            **launch,
        },
    }
    path = directory / f"{name}.toml"
    path.write_text(tomli_w.dumps(data))
    return path


def run_variant(path: Path, directory: Path) -> subprocess.CompletedProcess[str]:
    return conformance(
        "run", "--candidate", str(path), "--output-root", str(directory), cwd=directory, timeout=300
    )


def test_missing_image_is_a_clear_error(images: None, tmp_path: Path) -> None:
    path = variant(tmp_path, "missing", image="localhost/eos-no-such-image:0")
    result = run_variant(path, tmp_path)
    assert result.returncode == 3
    assert "localhost/eos-no-such-image:0" in result.stderr
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_container_exiting_at_once_shows_its_last_log_lines(images: None, tmp_path: Path) -> None:
    path = variant(tmp_path, "exits", command=["--no-such-option"])
    result = run_variant(path, tmp_path)
    assert result.returncode == 3
    assert "exited with code" in result.stderr
    assert "unrecognized arguments: --no-such-option" in result.stderr
    assert leftovers() == []


def test_port_never_opening_times_out_with_the_image_named(images: None, tmp_path: Path) -> None:
    # Radicale listens on 5232; publishing 9999 means the probe never gets an answer.
    path = variant(tmp_path, "silent", port=9999, ready={"http": "/", "timeout": 3})
    result = run_variant(path, tmp_path)
    assert result.returncode == 3
    assert "did not become ready within 3 s" in result.stderr
    assert "Radicale" in result.stderr or "radicale" in result.stderr
    assert leftovers() == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_killed_campaign_leaves_nothing_behind(images: None, tmp_path: Path, signum: int) -> None:
    # The pytest process that owns the container is the one killed: SIGTERM goes through the
    # harness's own cleanup, SIGKILL through the reaper watching it.
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            str(Path(__file__).parents[2] / "suites" / "caldav"),
            "--candidate",
            str(CONTAINER_MANIFESTS / "radicale.toml"),
            "--output-root",
            str(tmp_path),
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    journal = tmp_path / "adhoc" / "radicale-container" / "journal.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (
        journal.exists() and journal.read_text().count('"type": "check"') >= 2
    ):
        time.sleep(0.1)
    assert leftovers(), "the campaign's container runs while checks run"
    os.kill(process.pid, signum)
    process.wait(timeout=60)
    deadline = time.monotonic() + 30
    while leftovers() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert leftovers() == []
    if signum == signal.SIGTERM:
        report = json.loads((journal.parent / "report.json").read_text())
        assert report["run"]["complete"] is False


# A front container that answers with what it fetched from a service container by its name:
# it can only answer once the private network and the name resolution work.
FRONT = """
import http.server, urllib.request
class Front(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = urllib.request.urlopen("http://store:8000/greeting.txt", timeout=5).read()
        self.send_response(200); self.end_headers(); self.wfile.write(body)
http.server.HTTPServer(("0.0.0.0", 8080), Front).serve_forever()
"""


def test_multi_container_candidate_on_a_private_network(images: None, tmp_path: Path) -> None:
    import requests

    from conformance.candidate.launchers import launcher_for
    from conformance.candidate.manifest import load_manifest

    python = ["/opt/venv/bin/python", "-c"]
    data = {
        "extends": str(CONTAINER_MANIFESTS / "radicale.toml"),
        "id": "two-containers",
        "launch": {
            "kind": "container",
            "image": "localhost/eos-radicale:3.9.0",
            "port": 8080,
            "entrypoint": [*python, FRONT],
            "ready": {"http": "/", "timeout": 60},
            "services": [
                {
                    "name": "store",
                    "image": "localhost/eos-radicale:3.9.0",
                    "entrypoint": [
                        "/opt/venv/bin/python",
                        "-m",
                        "http.server",
                        "8000",
                        "--directory",
                        "/srv",
                    ],
                    "files": {"/srv/greeting.txt": "hello from the store"},
                }
            ],
        },
    }
    manifest = tmp_path / "two.toml"
    manifest.write_text(tomli_w.dumps(data))
    loaded = load_manifest(manifest)
    launcher = launcher_for("container")(loaded, tmp_path / "out")
    running = launcher.start()
    try:
        assert requests.get(running.base_url, timeout=10).text == "hello from the store"
        assert len(leftovers()) == 2
        parameters = launcher.start_parameters()["containers"]
        assert set(parameters) == {"candidate", "store"}
    finally:
        launcher.stop()
    assert leftovers() == []
    networks = subprocess.run(
        [container_tool(), "network", "ls", "--filter", f"label={LABEL}", "--format", "{{.Name}}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert networks.stdout.split() == []
    assert (tmp_path / "out" / "candidate-store.log").exists()
