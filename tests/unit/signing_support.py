"""Keys, trust lists and small signed reports for the signing, verify and registry tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conformance.report.model import Report
from conformance.trust.keys import key_id, public_to_text
from conformance.trust.sign import sign_report
from conformance.trust.trust_list import TrustList, load_trust_list
from tests.helpers import Req, check_entry, end_entry, report_from, start_entry

SIGNED_AT = datetime(2026, 1, 1, 10, 0, 6, tzinfo=UTC)
CHECKED_AT = datetime(2026, 3, 1, tzinfo=UTC)
ARTEFACT = "sha256:" + "0" * 64
REQUIREMENTS = [
    Req("demo.m1"),
    Req("demo.m2"),
    Req("demo.s1", level="SHOULD"),
]


@dataclass(frozen=True)
class Signer:
    key: Ed25519PrivateKey
    holder: str
    role: str
    valid_from: str = "2025-01-01T00:00:00Z"
    valid_until: str = "2027-01-01T00:00:00Z"

    @property
    def id(self) -> str:
        return key_id(self.key.public_key())


def signer(holder: str = "Example Audit GmbH", role: str = "auditor", **validity: str) -> Signer:
    return Signer(Ed25519PrivateKey.generate(), holder, role, **validity)


def write_trust(path: Path, *signers: Signer) -> TrustList:
    blocks = []
    for s in signers:
        blocks.append(
            "[[keys]]\n"
            f'id = "{s.id}"\n'
            f'holder = "{s.holder}"\n'
            f'role = "{s.role}"\n'
            f'public_key = "{public_to_text(s.key.public_key())}"\n'
            f"valid_from = {s.valid_from}\n"
            f"valid_until = {s.valid_until}\n"
        )
    path.write_text("\n".join(blocks) if blocks else "keys = []\n", encoding="utf-8")
    return load_trust_list(path)


def make_report(
    outcomes: dict[str, str] | None = None,
    kind: str = "official",
    requirements: list[Req] | None = None,
    known_deviations: dict[str, dict[str, str]] | None = None,
    complete: bool = True,
) -> Report:
    """A report whose requirements got these outcomes (default: everything passed)."""
    requirements = requirements or REQUIREMENTS
    outcomes = outcomes or {r.id: "passed" for r in requirements}
    header: dict[str, Any] = start_entry(requirements, known_deviations=known_deviations)
    header["campaign"] = {"id": "unit", "kind": kind, "assessor": "Example Audit GmbH"}
    checks = [
        check_entry(f"t::{rid}", [rid], outcome)
        for rid, outcome in outcomes.items()
        if outcome != "untested"
    ]
    end = end_entry(complete=complete, stop_reason=None if complete else "interrupted")
    return report_from([header, *checks, end])


def signed(report: Report, by: Signer, at: datetime = SIGNED_AT) -> bytes:
    return sign_report(report, by.key, at)
