"""Server-Server API: joining, leaving and invites between the harness homeserver and rooms
on the candidate, and the PDUs the candidate then delivers (SS API v1.15 §joining-rooms,
§leaving-rooms-rejecting-invites, §inviting-to-a-room, §transactions, §pdus)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import signedjson.sign

from conformance.api import expect, expect_equal
from suites.matrix import mx
from suites.matrix.federation import events
from suites.matrix.federation.client import FederationClient
from suites.matrix.federation.fixtures import fed, harness
from suites.matrix.federation.rooms import Joined, RoomView, harness_user, join, make_join, q
from suites.matrix.federation.server import HarnessHomeserver

__all__ = ["fed", "harness"]


def public_room(alice: mx.User, version: str) -> str:
    return mx.create_room(alice, preset="public_chat", room_version=version)


@pytest.fixture(scope="module")
def joined(fed: FederationClient, alice: mx.User) -> Joined:
    room = public_room(alice, "11")
    return join(fed, room, harness_user(fed, "joiner"))


def verified(fed: FederationClient, pdu: dict[str, Any], version: str) -> list[str]:
    """What is wrong with a PDU the candidate signed: its hash, its signature."""
    problems = []
    if not events.hash_matches(pdu):
        problems.append("content hash does not match")
    keys = fed.candidate_keys()
    try:
        signedjson.sign.verify_signed_json(events.redact(pdu, version), fed.destination,
                                           next(iter(keys.values())))
    except (signedjson.sign.SignatureVerifyException, StopIteration) as error:
        problems.append(f"signature by {fed.destination} does not verify: {error}")
    return problems


@pytest.mark.requirement("matrix.federation.make-join.template")
def test_make_join_template(fed: FederationClient, alice: mx.User) -> None:
    room, user = public_room(alice, "11"), harness_user(fed, "tmpl")
    body = mx.ok(make_join(fed, room, user), "GET make_join")
    event = body.get("event", {})
    expect_equal(body.get("room_version"), "11", "room_version is not the room's")
    expect_equal({k: event.get(k) for k in ("type", "room_id", "sender", "state_key")},
                 {"type": "m.room.member", "room_id": room, "sender": user, "state_key": user},
                 "the template is not the joining user's membership event in the room")
    expect_equal(event.get("content", {}).get("membership"), "join",
                 "the template's membership is not join")
    expect(isinstance(event.get("prev_events"), list) and bool(event["prev_events"])
           and isinstance(event.get("auth_events"), list) and bool(event["auth_events"]),
           "the template has no prev_events or auth_events", "lists", event)


@pytest.mark.requirement("matrix.federation.make-join.incompatible")
def test_make_join_incompatible(fed: FederationClient, alice: mx.User) -> None:
    room, user = public_room(alice, "11"), harness_user(fed, "old")
    response = fed.request("GET", f"/_matrix/federation/v1/make_join/{q(room)}/{q(user)}",
                           params=[("ver", "1")])
    body = mx.error(response, 400, "M_INCOMPATIBLE_ROOM_VERSION",
                    "make_join from a server supporting only room version 1")
    expect_equal(body.get("room_version"), "11", "the error does not name the room's version")


@pytest.mark.requirement("matrix.federation.send-join.v2")
def test_send_join_v2(fed: FederationClient, joined: Joined) -> None:
    answer = joined.answer
    expect(isinstance(answer, dict), "send_join v2 did not answer an object", "object", answer)
    state, chain = answer.get("state"), answer.get("auth_chain")
    expect(isinstance(state, list) and isinstance(chain, list), "state or auth_chain is not a "
           "list", "lists", answer)
    assert isinstance(state, list)
    kinds = {(e.get("type"), e.get("state_key")) for e in state}
    for wanted in (("m.room.create", ""), ("m.room.power_levels", ""),
                   ("m.room.join_rules", "")):
        expect(wanted in kinds, f"the returned state lacks {wanted[0]}", wanted, sorted(
            map(str, kinds)))


@pytest.mark.requirement("matrix.federation.send-join.origin")
def test_send_join_origin(fed: FederationClient, joined: Joined) -> None:
    expect_equal(joined.answer.get("origin"), fed.destination,
                 "send_join v2's origin is not the resident server's name")


@pytest.mark.requirement("matrix.federation.send-join.state-valid")
def test_send_join_state_signed(fed: FederationClient, joined: Joined) -> None:
    pdus = [*joined.answer.get("state", []), *joined.answer.get("auth_chain", [])]
    expect(bool(pdus), "send_join returned no state", "PDUs", pdus)
    bad = {events.event_id(p, joined.room_version): verified(fed, p, joined.room_version)
           for p in pdus if p.get("sender", "").endswith(":" + fed.destination)}
    expect_equal({k: v for k, v in bad.items() if v}, {},
                 "PDUs of the room's state do not carry a valid hash and signature")


@pytest.mark.requirement("matrix.federation.send-join.v1")
def test_send_join_v1(fed: FederationClient, alice: mx.User) -> None:
    room = public_room(alice, "10")
    answer = join(fed, room, harness_user(fed, "v1"), v1=True).answer
    expect(isinstance(answer, list) and len(answer) == 2 and answer[0] == 200
           and isinstance(answer[1], dict) and isinstance(answer[1].get("state"), list),
           "send_join v1 does not answer [200, {state, auth_chain, ...}]", "[200, {...}]",
           answer)


@pytest.mark.requirement("matrix.federation.join.member-visible")
def test_join_visible(joined: Joined, alice: mx.User) -> None:
    member = mx.state(alice, joined.room_id, "m.room.member", joined.user_id)
    expect_equal(member.get("membership"), "join",
                 "the remote user's membership is not join for a local member")


@pytest.mark.requirement("matrix.federation.transaction.delivered")
def test_message_delivered(fed: FederationClient, harness: HarnessHomeserver,
                           joined: Joined, alice: mx.User) -> None:
    mark = harness.mark()
    event_id = mx.send_text(alice, joined.room_id, "to the harness")
    pdu = harness.wait_for_pdu(lambda p: p.get("content", {}).get("body") == "to the harness"
                               and p.get("room_id") == joined.room_id, 6, mark)
    expect(pdu is not None, "the candidate delivered no transaction with the message",
           "a PDU", None)
    assert pdu is not None
    expect_equal(events.event_id(pdu, joined.room_version), event_id,
                 "the delivered PDU's reference hash is not the event id the client got")


@pytest.mark.requirement("matrix.federation.transaction.shape")
def test_transaction_shape(fed: FederationClient, harness: HarnessHomeserver,
                           joined: Joined, alice: mx.User) -> None:
    mark = harness.mark()
    mx.send_text(alice, joined.room_id, "shape")
    request = harness.wait_for(lambda r: "/federation/v1/send/" in r.path, 6, mark)
    expect(request is not None, "no transaction arrived", "a transaction", None)
    assert request is not None
    body = request.body or {}
    expect_equal(body.get("origin"), fed.destination, "the transaction's origin")
    expect(isinstance(body.get("origin_server_ts"), int) and isinstance(body.get("pdus"), list),
           "the transaction lacks an integer origin_server_ts or a pdus list", "shape", body)


@pytest.mark.requirement("matrix.federation.pdu.hashes")
def test_pdu_hashes(fed: FederationClient, harness: HarnessHomeserver, joined: Joined,
                    alice: mx.User) -> None:
    mark = harness.mark()
    mx.send_text(alice, joined.room_id, "hashed")
    pdu = harness.wait_for_pdu(lambda p: p.get("content", {}).get("body") == "hashed", 6, mark)
    expect(pdu is not None, "no PDU arrived", "a PDU", None)
    assert pdu is not None
    expect(events.hash_matches(pdu), "the PDU's content hash does not match its content",
           events.content_hash(pdu), pdu.get("hashes"))


@pytest.mark.requirement("matrix.federation.pdu.signed")
def test_pdu_signed(fed: FederationClient, harness: HarnessHomeserver, joined: Joined,
                    alice: mx.User) -> None:
    mark = harness.mark()
    mx.send_text(alice, joined.room_id, "signed")
    pdu = harness.wait_for_pdu(lambda p: p.get("content", {}).get("body") == "signed", 6, mark)
    expect(pdu is not None, "no PDU arrived", "a PDU", None)
    assert pdu is not None
    problems = [p for p in verified(fed, pdu, joined.room_version) if "signature" in p]
    expect_equal(problems, [], "the PDU is not signed by its origin")


@pytest.mark.requirement("matrix.federation.pdu.prev-events")
def test_pdu_prev_events(fed: FederationClient, harness: HarnessHomeserver, alice: mx.User
                         ) -> None:
    joined = join(fed, public_room(alice, "11"), harness_user(fed, "prev"))
    mark = harness.mark()
    mx.send_text(alice, joined.room_id, "after the join")
    pdu = harness.wait_for_pdu(lambda p: p.get("content", {}).get("body") == "after the join",
                               6, mark)
    expect(pdu is not None, "no PDU arrived", "a PDU", None)
    assert pdu is not None
    expect_equal(pdu.get("prev_events"), [joined.event_id],
                 "the next event does not have the join, the room's only forward extremity, "
                 "as its prev_events")


@pytest.mark.requirement("matrix.federation.leave")
def test_make_and_send_leave(fed: FederationClient, alice: mx.User) -> None:
    joined = join(fed, public_room(alice, "11"), harness_user(fed, "leaver"))
    room, user = joined.room_id, joined.user_id
    body = mx.ok(fed.request("GET", f"/_matrix/federation/v1/make_leave/{q(room)}/{q(user)}"),
                 "GET make_leave")
    event = body.get("event", {})
    expect_equal((event.get("type"), event.get("state_key"),
                  event.get("content", {}).get("membership")),
                 ("m.room.member", user, "leave"), "make_leave's template")
    event_id, pdu = events.finish(fed.identity, dict(event, origin_server_ts=int(
        time.time() * 1000)), str(body.get("room_version")))
    answer = mx.ok(fed.request("PUT", f"/_matrix/federation/v2/send_leave/{q(room)}/"
                               f"{q(event_id)}", body=pdu), "PUT send_leave v2")
    expect_equal(answer, {}, "send_leave v2 does not answer an empty object")
    member = mx.state(alice, room, "m.room.member", user)
    expect_equal(member.get("membership"), "leave", "the remote user did not leave")


@pytest.mark.requirement("matrix.federation.invite.outbound")
def test_invite_to_harness_user(fed: FederationClient, harness: HarnessHomeserver,
                                alice: mx.User) -> None:
    room = mx.create_room(alice, preset="private_chat", room_version="11")
    invitee = harness_user(fed, "invitee")
    seen: dict[str, Any] = {}

    def accept(request: Any) -> tuple[int, Any]:
        body = request.body or {}
        seen.update(body)
        event = dict(body.get("event", {}))
        signed = harness.identity.sign(events.redact(event, str(body.get("room_version"))))
        event.setdefault("signatures", {}).update(signed["signatures"])
        return 200, {"event": event}

    harness.route("PUT", r"/_matrix/federation/v2/invite/[^/]+/[^/]+", accept)
    alice.ok("POST", f"rooms/{q(room)}/invite", "POST /invite", body={"user_id": invitee})
    event = seen.get("event", {})
    expect_equal((event.get("type"), event.get("state_key"),
                  event.get("content", {}).get("membership"), seen.get("room_version")),
                 ("m.room.member", invitee, "invite", "11"),
                 "the candidate's v2 invite is not the invitee's membership event with the "
                 "room version")
    stripped = seen.get("invite_room_state")
    expect(isinstance(stripped, list) and any(
        e.get("type") == "m.room.create" for e in stripped if isinstance(e, dict)),
        "invite_room_state has no m.room.create", "m.room.create", stripped)
    member = mx.state(alice, room, "m.room.member", invitee)
    expect_equal(member.get("membership"), "invite", "the invite is not in the room's state")


@pytest.mark.requirement("matrix.federation.invite.inbound")
def test_invite_local_user(fed: FederationClient, alice: mx.User, bob: mx.User) -> None:
    joined = join(fed, public_room(alice, "11"), harness_user(fed, "inviter"))
    view = RoomView(alice, joined.room_id, joined.room_version)
    event_id, pdu = view.pdu(fed, joined.user_id, "m.room.member", {"membership": "invite"},
                             state_key=bob.user_id)
    body = {"event": pdu, "room_version": joined.room_version, "invite_room_state": []}
    answer = mx.ok(fed.request("PUT", f"/_matrix/federation/v2/invite/{q(joined.room_id)}/"
                               f"{q(event_id)}", body=body), "PUT invite v2")
    event = answer.get("event", {})
    expect_equal(events.event_id(event, joined.room_version), event_id,
                 "the returned invite is not the event sent (its reference hash changed)")
    problems = [p for p in verified(fed, event, joined.room_version) if "signature" in p]
    expect_equal(problems, [], "the invitee's server did not sign the invite")
