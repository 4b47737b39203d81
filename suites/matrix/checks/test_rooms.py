"""Room creation (presets, initial state), membership and power levels."""

from __future__ import annotations

import pytest

from conformance.api import cant_tell, expect
from suites.matrix import mx


def membership(user: mx.User, room: str, of: str) -> str | None:
    response = user.call("GET", f"rooms/{mx.q(room)}/state/m.room.member/{mx.q(of)}")
    if response.status_code != 200:
        return None
    value = mx.json_body(response, "member state").get("membership")
    return value if isinstance(value, str) else None


@pytest.mark.requirement("matrix.room.create")
def test_create(alice: mx.User) -> None:
    room = mx.create_room(alice)
    expect(membership(alice, room, alice.user_id) == "join", "the creator is not joined",
           "join", membership(alice, room, alice.user_id))


@pytest.mark.requirement("matrix.room.preset-private")
def test_preset_private(alice: mx.User) -> None:
    room = mx.create_room(alice, preset="private_chat")
    rule = mx.state(alice, room, "m.room.join_rules").get("join_rule")
    visibility = mx.state(alice, room, "m.room.history_visibility").get("history_visibility")
    expect((rule, visibility) == ("invite", "shared"), "private_chat preset not applied",
           ("invite", "shared"), (rule, visibility))


@pytest.mark.requirement("matrix.room.preset-public")
def test_preset_public(alice: mx.User) -> None:
    room = mx.create_room(alice, preset="public_chat")
    rule = mx.state(alice, room, "m.room.join_rules").get("join_rule")
    expect(rule == "public", "public_chat preset not applied", "public", rule)


@pytest.mark.requirement("matrix.room.initial-state")
def test_initial_state(alice: mx.User) -> None:
    content = {"eos": mx.unique("s")}
    room = mx.create_room(alice, initial_state=[
        {"type": "org.example.eos.state", "state_key": "k", "content": content}])
    got = mx.state(alice, room, "org.example.eos.state", "k")
    expect(got == content, "initial_state event is not in the room state", content, got)


@pytest.mark.requirement("matrix.room.name-topic")
def test_name_topic(alice: mx.User) -> None:
    room = mx.create_room(alice, name="Eos Ränder", topic="conformance ✓")
    name = mx.state(alice, room, "m.room.name").get("name")
    topic = mx.state(alice, room, "m.room.topic").get("topic")
    expect((name, topic) == ("Eos Ränder", "conformance ✓"), "name or topic not set",
           ("Eos Ränder", "conformance ✓"), (name, topic))


LEVEL_DEFAULTS = {"ban": 50, "kick": 50, "redact": 50, "invite": 0, "state_default": 50,
                  "events_default": 0, "users_default": 0}
# Room versions whose creators draw their power from the users map; from version 12 on the
# creators hold the highest power without being listed (room version 12, MSC4289).
LISTED_CREATORS = {str(n) for n in range(1, 12)}


