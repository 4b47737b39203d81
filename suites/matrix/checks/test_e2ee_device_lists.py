"""Tracking other users' devices (CS API v1.15 §tracking-the-device-list-for-a-user): /sync's
device_lists (§e2e-extensions-to-sync) and /keys/changes. Each check has a watcher and one
other member of an encrypted room of their own, with keys uploaded before the window, so the
lists are compared exactly: between the two tokens only that member changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.api import expect
from suites.matrix import e2ee, mx
from suites.matrix.registrar import Registrar


def keyed(user: mx.User) -> mx.User:
    signer = e2ee.device_signer(user.device_id)
    e2ee.upload(user, f"POST /keys/upload ({user.localpart})",
                device_keys=e2ee.device_keys(user, signer))
    return user


def pair(watcher: mx.User, registrar: Registrar, joined: bool = True
         ) -> tuple[mx.User, str]:
    """The other member (with device keys) and the encrypted room the watcher made."""
    keyed(watcher)
    other = keyed(registrar.new_user("member"))
    room = e2ee.encrypted_room(watcher)
    if joined:
        mx.join(other, room)
    return other, room


def device_lists(watcher: mx.User, since: str, part: str, wanted: str) -> list[Any]:
    """Every user named in device_lists[part] of the syncs after ``since``, until ``wanted``
    shows up (or the time is up), then one sync more to see nothing else comes."""
    seen: list[Any] = []

    def found(body: dict[str, Any]) -> bool:
        listed = body.get("device_lists", {}).get(part, [])
        seen.extend(listed if isinstance(listed, list) else [listed])
        return wanted in seen

    _, token = mx.sync_until(watcher, since, found)
    found(mx.sync(watcher, token))
    return seen


def keys_changes(watcher: mx.User, start: str) -> dict[str, Any]:
    end = mx.next_batch(mx.sync(watcher))
    return watcher.ok("GET", "keys/changes", "GET /keys/changes",
                      params={"from": start, "to": end})


def window(watcher: mx.User, registrar: Registrar, joined: bool,
           act: Callable[[mx.User, str], None]) -> tuple[mx.User, str]:
    """Sets up the pair, takes the watcher's token, then lets ``act(other, room)`` happen."""
    other, room = pair(watcher, registrar, joined)
    start = mx.next_batch(mx.sync(watcher))
    act(other, room)
    return other, start


def new_device(registrar: Registrar) -> Callable[[mx.User, str], None]:
    def act(other: mx.User, room: str) -> None:
        keyed(registrar.login(other.localpart, other.password))

    return act


def cross_sign(other: mx.User, room: str) -> None:
    e2ee.with_cross_signing(other)


def leave(other: mx.User, room: str) -> None:
    mx.ok(other.call("POST", f"rooms/{mx.q(room)}/leave", body={}), "POST /leave")


@pytest.mark.requirement("matrix.sync.device-lists-changed")
def test_changed_new_device(fresh_user: mx.User, registrar: Registrar) -> None:
    other, start = window(fresh_user, registrar, True, new_device(registrar))
    seen = device_lists(fresh_user, start, "changed", other.user_id)
    expect(sorted(set(seen)) == [other.user_id], "device_lists.changed is not exactly the "
           "member who added a device with keys", [other.user_id], seen)


@pytest.mark.requirement("matrix.sync.device-lists-joined")
def test_changed_new_member(fresh_user: mx.User, registrar: Registrar) -> None:
    other, start = window(fresh_user, registrar, False, lambda o, room: mx.join(o, room))
    # "who now share an encrypted room with the client since the previous sync response"
    seen = device_lists(fresh_user, start, "changed", other.user_id)
    expect(sorted(set(seen)) == [other.user_id], "device_lists.changed does not name exactly "
           "the user who now shares an encrypted room", [other.user_id], seen)


@pytest.mark.requirement("matrix.sync.device-lists-cross-signing")
def test_changed_cross_signing(fresh_user: mx.User, registrar: Registrar) -> None:
    other, start = window(fresh_user, registrar, True, cross_sign)
    seen = device_lists(fresh_user, start, "changed", other.user_id)
    expect(sorted(set(seen)) == [other.user_id], "device_lists.changed does not name exactly "
           "the member who uploaded cross-signing keys", [other.user_id], seen)


@pytest.mark.requirement("matrix.sync.device-lists-left")
def test_left(fresh_user: mx.User, registrar: Registrar) -> None:
    other, start = window(fresh_user, registrar, True, leave)
    seen = device_lists(fresh_user, start, "left", other.user_id)
    expect(sorted(set(seen)) == [other.user_id], "device_lists.left is not exactly the user "
           "who no longer shares an encrypted room", [other.user_id], seen)


@pytest.mark.requirement("matrix.keys.changes-left")
def test_keys_changes_left(fresh_user: mx.User, registrar: Registrar) -> None:
    other, start = window(fresh_user, registrar, True, leave)
    left = keys_changes(fresh_user, start).get("left")
    expect(isinstance(left, list) and sorted(left) == [other.user_id],
           "/keys/changes 'left' is not exactly the user who left the shared room",
           [other.user_id], left)


@pytest.mark.requirement("matrix.keys.changes-deleted-device")
def test_keys_changes_deleted_device(fresh_user: mx.User, registrar: Registrar) -> None:
    keyed(fresh_user)
    other = keyed(registrar.new_user("member"))
    second = keyed(registrar.login(other.localpart, other.password))
    mx.join(other, e2ee.encrypted_room(fresh_user))
    start = mx.next_batch(mx.sync(fresh_user))
    path = f"devices/{mx.q(second.device_id)}"
    session = mx.json_body(other.call("DELETE", path, body={}), "UIA challenge").get("session")
    mx.ok(other.call("DELETE", path, body={"auth": e2ee.password_auth(other, session)}),
          "DELETE /devices/{deviceId}")
    changed = keys_changes(fresh_user, start).get("changed")
    # "removed an existing device with identity keys, between from and to"
    expect(isinstance(changed, list) and sorted(changed) == [other.user_id],
           "/keys/changes 'changed' is not exactly the member who deleted a device with keys",
           [other.user_id], changed)
