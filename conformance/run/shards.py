"""A shard is one candidate × one standard: one pytest process, one product process, one
report directory. ``run_shard`` runs on whichever machine the executor chose and returns
the report directory's files with their digests; it touches no signing key.
"""

from __future__ import annotations

import hashlib
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from conformance import __version__
from conformance.candidate.manifest import LoadedManifest, resolve_manifest
from conformance.errors import EXIT_INPUT, InputError
from conformance.locations import bundled_candidates_dir, project_root
from conformance.run.state import WORKER_ENV
from conformance.suite.catalogue import Suite
from conformance.suite.discovery import discover_suites

# A report directory larger than this is not sent back (logs of a runaway product).
MAX_SHARD_BYTES = 256 * 1024 * 1024
# The pytest output of a shard run side by side with others, kept beside its report.
CONSOLE_LOG = "console.log"
MAX_CONSOLE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class ShardOptions:
    """What a worker needs to run a shard: campaign facts and pytest options; no secret."""

    campaign: str
    kind: str
    assessor: str | None
    profiles: tuple[str, ...]
    requirements: tuple[str, ...]
    seed: int | None
    extra_pytest_args: tuple[str, ...]


@dataclass(frozen=True)
class Shard:
    name: str  # the report directory under reports/<campaign>/
    candidate_id: str
    candidate: str  # a bundled candidate id, or a manifest path the worker can read
    manifest_sha256: str
    standard: str
    suite_digest: str
    # Dask worker resources the shard's launcher needs (a container runtime, say).
    needs: dict[str, float] = field(default_factory=dict)


@dataclass
class ShardOutcome:
    shard: Shard
    exit_code: int
    files: dict[str, bytes]
    digests: dict[str, str]
    host: str
    worker: str
    harness_version: str
    python: str
    seconds: float
    problem: str | None = None
    # Set when the shard ran on the coordinator's machine straight into its report directory.
    in_place: Path | None = None


def shards_of(planned: list[tuple[LoadedManifest, list[Suite]]]) -> list[Shard]:
    """One shard per claimed standard of each candidate, in campaign order."""
    bundled = bundled_candidates_dir().resolve()
    shards = []
    for loaded, suites in planned:
        manifest = loaded.manifest
        path = loaded.path.resolve()
        reference = manifest.id if path.parent == bundled else str(path)
        for suite in suites:
            name = manifest.id if len(suites) == 1 else f"{manifest.id}-{suite.standard}"
            needs = {"container": 1.0} if manifest.launch.get("kind") == "container" else {}
            shards.append(
                Shard(
                    name=name,
                    candidate_id=manifest.id,
                    candidate=reference,
                    manifest_sha256=loaded.sha256,
                    standard=suite.standard,
                    suite_digest=suite.suite_digest,
                    needs=needs,
                )
            )
    return shards


def pytest_command(
    candidate: str, suite: Path, report_name: str, output_root: Path, options: ShardOptions
) -> list[str]:
    command = [
        sys.executable, "-m", "pytest", str(suite),
        "--candidate", candidate,
        "--campaign", options.campaign,
        "--campaign-kind", options.kind,
        "--output-root", str(output_root),
        "--report-name", report_name,
        "--rootdir", str(project_root()),
        "-p", "no:cacheprovider",
        # One candidate's checks share one product process: never spread them over workers.
        "-p", "no:xdist",
    ]  # fmt: skip
    if options.assessor:
        command += ["--assessor", options.assessor]
    for profile in options.profiles:
        command += ["--profile", profile]
    for requirement in options.requirements:
        command += ["--requirement", requirement]
    if options.seed is not None:
        command += ["--seed", str(options.seed)]
    return command + list(options.extra_pytest_args)


# Children of this process's shards, so an interruption reaches every one of them.
_children: set[subprocess.Popen[bytes]] = set()
_children_lock = threading.Lock()


def interrupt_children(signum: int = signal.SIGTERM) -> None:
    with _children_lock:
        running = list(_children)
    for child in running:
        if child.poll() is None:
            child.send_signal(signum)


def run_shard(
    shard: Shard,
    options: ShardOptions,
    worker: str = "local",
    quiet: bool = False,
    output_root: Path | None = None,
) -> ShardOutcome:
    """Run one shard here, in a fresh pytest process. It writes into a private directory and
    returns the files; with ``output_root`` (the coordinator's own machine) it writes straight
    into ``output_root/<campaign>/<shard>``, so its journal grows where a reader expects it."""
    began = time.monotonic()
    host = socket.gethostname()

    def outcome(code: int, files: dict[str, bytes], problem: str | None = None) -> ShardOutcome:
        return ShardOutcome(
            shard=shard,
            exit_code=code,
            files=files,
            digests={name: _sha256(data) for name, data in files.items()},
            host=host,
            worker=worker,
            harness_version=__version__,
            python=platform.python_version(),
            seconds=round(time.monotonic() - began, 3),
            problem=problem,
        )

    try:
        loaded = resolve_manifest(shard.candidate, bundled_candidates_dir())
        suite = discover_suites().get(shard.standard)
    except InputError as error:
        return outcome(EXIT_INPUT, {}, f"on {host}: {error}")
    if loaded.sha256 != shard.manifest_sha256:
        return outcome(EXIT_INPUT, {}, f"on {host}: the manifest differs from the planned one")
    if suite is None or suite.suite_digest != shard.suite_digest:
        return outcome(EXIT_INPUT, {}, f"on {host}: the {shard.standard} suite differs from "
                                       "the coordinator's (another harness version?)")
    with tempfile.TemporaryDirectory(prefix=f"eos-shard-{shard.name}-") as scratch:
        root = output_root or Path(scratch)
        command = pytest_command(str(loaded.path), suite.directory, shard.name, root, options)
        env = {**os.environ, WORKER_ENV: worker}
        console_log = Path(scratch) / CONSOLE_LOG
        with console_log.open("wb") as log:
            # Shards side by side would interleave their output: each keeps its own. Their
            # error messages (on stderr: a candidate that cannot start, say) still reach the
            # person running the campaign, except on a remote worker, where the record's
            # reason says what happened.
            output = log if quiet else None
            errors = log if quiet and output_root is None else None
            process = subprocess.Popen(
                command, cwd=Path.cwd(), env=env, stdout=output, stderr=errors
            )
            code = _wait(process)
        directory = root / options.campaign / shard.name
        if quiet and directory.is_dir():
            (directory / CONSOLE_LOG).write_bytes(console_log.read_bytes()[-MAX_CONSOLE_BYTES:])
        files, problem = _collect(directory)
    result = outcome(code, files, problem)
    result.in_place = directory if output_root is not None else None
    return result


def _wait(process: subprocess.Popen[bytes]) -> int:
    with _children_lock:
        _children.add(process)
    try:
        code = process.wait()
        # pytest exits 4 on its own usage errors; map that to ours.
        return {4: EXIT_INPUT}.get(code, code)
    finally:
        with _children_lock:
            _children.discard(process)


def _collect(directory: Path) -> tuple[dict[str, bytes], str | None]:
    files: dict[str, bytes] = {}
    total = 0
    if not directory.is_dir():
        return files, "the run wrote no report directory"
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or path.name.endswith(".tmp"):
            continue
        total += path.stat().st_size
        if total > MAX_SHARD_BYTES:
            return files, f"report directory larger than {MAX_SHARD_BYTES} bytes"
        files[path.relative_to(directory).as_posix()] = path.read_bytes()
    return files, None


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()

