"""PDUs for room versions 10 and 11: the redaction algorithm (rooms/v10 and v11
§redactions), the content hash (SS API v1.15 §calculating-the-content-hash-for-an-event),
the reference hash that is the event id (rooms/v4 §event-ids, kept by v10 and v11) and
signing (appendices §signing-events)."""

from __future__ import annotations

import copy
import hashlib
import time
from typing import Any

from unpaddedbase64 import decode_base64, encode_base64

from suites.matrix.federation.identity import ServerIdentity, canonical

ROOM_VERSIONS = ("10", "11")

_TOP_KEYS = {"event_id", "type", "room_id", "sender", "state_key", "content", "hashes",
             "signatures", "depth", "prev_events", "auth_events", "origin_server_ts"}
# v11 dropped these from the kept top-level keys (rooms/v11 §redactions).
_TOP_KEYS_V10 = {"origin", "membership", "prev_state"}
_CONTENT_KEYS = {
    "m.room.member": {"membership", "join_authorised_via_users_server"},
    "m.room.join_rules": {"join_rule", "allow"},
    "m.room.power_levels": {"ban", "events", "events_default", "kick", "redact",
                            "state_default", "users", "users_default"},
    "m.room.history_visibility": {"history_visibility"},
    "m.room.create": {"creator"},
}


def redact(event: dict[str, Any], room_version: str) -> dict[str, Any]:
    """The event stripped as the room version's redaction algorithm says."""
    keep = _TOP_KEYS | (_TOP_KEYS_V10 if room_version == "10" else set())
    redacted = {k: copy.deepcopy(v) for k, v in event.items() if k in keep}
    content = event.get("content", {})
    kind = event.get("type")
    if room_version == "11" and kind == "m.room.create":
        redacted["content"] = copy.deepcopy(content)
        return redacted
    kept = set(_CONTENT_KEYS.get(str(kind), set()))
    if room_version == "11":
        if kind == "m.room.power_levels":
            kept.add("invite")
        if kind == "m.room.redaction":
            kept.add("redacts")
    new_content = {k: copy.deepcopy(v) for k, v in content.items() if k in kept}
    if room_version == "11" and kind == "m.room.member":
        signed = content.get("third_party_invite", {})
        if isinstance(signed, dict) and "signed" in signed:
            new_content["third_party_invite"] = {"signed": copy.deepcopy(signed["signed"])}
    redacted["content"] = new_content
    return redacted


def content_hash(event: dict[str, Any]) -> str:
    stripped = {k: v for k, v in event.items() if k not in ("unsigned", "signatures", "hashes")}
    return encode_base64(hashlib.sha256(canonical(stripped)).digest())


def event_id(event: dict[str, Any], room_version: str) -> str:
    redacted = redact(event, room_version)
    redacted.pop("signatures", None)
    redacted.pop("unsigned", None)
    redacted.pop("event_id", None)
    digest = hashlib.sha256(canonical(redacted)).digest()
    return "$" + encode_base64(digest, urlsafe=True)


def hash_matches(event: dict[str, Any]) -> bool:
    expected = event.get("hashes", {}).get("sha256")
    return isinstance(expected, str) and decode_base64(expected) == decode_base64(
        content_hash(event))


def finish(identity: ServerIdentity, event: dict[str, Any], room_version: str) -> tuple[
        str, dict[str, Any]]:
    """Hash and sign ``event`` (in place of any old hash and signatures); its event id and
    the PDU as sent over federation (room versions 3+ carry no event_id)."""
    pdu = {k: v for k, v in event.items() if k not in ("event_id", "hashes", "signatures",
                                                          "unsigned")}
    pdu["hashes"] = {"sha256": content_hash(pdu)}
    signed = identity.sign(redact(pdu, room_version))
    pdu["signatures"] = signed["signatures"]
    return event_id(pdu, room_version), pdu


def template(identity: ServerIdentity, sender: str, room_id: str, kind: str,
             content: dict[str, Any], prev_events: list[str], auth_events: list[str],
             depth: int, state_key: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": kind, "room_id": room_id, "sender": sender, "content": content,
        "prev_events": prev_events, "auth_events": auth_events, "depth": depth,
        "origin": identity.server_name, "origin_server_ts": int(time.time() * 1000),
    }
    if state_key is not None:
        event["state_key"] = state_key
    return event
