"""Reports written before the core's redesign still rebuild and verify: a real signed report
of format 1 (Radicale, two CalDAV requirements, signed by a throw-away auditor key whose
private half was destroyed) is kept with its journal and the verification the old code gave."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from conformance.report.build import build_report
from conformance.report.model import Report
from conformance.run.journal import read_journal
from conformance.trust.policy import LabelPolicy
from conformance.trust.trust_list import load_trust_list
from conformance.trust.verify import verify_file

FIXTURE = Path(__file__).parent.parent / "fixtures" / "report-format-1"
AT = datetime(2027, 1, 1, tzinfo=UTC)


def test_old_journal_rebuilds_the_old_report() -> None:
    rebuilt = build_report(read_journal(FIXTURE / "journal.jsonl"))
    stated = Report.model_validate_json((FIXTURE / "report.json").read_bytes())
    # Fields added since (with defaults) read the same from both.
    assert rebuilt == stated


def test_old_signed_report_verifies_as_before() -> None:
    result = verify_file(FIXTURE, load_trust_list(FIXTURE / "trust.toml"), AT, LabelPolicy())
    before = json.loads((FIXTURE / "verify-at-2027-01-01.json").read_text())
    now = result.model_dump(mode="json")
    assert result.authentic
    for field in ("ok", "authentic", "reasons", "notes", "signers", "profiles", "verdict",
                  "labels", "report_digest", "signed_at", "test_mode"):
        assert now[field] == before[field], field


def test_old_report_is_read_by_the_current_model() -> None:
    report = Report.model_validate_json((FIXTURE / "report.json").read_bytes())
    assert report.report_format == "eos-conformance-report/1"
    assert {r.outcome.value for r in report.requirements} >= {"passed", "untested"}
