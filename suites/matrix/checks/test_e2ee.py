"""End-to-end encryption key exchange and send-to-device messaging."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.api import expect
from suites.matrix import mx
from suites.matrix.registrar import Registrar

ALGORITHMS = ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"]


def device_keys(user: mx.User) -> dict[str, Any]:
    # Made-up key material: the server stores and relays keys, it does not verify them here.
    return {
        "user_id": user.user_id, "device_id": user.device_id, "algorithms": ALGORITHMS,
        "keys": {f"curve25519:{user.device_id}": mx.unique("curvekey"),
                 f"ed25519:{user.device_id}": mx.unique("edkey")},
        "signatures": {user.user_id: {f"ed25519:{user.device_id}": mx.unique("sig")}},
    }


def one_time_keys(user: mx.User, count: int) -> dict[str, Any]:
    return {f"signed_curve25519:{mx.unique('K')}": {
        "key": mx.unique("otk"),
        "signatures": {user.user_id: {f"ed25519:{user.device_id}": mx.unique("sig")}}}
        for _ in range(count)}


def upload(user: mx.User, count: int = 3, with_device: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {"one_time_keys": one_time_keys(user, count)}
    if with_device:
        body["device_keys"] = device_keys(user)
    return user.ok("POST", "keys/upload", "POST /keys/upload", body=body)


@pytest.mark.requirement("matrix.keys.upload")
def test_upload(fresh_user: mx.User) -> None:
    counts = upload(fresh_user, 3).get("one_time_key_counts")
    expect(isinstance(counts, dict) and counts.get("signed_curve25519") == 3,
           "one_time_key_counts does not count the 3 uploaded keys", 3, counts)


@pytest.mark.requirement("matrix.keys.query")
def test_query(fresh_user: mx.User, alice: mx.User) -> None:
    keys = device_keys(fresh_user)
    fresh_user.ok("POST", "keys/upload", "POST /keys/upload", body={"device_keys": keys})
    body = alice.ok("POST", "keys/query", "POST /keys/query",
                    body={"device_keys": {fresh_user.user_id: []}})
    got = body.get("device_keys", {}).get(fresh_user.user_id, {}).get(fresh_user.device_id, {})
    # The device keys come back as uploaded, signatures included; the server may only add
    # 'unsigned' (CS API v1.15 §post_matrixclientv3keysquery).
    returned = {k: v for k, v in got.items() if k != "unsigned"} if isinstance(got, dict) else got
    expect(returned == keys, "/keys/query does not return the uploaded device keys", keys,
           returned)


@pytest.mark.requirement("matrix.keys.claim")
def test_claim(fresh_user: mx.User, alice: mx.User) -> None:
    uploaded = one_time_keys(fresh_user, 1)
    fresh_user.ok("POST", "keys/upload", "POST /keys/upload",
                  body={"device_keys": device_keys(fresh_user), "one_time_keys": uploaded})
    request = {"one_time_keys": {fresh_user.user_id: {fresh_user.device_id: "signed_curve25519"}}}
    first = alice.ok("POST", "keys/claim", "first claim", body=request)
    claimed = first.get("one_time_keys", {}).get(fresh_user.user_id, {}).get(
        fresh_user.device_id, {})
    expect(claimed == uploaded, "/keys/claim did not return the uploaded one-time key",
           uploaded, claimed)
    second = alice.ok("POST", "keys/claim", "second claim", body=request)
    again = second.get("one_time_keys", {}).get(fresh_user.user_id, {}).get(
        fresh_user.device_id, {})
    expect(not (set(again) & set(uploaded)), "the same one-time key was handed out twice",
           "another or no key", again)


@pytest.mark.requirement("matrix.keys.changes")
def test_changes(fresh_user: mx.User, registrar: Registrar) -> None:
    # A watcher of its own, with keys uploaded before the window: between the two tokens only
    # the other member's keys change, so the list is compared exactly.
    watcher = fresh_user
    watcher.ok("POST", "keys/upload", "POST /keys/upload (watcher)",
               body={"device_keys": device_keys(watcher)})
    other = registrar.new_user("keys")
    room = mx.create_room(watcher, preset="public_chat")
    mx.join(other, room)
    start = mx.next_batch(mx.sync(watcher))
    other.ok("POST", "keys/upload", "POST /keys/upload", body={"device_keys": device_keys(other)})
    end = mx.next_batch(mx.sync(watcher))
    body = watcher.ok("GET", "keys/changes", "GET /keys/changes",
                      params={"from": start, "to": end})
    changed = body.get("changed")
    expect(isinstance(changed, list) and sorted(changed) == [other.user_id],
           "'changed' is not exactly the member whose keys changed in the window",
           [other.user_id], changed)


@pytest.mark.requirement("matrix.keys.sync-counts")
def test_sync_counts(fresh_user: mx.User) -> None:
    upload(fresh_user, 4)
    counts = mx.sync(fresh_user).get("device_one_time_keys_count", {})
    expect(counts.get("signed_curve25519") == 4, "/sync does not count the 4 one-time keys", 4,
           counts)


def to_device(sender: mx.User, recipient: mx.User, device: str, marker: str) -> None:
    sender.ok("PUT", f"sendToDevice/org.example.eos.ping/{mx.unique('td')}", "sendToDevice",
              body={"messages": {recipient.user_id: {device: {"marker": marker}}}})


def delivered(body: dict[str, Any], marker: str) -> list[dict[str, Any]]:
    return [e for e in body.get("to_device", {}).get("events", [])
            if e.get("content", {}).get("marker") == marker]


@pytest.mark.requirement("matrix.to-device.deliver", "matrix.to-device.once")
def test_to_device(alice: mx.User, fresh_user: mx.User) -> None:
    token = mx.next_batch(mx.sync(fresh_user))
    marker = mx.unique("m")
    to_device(alice, fresh_user, fresh_user.device_id, marker)
    found, after = mx.sync_until(fresh_user, token, lambda body: delivered(body, marker))
    expect(bool(found), "the to-device message was not delivered", marker, None)
    # One message sent, so exactly one event, with exactly the content sent.
    expect(len(found) == 1, f"the to-device message came {len(found)} times in one /sync", 1,
           len(found))
    event = found[0]
    expect((event.get("sender"), event.get("type"), event.get("content"))
           == (alice.user_id, "org.example.eos.ping", {"marker": marker}),
           "the to-device event has the wrong sender, type or content",
           (alice.user_id, "org.example.eos.ping", {"marker": marker}),
           (event.get("sender"), event.get("type"), event.get("content")))
    again = mx.sync(fresh_user, after)
    expect(not delivered(again, marker), "an acknowledged to-device message came again",
           "not again", delivered(again, marker))


@pytest.mark.requirement("matrix.to-device.wildcard")
def test_to_device_wildcard(alice: mx.User, fresh_user: mx.User, registrar: Registrar) -> None:
    second = registrar.login(fresh_user.localpart, fresh_user.password)
    tokens = [mx.next_batch(mx.sync(u)) for u in (fresh_user, second)]
    marker = mx.unique("w")
    to_device(alice, fresh_user, "*", marker)
    for user, token in zip((fresh_user, second), tokens, strict=True):
        found, _ = mx.sync_until(user, token, lambda body: delivered(body, marker))
        expect(bool(found), f"device {user.device_id} did not get the '*' message", marker, None)
