"""Server-Server API: PDUs the harness homeserver sends into a room on the candidate, good and
bad, and what the candidate must make of them (SS API v1.15 §put_matrixfederationv1sendtxnid,
§checks-performed-on-receipt-of-a-pdu, §rejection, §soft-failure; rooms v11
§authorization-rules, §redactions)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import signedjson.key

from conformance.api import expect, expect_equal
from suites.matrix import mx
from suites.matrix.federation import events
from suites.matrix.federation.client import FederationClient
from suites.matrix.federation.fixtures import fed, harness
from suites.matrix.federation.identity import ServerIdentity
from suites.matrix.federation.rooms import RoomView, harness_user, join, q, transaction
from suites.matrix.federation.server import HarnessHomeserver

__all__ = ["fed", "harness"]


@dataclass
class Member:
    view: RoomView
    user_id: str
    join_id: str
    # A second harness member whose valid events show when the candidate has processed
    # what was sent before them (it processes a room's PDUs in order, maybe after answering).
    witness: str

    @property
    def room_id(self) -> str:
        return self.view.room_id


def member(fed: FederationClient, alice: mx.User, name: str) -> Member:
    room_id = mx.create_room(alice, preset="public_chat", room_version="11")
    joined = join(fed, room_id, harness_user(fed, name))
    witness = join(fed, room_id, harness_user(fed, "witness"))
    return Member(RoomView(alice, room_id, joined.room_version), joined.user_id,
                  joined.event_id, witness.user_id)


def visible(alice: mx.User, room_id: str, event_id: str, seconds: float = 6.0) -> Any:
    """The local member's answer for the event, once it is 200 or the time is up."""
    deadline = time.monotonic() + seconds
    while True:
        response = seen_by(alice, room_id, event_id)
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def settle(fed: FederationClient, alice: mx.User, joined: Member) -> None:
    """Wait until the candidate has processed everything sent before: a valid event of the
    witness, sent after, reaches the local member."""
    event_id, pdu = joined.view.pdu(fed, joined.witness, "m.room.message", message("witness"))
    send(fed, pdu)
    mx.ok(visible(alice, joined.room_id, event_id), "the witness's valid event")


def message(text: str) -> dict[str, Any]:
    return {"msgtype": "m.text", "body": text}


def send(fed: FederationClient, *pdus: dict[str, Any]) -> dict[str, Any]:
    return mx.ok(transaction(fed, list(pdus), []), "PUT /send")


def seen_by(alice: mx.User, room_id: str, event_id: str) -> Any:
    return alice.call("GET", f"rooms/{q(room_id)}/event/{q(event_id)}")


@pytest.mark.requirement("matrix.federation.send.accepted")
def test_pdu_accepted(fed: FederationClient, alice: mx.User) -> None:
    joined = member(fed, alice, "talker")
    text = mx.unique("from afar ")
    event_id, pdu = joined.view.pdu(fed, joined.user_id, "m.room.message", message(text))
    send(fed, pdu)
    body = mx.ok(visible(alice, joined.room_id, event_id), "GET the remote event")
    expect_equal((body.get("sender"), body.get("content", {}).get("body")),
                 (joined.user_id, text), "the local member does not see the remote message")


@pytest.mark.requirement("matrix.federation.send.pdu-results")
def test_pdu_results(fed: FederationClient, alice: mx.User) -> None:
    joined = member(fed, alice, "results")
    first, pdu1 = joined.view.pdu(fed, joined.user_id, "m.room.message", message("one"))
    second, pdu2 = joined.view.pdu(fed, joined.user_id, "m.room.message", message("two"),
                                   prev_events=[first])
    body = send(fed, pdu1, pdu2)
    results = body.get("pdus")
    expect(isinstance(results, dict), "the answer has no pdus object", "object", body)
    assert isinstance(results, dict)
    expect_equal(sorted(results), sorted([first, second]),
                 "the answer's pdus are not keyed by exactly the event ids sent")
    expect_equal([results[first], results[second]], [{}, {}],
                 "a valid PDU is reported with an error")


@pytest.mark.requirement("matrix.federation.rules.banned")
def test_banned_sender_rejected(fed: FederationClient, alice: mx.User) -> None:
    joined = member(fed, alice, "banned")
    alice.ok("POST", f"rooms/{q(joined.room_id)}/ban", "POST /ban",
             body={"user_id": joined.user_id})
    event_id, pdu = joined.view.pdu(fed, joined.user_id, "m.room.message", message("banned"))
    send(fed, pdu)
    settle(fed, alice, joined)
    mx.error(seen_by(alice, joined.room_id, event_id), 404, "M_NOT_FOUND",
             "an event of a banned sender, citing its ban, reaching local clients")


