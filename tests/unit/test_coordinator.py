"""The coordinator believes nothing a worker returns: digests, file names, the manifest and
suite a report is about are checked before anything is stored; what cannot be completed is
recorded as not run, and the campaign's exit code says so."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conformance.errors import EXIT_FAIL, EXIT_INCOMPLETE, EXIT_INTERRUPTED, EXIT_PASS
from conformance.report.model import Report
from conformance.run.campaign import campaign_exit_code
from conformance.run.coordinator import ShardRecord, store
from conformance.run.executors import ShardNotRun
from conformance.run.shards import Shard, ShardOutcome
from tests.helpers import ZERO_DIGEST, Req, check_entry, end_entry, report_from, start_entry


def shard(manifest: str = ZERO_DIGEST, suite: str = ZERO_DIGEST) -> Shard:
    return Shard("demo-server", "demo-server", "demo-server", manifest, "demo", suite)


def report_bytes() -> bytes:
    report = report_from([start_entry([Req("demo.a")]), check_entry("t::a", ["demo.a"], "passed"),
                          end_entry()])
    return report.model_dump_json().encode()


def outcome(files: dict[str, bytes], the_shard: Shard | None = None, code: int = 0,
            digests: dict[str, str] | None = None) -> ShardOutcome:
    return ShardOutcome(
        shard=the_shard or shard(),
        exit_code=code,
        files=files,
        digests=digests if digests is not None else {
            n: "sha256:" + hashlib.sha256(d).hexdigest() for n, d in files.items()
        },
        host="worker-host",
        worker="dask w1",
        harness_version="0.1.0",
        python="3.11.7",
        seconds=1.0,
    )


def test_a_good_shard_is_stored_with_where_it_ran(tmp_path: Path) -> None:
    record = store(outcome({"report.json": report_bytes(), "logs/candidate.log": b"hi"}),
                   tmp_path, None)
    assert (record.status, record.reason, record.worker) == ("done", None, "dask w1")
    assert isinstance(record.report, Report)
    assert (tmp_path / "demo-server" / "logs" / "candidate.log").read_bytes() == b"hi"


def test_a_file_damaged_in_transit_is_not_stored(tmp_path: Path) -> None:
    files = {"report.json": report_bytes()}
    digests = {"report.json": "sha256:" + "0" * 64}
    record = store(outcome(files, digests=digests), tmp_path, None)
    assert record.status == "not-run"
    assert "does not match its digest" in (record.reason or "")
    assert not (tmp_path / "demo-server").exists()


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/x", "a/../../b"])
def test_a_file_name_leaving_the_shard_directory_is_refused(tmp_path: Path, name: str) -> None:
    record = store(outcome({"report.json": report_bytes(), name: b"x"}), tmp_path / "c", None)
    assert record.status == "not-run"
    assert "outside the shard's directory" in (record.reason or "")
    assert not (tmp_path / "escape.txt").exists()


def test_a_report_about_another_manifest_or_suite_is_refused(tmp_path: Path) -> None:
    other = "sha256:" + "1" * 64
    record = store(outcome({"report.json": report_bytes()}, shard(manifest=other)), tmp_path, None)
    assert record.status == "not-run" and "another manifest" in (record.reason or "")
    record = store(outcome({"report.json": report_bytes()}, shard(suite=other)), tmp_path, None)
    assert record.status == "not-run" and "another version of the suite" in (record.reason or "")


def test_a_lost_shard_is_not_run_with_its_reason(tmp_path: Path) -> None:
    record = store(ShardNotRun(shard(), "every worker that ran it died"), tmp_path, None)
    assert (record.status, record.reason) == ("not-run", "every worker that ran it died")


def record(status: str, code: int | None) -> ShardRecord:
    return ShardRecord(shard(), status, code, None, Path("x"))


def test_exit_codes() -> None:
    assert campaign_exit_code([record("done", EXIT_PASS)], False) == EXIT_PASS
    assert campaign_exit_code([record("done", EXIT_PASS), record("done", EXIT_FAIL)],
                              False) == EXIT_FAIL
    # A shard not run makes the campaign incomplete, even when the others all passed.
    assert campaign_exit_code([record("done", EXIT_PASS), record("not-run", None)],
                              False) == EXIT_INCOMPLETE
    assert campaign_exit_code([record("done", EXIT_FAIL), record("not-run", None)],
                              False) == EXIT_INCOMPLETE
    assert campaign_exit_code([record("done", EXIT_PASS)], True) == EXIT_INTERRUPTED
