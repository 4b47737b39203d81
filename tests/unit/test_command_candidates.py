"""Core support for command-line candidates: the ``command`` launcher, Debian-package and
executable artefacts, commands run from checks with evidence, suite-contributed CLI commands."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from conformance.candidate.artefact_kinds import debian_package_digest, executable_digest
from conformance.candidate.context import CandidateContext
from conformance.candidate.launchers import launcher_of
from conformance.candidate.manifest import Artefact, load_manifest, resolve_artefact
from conformance.check.commands import run_template
from conformance.check.evidence import EvidenceLog, bind_evidence, unbind_evidence
from conformance.errors import CandidateError, InputError
from conformance.suite.commands import register_suite_commands, suite_command_groups

MANIFEST = """
id = "converter"
product = "Converter"
vendor = "Example"
version = "1"

[[artefacts]]
name = "python"
executable = "{python}"

[claims]
odf = ["odf-producer"]

[launch]
kind = "command"
requires = {requires}
probe = {probe}

[launch.files]
"note.txt" = "in {{workdir}}"

[endpoints]
base = "file://{{workdir}}/"
"""


def manifest(tmp_path: Path, requires: str = '["sh"]', probe: str = '["sh", "-c", "exit 0"]',
             python: str = "python3") -> Path:
    path = tmp_path / "converter.toml"
    path.write_text(MANIFEST.format(requires=requires, probe=probe, python=python))
    return path


def test_command_launcher_prepares_a_workdir_and_removes_it(tmp_path: Path) -> None:
    launcher = launcher_of(load_manifest(manifest(tmp_path)), tmp_path / "out")
    running = launcher.start()
    workdir = Path(launcher.template_values["workdir"])
    assert running.base_url == f"file://{workdir}/"
    assert (workdir / "note.txt").read_text() == f"in {workdir}"
    assert oct((workdir / "note.txt").stat().st_mode & 0o777) == "0o600"
    launcher.stop()
    assert not workdir.exists()


def test_missing_executable_and_failing_probe_are_candidate_errors(tmp_path: Path) -> None:
    missing = launcher_of(load_manifest(manifest(tmp_path, requires='["no-such-tool-xyz"]')),
                          tmp_path)
    with pytest.raises(CandidateError, match="no-such-tool-xyz"):
        missing.start()
    failing = launcher_of(
        load_manifest(manifest(tmp_path, probe='["sh", "-c", "echo broken; exit 3"]')), tmp_path
    )
    with pytest.raises(CandidateError, match="exited with code 3") as caught:
        failing.start()
    assert "broken" in str(caught.value)
    assert failing.workdir is None


def test_unknown_launch_setting_names_the_field(tmp_path: Path) -> None:
    path = manifest(tmp_path)
    path.write_text(path.read_text().replace('kind = "command"', 'kind = "command"\nport = 1'))
    with pytest.raises(InputError, match=r"launch\.port"):
        launcher_of(load_manifest(path), tmp_path)


def test_run_template_expands_placeholders_and_records_evidence(tmp_path: Path) -> None:
    loaded = load_manifest(manifest(tmp_path))
    launcher = launcher_of(loaded, tmp_path)
    running = launcher.start()
    try:
        candidate = CandidateContext(loaded.manifest, running)
        log = EvidenceLog()
        token = bind_evidence(log)
        try:
            run = run_template(candidate, ["sh", "-c", "echo {word} > {workdir}/x; echo done"],
                               {"word": "hello"}, "settings.test")
            slow = run_template(candidate, ["sleep", "5"], {}, "settings.test", timeout=0.2)
        finally:
            unbind_evidence(token)
        assert run.succeeded and run.output.strip() == "done"
        assert (Path(launcher.template_values["workdir"]) / "x").read_text() == "hello\n"
        assert slow.returncode is None
        recorded = log.to_dict()["commands"]
        assert recorded[0]["returncode"] == 0 and "hello" in " ".join(recorded[0]["command"])
        with pytest.raises(InputError, match="unknown placeholder"):
            run_template(candidate, ["echo", "{nothing}"], {}, "settings.test")
    finally:
        launcher.stop()


def test_document_evidence_appears_only_when_used() -> None:
    log = EvidenceLog()
    assert "documents" not in log.to_dict()
    log.add_document("a.odt", "content.xml", "<text:p/>", location="/office:text", note="n")
    assert log.to_dict()["documents"][0]["location"] == "/office:text"


def test_executable_artefact_is_the_sha256_of_the_resolved_file() -> None:
    path = Path(shutil.which("sh") or "/bin/sh").resolve()
    expected = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    assert executable_digest("sh") == expected
    with pytest.raises(InputError, match="not found on PATH"):
        executable_digest("no-such-tool-xyz")
    resolved = resolve_artefact(Artefact(name="sh", executable="sh"), Path("."))
    assert resolved.kind == "executable" and resolved.digest == expected


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian system")
def test_debian_package_artefact_has_version_and_stable_digest() -> None:
    version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "dpkg"],
                             capture_output=True, text=True, check=True).stdout
    digest, found = debian_package_digest("dpkg")
    assert found == version and digest.startswith("sha256:")
    assert debian_package_digest("dpkg")[0] == digest
    with pytest.raises(InputError, match="not installed"):
        debian_package_digest("no-such-package-xyz")


def test_artefact_needs_exactly_one_source() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Artefact(name="x", executable="sh", debian_package="dpkg")


def test_suite_commands_are_discovered_and_registered() -> None:
    groups = suite_command_groups()
    assert "odf" in groups and isinstance(groups["odf"], click.Group)
    main = click.Group("main")
    main.add_command(click.Command("odf-keep"), name="report")
    register_suite_commands(main)
    assert "odf" in main.commands and main.commands["report"].name == "odf-keep"


def test_cli_has_the_suite_group() -> None:
    answer = subprocess.run([sys.executable, "-m", "conformance.cli", "odf", "--help"],
                            capture_output=True, text=True, check=False)
    assert answer.returncode == 0 and "validate" in answer.stdout
