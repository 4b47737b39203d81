"""Faults of rooms and events: membership, room creation, state, power levels, aliases and the
directory, sending and reading events, /sync and filters, typing (see faults.py for the
shared transforms and the rest of the catalogue).

Each imitates a server bug as a client sees it: a create option ignored, a membership change
answered but never made, a refusal turned into a success, a long-poll that never waits, an
emptied timeline, a list with an entry too many.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from conformance.api import Fault, ProxyRequest, ProxyResponse
from suites.matrix.faults_base import (
    _edit_json,
    _fake_event_id,
    _is_sync,
    _path_ends,
    _path_has,
    _reverse_chunk,
    _short_circuit,
    _status,
)

CLIENT = "/_matrix/client/v3"


def _segments(request: ProxyRequest) -> list[str]:
    """The path's segments after /_matrix/client/v3, percent-decoded."""
    path = request.path_only
    rest = path[len(CLIENT):] if path.startswith(CLIENT) else path
    return [unquote(part) for part in rest.strip("/").split("/")]


def _room_of(request: ProxyRequest) -> str | None:
    parts = _segments(request)
    return parts[1] if len(parts) > 1 and parts[0] == "rooms" else None


def _room_action(action: str, method: str = "POST") -> Callable[[ProxyRequest], bool]:
    """POST /rooms/{roomId}/{action}."""

    def matches(request: ProxyRequest) -> bool:
        parts = _segments(request)
        return (request.method == method and len(parts) == 3 and parts[0] == "rooms"
                and parts[2] == action)

    return matches


def _with_query(request: ProxyRequest, **changes: str | None) -> ProxyRequest:
    """The request with query parameters set (a value) or removed (None)."""
    parts = urlsplit(request.path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in changes]
    query += [(k, v) for k, v in changes.items() if v is not None]
    return request.with_path(parts.path + ("?" + urlencode(query) if query else ""))


def _token(request: ProxyRequest) -> str:
    return request.header("Authorization") or ""


# --- room creation ----------------------------------------------------------------------

def _create_room(request: ProxyRequest) -> bool:
    return request.method == "POST" and request.path_only.endswith("/createRoom")


def _create_option_ignored(key: str) -> Callable[[ProxyRequest], ProxyRequest]:
    def hook(request: ProxyRequest) -> ProxyRequest:
        body = request.json_object() if _create_room(request) else None
        if body is None or key not in body:
            return request
        body.pop(key)
        return request.with_json(body)

    return hook


def _private_as_public(request: ProxyRequest) -> ProxyRequest:
    body = request.json_object() if _create_room(request) else None
    if body is None or body.get("preset") != "private_chat":
        return request
    return request.with_json(dict(body, preset="public_chat"))


def _everyone_at_creator_level(body: Any) -> Any:
    if isinstance(body, dict):
        users = body.get("users")
        levels = [v for v in users.values() if isinstance(v, int)] if isinstance(
            users, dict) else []
        body["users_default"] = max([100, *levels])
    return body


# --- membership -------------------------------------------------------------------------

def _ban_as_kick(request: ProxyRequest) -> ProxyRequest:
    if not _room_action("ban")(request):
        return request
    return request.with_path(request.path_only[: -len("/ban")] + "/kick")


