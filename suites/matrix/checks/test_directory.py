"""Room aliases and the public room directory."""

from __future__ import annotations

import pytest

from conformance.api import expect
from suites.matrix import mx


def alias_of(user: mx.User) -> str:
    return f"#{mx.unique('eosalias')}:{user.server_name}"


@pytest.mark.requirement("matrix.alias.create-resolve")
def test_alias(alice: mx.User, room: str) -> None:
    alias = alias_of(alice)
    alice.ok("PUT", f"directory/room/{mx.q(alias)}", "PUT alias", body={"room_id": room})
    body = alice.ok("GET", f"directory/room/{mx.q(alias)}", "GET alias")
    expect(body.get("room_id") == room, "the alias resolves to another room", room, body)
    # Only alice's homeserver is in the new room, so it is the one server aware of the alias.
    servers = body.get("servers")
    expect(servers == [alice.server_name], "'servers' is not exactly the homeserver",
           [alice.server_name], servers)


@pytest.mark.requirement("matrix.alias.conflict")
def test_alias_conflict(alice: mx.User, room: str) -> None:
    alias = alias_of(alice)
    alice.ok("PUT", f"directory/room/{mx.q(alias)}", "PUT alias", body={"room_id": room})
    mx.error(alice.call("PUT", f"directory/room/{mx.q(alias)}", body={"room_id": room}), 409, (),
             "an alias that already exists")


@pytest.mark.requirement("matrix.alias.unknown")
def test_alias_unknown(alice: mx.User) -> None:
    mx.error(alice.call("GET", f"directory/room/{mx.q(alias_of(alice))}"), 404, "M_NOT_FOUND",
             "an unknown alias")


@pytest.mark.requirement("matrix.alias.delete")
def test_alias_delete(alice: mx.User, room: str) -> None:
    alias = alias_of(alice)
    alice.ok("PUT", f"directory/room/{mx.q(alias)}", "PUT alias", body={"room_id": room})
    alice.ok("DELETE", f"directory/room/{mx.q(alias)}", "DELETE alias")
    mx.error(alice.call("GET", f"directory/room/{mx.q(alias)}"), 404, "M_NOT_FOUND",
             "a deleted alias")


@pytest.mark.requirement("matrix.directory.public-rooms")
def test_public_rooms(alice: mx.User) -> None:
    name = mx.unique("Eos public ")
    room = mx.create_room(alice, preset="public_chat", visibility="public", name=name)
    found = None
    since = None
    for _ in range(20):
        params = {"limit": 100, **({"since": since} if since else {})}
        page = alice.ok("GET", "publicRooms", "GET /publicRooms", params=params)
        found = next((r for r in page.get("chunk", []) if r.get("room_id") == room), None)
        since = page.get("next_batch")
        if found or not since:
            break
    expect(found is not None, "the published room is not in /publicRooms", room, None)
    expect(found is not None and found.get("name") == name, "the listing has another name",
           name, found)


@pytest.mark.requirement("matrix.directory.visibility")
def test_visibility(alice: mx.User, room: str) -> None:
    public = mx.create_room(alice, preset="public_chat", visibility="public")
    for room_id, expected in ((public, "public"), (room, "private")):
        body = alice.ok("GET", f"directory/list/room/{mx.q(room_id)}", "directory visibility")
        expect(body.get("visibility") == expected, "wrong directory visibility", expected,
               body.get("visibility"))
