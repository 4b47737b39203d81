"""Server-Server API: server access control lists, invite-only joins, v1 leaves, presence
and state from another server, and the smaller answers (SS API v1.15
§server-access-control-lists-acls, §get_matrixfederationv1make_joinroomiduserid,
§put_matrixfederationv1send_leaveroomideventid, §presence, §get_matrixfederationv1version)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from conformance.api import expect, expect_equal
from suites.matrix import mx
from suites.matrix.federation import events
from suites.matrix.federation.client import FederationClient
from suites.matrix.federation.fixtures import fed, harness
from suites.matrix.federation.rooms import (
    Joined,
    RoomView,
    harness_user,
    join,
    make_join,
    q,
    transaction,
)
from suites.matrix.federation.server import HarnessHomeserver

__all__ = ["fed", "harness"]
V1 = "/_matrix/federation/v1"


@pytest.fixture(scope="module")
def denied(fed: FederationClient, alice: mx.User) -> tuple[Joined, str]:
    """A room the harness joined, then denied by an ACL (its host, without the port), and
    an event from before the ACL."""
    room_id = mx.create_room(alice, preset="public_chat", room_version="11")
    joined = join(fed, room_id, harness_user(fed, "denied"))
    event_id = mx.send_text(alice, room_id, "before the ACL")
    host = fed.identity.server_name.rsplit(":", 1)[0]
    alice.ok("PUT", f"rooms/{q(room_id)}/state/m.room.server_acl/", "set m.room.server_acl",
             body={"allow": ["*"], "deny": [host], "allow_ip_literals": True})
    return joined, event_id


@pytest.mark.requirement("matrix.federation.acl.make-join")
def test_acl_make_join(fed: FederationClient, denied: tuple[Joined, str]) -> None:
    joined, _ = denied
    mx.error(make_join(fed, joined.room_id, harness_user(fed, "again")), 403, "M_FORBIDDEN",
             "make_join from a server the room's ACL denies")


@pytest.mark.requirement("matrix.federation.acl.state")
def test_acl_state(fed: FederationClient, denied: tuple[Joined, str]) -> None:
    joined, event_id = denied
    mx.error(fed.request("GET", f"{V1}/state_ids/{q(joined.room_id)}",
                         params={"event_id": event_id}), 403, "M_FORBIDDEN",
             "state_ids for a server the room's ACL denies")


@pytest.mark.requirement("matrix.federation.acl.backfill")
def test_acl_backfill(fed: FederationClient, denied: tuple[Joined, str]) -> None:
    joined, event_id = denied
    mx.error(fed.request("GET", f"{V1}/backfill/{q(joined.room_id)}",
                         params={"v": event_id, "limit": "5"}), 403, "M_FORBIDDEN",
             "backfill for a server the room's ACL denies")


@pytest.mark.requirement("matrix.federation.acl.event-auth")
def test_acl_event_auth(fed: FederationClient, denied: tuple[Joined, str]) -> None:
    joined, event_id = denied
    mx.error(fed.request("GET", f"{V1}/event_auth/{q(joined.room_id)}/{q(event_id)}"), 403,
             "M_FORBIDDEN", "event_auth for a server the room's ACL denies")


@pytest.mark.requirement("matrix.federation.acl.missing-events")
def test_acl_missing_events(fed: FederationClient, denied: tuple[Joined, str]) -> None:
    joined, event_id = denied
    mx.error(fed.request("POST", f"{V1}/get_missing_events/{q(joined.room_id)}", body={
        "earliest_events": [joined.event_id], "latest_events": [event_id], "limit": 5}),
        403, "M_FORBIDDEN", "get_missing_events for a server the room's ACL denies")


@pytest.mark.requirement("matrix.federation.make-join.invite-only")
def test_make_join_invite_only(fed: FederationClient, alice: mx.User) -> None:
    room_id = mx.create_room(alice, preset="private_chat", room_version="11")
    mx.error(make_join(fed, room_id, harness_user(fed, "uninvited")), 403, "M_FORBIDDEN",
             "make_join into an invite-only room without an invite")


@pytest.mark.requirement("matrix.federation.leave.v1")
def test_send_leave_v1(fed: FederationClient, alice: mx.User) -> None:
    room_id = mx.create_room(alice, preset="public_chat", room_version="11")
    joined = join(fed, room_id, harness_user(fed, "oldleaver"))
    body = mx.ok(fed.request("GET", f"{V1}/make_leave/{q(room_id)}/{q(joined.user_id)}"),
                 "make_leave")
    event_id, pdu = events.finish(fed.identity, dict(body.get("event", {}), origin_server_ts=int(
        time.time() * 1000)), str(body.get("room_version")))
    response = fed.request("PUT", f"{V1}/send_leave/{q(room_id)}/{q(event_id)}", body=pdu)
    expect(response.status_code == 200, f"send_leave v1 answered {response.status_code}",
           200, response.status_code)
    expect_equal(mx.json_body(response, "send_leave v1"), [200, {}],
                 "send_leave v1 does not answer [200, {}]")


@pytest.mark.requirement("matrix.federation.query.profile-avatar")
def test_query_profile_avatar(fed: FederationClient, fresh_user: mx.User) -> None:
    avatar = f"mxc://{fresh_user.server_name}/{mx.unique('avatar')}"
    fresh_user.ok("PUT", f"profile/{q(fresh_user.user_id)}/avatar_url", "set avatar",
                  body={"avatar_url": avatar})
    body = mx.ok(fed.request("GET", f"{V1}/query/profile", params={
        "user_id": fresh_user.user_id, "field": "avatar_url"}), "query/profile avatar_url")
    expect_equal(body, {"avatar_url": avatar}, "the avatar_url field query")


@pytest.mark.requirement("matrix.federation.state-ids.auth-chain")
def test_state_ids_auth_chain(fed: FederationClient, alice: mx.User) -> None:
    room_id = mx.create_room(alice, preset="public_chat", room_version="11")
    joined = join(fed, room_id, harness_user(fed, "chain"))
    state = RoomView(alice, room_id, joined.room_version).state()
    body = mx.ok(fed.request("GET", f"{V1}/state_ids/{q(room_id)}",
                             params={"event_id": joined.event_id}), "state_ids")
    chain = body.get("auth_chain_ids", [])
    for key in (("m.room.create", ""), ("m.room.power_levels", "")):
        expect(state[key]["event_id"] in chain, f"auth_chain_ids lacks the room's {key[0]}",
               state[key]["event_id"], chain)


@pytest.mark.requirement("matrix.federation.edu.typing-stop")
def test_typing_stop_sent(fed: FederationClient, harness: HarnessHomeserver,
                          alice: mx.User) -> None:
    room_id = mx.create_room(alice, preset="public_chat", room_version="11")
    join(fed, room_id, harness_user(fed, "stopwatch"))
    typing = f"rooms/{q(room_id)}/typing/{q(alice.user_id)}"
    alice.ok("PUT", typing, "typing", body={"typing": True, "timeout": 10000})
    mark = harness.mark()
    alice.ok("PUT", typing, "typing stopped", body={"typing": False})

    def stopped(e: dict[str, Any]) -> bool:
        content = e.get("content", {})
        return (e.get("edu_type") == "m.typing" and content.get("room_id") == room_id
                and content.get("user_id") == alice.user_id and content.get("typing") is False)

    expect(harness.wait_for_edu(stopped, 6, mark) is not None,
           "no m.typing EDU with typing: false followed the stop", "typing: false",
           harness.edus(mark))


@pytest.mark.requirement("matrix.federation.send.state-event")
def test_remote_state_event(fed: FederationClient, alice: mx.User) -> None:
    room_id = mx.create_room(alice, preset="public_chat", room_version="11")
    joined = join(fed, room_id, harness_user(fed, "renamed"))
    name = mx.unique("Remote ")
    view = RoomView(alice, room_id, joined.room_version)
    _, pdu = view.pdu(fed, joined.user_id, "m.room.member",
                      {"membership": "join", "displayname": name}, state_key=joined.user_id)
    mx.ok(transaction(fed, [pdu], []), "PUT /send a membership change")
    deadline = time.monotonic() + 6
    while True:
        member = mx.state(alice, room_id, "m.room.member", joined.user_id)
        if member.get("displayname") == name or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    expect_equal(member.get("displayname"), name,
                 "the remote member's new display name is not in the room's state")


@pytest.mark.requirement("matrix.federation.edu.presence-in")
def test_presence_received(fed: FederationClient, alice: mx.User) -> None:
    room_id = mx.create_room(alice, preset="public_chat", room_version="11")
    joined = join(fed, room_id, harness_user(fed, "present"))
    status = mx.unique("away ")
    update = {"user_id": joined.user_id, "presence": "unavailable", "status_msg": status,
              "last_active_ago": 5000, "currently_active": False}
    mx.ok(transaction(fed, [], [{"edu_type": "m.presence", "content": {"push": [update]}}]),
          "PUT /send m.presence")
    deadline = time.monotonic() + 6
    while True:
        body = mx.ok(alice.call("GET", f"presence/{q(joined.user_id)}/status"), "GET presence")
        if body.get("status_msg") == status or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    expect_equal((body.get("presence"), body.get("status_msg")), ("unavailable", status),
                 "the remote user's pushed presence is not what local users read")


@pytest.mark.requirement("matrix.federation.version.unauthenticated")
def test_version_unauthenticated(fed: FederationClient) -> None:
    body = mx.ok(fed.request("GET", "/_matrix/federation/v1/version", sign=False),
                 "unsigned GET /version")
    expect(isinstance(body.get("server"), dict), "no server object", "server", body)