def _join_answered_not_made(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    room = _room_of(request)
    if room is None or not _room_action("join")(request):
        return request
    return ProxyResponse.from_json(200, {"room_id": room})


_ALIAS_JOIN = "X-Eos-Fault-Alias-Join"


def _alias_join_resolves_only(request: ProxyRequest) -> ProxyRequest:
    """POST /join/#alias is served as the alias lookup: the room id comes back, no join."""
    parts = _segments(request)
    if request.method != "POST" or len(parts) != 2 or parts[0] != "join":
        return request
    if not parts[1].startswith("#"):
        return request
    lookup = replace(request, method="GET", body=b"").with_header(_ALIAS_JOIN, "1")
    return lookup.with_path(request.path_only.replace("/join/", "/directory/room/", 1))


def _alias_join_answer(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    body = response.json_object()
    if request.header(_ALIAS_JOIN) is None or body is None:
        return response
    return response.with_json({"room_id": body.get("room_id")})


class _LeftRoomsStillJoined:
    """Remembers the rooms each access token left and reports them as joined again, in
    GET /joined_rooms and under rooms.join of /sync."""

    def __init__(self) -> None:
        self.left: dict[str, list[str]] = {}

    def __call__(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        room = _room_of(request)
        if room is not None and _room_action("leave")(request) and response.status == 200:
            self.left.setdefault(_token(request), []).append(room)
            return response
        body = response.json_object()
        left = self.left.get(_token(request), [])
        if body is None or not left:
            return response
        if request.path_only.endswith("/joined_rooms"):
            rooms = list(body.get("joined_rooms", []))
            return response.with_json(dict(body, joined_rooms=rooms + [
                r for r in left if r not in rooms]))
        if _is_sync(request) and "since" not in request.query:
            joined = body.setdefault("rooms", {}).setdefault("join", {})
            for room_id in left:
                joined.setdefault(room_id, {"timeline": {"events": [], "limited": False},
                                            "state": {"events": []}})
            return response.with_json(body)
        return response


class _InvitedAsJoined:
    """Remembers each room's invitees and lists them among its joined members."""

    def __init__(self) -> None:
        self.invited: dict[str, list[str]] = {}

    def __call__(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        room = _room_of(request)
        if room is None:
            return response
        sent = request.json_object()
        if _room_action("invite")(request) and response.status == 200 and sent:
            self.invited.setdefault(room, []).append(str(sent.get("user_id")))
            return response
        body = response.json_object()
        if not _room_action("joined_members", "GET")(request) or body is None:
            return response
        joined = dict(body.get("joined", {}))
        for user in self.invited.get(room, []):
            joined.setdefault(user, {"display_name": None, "avatar_url": None})
        return response.with_json(dict(body, joined=joined))


# --- state and events -------------------------------------------------------------------

def _is_state_put(request: ProxyRequest) -> bool:
    parts = _segments(request)
    return (request.method == "PUT" and len(parts) >= 4 and parts[0] == "rooms"
            and parts[2] == "state")


def _state_key_cut_at_slash(request: ProxyRequest) -> ProxyRequest:
    """The server decodes the path before routing: a state key loses all from its first '/'."""
    if not _is_state_put(request):
        return request
    head, _, key = request.path_only.partition("/state/")
    event_type, _, state_key = key.partition("/")
    cut = state_key.replace("%2f", "%2F").split("%2F")[0]
    return request.with_path(f"{head}/state/{event_type}/{cut}")


class _SupersededStateListed:
    """Remembers the state each PUT replaces and lists those old events in GET /state too."""

    def __init__(self) -> None:
        self.current: dict[tuple[str, str, str], Any] = {}
        self.superseded: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        room = _room_of(request)
        if room is None:
            return response
        parts = _segments(request)
        if _is_state_put(request) and response.status == 200:
            key = (room, parts[3], "/".join(parts[4:]))
            if key in self.current:
                self.superseded.setdefault(room, []).append({
                    "type": key[1], "state_key": key[2], "content": self.current[key],
                    "room_id": room, **_fake_event_id()})
            self.current[key] = request.json()
            return response
        listed = response.json()
        if request.method != "GET" or parts[2:] != ["state"] or not isinstance(listed, list):
            return response
        return response.with_json(listed + self.superseded.get(room, []))


def _without_sigil(body: Any) -> Any:
    if isinstance(body, dict) and isinstance(body.get("event_id"), str):
        body["event_id"] = body["event_id"].lstrip("$")
    return body


def _is_messages(direction: str) -> Callable[[ProxyRequest], bool]:
    def matches(request: ProxyRequest) -> bool:
        return request.path_only.endswith("/messages") and request.query.get("dir") == direction

    return matches


def _messages_limit_ignored(request: ProxyRequest) -> ProxyRequest:
    if not request.path_only.endswith("/messages"):
        return request
    return _with_query(request, limit=None)


def _drop_sender(body: Any) -> Any:
    if isinstance(body, dict):
        body.pop("sender", None)
    return body


# --- aliases and the directory ----------------------------------------------------------

def _pad_servers(body: Any) -> Any:
    if isinstance(body, dict) and isinstance(body.get("servers"), list):
        body["servers"] = [*body["servers"], "matrix.org"]
    return body


# --- /sync and filters ------------------------------------------------------------------

def _rooms(body: Any, kind: str) -> dict[str, Any]:
    rooms = body.get("rooms", {}).get(kind, {}) if isinstance(body, dict) else {}
    return rooms if isinstance(rooms, dict) else {}


def _joined_timelines(body: Any) -> list[dict[str, Any]]:
    return [room.setdefault("timeline", {}) for room in _rooms(body, "join").values()
            if isinstance(room, dict)]


def _limited_timeline_empty(body: Any) -> Any:
    """A timeline cut by the limit comes without events: only the gap and its prev_batch."""
    for timeline in _joined_timelines(body):
        if timeline.get("limited"):
            timeline["events"] = []
    return body


def _prev_batch_at_end(body: Any) -> Any:
    for timeline in _joined_timelines(body):
        if "prev_batch" in timeline and isinstance(body.get("next_batch"), str):
            timeline["prev_batch"] = body["next_batch"]
    return body


def _state_section_empty(body: Any) -> Any:
    for room in _rooms(body, "join").values():
        if isinstance(room, dict):
            room["state"] = {"events": []}
    return body


def _invite_state_empty(body: Any) -> Any:
    for room in _rooms(body, "invite").values():
        if isinstance(room, dict):
            room["invite_state"] = {"events": []}
    return body


def _left_rooms_dropped(body: Any) -> Any:
    if isinstance(body, dict) and isinstance(body.get("rooms"), dict):
        body["rooms"]["leave"] = {}
    return body


class _TimelineRepeated:
    """'since' taken as inclusive: an incremental /sync repeats the timeline events of the
    batch its token ended (per access token, as tokens are shared stream positions)."""

    def __init__(self) -> None:
        self.batches: dict[tuple[str, str], dict[str, list[Any]]] = {}

    def __call__(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json_object()
        if not _is_sync(request) or body is None or not isinstance(body.get("next_batch"), str):
            return response
        joined = _rooms(body, "join")
        sent = {room_id: list(room.get("timeline", {}).get("events", []))
                for room_id, room in joined.items() if isinstance(room, dict)}
        self.batches[(_token(request), body["next_batch"])] = sent
        earlier = self.batches.get((_token(request), request.query.get("since", "")), {})
        if not earlier:
            return response
        rooms = body.setdefault("rooms", {}).setdefault("join", {})
        for room_id, events in earlier.items():
            timeline = rooms.setdefault(room_id, {}).setdefault("timeline", {})
            timeline["events"] = events + list(timeline.get("events", []))
        return response.with_json(body)


def _is_long_poll(request: ProxyRequest) -> bool:
    timeout = request.query.get("timeout", "0")
    return (_is_sync(request) and "since" in request.query and timeout.isdigit()
            and int(timeout) > 0)


def _long_poll_immediate(request: ProxyRequest) -> ProxyRequest:
    return _with_query(request, timeout="0") if _is_long_poll(request) else request


def _long_poll_waits_out(request: ProxyRequest) -> ProxyRequest:
    """The server sleeps through the whole timeout, then looks for news once."""
    if not _is_long_poll(request):
        return request
    time.sleep(min(int(request.query["timeout"]), 25_000) / 1000)
    return _with_query(request, timeout="0")


def _filter_id_as_number(body: Any) -> Any:
    if isinstance(body, dict) and str(body.get("filter_id", "")).isdigit():
        body["filter_id"] = int(body["filter_id"])
    return body


def _is_filter_get(request: ProxyRequest) -> bool:
    return request.method == "GET" and "/filter/" in request.path_only


def _typing_stop_ignored(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    body = request.json_object()
    stops = body is not None and body.get("typing") is False
    if request.method == "PUT" and "/typing/" in request.path_only and stops:
        return ProxyResponse.from_json(200, {})
    return request


_FORBIDDEN_ALIAS = {"errcode": "M_FORBIDDEN", "error": "You may not look up this alias"}

FAULTS: list[Fault] = [
    # filters
    Fault("filter-id-as-number",
          "POST /filter answers its filter_id as a JSON number, not a string.",
          ("matrix.filter.create",),
          on_response=_edit_json(_path_ends("/filter", method="POST"), _filter_id_as_number)),
    Fault("filter-read-back-partly",
          "GET of a filter returns only its room part; the presence part is lost.",
          ("matrix.filter.get",),
          on_response=_edit_json(_is_filter_get, lambda body: {"room": body.get("room")})),
    Fault("unknown-filter-as-empty",
          "GET of an unknown filter answers 200 with an empty filter instead of 404.",
          ("matrix.filter.unknown",),
          on_response=_status(_is_filter_get, 404, 200, {})),
    Fault("limited-timeline-empty",
          "A timeline cut by the filter's limit comes with no events, only limited and "
          "prev_batch.",
          ("matrix.filter.applied", "matrix.sync.timeline-limit"),
          on_response=_edit_json(_is_sync, _limited_timeline_empty)),
    # /sync
    Fault("sync-since-inclusive",
          "An incremental /sync repeats the timeline events of the batch its token ended.",
          ("matrix.sync.no-repeat", "matrix.sync.incremental"),
          on_response=_TimelineRepeated()),
    Fault("prev-batch-at-timeline-end",
          "A limited timeline's prev_batch points at its end (the next_batch), not its start.",
          ("matrix.sync.prev-batch",),
          on_response=_edit_json(_is_sync, _prev_batch_at_end)),
    Fault("sync-state-section-empty",
          "/sync never fills a joined room's state section; only the timeline carries state.",
          ("matrix.sync.state",),
          on_response=_edit_json(_is_sync, _state_section_empty)),
    Fault("invite-state-empty",
          "Invited rooms come with an empty invite_state.",
          ("matrix.sync.invite",),
          on_response=_edit_json(_is_sync, _invite_state_empty)),
    Fault("left-rooms-not-synced",
          "/sync never lists the rooms the user left under rooms.leave.",
          ("matrix.sync.leave",),
          on_response=_edit_json(_is_sync, _left_rooms_dropped)),
    Fault("long-poll-answers-at-once",
          "A long-polling /sync answers at once, with nothing new, instead of waiting.",
          ("matrix.sync.timeout",),
          on_request=_long_poll_immediate),
    Fault("long-poll-waits-out",
          "A long-polling /sync sleeps through its whole timeout even when an event arrives.",
          ("matrix.sync.timeout",),
          on_request=_long_poll_waits_out),
    # room creation
    Fault("create-room-201",
          "POST /createRoom answers 201 Created instead of 200.",
          ("matrix.room.create",),
          on_response=_status(_create_room, 200, 201)),
    Fault("private-preset-as-public",
          "createRoom applies public_chat for the private_chat preset.",
          ("matrix.room.preset-private",),
          on_request=_private_as_public),
    Fault("initial-state-ignored",
          "createRoom ignores initial_state.",
          ("matrix.room.initial-state",),
          on_request=_create_option_ignored("initial_state")),
    Fault("create-topic-ignored",
          "createRoom ignores the topic.",
          ("matrix.room.name-topic",),
          on_request=_create_option_ignored("topic")),
    Fault("room-version-ignored",
          "createRoom ignores room_version and makes a room of the default version.",
          ("matrix.room.unsupported-version",),
          on_request=_create_option_ignored("room_version")),
    Fault("power-levels-for-everyone",
          "A created room's power levels set users_default to the creator's level, so every "
          "member may send state events.",
          ("matrix.room.power-levels",),
          on_response=_edit_json(_path_has("/state/m.room.power_levels", method="GET"),
                                 _everyone_at_creator_level)),
    Fault("left-rooms-still-joined",
          "Rooms the user left are still reported as joined, by GET /joined_rooms and under "
          "rooms.join of an initial /sync.",
          ("matrix.room.joined-rooms", "matrix.membership.leave", "matrix.sync.initial"),
          on_response=_LeftRoomsStillJoined()),
    Fault("joined-members-include-invited",
          "GET /joined_members also lists users only invited.",
          ("matrix.room.joined-members",),
          on_response=_InvitedAsJoined()),
    # membership
    Fault("invite-not-made",
          "POST /invite answers 200 but no invite is made.",
          ("matrix.membership.invite",),
          on_request=_short_circuit(_room_action("invite"), 200, {})),
    Fault("create-invite-ignored",
          "createRoom ignores its invite list.",
          ("matrix.membership.create-invite",),
          on_request=_create_option_ignored("invite")),
    Fault("join-answered-not-made",
          "POST /rooms/{roomId}/join answers 200 with the room id but the user never joins.",
          ("matrix.membership.join-invited",),
          on_request=_join_answered_not_made),
    Fault("join-refusal-as-not-found",
          "A join refused for want of an invite answers 404 M_NOT_FOUND instead of 403.",
          ("matrix.membership.join-forbidden",),
          on_response=_status(_room_action("join"), 403, 404,
                              {"errcode": "M_NOT_FOUND", "error": "No such room"})),
    Fault("alias-join-resolves-only",
          "POST /join/{alias} resolves the alias and answers its room id, but never joins.",
          ("matrix.membership.join-alias",),
          on_request=_alias_join_resolves_only, on_response=_alias_join_answer),
    Fault("forget-refused-after-leave",
          "Forgetting a room the user left is refused with 400, as if still joined.",
          ("matrix.membership.forget",),
          on_request=_short_circuit(_room_action("forget"), 400,
                                    {"errcode": "M_UNKNOWN", "error": "User is in room"})),
    Fault("forget-joined-accepted",
          "Forgetting a room the user is still joined to answers 200.",
          ("matrix.membership.forget-joined",),
          on_response=_status(_room_action("forget"), 400, 200, {})),
    Fault("kick-power-not-enforced",
          "A kick by a user without the kick level answers 200.",
          ("matrix.membership.kick-forbidden",),
          on_response=_status(_room_action("kick"), 403, 200, {})),
    Fault("ban-as-kick",
          "POST /ban only kicks: the membership becomes leave and the user may join again.",
          ("matrix.membership.ban",),
          on_request=_ban_as_kick),
    Fault("unban-not-made",
          "POST /unban answers 200 but the ban stays.",
          ("matrix.membership.unban",),
          on_request=_short_circuit(_room_action("unban"), 200, {})),
    Fault("power-levels-change-not-made",
          "A new m.room.power_levels event is acknowledged but never applied.",
          ("matrix.power-levels.raised",),
          on_request=_short_circuit(_path_has("/state/m.room.power_levels", method="PUT"), 200,
                                    _fake_event_id())),
    # sending and reading events
    Fault("event-id-without-sigil",
          "PUT /send answers the event id without its '$' sigil.",
          ("matrix.send.event-id",),
          on_response=_edit_json(_path_has("/send/", method="PUT"), _without_sigil)),
    Fault("non-member-send-accepted",
          "An event sent into a room the sender is not in answers 200 with an event id.",
          ("matrix.send.forbidden",),
          on_response=_status(_path_has("/send/", method="PUT"), 403, 200, _fake_event_id())),
    Fault("messages-forward-newest-first",
          "/messages with dir=f returns each page newest first.",
          ("matrix.messages.forward",),
          on_response=_edit_json(_is_messages("f"), _reverse_chunk)),
    Fault("messages-limit-ignored",
          "/messages ignores its limit parameter.",
          ("matrix.messages.limit",),
          on_request=_messages_limit_ignored),
    Fault("event-without-sender",
          "GET /event/{eventId} leaves out the sender.",
          ("matrix.event.get",),
          on_response=_edit_json(_path_has("/event/", method="GET"), _drop_sender)),
    Fault("state-key-cut-at-slash",
          "A state key with a '/' is stored cut at the '/' (the path decoded before routing).",
          ("matrix.state.put-get",),
          on_request=_state_key_cut_at_slash),
    Fault("state-lists-superseded",
          "GET /rooms/{roomId}/state also lists state events that were replaced.",
          ("matrix.state.all",),
          on_response=_SupersededStateListed()),
    # aliases and the directory
    Fault("alias-servers-padded",
          "An alias resolves with a server that is not in the room among its servers.",
          ("matrix.alias.create-resolve",),
          on_response=_edit_json(_path_has("/directory/room/", method="GET"), _pad_servers)),
    Fault("unknown-alias-as-forbidden",
          "Resolving an alias that does not exist answers 403 M_FORBIDDEN instead of 404.",
          ("matrix.alias.unknown", "matrix.alias.delete"),
          on_response=_status(_path_has("/directory/room/", method="GET"), 404, 403,
                              _FORBIDDEN_ALIAS)),
    Fault("alias-delete-not-made",
          "DELETE of an alias answers 200 but the alias still resolves.",
          ("matrix.alias.delete",),
          on_request=_short_circuit(_path_has("/directory/room/", method="DELETE"), 200, {})),
    Fault("directory-visibility-always-private",
          "GET /directory/list/room/{roomId} says private even for a published room.",
          ("matrix.directory.visibility",),
          on_response=_edit_json(_path_has("/directory/list/room/", method="GET"),
                                 lambda body: dict(body, visibility="private"))),
    # typing
    Fault("typing-stop-ignored",
          "A typing notification with typing false is acknowledged but the user stays typing.",
          ("matrix.typing.notified",),
          on_request=_typing_stop_ignored),
]
