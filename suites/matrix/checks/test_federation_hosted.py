"""Server-Server API, the joining server's side: a local user of the candidate joins a room
only the harness homeserver is in (SS API v1.15 §joining-rooms,
§get_matrixfederationv1make_joinroomiduserid, §put_matrixfederationv2send_joinroomideventid)."""

from __future__ import annotations

from typing import Any

import pytest
import signedjson.sign

from conformance.api import expect, expect_equal
from suites.matrix import mx
from suites.matrix.federation import events
from suites.matrix.federation.client import FederationClient
from suites.matrix.federation.fixtures import fed, harness
from suites.matrix.federation.hosted import VERSION, HostedRoom
from suites.matrix.federation.server import HarnessHomeserver, Inbound

__all__ = ["fed", "harness"]


@pytest.fixture(scope="module")
def hosted(fed: FederationClient, harness: HarnessHomeserver, registrar: Any
           ) -> tuple[HostedRoom, mx.User, Any, int]:
    """A harness-hosted room, a local user who joined it, the join's answer, and where the
    inbound requests of the join start."""
    room = HostedRoom(harness, mx.unique("Hosted "))
    user: mx.User = registrar.new_user("visitor")
    mark = harness.mark()
    response = user.call("POST", f"join/{mx.q(room.room_id)}",
                         params={"server_name": harness.server_name}, body={})
    return room, user, response, mark


def _requests(harness: HarnessHomeserver, mark: int, fragment: str) -> list[Inbound]:
    return [r for r in harness.inbound[mark:] if fragment in r.path]


@pytest.mark.requirement("matrix.federation.join-out.make-join")
def test_candidate_asks_make_join(harness: HarnessHomeserver,
                                  hosted: tuple[HostedRoom, mx.User, Any, int]) -> None:
    _, user, _, mark = hosted
    asked = _requests(harness, mark, "/make_join/")
    expect(bool(asked), "the candidate never asked the resident server for make_join",
           "GET make_join", [r.path for r in harness.inbound[mark:]])
    path = asked[0].path
    expect(mx.q(user.user_id) in path or user.user_id in path,
           "make_join does not name the joining user", user.user_id, path)
    expect("ver=11" in path, "make_join does not list the room versions it supports (ver)",
           "ver=…", path)


@pytest.mark.requirement("matrix.federation.join-out.send-join")
def test_candidate_sends_signed_join(fed: FederationClient,
                                     hosted: tuple[HostedRoom, mx.User, Any, int]) -> None:
    room, user, _, _ = hosted
    expect(bool(room.joins), "the candidate sent no send_join", "a join event", None)
    join = room.joins[0]
    expect_equal((join.get("type"), join.get("sender"), join.get("state_key"),
                  join.get("content", {}).get("membership")),
                 ("m.room.member", user.user_id, user.user_id, "join"),
                 "the join is not the user's m.room.member join")
    expect(events.hash_matches(join), "the join's content hash does not match",
           events.content_hash(join), join.get("hashes"))
    try:
        signedjson.sign.verify_signed_json(events.redact(join, VERSION), fed.destination,
                                           next(iter(fed.candidate_keys().values())))
    except signedjson.sign.SignatureVerifyException as error:
        expect(False, f"the join is not signed by the joining server: {error}", "signed",
               join.get("signatures"))


@pytest.mark.requirement("matrix.federation.join-out.joined")
def test_candidate_user_joined(hosted: tuple[HostedRoom, mx.User, Any, int]) -> None:
    room, user, response, _ = hosted
    body = mx.ok(response, "POST /join of a room on the harness homeserver")
    expect_equal(body.get("room_id"), room.room_id, "the joined room_id")
    name = mx.state(user, room.room_id, "m.room.name")
    expect_equal(name.get("name"), room.events[room.state[("m.room.name", "")]]["content"][
        "name"], "the room's state served by the resident server is not what the user sees")
