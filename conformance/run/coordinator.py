"""The coordinator of a campaign: it plans, hands shards to an executor, checks and stores
what comes back under reports/<campaign>/, and alone holds the signing key.

Nothing a worker returns is believed blindly: every file's digest is checked, file names
cannot leave the shard's directory, and the report must be about the planned manifest and
suite. A shard that cannot be completed is recorded as not run, with the reason.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from conformance.errors import EXIT_INTERRUPTED
from conformance.report.files import REPORT_FILE
from conformance.report.model import Report
from conformance.run.executors import Executor, Finished, ProgressListener, ShardNotRun
from conformance.run.outputs import sign_run
from conformance.run.shards import Shard, ShardOptions, ShardOutcome


@dataclass
class ShardRecord:
    shard: Shard
    status: str  # "done", "interrupted" or "not-run"
    exit_code: int | None
    report: Report | None
    output_dir: Path
    reason: str | None = None
    host: str | None = None
    worker: str | None = None
    seconds: float | None = None
    envelope: Path | None = None


class Listener(ProgressListener):
    def finished(self, record: ShardRecord) -> None: ...


def run_shards(
    executor: Executor,
    shards: list[Shard],
    options: ShardOptions,
    campaign_dir: Path,
    progress: Listener,
    signing_key: Ed25519PrivateKey | None = None,
) -> tuple[list[ShardRecord], bool]:
    """Every shard's record, in campaign order, and whether the campaign was interrupted."""
    records: dict[str, ShardRecord] = {}
    interrupted = False
    try:
        for finished in executor.run(shards, options, progress):
            record = store(finished, campaign_dir, signing_key)
            records[record.shard.name] = record
            progress.finished(record)
    except KeyboardInterrupt:
        interrupted = True
    for shard in shards:
        if shard.name not in records:
            reason = "the campaign was interrupted" if interrupted else "no result came back"
            records[shard.name] = ShardRecord(shard, "not-run", None, None,
                                              campaign_dir / shard.name, reason)
    return [records[s.name] for s in shards], interrupted


def store(
    finished: Finished, campaign_dir: Path, signing_key: Ed25519PrivateKey | None
) -> ShardRecord:
    shard = finished.shard
    target = campaign_dir / shard.name
    if isinstance(finished, ShardNotRun):
        return ShardRecord(shard, "not-run", None, None, target, finished.reason)
    problem = finished.problem or _check_files(finished)
    report = None
    if problem is None:
        if finished.in_place != target:
            _replace_directory(target, finished.files)
        report, problem = _read_report(target, shard)
    if report is not None and not report.run.complete:
        problem = f"run incomplete: {report.run.stop_reason}"
    status = "done"
    if finished.exit_code == EXIT_INTERRUPTED:
        status = "interrupted"
    elif report is None:
        status = "not-run"
    record = ShardRecord(shard, status, finished.exit_code, report, target, problem,
                         finished.host, finished.worker, finished.seconds)
    if signing_key is not None and report is not None:
        record.envelope = sign_run(report, target, signing_key)
    return record


def _check_files(outcome: ShardOutcome) -> str | None:
    if set(outcome.files) != set(outcome.digests):
        return "the worker's file list and digest list differ"
    for name, data in outcome.files.items():
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            return f"the worker returned a file outside the shard's directory: {name!r}"
        if "sha256:" + hashlib.sha256(data).hexdigest() != outcome.digests[name]:
            return f"{name} does not match its digest (damaged in transit)"
    if REPORT_FILE not in outcome.files:
        return f"the run wrote no {REPORT_FILE} (exit {outcome.exit_code})"
    return None


def _replace_directory(target: Path, files: dict[str, bytes]) -> None:
    """Write the shard's files beside TARGET, then swap them in, so a reader never sees a
    mix of an old run's files and this one's."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    for name, data in files.items():
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)


def _read_report(target: Path, shard: Shard) -> tuple[Report | None, str | None]:
    try:
        report = Report.model_validate_json((target / REPORT_FILE).read_bytes())
    except ValidationError as error:
        return None, f"{REPORT_FILE} from the worker is not a valid report: {error.error_count()} "\
                     "problem(s)"
    if report.candidate.manifest_sha256 != shard.manifest_sha256:
        return None, "the report is about another manifest than the one planned"
    digests = {s.standard: s.suite_digest for s in report.suites}
    if digests != {shard.standard: shard.suite_digest}:
        return None, "the report was made by another version of the suite than the planned one"
    return report, None


def done_reports(records: Iterable[ShardRecord]) -> list[tuple[Path, Report]]:
    return [(r.output_dir, r.report) for r in records if r.report is not None]
