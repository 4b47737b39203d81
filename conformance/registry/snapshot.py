"""Signed registry snapshots: every label with its history, for offline checks by buyers.

Like a certificate revocation list or the FIDO metadata service: a serial number, an issue
date and a next-update date, signed by the registry operator's (auditor role) key. A
verifier recomputes each label's status from its history at its own date; it never takes the
status written in the snapshot on trust.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conformance.jsonfile import loads_bounded
from conformance.registry.lifecycle import LabelEvent, LabelState, status_at
from conformance.registry.store import Registry
from conformance.trust import dsse
from conformance.trust.keys import key_id
from conformance.trust.policy import PolicyError
from conformance.trust.trust_list import TrustList

if TYPE_CHECKING:
    from conformance.trust.policy import Decision

SNAPSHOT_PAYLOAD_TYPE = "application/vnd.eos-conformance.label-registry+json"
SNAPSHOT_FORMAT = "eos-label-registry/1"
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class SnapshotLabel:
    label_id: str
    candidate: str
    product: str
    vendor: str
    standard: str
    profile: str
    history: list[LabelEvent]

    def status_at(self, moment: datetime) -> LabelState:
        return status_at(self.history, moment)

    def mentions(self, report_digest: str) -> bool:
        return any(e.report_digest == report_digest for e in self.history)


@dataclass(frozen=True)
class Snapshot:
    serial: int
    issued: datetime
    next_update: datetime
    labels: list[SnapshotLabel]

    def find(self, report_digest: str, candidate: str, decision: Decision) -> SnapshotLabel | None:
        """The label this report was recorded on (by digest), for the decision's profile."""
        for label in self.labels:
            if (
                label.candidate == candidate
                and label.standard == decision.standard
                and label.profile == decision.profile
                and label.mentions(report_digest)
            ):
                return label
        return None


def export_snapshot(
    registry: Registry, key: Ed25519PrivateKey, valid_days: int, now: datetime | None = None
) -> bytes:
    issued = now or datetime.now(UTC)
    next_update = issued + timedelta(days=valid_days)
    serial = registry.new_serial(issued, next_update)
    by_label: dict[str, list[LabelEvent]] = {}
    for recorded in registry.all_events():
        by_label.setdefault(recorded.label_id, []).append(recorded)
    labels = []
    for record in registry.labels():
        history = by_label.get(record.label_id, [])
        state = status_at(history, issued)
        labels.append(
            {
                "label_id": record.label_id,
                "candidate": record.candidate,
                "product": record.product,
                "vendor": record.vendor,
                "standard": record.standard,
                "profile": record.profile,
                "status": state.status,
                "status_reason": state.reason,
                "valid_until": _time(state.valid_until),
                "report_digest": state.report_digest,
                "history": [_event_json(e) for e in history],
            }
        )
    document = {
        "format": SNAPSHOT_FORMAT,
        "serial": serial,
        "issued": _time(issued),
        "next_update": _time(next_update),
        "labels": labels,
    }
    payload = json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")
    envelope = dsse.sign(SNAPSHOT_PAYLOAD_TYPE, payload, key, key_id(key.public_key()))
    return dsse.encode(envelope)


def read_snapshot(
    data: bytes, trust: TrustList | None, at: datetime
) -> tuple[Snapshot | None, list[str]]:
    """The snapshot if its signature holds, and every reason it cannot be relied on."""
    try:
        envelope = dsse.decode(data)
    except dsse.EnvelopeError as error:
        return None, [f"registry snapshot: {error}"]
    if envelope.payload_type != SNAPSHOT_PAYLOAD_TYPE:
        return None, [f"registry snapshot: unsupported payloadType {envelope.payload_type!r}"]
    if trust is None:
        return None, ["registry snapshot: no trust list given to check its signature"]
    reasons: list[str] = []
    signers = []
    for signature in envelope.signatures:
        trusted = trust.keys.get(signature.keyid)
        if trusted is None:
            reasons.append(f"registry snapshot: signed by unknown key {signature.keyid!r}")
        elif not dsse.signature_holds(envelope, signature, trusted.public_key):
            reasons.append(f"registry snapshot: bad signature from key {trusted.id}")
        else:
            signers.append(trusted)
    if reasons:
        return None, reasons
    try:
        snapshot = _parse(envelope.payload)
    except (ValueError, KeyError, TypeError) as error:
        return None, [f"registry snapshot: signed content is malformed: {error}"]
    for signer in signers:
        if signer.role != "auditor":
            reasons.append(f"registry snapshot: signed by a {signer.role} key, not the registry's")
        elif not (signer.valid_at(snapshot.issued) and signer.valid_at(at)):
            reasons.append(f"registry snapshot: key {signer.id} is not valid at issue or today")
    if snapshot.issued > at + CLOCK_SKEW:
        reasons.append(f"registry snapshot #{snapshot.serial} is issued in the future")
    if at >= snapshot.next_update:
        reasons.append(
            f"registry snapshot #{snapshot.serial} is out of date: its next update was due "
            f"{_time(snapshot.next_update)}; fetch a newer one"
        )
    return snapshot, reasons


def _parse(payload: bytes) -> Snapshot:
    document = loads_bounded(payload)
    if document.get("format") != SNAPSHOT_FORMAT:
        raise ValueError(f"unknown format {document.get('format')!r}")
    labels = []
    for entry in document["labels"]:
        history = [
            LabelEvent(
                label_id=entry["label_id"],
                action=e["action"],
                at=_required_time(e["at"]),
                actor=e["actor"],
                reason=e["reason"],
                report_digest=e.get("report_digest"),
                valid_until=_parse_time(e.get("valid_until")),
                grace_until=_parse_time(e.get("grace_until")),
                sequence=int(e["sequence"]),
            )
            for e in entry["history"]
        ]
        labels.append(
            SnapshotLabel(
                entry["label_id"],
                entry["candidate"],
                entry["product"],
                entry["vendor"],
                entry["standard"],
                entry["profile"],
                history,
            )
        )
    issued = _required_time(document["issued"])
    next_update = _required_time(document["next_update"])
    for label in labels:
        try:
            label.status_at(issued)
        except PolicyError as error:
            raise ValueError(f"label {label.label_id}: impossible history: {error}") from None
    return Snapshot(int(document["serial"]), issued, next_update, labels)


def _event_json(recorded: LabelEvent) -> dict[str, Any]:
    return {
        "sequence": recorded.sequence,
        "action": recorded.action,
        "at": _time(recorded.at),
        "actor": recorded.actor,
        "reason": recorded.reason,
        "report_digest": recorded.report_digest,
        "valid_until": _time(recorded.valid_until),
        "grace_until": _time(recorded.grace_until),
    }


def _time(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _required_time(value: str) -> datetime:
    moment = _parse_time(value)
    if moment is None:
        raise ValueError("a required time is missing")
    return moment


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"time without a zone: {value!r}")
    return moment