@pytest.mark.requirement("matrix.federation.rules.power-levels")
def test_forged_power_levels_rejected(fed: FederationClient, alice: mx.User) -> None:
    joined = member(fed, alice, "usurper")
    before = mx.state(alice, joined.room_id, "m.room.power_levels")
    forged = dict(before, users={**before.get("users", {}), joined.user_id: 100})
    _, pdu = joined.view.pdu(fed, joined.user_id, "m.room.power_levels", forged,
                             state_key="")
    send(fed, pdu)
    settle(fed, alice, joined)
    expect_equal(mx.state(alice, joined.room_id, "m.room.power_levels"), before,
                 "a power-levels change by a member without the power became the room's state")


@pytest.mark.requirement("matrix.federation.rules.signature")
def test_bad_signature_dropped(fed: FederationClient, alice: mx.User) -> None:
    joined = member(fed, alice, "forger")
    event_id, pdu = joined.view.pdu(fed, joined.user_id, "m.room.message", message("forged"))
    # Signed by a key the harness never published, under its published key id.
    other = ServerIdentity(fed.identity.server_name, signedjson.key.generate_signing_key(
        fed.identity.signing_key.version))
    pdu["signatures"] = other.sign(events.redact(pdu, joined.view.room_version))["signatures"]
    send(fed, pdu)
    settle(fed, alice, joined)
    mx.error(seen_by(alice, joined.room_id, event_id), 404, "M_NOT_FOUND",
             "an event whose signature does not verify, reaching local clients")


@pytest.mark.requirement("matrix.federation.rules.hash-redacted")
def test_wrong_hash_redacted(fed: FederationClient, alice: mx.User) -> None:
    joined = member(fed, alice, "hasher")
    event_id, pdu = joined.view.pdu(fed, joined.user_id, "m.room.message", message("original"))
    # Content changed after hashing and signing: the signature (over the redacted form)
    # still verifies, the content hash does not.
    pdu["content"] = message("altered")
    send(fed, pdu)
    body = mx.ok(visible(alice, joined.room_id, event_id), "GET the event with a wrong hash")
    expect_equal(body.get("content"), {},
                 "an event whose content hash does not match is not redacted")


@pytest.mark.requirement("matrix.federation.rules.soft-fail")
def test_soft_failed_not_shown(fed: FederationClient, alice: mx.User) -> None:
    joined = member(fed, alice, "late")
    before_ban = joined.view.latest()
    alice.ok("POST", f"rooms/{q(joined.room_id)}/ban", "POST /ban",
             body={"user_id": joined.user_id})
    state = joined.view.state()
    # Authorised by the state before the ban (its prev event, the sender's join), not by the
    # room's current state.
    event_id, pdu = joined.view.pdu(
        fed, joined.user_id, "m.room.message", message(mx.unique("soft ")),
        prev_events=[before_ban], auth_events=[state[("m.room.create", "")]["event_id"],
                                               state[("m.room.power_levels", "")]["event_id"],
                                               joined.join_id])
    send(fed, pdu)
    settle(fed, alice, joined)
    after = mx.send_text(alice, joined.room_id, "after")
    body = alice.ok("GET", f"rooms/{q(joined.room_id)}/messages", "GET /messages",
                    params={"dir": "b", "limit": 50})
    ids = [e.get("event_id") for e in body.get("chunk", [])]
    expect(after in ids, "the local event is not in /messages", after, ids)
    expect(event_id not in ids, "a soft-failed event reached local clients", "absent", ids)


@pytest.mark.requirement("matrix.federation.missing-events.fetched")
def test_missing_prev_events_fetched(fed: FederationClient, harness: HarnessHomeserver,
                                     alice: mx.User) -> None:
    joined = member(fed, alice, "gappy")
    unknown = "$" + uuid.uuid4().hex + "unknownprevevent00000000000"
    mark = harness.mark()
    _, pdu = joined.view.pdu(fed, joined.user_id, "m.room.message", message("gap"),
                             prev_events=[unknown])
    transaction(fed, [pdu], [])
    asked = harness.wait_for(lambda r: "/get_missing_events/" in r.path, 6, mark)
    expect(asked is not None, "the candidate did not ask for the unknown prev event with "
           "get_missing_events", "POST /get_missing_events", None)
    assert asked is not None
    latest = (asked.body or {}).get("latest_events")
    expect(isinstance(latest, list) and bool(latest), "get_missing_events names no "
           "latest_events", "list", asked.body)
