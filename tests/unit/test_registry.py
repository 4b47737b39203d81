"""The label registry on SQLite: awards from signed reports, manual actions, history,
append-only storage, signed snapshots checked offline, and concurrent writers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy
from click.testing import CliRunner

from conformance.cli import main
from conformance.errors import InputError
from conformance.registry.award import record_report
from conformance.registry.snapshot import export_snapshot, read_snapshot
from conformance.registry.store import LabelKey, Registry, database_url
from conformance.trust import dsse
from conformance.trust.keys import public_to_text
from conformance.trust.policy import LabelPolicy, PolicyError
from conformance.trust.trust_list import TrustList
from conformance.trust.verify import verify_bytes
from tests.unit.registry_support import concurrent_events_are_never_lost
from tests.unit.signing_support import (
    CHECKED_AT,
    SIGNED_AT,
    Signer,
    make_report,
    signed,
    signer,
    write_trust,
)

POLICY = LabelPolicy()
LABEL = "demo-server/demo/core"
FAILING = {"demo.m1": "failed", "demo.m2": "passed", "demo.s1": "passed"}


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    store = Registry(database_url(str(tmp_path / "labels.sqlite")))
    yield store  # type: ignore[misc]
    store.close()


@pytest.fixture(scope="module")
def auditor() -> Signer:
    return signer()


@pytest.fixture(scope="module")
def trust(tmp_path_factory: pytest.TempPathFactory, auditor: Signer) -> TrustList:
    vendor = signer("Example Vendor", "vendor")
    return write_trust(tmp_path_factory.mktemp("trust") / "trust.toml", auditor, vendor)


def award(registry: Registry, data: bytes, trust: TrustList, days: int = 0, **policy: object):  # type: ignore[no-untyped-def]
    at = CHECKED_AT + timedelta(days=days)
    return record_report(registry, data, trust, LabelPolicy(**policy), "registrar", at)  # type: ignore[arg-type]


def test_award_from_a_signed_official_report(
    registry: Registry, auditor: Signer, trust: TrustList
) -> None:
    checked, (result,) = award(registry, signed(make_report(), auditor), trust)
    assert result.action == "awarded" and result.label_id == LABEL
    (recorded,) = registry.events(LABEL)
    assert (recorded.action, recorded.actor, recorded.report_digest) == (
        "award",
        "registrar",
        checked.report_digest,
    )
    assert registry.status(LABEL, CHECKED_AT).status == "awarded"
    # The same report cannot be recorded twice.
    with pytest.raises(PolicyError, match="already recorded"):
        award(registry, signed(make_report(), auditor), trust)


def test_denied_report_records_nothing(
    registry: Registry, auditor: Signer, trust: TrustList
) -> None:
    _, (result,) = award(registry, signed(make_report(FAILING), auditor), trust)
    assert result.action == "denied"
    assert registry.count_events() == 0 and registry.labels() == []


def test_vendor_key_and_self_assessment_never_award(
    registry: Registry, trust: TrustList, tmp_path: Path
) -> None:
    vendor = signer("Example Vendor", "vendor")
    own_trust = write_trust(tmp_path / "t.toml", vendor)
    with pytest.raises(PolicyError, match="does not verify"):
        award(registry, signed(make_report(), vendor), own_trust)
    _, (result,) = award(registry, signed(make_report(kind="self-assessment"), vendor), own_trust)
    assert result.action == "denied"
    assert registry.count_events() == 0


def test_tampered_report_cannot_touch_the_registry(
    registry: Registry, auditor: Signer, trust: TrustList
) -> None:
    data = bytearray(signed(make_report(), auditor))
    data[60] ^= 1
    with pytest.raises(PolicyError, match="does not verify"):
        award(registry, bytes(data), trust)


def test_later_failed_official_campaign_withdraws(
    registry: Registry, auditor: Signer, trust: TrustList
) -> None:
    award(registry, signed(make_report(), auditor), trust)
    later = signed(make_report(FAILING), auditor, SIGNED_AT + timedelta(days=20))
    _, (result,) = award(registry, later, trust, days=20)
    assert result.action == "campaign-failed"
    assert registry.status(LABEL, CHECKED_AT + timedelta(days=21)).status == "withdrawn"


def test_later_failed_campaign_suspends_under_a_grace_policy(
    registry: Registry, auditor: Signer, trust: TrustList
) -> None:
    award(registry, signed(make_report(), auditor), trust)
    later = signed(make_report(FAILING), auditor, SIGNED_AT + timedelta(days=20))
    award(registry, later, trust, days=20, on_failed_campaign="suspend", grace_days=10)
    assert registry.status(LABEL, CHECKED_AT + timedelta(days=25)).status == "suspended"
    assert registry.status(LABEL, CHECKED_AT + timedelta(days=31)).status == "withdrawn"


def test_manual_actions_need_a_reason_and_a_valid_transition(registry: Registry) -> None:
    key = LabelKey("demo-server", "Demo Server", "Example Vendor", "demo", "core")
    with pytest.raises(PolicyError, match="no such label"):
        registry.record(key, "suspend", "auditor", "complaint")
    with pytest.raises(InputError, match="no label"):
        registry.record("nope/x/y", "withdraw", "auditor", "complaint")
    until = CHECKED_AT + timedelta(days=700)
    registry.record(key, "award", "auditor", "ok", report_digest="sha256:1", valid_until=until)
    with pytest.raises(InputError, match="needs a reason"):
        registry.record(LABEL, "suspend", "auditor", "  ")
    registry.record(LABEL, "suspend", "auditor", "complaint by a buyer")
    with pytest.raises(PolicyError, match="cannot suspend a label that is suspended"):
        registry.record(LABEL, "suspend", "auditor", "again")
    registry.record(LABEL, "reinstate", "auditor", "complaint unfounded")
    registry.record(LABEL, "withdraw", "auditor", "vendor asked")
    assert [e.action for e in registry.events(LABEL)] == [
        "award",
        "suspend",
        "reinstate",
        "withdraw",
    ]
    assert [e.reason for e in registry.events(LABEL)][1] == "complaint by a buyer"


def test_events_are_append_only(registry: Registry) -> None:
    key = LabelKey("c", "P", "V", "demo", "core")
    registry.record(key, "award", "a", "ok", report_digest="sha256:1")
    for statement in ("UPDATE label_events SET reason = 'x'", "DELETE FROM label_events"):
        with (
            pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"),
            registry.engine.begin() as connection,
        ):
            connection.exec_driver_sql(statement)
    assert registry.count_events() == 1


def test_concurrent_writers_lose_no_event(tmp_path: Path) -> None:
    concurrent_events_are_never_lost(database_url(str(tmp_path / "labels.sqlite")))


# --- snapshots ---------------------------------------------------------------------------


def test_snapshot_lets_a_buyer_see_the_label_offline(
    registry: Registry, auditor: Signer, trust: TrustList
) -> None:
    report = signed(make_report(), auditor)
    award(registry, report, trust)
    snapshot_bytes = export_snapshot(registry, auditor.key, 7, CHECKED_AT)
    snapshot, problems = read_snapshot(snapshot_bytes, trust, CHECKED_AT + timedelta(days=1))
    assert problems == [] and snapshot is not None and snapshot.serial == 1
    result = verify_bytes(report, trust, CHECKED_AT + timedelta(days=1), POLICY, snapshot)
    assert result.ok, result.reasons
    assert (result.labels[0].status, result.labels[0].source) == ("awarded", "registry")
    # Withdrawn later: a new snapshot says so, and verify fails with the reason.
    registry.record(LABEL, "withdraw", "auditor", "fraud", at=CHECKED_AT + timedelta(days=2))
    newer, _ = read_snapshot(
        export_snapshot(registry, auditor.key, 7, CHECKED_AT + timedelta(days=2)),
        trust,
        CHECKED_AT + timedelta(days=3),
    )
    assert newer is not None and newer.serial == 2
    withdrawn = verify_bytes(report, trust, CHECKED_AT + timedelta(days=3), POLICY, newer)
    assert not withdrawn.ok
    assert "label for core: withdrawn" in withdrawn.reasons


def test_snapshot_problems_are_reasons(
    registry: Registry, auditor: Signer, trust: TrustList, tmp_path: Path
) -> None:
    award(registry, signed(make_report(), auditor), trust)
    data = export_snapshot(registry, auditor.key, 7, CHECKED_AT)
    _, stale = read_snapshot(data, trust, CHECKED_AT + timedelta(days=8))
    assert any("out of date" in p for p in stale)
    tampered = data.replace(b'"payload": "', b'"payload": "A', 1)
    snapshot, broken = read_snapshot(tampered, trust, CHECKED_AT)
    assert snapshot is None and broken
    stranger = signer("Stranger")
    _, unknown = read_snapshot(
        export_snapshot(registry, stranger.key, 7, CHECKED_AT), trust, CHECKED_AT
    )
    assert any("unknown key" in p for p in unknown)
    # A report signed but never registered is "not registered" against the snapshot.
    other = signed(make_report(kind="official"), auditor, SIGNED_AT + timedelta(hours=1))
    snapshot, _ = read_snapshot(data, trust, CHECKED_AT)
    result = verify_bytes(other, trust, CHECKED_AT, POLICY, snapshot)
    assert result.labels[0].status == "not registered" and not result.ok
    assert dsse.decode(data).payload_type.endswith("label-registry+json")


# --- the commands ------------------------------------------------------------------------


def test_label_and_registry_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    keys = runner.invoke(
        main, ["keys", "generate", "--out", str(tmp_path / "auditor"), "--role", "auditor"]
    )
    assert keys.exit_code == 0, keys.output
    from conformance.trust.keys import load_private

    key = load_private(tmp_path / "auditor.key")
    entry = keys.output[keys.output.index("[[keys]]") :]
    (tmp_path / "trust.toml").write_text(entry)
    assert public_to_text(key.public_key()) in entry
    report_dir = tmp_path / "run"
    report_dir.mkdir()
    (report_dir / "report.json").write_text(make_report().model_dump_json(indent=2))
    db = str(tmp_path / "labels.sqlite")
    common = ["--db", db]
    signing = runner.invoke(
        main, ["report", "sign", str(report_dir), "--key", str(tmp_path / "auditor.key")]
    )
    assert signing.exit_code == 0, signing.output
    trust = ["--trust", str(tmp_path / "trust.toml")]
    awarded = runner.invoke(main, ["label", "award", str(report_dir), *trust, *common])
    assert awarded.exit_code == 0, awarded.output
    assert f"awarded {LABEL}" in awarded.output
    for action in ("suspend", "reinstate"):
        done = runner.invoke(main, ["label", action, LABEL, "--reason", "test", *common])
        assert done.exit_code == 0, done.output
    refused = runner.invoke(main, ["label", "reinstate", LABEL, "--reason", "x", *common])
    assert refused.exit_code == 1 and "cannot reinstate" in refused.output
    status = runner.invoke(main, ["label", "status", *common])
    assert "awarded" in status.output
    history = runner.invoke(main, ["label", "history", LABEL, *common])
    assert history.exit_code == 0 and "suspend" in history.output
    snapshot = tmp_path / "registry.dsse.json"
    exported = runner.invoke(
        main,
        [
            "registry",
            "export",
            "--key",
            str(tmp_path / "auditor.key"),
            "--out",
            str(snapshot),
            *common,
        ],
    )
    assert exported.exit_code == 0, exported.output
    verified = runner.invoke(main, ["verify", str(report_dir), *trust, "--registry", str(snapshot)])
    assert verified.exit_code == 0, verified.output
    assert "awarded" in verified.output and "registry" in verified.output
    runner.invoke(main, ["label", "withdraw", LABEL, "--reason", "audit found fraud", *common])
    runner.invoke(
        main,
        [
            "registry",
            "export",
            "--key",
            str(tmp_path / "auditor.key"),
            "--out",
            str(snapshot),
            *common,
        ],
    )
    after = runner.invoke(main, ["verify", str(report_dir), *trust, "--registry", str(snapshot)])
    assert after.exit_code == 1 and "withdrawn" in after.output


@pytest.mark.parametrize("command", [["status"], ["history", "x/y/z"], ["withdraw", "x/y/z"]])
def test_reading_a_missing_registry_is_an_error_not_a_new_database(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "typo" / "labels.sqlite"
    arguments = ["label", *command, "--db", str(missing)]
    if command[0] == "withdraw":
        arguments += ["--reason", "test", "--actor", "auditor"]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 2, result.output
    assert "no such file" in result.output
    assert not missing.parent.exists()


def test_database_url_creates_the_folder_only_when_asked_to(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        database_url(str(tmp_path / "a" / "r.sqlite"), must_exist=True)
    assert database_url(str(tmp_path / "b" / "r.sqlite")).startswith("sqlite:///")
    assert (tmp_path / "b").is_dir()
