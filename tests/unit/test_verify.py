"""`conformance verify`: every reason a signed report can fail to verify, and the tamper test."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.cli import main
from conformance.outcomes import Outcome
from conformance.report.model import Report
from conformance.trust import dsse
from conformance.trust.keys import key_id
from conformance.trust.policy import LabelPolicy
from conformance.trust.sign import sign_report
from conformance.trust.statement import PAYLOAD_TYPE, statement_bytes
from conformance.trust.trust_list import TrustList
from conformance.trust.verify import Verification, verify_bytes, verify_file
from tests.unit.signing_support import (
    ARTEFACT,
    CHECKED_AT,
    SIGNED_AT,
    Signer,
    make_report,
    signed,
    signer,
    write_trust,
)

POLICY = LabelPolicy()


@pytest.fixture(scope="module")
def auditor() -> Signer:
    return signer()


@pytest.fixture(scope="module")
def vendor() -> Signer:
    return signer("Example Vendor", "vendor")


@pytest.fixture(scope="module")
def trust(tmp_path_factory: pytest.TempPathFactory, auditor: Signer, vendor: Signer) -> TrustList:
    return write_trust(tmp_path_factory.mktemp("trust") / "trust.toml", auditor, vendor)


def check(data: bytes, trust: TrustList | None, **options: object) -> Verification:
    return verify_bytes(data, trust, CHECKED_AT, POLICY, **options)  # type: ignore[arg-type]


def reasons_of(result: Verification) -> str:
    return "\n".join(result.reasons)


def test_official_report_by_an_auditor_verifies(auditor: Signer, trust: TrustList) -> None:
    result = check(signed(make_report(), auditor), trust)
    assert result.ok, result.reasons
    assert result.authentic
    assert result.signers[0].holder == "Example Audit GmbH"
    assert result.signers[0].role == "auditor"
    assert (result.product, result.version, result.campaign_kind) == (
        "Demo Server",
        "1.2.3",
        "official",
    )
    assert result.subjects == [("demo", ARTEFACT)]
    assert result.verdict == "pass"
    assert result.profiles[0].counts == {"MUST": {"passed": 2}, "SHOULD": {"passed": 1}}
    (label,) = result.labels
    assert (label.status, label.source) == ("eligible", "policy")
    assert label.valid_until is not None and label.valid_until.startswith("2028-01-01")


def test_test_mode_settings_are_shown_from_the_signed_report(
    auditor: Signer, trust: TrustList
) -> None:
    from conformance.report.model import TestModeInfo

    report = make_report()
    setting = TestModeInfo(name="plain-http", description="loopback HTTP",
                           requirements=[r.id for r in report.requirements[:2]])
    report = report.model_copy(update={"candidate": report.candidate.model_copy(
        update={"test_mode": [setting]})})
    result = check(signed(report, auditor), trust)
    assert result.ok, result.reasons
    assert result.test_mode == {"plain-http": 2}
    assert check(signed(make_report(), auditor), trust).test_mode == {}


def test_self_assessment_by_a_vendor_verifies_without_a_label(
    vendor: Signer, trust: TrustList
) -> None:
    result = check(signed(make_report(kind="self-assessment"), vendor), trust)
    assert result.ok, result.reasons
    assert result.labels[0].status == "none"


def test_official_campaign_signed_by_a_vendor_key_fails(vendor: Signer, trust: TrustList) -> None:
    result = check(signed(make_report(), vendor), trust)
    assert not result.ok
    assert "must be signed by an accredited auditor" in reasons_of(result)
    assert "only an accredited auditor's key awards a label" in reasons_of(result)


def test_unknown_key_and_missing_trust_list(trust: TrustList) -> None:
    stranger = signer("Stranger")
    result = check(signed(make_report(), stranger), trust)
    assert not result.ok
    assert f"signed by unknown key '{stranger.id}'" in reasons_of(result)
    assert result.product is None  # nothing from an unauthenticated payload is shown
    no_trust = check(signed(make_report(), stranger), None)
    assert "no trust list given" in reasons_of(no_trust)


def test_key_expired_or_not_yet_valid(tmp_path: Path) -> None:
    old = signer("Old Audit", valid_until="2026-02-01T00:00:00Z")
    early = signer("Early Audit", valid_from="2026-02-01T00:00:00Z")
    trust = write_trust(tmp_path / "trust.toml", old, early)
    expired = check(signed(make_report(), old), trust)
    assert "is no longer valid" in reasons_of(expired)
    not_yet = check(signed(make_report(), early), trust)
    assert "was not valid when the report was signed" in reasons_of(not_yet)
    assert not expired.ok and not not_yet.ok


def test_signature_from_the_wrong_key_is_bad(auditor: Signer, trust: TrustList) -> None:
    impostor = signer()
    payload = statement_bytes(make_report(), SIGNED_AT)
    forged = dsse.Envelope(
        PAYLOAD_TYPE, payload, (dsse.Signature(auditor.id, impostor.key.sign(b"x")),)
    )
    result = check(dsse.encode(forged), trust)
    assert "bad signature from key" in reasons_of(result)


def test_unsupported_payload_type(auditor: Signer, trust: TrustList) -> None:
    payload = statement_bytes(make_report(), SIGNED_AT)
    other = dsse.sign("application/json", payload, auditor.key, auditor.id)
    assert "unsupported payloadType 'application/json'" in reasons_of(
        check(dsse.encode(other), trust)
    )


def test_signed_statement_of_another_kind_is_refused(auditor: Signer, trust: TrustList) -> None:
    statement = json.loads(statement_bytes(make_report(), SIGNED_AT))
    statement["predicateType"] = "https://slsa.dev/provenance/v1"
    envelope = dsse.sign(PAYLOAD_TYPE, json.dumps(statement).encode(), auditor.key, auditor.id)
    assert "unsupported predicateType" in reasons_of(check(dsse.encode(envelope), trust))


def test_truncated_and_malformed_files(auditor: Signer, trust: TrustList) -> None:
    data = signed(make_report(), auditor)
    for broken in (data[: len(data) // 2], data[:-3], b"", b"not json", b"\xff\xfe"):
        result = check(broken, trust)
        assert not result.ok
        assert "tampered, truncated or not a signed report" in reasons_of(result)


def test_artifact_digest_must_match(auditor: Signer, trust: TrustList) -> None:
    data = signed(make_report(), auditor)
    assert check(data, trust, artifact=ARTEFACT).ok
    other = "sha256:" + "1" * 64
    result = check(data, trust, artifact=other)
    assert f"digest mismatch: the artefact given ({other})" in reasons_of(result)


def test_verdict_is_recomputed_not_believed(auditor: Signer, trust: TrustList) -> None:
    failing = make_report({"demo.m1": "passed", "demo.m2": "failed", "demo.s1": "passed"})
    assert failing.verdict == "fail"
    # A signer who edits the verdict and outcome (but not the checks) before signing.
    requirements = [
        r.model_copy(update={"outcome": Outcome.PASSED}) if r.id == "demo.m2" else r
        for r in failing.requirements
    ]
    profiles = [
        p.model_copy(update={"verdict": "pass", "failed_must": []}) for p in failing.profiles
    ]
    lying = failing.model_copy(
        update={"verdict": "pass", "requirements": requirements, "profiles": profiles}
    )
    result = check(signed(lying, auditor), trust)
    assert not result.ok
    assert result.verdict == "fail"
    text = reasons_of(result)
    assert "requirement demo.m2: report says passed, its checks give failed" in text
    assert "claimed verdict 'pass' but the outcomes give 'fail'" in text
    assert "report claims verdict 'pass'; outcomes give 'fail'" in text


def test_failing_report_verifies_as_authentic_but_not_ok(auditor: Signer, trust: TrustList) -> None:
    result = check(
        signed(make_report({"demo.m1": "passed", "demo.m2": "cantTell"}), auditor), trust
    )
    assert result.authentic and not result.ok
    assert "verdict: fail" in reasons_of(result)
    assert result.labels[0].status == "denied"
    assert "untested or undecided: demo.m2" in result.labels[0].detail


def test_label_expires_by_policy(auditor: Signer, trust: TrustList) -> None:
    data = signed(make_report(), auditor)
    short = LabelPolicy(validity_months=1)
    assert verify_bytes(data, trust, SIGNED_AT + timedelta(days=30), short).ok
    later = verify_bytes(data, trust, SIGNED_AT + timedelta(days=32), short)
    assert later.labels[0].status == "expired"
    assert "validity period ended" in reasons_of(later)


def test_every_reason_is_listed(tmp_path: Path, trust: TrustList) -> None:
    vendor_expired = signer("V", "vendor", valid_until="2026-02-01T00:00:00Z")
    trust = write_trust(tmp_path / "t.toml", vendor_expired)
    report = make_report({"demo.m1": "failed", "demo.m2": "passed", "demo.s1": "passed"})
    result = check(signed(report, vendor_expired), trust, artifact="sha256:" + "2" * 64)
    text = reasons_of(result)
    for expected in ("no longer valid", "accredited auditor", "digest mismatch", "verdict: fail"):
        assert expected in text


def test_report_json_beside_the_envelope_must_match(
    auditor: Signer, trust: TrustList, tmp_path: Path
) -> None:
    report = make_report()
    (tmp_path / "report.json").write_text(report.model_dump_json(indent=2))
    (tmp_path / "report.dsse.json").write_bytes(signed(report, auditor))
    assert verify_file(tmp_path, trust, CHECKED_AT, POLICY).ok
    edited = report.model_copy(update={"verdict": "fail"})
    (tmp_path / "report.json").write_text(edited.model_dump_json(indent=2))
    result = verify_file(tmp_path / "report.json", trust, CHECKED_AT, POLICY)
    assert "differs from the signed report" in reasons_of(result)
    unsigned = verify_file(tmp_path / "nothing" / "report.json", trust, CHECKED_AT, POLICY)
    assert "the report is unsigned" in reasons_of(unsigned)


# --- the tamper property: flip, drop or insert bytes anywhere -----------------------------

AUDITOR = signer()
GOOD_REPORT: Report = make_report()
GOOD = sign_report(GOOD_REPORT, AUDITOR.key, SIGNED_AT)
# Small enough that mutations land everywhere: keys, base64 payload, signature, whitespace.
assert key_id(AUDITOR.key.public_key()) == AUDITOR.id


@pytest.fixture(scope="module")
def auditor_trust(tmp_path_factory: pytest.TempPathFactory) -> TrustList:
    return write_trust(tmp_path_factory.mktemp("t") / "trust.toml", AUDITOR)


@st.composite
def mutations(draw: st.DrawFn) -> bytes:
    data = bytearray(GOOD)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "replace", "drop", "insert", "cut"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "replace" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "drop" and data:
            del data[at : at + draw(st.integers(1, 8))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif kind == "cut":
            del data[at:]
    return bytes(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations())
def test_any_tampered_file_is_rejected_or_verifies_identically(
    auditor_trust: TrustList, data: bytes
) -> None:
    baseline = verify_bytes(GOOD, auditor_trust, CHECKED_AT, POLICY)
    assert baseline.ok
    result = verify_bytes(data, auditor_trust, CHECKED_AT, POLICY)
    if result.ok:
        # Only changes that leave the signed content alone may pass: whitespace between JSON
        # tokens, an escape spelling the same character. The verdict must be the same.
        assert dsse.decode(data) == dsse.decode(GOOD)
        assert result.model_dump(exclude={"file"}) == baseline.model_dump(exclude={"file"})
    else:
        assert result.reasons


@pytest.mark.parametrize("position", ["start", "between", "end"])
def test_whitespace_outside_the_payload_is_a_no_op(auditor_trust: TrustList, position: str) -> None:
    if position == "start":
        data = b"  \n" + GOOD
    elif position == "end":
        data = GOOD + b"\n\t "
    else:
        data = GOOD.replace(b'"payloadType":', b'"payloadType" :\n\t', 1)
    assert data != GOOD
    baseline = verify_bytes(GOOD, auditor_trust, CHECKED_AT, POLICY)
    assert verify_bytes(data, auditor_trust, CHECKED_AT, POLICY) == baseline


# --- the command ---------------------------------------------------------------------------


def test_verify_command_exit_codes_and_json(tmp_path: Path) -> None:
    auditor = signer()
    trust_file = tmp_path / "trust.toml"
    write_trust(trust_file, auditor)
    envelope = tmp_path / "report.dsse.json"
    envelope.write_bytes(sign_report(make_report(), auditor.key, datetime.now(SIGNED_AT.tzinfo)))
    runner = CliRunner()
    good = runner.invoke(main, ["verify", str(envelope), "--trust", str(trust_file)])
    assert good.exit_code == 0, good.output
    assert "VERIFIED" in good.output and "Example Audit GmbH" in good.output
    as_json = runner.invoke(
        main,
        [
            "verify",
            str(envelope),
            "--trust",
            str(trust_file),
            "--json",
            "--artifact",
            "sha256:" + "3" * 64,
        ],
    )
    assert as_json.exit_code == 1
    document = json.loads(as_json.output)
    assert document["ok"] is False
    assert any("digest mismatch" in r for r in document["reasons"])
    envelope.write_bytes(envelope.read_bytes()[:-40])
    broken = runner.invoke(main, ["verify", str(envelope), "--trust", str(trust_file)])
    assert broken.exit_code == 1
    assert "NOT VERIFIED" in broken.output and "Traceback" not in broken.output


def test_verify_with_a_bad_trust_list_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "trust.toml").write_text("keys = 3\n")
    result = CliRunner().invoke(
        main,
        ["verify", str(tmp_path / "report.dsse.json"), "--trust", str(tmp_path / "trust.toml")],
    )
    assert result.exit_code == 2
    assert "field 'keys' must be a list" in " ".join(result.output.split())
