"""A room hosted by the harness homeserver (room version 11), which the candidate's users
join through the candidate's make_join/send_join to the harness (SS API v1.15
§joining-rooms, the joining server's side). The harness is the room's only resident
server; it serves the join template, takes the signed join and answers the room's state."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from suites.matrix.federation import events
from suites.matrix.federation.server import HarnessHomeserver, Inbound

VERSION = "11"


class HostedRoom:
    def __init__(self, harness: HarnessHomeserver, name: str) -> None:
        self.harness = harness
        identity = harness.identity
        self.creator = f"@host{uuid.uuid4().hex[:6]}:{identity.server_name}"
        self.room_id = f"!{uuid.uuid4().hex[:18]}:{identity.server_name}"
        self.events: dict[str, dict[str, Any]] = {}
        self.state: dict[tuple[str, str], str] = {}
        self.latest: list[str] = []
        self.depth = 0
        self.joins: list[dict[str, Any]] = []
        create = self._add("m.room.create", {"room_version": VERSION}, "", [])
        member = self._add("m.room.member", {"membership": "join"}, self.creator, [create])
        power = self._add("m.room.power_levels", {"users": {self.creator: 100}}, "",
                          [create, member])
        auth = [create, power, member]
        self._add("m.room.join_rules", {"join_rule": "public"}, "", auth)
        self._add("m.room.history_visibility", {"history_visibility": "shared"}, "", auth)
        self._add("m.room.name", {"name": name}, "", auth)
        room = self.room_id.replace("!", "%21").replace(":", "%3A")
        harness.route("GET", rf"/_matrix/federation/v1/make_join/({room}|{self.room_id})/[^/]+",
                      self._make_join)
        harness.route("PUT", rf"/_matrix/federation/v2/send_join/({room}|{self.room_id})/[^/]+",
                      self._send_join)

    def _add(self, kind: str, content: dict[str, Any], state_key: str | None,
             auth: list[str], sender: str | None = None) -> str:
        self.depth += 1
        event = events.template(self.harness.identity, sender or self.creator, self.room_id,
                                kind, content, list(self.latest), auth, self.depth, state_key)
        event.pop("origin", None)
        event_id, pdu = events.finish(self.harness.identity, event, VERSION)
        self._store(event_id, pdu)
        return event_id

    def _store(self, event_id: str, pdu: dict[str, Any]) -> None:
        self.events[event_id] = pdu
        if "state_key" in pdu:
            self.state[(pdu["type"], pdu["state_key"])] = event_id
        self.latest = [event_id]

    def _auth_chain(self) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        todo = list(self.state.values())
        while todo:
            event_id = todo.pop()
            if event_id in seen:
                continue
            seen[event_id] = self.events[event_id]
            todo.extend(self.events[event_id].get("auth_events", []))
        return list(seen.values())

    def _make_join(self, request: Inbound) -> tuple[int, Any]:
        user = unquote(request.path.split("?")[0].rsplit("/", 1)[1])
        offered = [v for k, v in _query(request.path) if k == "ver"]
        if VERSION not in offered:
            return 400, {"errcode": "M_INCOMPATIBLE_ROOM_VERSION", "room_version": VERSION,
                         "error": "the room is version 11"}
        auth = [self.state[("m.room.create", "")], self.state[("m.room.power_levels", "")],
                self.state[("m.room.join_rules", "")]]
        template = {"type": "m.room.member", "room_id": self.room_id, "sender": user,
                    "state_key": user, "content": {"membership": "join"},
                    "prev_events": list(self.latest), "auth_events": auth,
                    "depth": self.depth + 1, "origin_server_ts": int(time.time() * 1000)}
        return 200, {"room_version": VERSION, "event": template}

    def _send_join(self, request: Inbound) -> tuple[int, Any]:
        pdu = dict(request.body or {})
        self.joins.append(pdu)
        state = [self.events[e] for e in self.state.values()]
        chain = self._auth_chain()
        self.depth += 1
        self._store(events.event_id(pdu, VERSION), pdu)
        return 200, {"origin": self.harness.server_name, "state": state, "auth_chain": chain,
                     "event": pdu, "members_omitted": False}


def _query(path: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(path).query)
