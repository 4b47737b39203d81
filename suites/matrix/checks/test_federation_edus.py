"""Server-Server API: ephemeral data units both ways between a room on the candidate and the
harness homeserver: typing, receipts, presence, device list updates and to-device messages
(SS API v1.15 §edus, §typing-notifications, §receipts, §presence, §device-management,
§send-to-device-messaging)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from conformance.api import expect
from suites.matrix import mx
from suites.matrix.federation.client import FederationClient
from suites.matrix.federation.fixtures import fed, harness
from suites.matrix.federation.rooms import Joined, harness_user, join, q, transaction
from suites.matrix.federation.server import HarnessHomeserver
from suites.matrix.registrar import Registrar

__all__ = ["fed", "harness"]
WAIT = 6.0


@pytest.fixture(scope="module")
def shared(fed: FederationClient, alice: mx.User) -> Joined:
    room_id = mx.create_room(alice, preset="public_chat", room_version="11")
    return join(fed, room_id, harness_user(fed, "ephemeral"))


def edu(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return {"edu_type": kind, "content": content}


def ephemeral(body: dict[str, Any], room: str, kind: str) -> list[dict[str, Any]]:
    joined = body.get("rooms", {}).get("join", {}).get(room, {})
    return [e for e in joined.get("ephemeral", {}).get("events", []) if e.get("type") == kind]


@pytest.mark.requirement("matrix.federation.edu.typing-out")
def test_typing_sent(harness: HarnessHomeserver, shared: Joined, alice: mx.User) -> None:
    mark = harness.mark()
    alice.ok("PUT", f"rooms/{q(shared.room_id)}/typing/{q(alice.user_id)}", "typing",
             body={"typing": True, "timeout": 10000})
    got = harness.wait_for_edu(lambda e: e.get("edu_type") == "m.typing" and e.get(
        "content", {}).get("user_id") == alice.user_id, WAIT, mark)
    expect(got is not None, "no m.typing EDU reached the remote member's server",
           "m.typing", harness.edus(mark))
    assert got is not None
    expect(got["content"].get("room_id") == shared.room_id and got["content"].get(
        "typing") is True, "the m.typing EDU does not name the room and typing: true",
        {"room_id": shared.room_id, "typing": True}, got["content"])


@pytest.mark.requirement("matrix.federation.edu.typing-in")
def test_typing_received(fed: FederationClient, shared: Joined, alice: mx.User) -> None:
    token = mx.next_batch(mx.sync(alice))
    mx.ok(transaction(fed, [], [edu("m.typing", {"room_id": shared.room_id,
                                                 "user_id": shared.user_id, "typing": True})]),
          "PUT /send with m.typing")

    def typing(body: dict[str, Any]) -> bool:
        return any(shared.user_id in e.get("content", {}).get("user_ids", [])
                   for e in ephemeral(body, shared.room_id, "m.typing"))

    found, _ = mx.sync_until(alice, token, typing, seconds=WAIT)
    expect(bool(found), "the remote member's typing did not reach the local member's /sync",
           shared.user_id, None)


@pytest.mark.requirement("matrix.federation.edu.receipt-out")
def test_receipt_sent(harness: HarnessHomeserver, shared: Joined, alice: mx.User) -> None:
    event_id = mx.send_text(alice, shared.room_id, "read me")
    mark = harness.mark()
    alice.ok("POST", f"rooms/{q(shared.room_id)}/receipt/m.read/{q(event_id)}", "receipt",
             body={})

    def receipt(e: dict[str, Any]) -> bool:
        read = e.get("content", {}).get(shared.room_id, {}).get("m.read", {})
        return e.get("edu_type") == "m.receipt" and alice.user_id in read

    got = harness.wait_for_edu(receipt, WAIT, mark)
    expect(got is not None, "no m.receipt EDU reached the remote member's server",
           "m.receipt", harness.edus(mark))
    assert got is not None
    entry = got["content"][shared.room_id]["m.read"][alice.user_id]
    expect(entry.get("event_ids") == [event_id] and isinstance(entry.get("data"), dict),
           "the receipt does not name exactly the event read, with its data",
           [event_id], entry)


@pytest.mark.requirement("matrix.federation.edu.receipt-in")
def test_receipt_received(fed: FederationClient, shared: Joined, alice: mx.User) -> None:
    event_id = mx.send_text(alice, shared.room_id, "read remotely")
    token = mx.next_batch(mx.sync(alice))
    content = {shared.room_id: {"m.read": {shared.user_id: {
        "event_ids": [event_id], "data": {"ts": int(time.time() * 1000)}}}}}
    mx.ok(transaction(fed, [], [edu("m.receipt", content)]), "PUT /send with m.receipt")

    def receipt(body: dict[str, Any]) -> bool:
        return any(shared.user_id in e.get("content", {}).get(event_id, {}).get("m.read", {})
                   for e in ephemeral(body, shared.room_id, "m.receipt"))

    found, _ = mx.sync_until(alice, token, receipt, seconds=WAIT)
    expect(bool(found), "the remote read receipt did not reach the local member's /sync",
           event_id, None)


@pytest.mark.requirement("matrix.federation.edu.presence-out")
def test_presence_sent(harness: HarnessHomeserver, shared: Joined, alice: mx.User) -> None:
    status = mx.unique("busy ")
    mark = harness.mark()
    alice.ok("PUT", f"presence/{q(alice.user_id)}/status", "set presence",
             body={"presence": "online", "status_msg": status})

    def presence(e: dict[str, Any]) -> bool:
        return e.get("edu_type") == "m.presence" and any(
            p.get("user_id") == alice.user_id and p.get("status_msg") == status
            for p in e.get("content", {}).get("push", []))

    got = harness.wait_for_edu(presence, WAIT, mark)
    expect(got is not None, "no m.presence EDU with the new status reached a server sharing "
           "a room", status, harness.edus(mark))
    assert got is not None
    update = next(p for p in got["content"]["push"] if p.get("user_id") == alice.user_id)
    expect(update.get("presence") == "online" and isinstance(update.get("last_active_ago"),
                                                             int),
           "the presence update lacks presence online or an integer last_active_ago",
           "online", update)


@pytest.mark.requirement("matrix.federation.edu.device-list")
def test_device_list_update(fed: FederationClient, harness: HarnessHomeserver,
                            registrar: Registrar, alice: mx.User) -> None:
    user = registrar.new_user("devices")
    room_id = mx.create_room(user, preset="public_chat", room_version="11")
    join(fed, room_id, harness_user(fed, "watcher"))
    mark = harness.mark()
    login = mx.ok(mx.call(user.session, "POST", "login", body={
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": user.localpart},
        "password": user.password}), "POST /login (a new device)")

    def update(e: dict[str, Any]) -> bool:
        content = e.get("content", {})
        return (e.get("edu_type") == "m.device_list_update" and content.get("user_id")
                == user.user_id and content.get("device_id") == login.get("device_id"))

    got = harness.wait_for_edu(update, WAIT, mark)
    expect(got is not None, "no m.device_list_update for the new device reached a server "
           "sharing a room", login.get("device_id"), harness.edus(mark))
    assert got is not None
    expect(isinstance(got["content"].get("stream_id"), int),
           "the device list update has no integer stream_id", "integer", got["content"])


@pytest.mark.requirement("matrix.federation.edu.to-device-in")
def test_to_device_received(fed: FederationClient, fresh_user: mx.User) -> None:
    token = mx.next_batch(mx.sync(fresh_user))
    sender = harness_user(fed, "dm")
    marker = mx.unique("to-device ")
    content = {"sender": sender, "type": "org.example.eos.ping", "message_id": mx.unique("m"),
               "messages": {fresh_user.user_id: {fresh_user.device_id: {"text": marker}}}}
    mx.ok(transaction(fed, [], [edu("m.direct_to_device", content)]), "PUT /send to-device")

    def arrived(body: dict[str, Any]) -> Any:
        return [e for e in body.get("to_device", {}).get("events", [])
                if e.get("content", {}).get("text") == marker]

    found, _ = mx.sync_until(fresh_user, token, arrived, seconds=WAIT)
    expect(bool(found), "the remote to-device message did not reach the device's /sync",
           marker, None)
    expect(found[0].get("sender") == sender and found[0].get("type") == "org.example.eos.ping",
           "the to-device event's sender or type is not the remote one", sender, found[0])


@pytest.mark.requirement("matrix.federation.edu.to-device-out")
def test_to_device_sent(fed: FederationClient, harness: HarnessHomeserver,
                        fresh_user: mx.User) -> None:
    target = harness_user(fed, "device")
    marker = mx.unique("outbound ")
    mark = harness.mark()
    fresh_user.ok("PUT", f"sendToDevice/org.example.eos.ping/{mx.unique('txn')}", "sendToDevice",
                  body={"messages": {target: {"HDEVICE": {"text": marker}}}})

    def sent(e: dict[str, Any]) -> bool:
        messages = e.get("content", {}).get("messages", {})
        return e.get("edu_type") == "m.direct_to_device" and messages.get(target, {}).get(
            "HDEVICE", {}).get("text") == marker

    got = harness.wait_for_edu(sent, WAIT, mark)
    expect(got is not None, "the to-device message never reached the recipient's server",
           marker, harness.edus(mark))
    assert got is not None
    content = got["content"]
    expect(content.get("sender") == fresh_user.user_id and content.get("type")
           == "org.example.eos.ping" and isinstance(content.get("message_id"), str),
           "the m.direct_to_device EDU lacks the sender, type or a message_id",
           fresh_user.user_id, content)
