"""Reports and a label registry for the HTML tests, made with the harness's own code.

``hostile_report`` carries evidence an attacker controls (a candidate's answers): script tags,
event handlers, a javascript: link, fields no suite defines yet. ``registry_fixture`` records
real label events (awards from signed official reports, a withdrawal, a suspension) in a
SQLite registry and exports a signed snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from conformance.registry.award import record_report
from conformance.registry.snapshot import export_snapshot
from conformance.registry.store import Registry
from conformance.report.model import Report
from conformance.trust.policy import load_policy
from conformance.trust.sign import sign_report
from tests.helpers import Req, check_entry, end_entry, report_from, start_entry
from tests.unit.signing_support import Signer, make_report, signer, write_trust

SCRIPT = "<script>window.__pwned = 'script'</script>"
HANDLER = "<img src=x onerror=\"window.__pwned = 'handler'\">"
HOSTILE_URL = "javascript:window.__pwned='link'"


def exchange(body: str, **extra: Any) -> dict[str, Any]:
    return {
        "method": "PUT",
        "url": "http://127.0.0.1:1/cal/event.ics",
        "request_headers": {"content-type": "text/calendar", "authorization": "[redacted]"},
        "request_body": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        "status": 500,
        "reason": f"Broken {SCRIPT}",
        "response_headers": {"content-type": "text/html"},
        "response_body": body,
        "elapsed_ms": 3.5,
        **extra,
    }


def hostile_report(extra_requirements: int = 0) -> Report:
    """Failures whose evidence holds markup, plus every outcome and a known deviation."""
    requirements = [
        Req("demo.fail", section="2.1", spec="spec"),
        Req("demo.deviates", section="2.10", spec="spec"),
        Req("demo.pass", section="2.2", spec="spec"),
        Req("demo.undecided", level="SHOULD", section="3", spec="spec"),
        Req("demo.na", level="MAY", section="4", spec="spec"),
        Req("demo.untested", section="5", spec="spec"),
    ] + [Req(f"demo.bulk{n:03d}", section=f"9.{n}", spec="spec") for n in range(extra_requirements)]
    evidence = {
        "exchanges": [exchange(f"<html><body>{SCRIPT}{HANDLER}</body></html>", trace_id="t-1")],
        "notes": [f"server said {HANDLER}"],
        "exchangeCount": 1,
        "httpSeconds": 0.0035,
        # Fields a suite might add tomorrow: shown as key/value, nested, escaped.
        "documentExcerpt": {"path": "content.xml", "xml": f"<office:text>{SCRIPT}</office:text>"},
        "matrix_room": [{"event_id": "$1", "content": {"body": HANDLER}}],
        "link": HOSTILE_URL,
    }
    checks = [
        check_entry("t::fail", ["demo.fail"], "failed", f"status {SCRIPT}", evidence),
        check_entry("t::deviates", ["demo.deviates"], "failed", "known problem"),
        check_entry("t::pass", ["demo.pass"], "passed"),
        check_entry("t::undecided", ["demo.undecided"], "cantTell", "could not set up"),
        check_entry("t::na", ["demo.na"], "inapplicable", "no tasks"),
    ] + [
        check_entry(f"t::bulk{n}", [f"demo.bulk{n:03d}"], "passed")
        if n % 5
        else check_entry(f"t::bulk{n}", [f"demo.bulk{n:03d}"], "failed", "bulk", evidence)
        for n in range(extra_requirements)
    ]
    header = start_entry(
        requirements,
        known_deviations={
            "demo.deviates": {"reason": f"vendor says {SCRIPT}", "reference": "issue 1"}
        },
    )
    header["requirements"][0]["url"] = HOSTILE_URL
    return report_from([header, *checks, end_entry()])


def renamed(report: Report, candidate: str, product: str) -> Report:
    changed = report.candidate.model_copy(update={"id": candidate, "product": product})
    return report.model_copy(update={"candidate": changed})


@dataclass
class RegistryFixture:
    db: Path
    trust: Path
    snapshot: Path
    reports: Path
    auditor: Signer


def registry_fixture(root: Path, now: datetime | None = None) -> RegistryFixture:
    """Three products: one label awarded, one withdrawn (with a hostile reason), one suspended."""
    now = now or datetime.now(UTC)
    root.mkdir(parents=True, exist_ok=True)
    auditor = signer()
    trust_path = root / "trust.toml"
    trust = write_trust(trust_path, auditor)
    db = root / "labels.sqlite"
    registry = Registry(f"sqlite:///{db}")
    try:
        for candidate in ("alpha", "beta", "gamma"):
            report = renamed(make_report(), candidate, f"{candidate.title()} Server")
            data = sign_report(report, auditor.key, now - timedelta(days=3))
            directory = root / "reports" / candidate
            directory.mkdir(parents=True)
            (directory / "report.dsse.json").write_bytes(data)
            (directory / "report.json").write_text(report.model_dump_json(indent=2))
            record_report(
                registry, data, trust, load_policy(None), "Audit", now - timedelta(days=2)
            )
        registry.record(
            "beta/demo/core", "withdraw", "Audit", f"regression shipped {SCRIPT}", at=now
        )
        registry.record("gamma/demo/core", "suspend", "Audit", "under review", at=now)
        snapshot = root / "registry.dsse.json"
        snapshot.write_bytes(export_snapshot(registry, auditor.key, 7, now))
    finally:
        registry.close()
    return RegistryFixture(db, trust_path, snapshot, root / "reports", auditor)
