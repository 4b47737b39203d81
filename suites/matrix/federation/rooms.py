"""Harness users in the candidate's rooms: joining through make_join/send_join
(SS API v1.15 §joining-rooms) and building further PDUs whose auth and prev events come from
the room as a local member sees it."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import requests

from conformance.api import expect
from suites.matrix import mx
from suites.matrix.federation import events
from suites.matrix.federation.client import FederationClient

VERSIONS = [("ver", v) for v in events.ROOM_VERSIONS]


def q(value: str) -> str:
    return mx.q(value)


def harness_user(fed: FederationClient, name: str) -> str:
    return f"@{name}{uuid.uuid4().hex[:6]}:{fed.identity.server_name}"


def make_join(fed: FederationClient, room_id: str, user_id: str) -> requests.Response:
    return fed.request("GET", f"/_matrix/federation/v1/make_join/{q(room_id)}/{q(user_id)}",
                       params=VERSIONS)


@dataclass
class Joined:
    room_id: str
    user_id: str
    room_version: str
    event_id: str
    answer: dict[str, Any]


def join(fed: FederationClient, room_id: str, user_id: str, v1: bool = False) -> Joined:
    """make_join then send_join (v2, or v1 with ``v1``); fails the check when either fails."""
    template = mx.ok(make_join(fed, room_id, user_id), "GET make_join")
    event, version = template.get("event"), str(template.get("room_version", "1"))
    expect(isinstance(event, dict), "make_join: no event template", "event", template)
    assert isinstance(event, dict)
    expect(version in events.ROOM_VERSIONS, "make_join: a room version not asked for",
           events.ROOM_VERSIONS, version)
    event = dict(event, origin_server_ts=int(time.time() * 1000))
    event_id, pdu = events.finish(fed.identity, event, version)
    api = "v1" if v1 else "v2"
    response = fed.request("PUT", f"/_matrix/federation/{api}/send_join/{q(room_id)}/"
                           f"{q(event_id)}", body=pdu)
    expect(response.status_code == 200, f"send_join {api}: {response.status_code} "
           f"{response.text[:300]}", 200, response.status_code)
    answer = mx.json_body(response, f"send_join {api}")
    return Joined(room_id, user_id, version, event_id, answer)


class RoomView:
    """The room as a local member (``member``) sees it, to build the harness's PDUs."""

    def __init__(self, member: mx.User, room_id: str, room_version: str,
                 depth: int = 100) -> None:
        self.member = member
        self.room_id = room_id
        self.room_version = room_version
        self.depth = depth

    def state(self) -> dict[tuple[str, str], dict[str, Any]]:
        listed = self.member.call("GET", f"rooms/{q(self.room_id)}/state")
        body = mx.json_body(listed, "GET /state")
        expect(listed.status_code == 200 and isinstance(body, list), "GET /state failed",
               200, listed.status_code)
        return {(e["type"], e.get("state_key", "")): e for e in body}

    def latest(self) -> str:
        """The newest event of the room's timeline as the member sees it."""
        # Not limit=1: the newest position may hold an event the candidate rejected, which
        # it filters out of the page rather than replacing.
        body = self.member.ok("GET", f"rooms/{q(self.room_id)}/messages", "GET /messages",
                              params={"dir": "b", "limit": 20})
        chunk = body.get("chunk", [])
        expect(bool(chunk), "GET /messages: the room has no events", "an event", chunk)
        return str(chunk[0]["event_id"])

    def pdu(self, fed: FederationClient, sender: str, kind: str, content: dict[str, Any],
            state_key: str | None = None, prev_events: list[str] | None = None,
            auth_events: list[str] | None = None) -> tuple[str, dict[str, Any]]:
        """A signed PDU from ``sender`` citing the current state as its auth events, unless
        ``auth_events`` are given."""
        state = self.state()
        wanted = [("m.room.create", ""), ("m.room.power_levels", ""), ("m.room.member", sender)]
        auth = auth_events or [state[key]["event_id"] for key in wanted if key in state]
        prev = prev_events or [self.latest()]
        # Depth only orders events; each new one is deeper than everything seen so far.
        self.depth += 1
        event = events.template(fed.identity, sender, self.room_id, kind, content, prev, auth,
                                self.depth, state_key)
        return events.finish(fed.identity, event, self.room_version)

    def send(self, fed: FederationClient, *pdus: dict[str, Any],
             edus: list[dict[str, Any]] | None = None) -> requests.Response:
        return transaction(fed, list(pdus), edus or [])


def transaction(fed: FederationClient, pdus: list[dict[str, Any]],
                edus: list[dict[str, Any]]) -> requests.Response:
    body = {"origin": fed.identity.server_name, "origin_server_ts": int(time.time() * 1000),
            "pdus": pdus, "edus": edus}
    return fed.request("PUT", f"/_matrix/federation/v1/send/{uuid.uuid4().hex}", body=body)
