"""Typing notifications, read receipts and presence."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.api import expect
from suites.matrix import mx


def ephemeral(body: dict[str, Any], room: str, kind: str) -> list[dict[str, Any]]:
    joined = body.get("rooms", {}).get("join", {}).get(room, {})
    return [e for e in joined.get("ephemeral", {}).get("events", []) if e.get("type") == kind]


@pytest.fixture
def shared_room(alice: mx.User, fresh_user: mx.User) -> str:
    room = mx.create_room(alice, preset="public_chat")
    mx.join(fresh_user, room)
    return room


@pytest.mark.requirement("matrix.typing.notified")
def test_typing(alice: mx.User, fresh_user: mx.User, shared_room: str) -> None:
    token = mx.next_batch(mx.sync(fresh_user))
    typing = f"rooms/{mx.q(shared_room)}/typing/"
    # The other member types and stops; then alice types: the room's typists are alice alone.
    fresh_user.ok("PUT", typing + mx.q(fresh_user.user_id), "typing",
                  body={"typing": True, "timeout": 20000})
    fresh_user.ok("PUT", typing + mx.q(fresh_user.user_id), "typing stopped",
                  body={"typing": False})
    alice.ok("PUT", typing + mx.q(alice.user_id), "typing", body={"typing": True, "timeout": 20000})
    seen: list[Any] = []

    def typing_alice(body: dict[str, Any]) -> bool:
        lists = [e.get("content", {}).get("user_ids") for e in ephemeral(body, shared_room,
                                                                          "m.typing")]
        seen.extend(lists)
        return [alice.user_id] in lists

    found, _ = mx.sync_until(fresh_user, token, typing_alice)
    expect(bool(found), "no m.typing event listing exactly the typist reached the other member",
           [alice.user_id], seen)


@pytest.mark.requirement("matrix.receipts.notified")
def test_receipt(alice: mx.User, fresh_user: mx.User, shared_room: str) -> None:
    event_id = mx.send_text(alice, shared_room, "read me")
    token = mx.next_batch(mx.sync(alice))
    fresh_user.ok("POST", f"rooms/{mx.q(shared_room)}/receipt/m.read/{mx.q(event_id)}",
                  "receipt", body={})

    def receipt(body: dict[str, Any]) -> bool:
        return any(fresh_user.user_id in e.get("content", {}).get(event_id, {}).get("m.read", {})
                   for e in ephemeral(body, shared_room, "m.receipt"))

    seen, _ = mx.sync_until(alice, token, receipt)
    expect(bool(seen), "no m.receipt m.read for the event reached the room's /sync",
           event_id, None)


@pytest.mark.requirement("matrix.presence.set-get")
def test_presence(fresh_user: mx.User) -> None:
    path = f"presence/{mx.q(fresh_user.user_id)}/status"
    message = mx.unique("eos status ")
    fresh_user.ok("PUT", path, "PUT presence", body={"presence": "unavailable",
                                                      "status_msg": message})
    body = fresh_user.ok("GET", path, "GET presence")
    expect((body.get("presence"), body.get("status_msg")) == ("unavailable", message),
           "presence read back differs", ("unavailable", message),
           (body.get("presence"), body.get("status_msg")))


@pytest.mark.requirement("matrix.presence.invalid")
def test_presence_invalid(fresh_user: mx.User) -> None:
    mx.error(fresh_user.call("PUT", f"presence/{mx.q(fresh_user.user_id)}/status",
                             body={"presence": "eos-dancing"}), 400, (), "an unknown presence")