def _is_level(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@pytest.mark.requirement("matrix.room.power-levels")
def test_power_levels(alice: mx.User, room: str) -> None:
    levels = mx.state(alice, room, "m.room.power_levels")
    wrong = {k: levels[k] for k in LEVEL_DEFAULTS if k in levels and not _is_level(levels[k])}
    for key in ("users", "events"):
        mapping = levels.get(key, {})
        if not isinstance(mapping, dict):
            wrong[key] = mapping
        else:
            wrong.update({f"{key}.{k}": v for k, v in mapping.items() if not _is_level(v)})
    expect(not wrong, f"power levels that are not integers: {wrong}", "integers", wrong)
    # An absent level takes the spec's default; the levels in effect must give the creator,
    # and not other members, permission to send state events (createRoom).
    effective = {k: levels.get(k, default) for k, default in LEVEL_DEFAULTS.items()}
    users: dict[str, int] = levels.get("users", {})
    version = mx.state(alice, room, "m.room.create").get("room_version", "1")
    others = {u: v for u, v in users.items() if u != alice.user_id}
    if str(version) in LISTED_CREATORS:
        creator = users.get(alice.user_id, effective["users_default"])
        pl_level = levels.get("events", {}).get("m.room.power_levels", effective["state_default"])
        expect(creator >= max(effective["state_default"], pl_level),
               "the creator's power level does not allow state events or power level changes",
               f">= {max(effective['state_default'], pl_level)}", creator)
    elif str(version) != "12":
        cant_tell(f"room version {version}: the suite does not know where its creator's power "
                  "comes from")
    expect(effective["users_default"] < effective["state_default"]
           and all(v < effective["state_default"] for v in others.values()),
           "members other than the creator may send state events",
           f"< {effective['state_default']}", {"users_default": effective["users_default"],
                                               **others})


@pytest.mark.requirement("matrix.room.unsupported-version")
def test_unsupported_version(alice: mx.User) -> None:
    mx.error(alice.call("POST", "createRoom", body={"room_version": "eos-no-such-version"}),
             400, "M_UNSUPPORTED_ROOM_VERSION", "an unknown room version")


@pytest.mark.requirement("matrix.room.joined-rooms")
def test_joined_rooms(fresh_user: mx.User) -> None:
    kept = mx.create_room(fresh_user)
    left = mx.create_room(fresh_user)
    fresh_user.ok("POST", f"rooms/{mx.q(left)}/leave", "leave", body={})
    rooms = fresh_user.ok("GET", "joined_rooms", "GET /joined_rooms").get("joined_rooms")
    expect(isinstance(rooms, list) and sorted(rooms) == [kept],
           "joined_rooms is not exactly the one room the new user is still in", [kept], rooms)


@pytest.mark.requirement("matrix.room.joined-members")
def test_joined_members(alice: mx.User, bob: mx.User, fresh_user: mx.User, room: str) -> None:
    for user in (fresh_user, bob):
        alice.ok("POST", f"rooms/{mx.q(room)}/invite", "invite", body={"user_id": user.user_id})
    mx.join(fresh_user, room)
    joined = alice.ok("GET", f"rooms/{mx.q(room)}/joined_members", "joined_members").get("joined")
    # The creator and the user who joined; the user only invited is not joined.
    expected = sorted([alice.user_id, fresh_user.user_id])
    expect(isinstance(joined, dict) and sorted(joined) == expected,
           "joined_members is not exactly the joined users", expected,
           sorted(joined) if isinstance(joined, dict) else joined)


@pytest.mark.requirement("matrix.membership.invite")
def test_invite(alice: mx.User, fresh_user: mx.User, room: str) -> None:
    alice.ok("POST", f"rooms/{mx.q(room)}/invite", "invite", body={"user_id": fresh_user.user_id})
    expect(membership(alice, room, fresh_user.user_id) == "invite", "membership is not invite",
           "invite", membership(alice, room, fresh_user.user_id))


@pytest.mark.requirement("matrix.membership.create-invite")
def test_create_with_invite(alice: mx.User, fresh_user: mx.User) -> None:
    room = mx.create_room(alice, invite=[fresh_user.user_id])
    expect(membership(alice, room, fresh_user.user_id) == "invite", "membership is not invite",
           "invite", membership(alice, room, fresh_user.user_id))


@pytest.mark.requirement("matrix.membership.join-invited")
def test_join_invited(alice: mx.User, fresh_user: mx.User, room: str) -> None:
    alice.ok("POST", f"rooms/{mx.q(room)}/invite", "invite", body={"user_id": fresh_user.user_id})
    body = fresh_user.ok("POST", f"rooms/{mx.q(room)}/join", "join", body={})
    expect(body.get("room_id") == room, "join did not return the room_id", room, body)
    expect(membership(alice, room, fresh_user.user_id) == "join", "membership is not join",
           "join", membership(alice, room, fresh_user.user_id))


@pytest.mark.requirement("matrix.membership.join-forbidden")
def test_join_forbidden(fresh_user: mx.User, room: str) -> None:
    mx.error(fresh_user.call("POST", f"rooms/{mx.q(room)}/join", body={}), 403, "M_FORBIDDEN",
             "joining an invite-only room without an invite")


@pytest.mark.requirement("matrix.membership.join-alias")
def test_join_alias(alice: mx.User, fresh_user: mx.User) -> None:
    localpart = mx.unique("eosjoin")
    room = mx.create_room(alice, preset="public_chat", room_alias_name=localpart)
    alias = f"#{localpart}:{alice.server_name}"
    body = fresh_user.ok("POST", f"join/{mx.q(alias)}", "join by alias", body={})
    expect(body.get("room_id") == room, "join by alias returned another room", room, body)
    expect(membership(alice, room, fresh_user.user_id) == "join",
           "joining by alias did not make the membership join", "join",
           membership(alice, room, fresh_user.user_id))


@pytest.mark.requirement("matrix.membership.leave")
def test_leave(alice: mx.User, fresh_user: mx.User) -> None:
    room = mx.create_room(alice, preset="public_chat")
    mx.join(fresh_user, room)
    fresh_user.ok("POST", f"rooms/{mx.q(room)}/leave", "leave", body={})
    expect(membership(alice, room, fresh_user.user_id) == "leave", "membership is not leave",
           "leave", membership(alice, room, fresh_user.user_id))
    rooms = fresh_user.ok("GET", "joined_rooms", "joined_rooms").get("joined_rooms", [])
    expect(room not in rooms, "the room left is still a joined room", "absent", rooms)


@pytest.mark.requirement("matrix.membership.forget")
def test_forget(fresh_user: mx.User) -> None:
    room = mx.create_room(fresh_user)
    fresh_user.ok("POST", f"rooms/{mx.q(room)}/leave", "leave", body={})
    fresh_user.ok("POST", f"rooms/{mx.q(room)}/forget", "forget after leaving", body={})


@pytest.mark.requirement("matrix.membership.forget-joined")
def test_forget_joined(alice: mx.User, room: str) -> None:
    mx.error(alice.call("POST", f"rooms/{mx.q(room)}/forget", body={}), 400, (),
             "forgetting a room still joined")


@pytest.mark.requirement("matrix.membership.kick")
def test_kick(alice: mx.User, fresh_user: mx.User) -> None:
    room = mx.create_room(alice, preset="public_chat")
    mx.join(fresh_user, room)
    alice.ok("POST", f"rooms/{mx.q(room)}/kick", "kick",
             body={"user_id": fresh_user.user_id, "reason": "eos kick"})
    event = mx.state(alice, room, "m.room.member", fresh_user.user_id)
    expect((event.get("membership"), event.get("reason")) == ("leave", "eos kick"),
           "the kick did not make the membership leave with the reason",
           ("leave", "eos kick"), (event.get("membership"), event.get("reason")))


@pytest.mark.requirement("matrix.membership.kick-forbidden")
def test_kick_forbidden(alice: mx.User, bob: mx.User, fresh_user: mx.User) -> None:
    room = mx.create_room(alice, preset="public_chat")
    mx.join(bob, room)
    mx.join(fresh_user, room)
    mx.error(fresh_user.call("POST", f"rooms/{mx.q(room)}/kick", body={"user_id": bob.user_id}),
             403, "M_FORBIDDEN", "a kick by a user at power level 0")


@pytest.mark.requirement("matrix.membership.ban")
def test_ban(alice: mx.User, fresh_user: mx.User) -> None:
    room = mx.create_room(alice, preset="public_chat")
    mx.join(fresh_user, room)
    alice.ok("POST", f"rooms/{mx.q(room)}/ban", "ban", body={"user_id": fresh_user.user_id})
    expect(membership(alice, room, fresh_user.user_id) == "ban", "membership is not ban",
           "ban", membership(alice, room, fresh_user.user_id))
    mx.error(fresh_user.call("POST", f"rooms/{mx.q(room)}/join", body={}), 403, (),
             "a banned user joining")


@pytest.mark.requirement("matrix.membership.unban")
def test_unban(alice: mx.User, fresh_user: mx.User) -> None:
    room = mx.create_room(alice, preset="public_chat")
    mx.join(fresh_user, room)
    alice.ok("POST", f"rooms/{mx.q(room)}/ban", "ban", body={"user_id": fresh_user.user_id})
    alice.ok("POST", f"rooms/{mx.q(room)}/unban", "unban", body={"user_id": fresh_user.user_id})
    expect(membership(alice, room, fresh_user.user_id) == "leave", "membership is not leave",
           "leave", membership(alice, room, fresh_user.user_id))
    fresh_user.ok("POST", f"rooms/{mx.q(room)}/join", "joining again after unban", body={})


def _name_path(room: str) -> str:
    return f"rooms/{mx.q(room)}/state/m.room.name/"


@pytest.mark.requirement("matrix.power-levels.enforced")
def test_power_levels_enforced(alice: mx.User, fresh_user: mx.User) -> None:
    room = mx.create_room(alice, preset="public_chat")
    mx.join(fresh_user, room)
    mx.error(fresh_user.call("PUT", _name_path(room), body={"name": "not allowed"}), 403,
             "M_FORBIDDEN", "m.room.name from a user at power level 0")


@pytest.mark.requirement("matrix.power-levels.raised")
def test_power_levels_raised(alice: mx.User, fresh_user: mx.User) -> None:
    room = mx.create_room(alice, preset="public_chat")
    mx.join(fresh_user, room)
    if fresh_user.call("PUT", _name_path(room), body={"name": "early"}).status_code != 403:
        cant_tell("m.room.name at power level 0 is not refused (matrix.power-levels.enforced), "
                  "so raising the level shows nothing")
    levels = mx.state(alice, room, "m.room.power_levels")
    levels.setdefault("users", {})[fresh_user.user_id] = 50
    alice.ok("PUT", f"rooms/{mx.q(room)}/state/m.room.power_levels/", "raise power level",
             body=levels)
    fresh_user.ok("PUT", _name_path(room), "m.room.name at power level 50",
                  body={"name": "allowed now"})
    name = mx.state(alice, room, "m.room.name").get("name")
    expect(name == "allowed now", "the accepted m.room.name is not the room's name",
           "allowed now", name)
