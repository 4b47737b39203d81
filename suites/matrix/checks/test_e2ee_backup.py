"""Server-side key backups (CS API v1.15 §server-side-key-backups): backup versions (create,
read the latest or one, update, delete) and the keys stored in them."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.api import expect
from suites.matrix import e2ee, mx

ALGORITHM = "m.megolm_backup.v1.curve25519-aes-sha2"


def auth_data() -> dict[str, Any]:
    return {"public_key": e2ee.random_key()}


def create(user: mx.User, data: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    data = data or auth_data()
    body = user.ok("POST", "room_keys/version", "POST /room_keys/version",
                   body={"algorithm": ALGORITHM, "auth_data": data})
    version = body.get("version")
    expect(isinstance(version, str) and bool(version), "POST /room_keys/version gave no "
           "version string", "version", body)
    return str(version), data


def info(user: mx.User, version: str | None = None) -> dict[str, Any]:
    path = "room_keys/version" + (f"/{mx.q(version)}" if version else "")
    return user.ok("GET", path, f"GET /{path}")


def session_key(first_index: int = 0, verified: bool = False, forwarded: int = 0
                ) -> dict[str, Any]:
    return {"first_message_index": first_index, "forwarded_count": forwarded,
            "is_verified": verified,
            "session_data": {"ephemeral": e2ee.random_key(), "ciphertext": mx.unique("ct"),
                             "mac": mx.unique("mac")}}


def key_path(room: str, session: str) -> str:
    return f"room_keys/keys/{mx.q(room)}/{mx.q(session)}"


def store(user: mx.User, version: str, room: str, session: str, key: dict[str, Any]
          ) -> dict[str, Any]:
    return user.ok("PUT", key_path(room, session), "PUT /room_keys/keys/{roomId}/{sessionId}",
                   params={"version": version}, body=key)


def expect_info(got: dict[str, Any], version: str, data: dict[str, Any], count: int) -> None:
    shown = {k: got.get(k) for k in ("algorithm", "auth_data", "count", "version")}
    wanted = {"algorithm": ALGORITHM, "auth_data": data, "count": count, "version": version}
    expect(shown == wanted, "the backup version information is not what was stored", wanted,
           shown)
    expect(isinstance(got.get("etag"), str), "the backup version has no etag string", "etag",
           got.get("etag"))


@pytest.mark.requirement("matrix.backup.create")
def test_create(fresh_user: mx.User) -> None:
    version, data = create(fresh_user)
    expect_info(info(fresh_user), version, data, 0)


@pytest.mark.requirement("matrix.backup.latest")
def test_latest(fresh_user: mx.User) -> None:
    create(fresh_user)
    newer, data = create(fresh_user)
    expect_info(info(fresh_user), newer, data, 0)


@pytest.mark.requirement("matrix.backup.get-version")
def test_get_version(fresh_user: mx.User) -> None:
    older, data = create(fresh_user)
    create(fresh_user)
    expect_info(info(fresh_user, older), older, data, 0)


@pytest.mark.requirement("matrix.backup.not-found")
def test_not_found(fresh_user: mx.User) -> None:
    mx.error(fresh_user.call("GET", "room_keys/version"), 404, "M_NOT_FOUND",
             "GET /room_keys/version of a user with no backup")
    version, _ = create(fresh_user)
    mx.error(fresh_user.call("GET", f"room_keys/version/{mx.q(version + '999')}"), 404,
             "M_NOT_FOUND", "GET /room_keys/version/{version} of an unknown version")


@pytest.mark.requirement("matrix.backup.update")
def test_update(fresh_user: mx.User) -> None:
    version, _ = create(fresh_user)
    data = auth_data()
    fresh_user.ok("PUT", f"room_keys/version/{mx.q(version)}", "PUT /room_keys/version/{v}",
                  body={"algorithm": ALGORITHM, "auth_data": data, "version": version})
    expect_info(info(fresh_user, version), version, data, 0)


@pytest.mark.requirement("matrix.backup.update-mismatch")
def test_update_mismatch(fresh_user: mx.User) -> None:
    version, data = create(fresh_user)
    response = fresh_user.call("PUT", f"room_keys/version/{mx.q(version)}", body={
        "algorithm": ALGORITHM, "auth_data": auth_data(), "version": version + "999"})
    mx.error(response, 400, "M_INVALID_PARAM", "a body version other than the path's")
    expect_info(info(fresh_user, version), version, data, 0)


@pytest.mark.requirement("matrix.backup.delete")
def test_delete(fresh_user: mx.User) -> None:
    version, _ = create(fresh_user)
    room = f"!{mx.unique('r')}:{fresh_user.server_name}"
    store(fresh_user, version, room, "S1", session_key())
    mx.ok(fresh_user.call("DELETE", f"room_keys/version/{mx.q(version)}"),
          "DELETE /room_keys/version/{v}")
    mx.error(fresh_user.call("GET", f"room_keys/version/{mx.q(version)}"), 404, "M_NOT_FOUND",
             "the deleted backup version")
    mx.error(fresh_user.call("GET", "room_keys/version"), 404, "M_NOT_FOUND",
             "GET /room_keys/version after its only backup was deleted")
    # "all key data related to the backup will be deleted"
    mx.error(fresh_user.call("GET", key_path(room, "S1"), params={"version": version}), 404,
             "M_NOT_FOUND", "a key of the deleted backup")


@pytest.mark.requirement("matrix.backup.delete-again")
def test_delete_again(fresh_user: mx.User) -> None:
    version, _ = create(fresh_user)
    path = f"room_keys/version/{mx.q(version)}"
    mx.ok(fresh_user.call("DELETE", path), "DELETE /room_keys/version/{v}")
    # "If the backup was previously deleted, the call should succeed rather than returning an
    # error."
    mx.ok(fresh_user.call("DELETE", path), "a second DELETE of the deleted backup")


@pytest.mark.requirement("matrix.backup.keys-roundtrip")
def test_keys_roundtrip(fresh_user: mx.User) -> None:
    version, _ = create(fresh_user)
    room = f"!{mx.unique('r')}:{fresh_user.server_name}"
    keys = {"S1": session_key(3), "S2": session_key(0, True, 1)}
    for session, key in keys.items():
        store(fresh_user, version, room, session, key)
    one = fresh_user.ok("GET", key_path(room, "S1"), "GET one key", params={"version": version})
    expect(one == keys["S1"], "the stored key does not come back as stored", keys["S1"], one)
    in_room = fresh_user.ok("GET", f"room_keys/keys/{mx.q(room)}", "GET a room's keys",
                            params={"version": version})
    expect(in_room == {"sessions": keys}, "the room's keys are not exactly those stored",
           {"sessions": keys}, in_room)
    every = fresh_user.ok("GET", "room_keys/keys", "GET every key", params={"version": version})
    wanted = {"rooms": {room: {"sessions": keys}}}
    expect(every == wanted, "GET /room_keys/keys is not exactly the stored keys", wanted, every)


@pytest.mark.requirement("matrix.backup.count-etag")
def test_count_etag(fresh_user: mx.User) -> None:
    version, data = create(fresh_user)
    before = info(fresh_user, version).get("etag")
    room = f"!{mx.unique('r')}:{fresh_user.server_name}"
    answer = store(fresh_user, version, room, "S1", session_key())
    after = info(fresh_user, version)
    expect_info(after, version, data, 1)
    expect(after.get("etag") != before, "the etag did not change when a key was stored",
           f"not {before}", after.get("etag"))
    expect((answer.get("count"), answer.get("etag")) == (1, after.get("etag")),
           "the PUT's count and etag are not those of the backup", (1, after.get("etag")),
           (answer.get("count"), answer.get("etag")))


@pytest.mark.requirement("matrix.backup.wrong-version")
def test_wrong_version(fresh_user: mx.User) -> None:
    older, _ = create(fresh_user)
    create(fresh_user)
    room = f"!{mx.unique('r')}:{fresh_user.server_name}"
    response = fresh_user.call("PUT", key_path(room, "S1"), params={"version": older},
                               body=session_key())
    mx.error(response, 403, "M_WRONG_ROOM_KEYS_VERSION", "a key for an older backup")
    mx.error(fresh_user.call("GET", key_path(room, "S1"), params={"version": older}), 404,
             "M_NOT_FOUND", "the refused key, in the older backup")


@pytest.mark.requirement("matrix.backup.wrong-version-current")
def test_wrong_version_names_current(fresh_user: mx.User) -> None:
    older, _ = create(fresh_user)
    current, _ = create(fresh_user)
    room = f"!{mx.unique('r')}:{fresh_user.server_name}"
    response = fresh_user.call("PUT", key_path(room, "S1"), params={"version": older},
                               body=session_key())
    body = mx.error(response, 403, "M_WRONG_ROOM_KEYS_VERSION", "a key for an older backup")
    # "The current version will be included in the current_version field."
    expect(body.get("current_version") == current, "current_version does not name the "
           "current backup version", current, body.get("current_version"))


@pytest.mark.requirement("matrix.backup.replace-rules")
def test_replace_rules(fresh_user: mx.User) -> None:
    version, _ = create(fresh_user)
    room = f"!{mx.unique('r')}:{fresh_user.server_name}"

    def kept() -> Any:
        return fresh_user.ok("GET", key_path(room, "S"), "GET the key",
                             params={"version": version})

    # Each step: (key uploaded, whether it must replace the stored one).
    steps = [(session_key(5), True), (session_key(9), False), (session_key(2), True),
             (session_key(2, forwarded=3), False), (session_key(40, verified=True), True),
             (session_key(1), False)]
    current: dict[str, Any] = {}
    for number, (key, replaces) in enumerate(steps, 1):
        store(fresh_user, version, room, "S", key)
        current = key if replaces else current
        got = kept()
        expect(got == current, f"step {number}: the server kept the wrong key (verified "
               "first, then the lower first_message_index, then the lower forwarded_count)",
               current, got)


@pytest.mark.requirement("matrix.backup.delete-key")
def test_delete_key(fresh_user: mx.User) -> None:
    version, data = create(fresh_user)
    room = f"!{mx.unique('r')}:{fresh_user.server_name}"
    store(fresh_user, version, room, "S1", session_key())
    mx.ok(fresh_user.call("DELETE", key_path(room, "S1"), params={"version": version}),
          "DELETE /room_keys/keys/{roomId}/{sessionId}")
    mx.error(fresh_user.call("GET", key_path(room, "S1"), params={"version": version}), 404,
             "M_NOT_FOUND", "the deleted key")
    expect_info(info(fresh_user, version), version, data, 0)
