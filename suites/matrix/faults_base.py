"""The Matrix suite's first faults and the transforms the other fault modules share (the
catalogue itself is faults.py): each fault makes a real homeserver (behind a rewriting proxy)
break one rule of the Client-Server API, and names the requirements whose checks must then
fail. ``conformance faults run matrix --candidate synapse`` proves every one is caught.

Faults imitate plausible server bugs as a client sees them: a wrong errcode, a missing
``next_batch``, a dropped ``limited`` flag, an HTML error page, a transaction id ignored.
Registration is left alone, so the checks' test users can still be provisioned.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from conformance.api import Fault, ProxyRequest, ProxyResponse

ResponseHook = Callable[[ProxyRequest, ProxyResponse], ProxyResponse]


def _edit_json(matches: Callable[[ProxyRequest], bool],
               edit: Callable[[Any], Any]) -> ResponseHook:
    """Rewrite the JSON body of the responses to matching requests."""

    def hook(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if not matches(request) or body is None:
            return response
        return response.with_json(edit(body))

    return hook


def _errcode(old: str, new: str, status: int | None = None) -> ResponseHook:
    def hook(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if not isinstance(body, dict) or body.get("errcode") != old:
            return response
        changed = response.with_json(dict(body, errcode=new))
        return changed.with_status(status) if status else changed

    return hook


def _is_sync(request: ProxyRequest) -> bool:
    return request.path_only.endswith("/sync")


def _timelines(body: dict[str, Any]) -> list[dict[str, Any]]:
    rooms = body.get("rooms", {}).get("join", {})
    return [room.get("timeline", {}) for room in rooms.values() if isinstance(room, dict)]


def _drop_limited(body: Any) -> Any:
    for timeline in _timelines(body):
        timeline.pop("limited", None)
    return body


def _drop_typing(body: Any) -> Any:
    for room in body.get("rooms", {}).get("join", {}).values():
        ephemeral = room.get("ephemeral", {})
        events = ephemeral.get("events", [])
        ephemeral["events"] = [e for e in events if e.get("type") != "m.typing"]
    return body


def _errors_as_html(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if response.status < 400 or "/register" in request.path_only:
        return response
    page = f"<html><body><h1>{response.status} Error</h1></body></html>".encode()
    return response.with_body(page).with_header("Content-Type", "text/html")


def _versions_without_v(body: Any) -> Any:
    body["versions"] = [v.lstrip("v") for v in body.get("versions", [])]
    return body


def _no_retry_hint(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    body = response.json()
    if response.status != 429 or not isinstance(body, dict):
        return response
    body.pop("retry_after_ms", None)
    return response.without_header("Retry-After").with_json(body)


def _rate_limit_as_forbidden(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if response.status != 429:
        return response
    return response.without_header("Retry-After").with_status(403).with_json(
        {"errcode": "M_FORBIDDEN", "error": "Invalid username or password"})


def _is_backward_messages(request: ProxyRequest) -> bool:
    return request.path_only.endswith("/messages") and request.query.get("dir") == "b"


def _reverse_chunk(body: Any) -> Any:
    body["chunk"] = list(reversed(body.get("chunk", [])))
    return body


_SEND = re.compile(r"^(/_matrix/client/v3/rooms/[^/]+/send/[^/]+/)[^/?]+")


def _new_transaction_id(request: ProxyRequest) -> ProxyRequest:
    if request.method != "PUT" or not _SEND.match(request.path):
        return request
    return request.with_path(_SEND.sub(lambda m: m.group(1) + uuid.uuid4().hex, request.path))


def _is_whoami(request: ProxyRequest) -> bool:
    return request.path_only.endswith("/account/whoami")


def _drop_device_id(body: Any) -> Any:
    if isinstance(body, dict):
        body.pop("device_id", None)
    return body


def _download_as_octet_stream(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if "/media/download/" not in request.path_only or response.status != 200:
        return response
    return response.with_header("Content-Type", "application/octet-stream")


def _fake_event_id() -> dict[str, str]:
    return {"event_id": f"$eosfault{uuid.uuid4().hex}"}


def _redaction_ignored(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.method == "PUT" and "/redact/" in request.path_only:
        return ProxyResponse.from_json(200, _fake_event_id())
    return request


def _no_cors(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    return response.without_header("Access-Control-Allow-Origin")


def _displayname_not_stored(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.method == "PUT" and request.path_only.endswith("/displayname"):
        return ProxyResponse.from_json(200, {})
    return request


def _room_name_not_enforced(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.method == "PUT" and "/state/m.room.name" in request.path_only:
        return ProxyResponse.from_json(200, _fake_event_id())
    return request


def _large_events_accepted(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.method == "PUT" and "/send/" in request.path_only and len(request.body) > 65536:
        return ProxyResponse.from_json(200, _fake_event_id())
    return request


def _sync_filter_ignored(request: ProxyRequest) -> ProxyRequest:
    if not _is_sync(request):
        return request
    parts = urlsplit(request.path)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "filter"]
    return request.with_path(parts.path + ("?" + urlencode(query) if query else ""))


def _drop_key(key: str) -> Callable[[Any], Any]:
    def edit(body: Any) -> Any:
        if isinstance(body, dict):
            body.pop(key, None)
        return body

    return edit


def _path_ends(*suffixes: str, method: str | None = None) -> Callable[[ProxyRequest], bool]:
    def matches(request: ProxyRequest) -> bool:
        return (method is None or request.method == method) and request.path_only.endswith(
            suffixes)

    return matches


def _path_has(fragment: str, method: str | None = None) -> Callable[[ProxyRequest], bool]:
    def matches(request: ProxyRequest) -> bool:
        return (method is None or request.method == method) and fragment in request.path_only

    return matches


def _status(matches: Callable[[ProxyRequest], bool], old: int, new: int,
            body: Any = None) -> ResponseHook:
    def hook(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if not matches(request) or response.status != old:
            return response
        changed = response.with_status(new)
        return changed if body is None else changed.with_json(body)

    return hook


def _short_circuit(matches: Callable[[ProxyRequest], bool], status: int, body: Any
                   ) -> Callable[[ProxyRequest], ProxyRequest | ProxyResponse]:
    def hook(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
        return ProxyResponse.from_json(status, body) if matches(request) else request

    return hook


def _drop_ephemeral(kind: str) -> Callable[[Any], Any]:
    def edit(body: Any) -> Any:
        for room in body.get("rooms", {}).get("join", {}).values():
            ephemeral = room.get("ephemeral", {})
            events = ephemeral.get("events", [])
            ephemeral["events"] = [e for e in events if e.get("type") != kind]
        return body

    return edit


class _Redeliver:
    """Remembers each device's to-device events and serves them again in its next /sync."""

    def __init__(self) -> None:
        self.pending: dict[str, list[Any]] = {}

    def __call__(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        body = response.json()
        if not _is_sync(request) or not isinstance(body, dict):
            return response
        token = request.header("Authorization") or ""
        box = body.setdefault("to_device", {}).setdefault("events", [])
        old = self.pending.get(token, [])
        self.pending[token] = list(box)
        box[:0] = old
        return response.with_json(body)


def _drop_from(key: str, *inner: str) -> Callable[[Any], Any]:
    def edit(body: Any) -> Any:
        target = body
        for name in inner:
            target = target.get(name, {}) if isinstance(target, dict) else {}
        if isinstance(target, dict):
            target.pop(key, None)
        return body

    return edit


def _truncate_bodies(body: Any) -> Any:
    content = body.get("content") if isinstance(body, dict) else None
    if isinstance(content, dict) and isinstance(content.get("body"), str):
        content["body"] = content["body"][:1000]
    return body


def _unavailable_default(body: Any) -> Any:
    versions = body.get("capabilities", {}).get("m.room_versions")
    if isinstance(versions, dict):
        versions["default"] = "eos-unavailable"
    return body


def _strip_preset(request: ProxyRequest) -> ProxyRequest:
    if not request.path_only.endswith("/createRoom"):
        return request
    body = request.json_object()
    if body is None:
        return request
    body.pop("preset", None)
    return request.with_json(body)


def _drop_member_reason(body: Any) -> Any:
    if isinstance(body, dict) and "membership" in body:
        body.pop("reason", None)
    return body


FAULTS = [
    Fault("unknown-token-as-forbidden",
          "An unrecognised or logged-out access token gets 403 M_FORBIDDEN instead of 401 "
          "M_UNKNOWN_TOKEN.",
          ("matrix.auth.unknown-token", "matrix.logout.invalidates", "matrix.logout.all"),
          on_response=_errcode("M_UNKNOWN_TOKEN", "M_FORBIDDEN", 403)),
    Fault("sync-without-next-batch",
          "/sync answers without next_batch.",
          ("matrix.sync.initial", "matrix.sync.incremental"),
          on_response=_edit_json(_is_sync, _drop_key("next_batch"))),
    Fault("sync-limited-dropped",
          "/sync timelines never say limited, even when events were left out.",
          ("matrix.sync.limited",),
          on_response=_edit_json(_is_sync, _drop_limited)),
    Fault("errors-as-html",
          "Errors come as an HTML page instead of a JSON error object.",
          ("matrix.error.format", "matrix.error.json-content-type"),
          on_response=_errors_as_html),
    Fault("unknown-endpoint-400",
          "An unknown endpoint answers 400 instead of 404.",
          ("matrix.error.unrecognized-404",),
          on_response=_errcode("M_UNRECOGNIZED", "M_UNRECOGNIZED", 400)),
    Fault("versions-without-v",
          "/versions announces '1.15' instead of 'v1.15'.",
          ("matrix.versions.format",),
          on_response=_edit_json(lambda r: r.path_only.endswith("/client/versions"),
                                 _versions_without_v)),
    Fault("no-retry-hint",
          "A 429 gives neither Retry-After nor retry_after_ms.",
          ("matrix.ratelimit.retry-after",),
          on_response=_no_retry_hint),
    Fault("rate-limit-as-forbidden",
          "Rate limiting answers 403 M_FORBIDDEN instead of 429 M_LIMIT_EXCEEDED.",
          ("matrix.ratelimit.limit-exceeded",),
          on_response=_rate_limit_as_forbidden),
    Fault("messages-backward-oldest-first",
          "/messages with dir=b returns each page oldest first.",
          ("matrix.messages.backward", "matrix.messages.pagination"),
          on_response=_edit_json(_is_backward_messages, _reverse_chunk)),
    Fault("transaction-id-ignored",
          "Every send is treated as a new transaction, so a retried send duplicates the event.",
          ("matrix.send.idempotent",),
          on_request=_new_transaction_id),
    Fault("whoami-without-device",
          "/account/whoami leaves out device_id.",
          ("matrix.whoami.device-id",),
          on_response=_edit_json(_is_whoami, _drop_device_id)),
    Fault("download-as-octet-stream",
          "Downloads lose the Content-Type they were uploaded with.",
          ("matrix.media.download",),
          on_response=_download_as_octet_stream),
    Fault("redaction-ignored",
          "A redaction is acknowledged with an event id but never applied.",
          ("matrix.redaction.applied",),
          on_request=_redaction_ignored),
    Fault("cors-missing",
          "No Access-Control-Allow-Origin header.",
          ("matrix.cors.headers",),
          on_response=_no_cors),
    Fault("displayname-not-stored",
          "PUT displayname answers 200 but nothing is stored.",
          ("matrix.profile.displayname", "matrix.profile.full"),
          on_request=_displayname_not_stored),
    Fault("user-in-use-as-unknown",
          "A taken username is refused with M_UNKNOWN instead of M_USER_IN_USE.",
          ("matrix.register.user-in-use", "matrix.register.available"),
          on_response=_errcode("M_USER_IN_USE", "M_UNKNOWN")),
    Fault("typing-not-relayed",
          "Typing notifications never reach other members' /sync.",
          ("matrix.typing.notified",),
          on_response=_edit_json(_is_sync, _drop_typing)),
    Fault("room-name-power-not-enforced",
          "m.room.name from a user below the required power level is accepted.",
          ("matrix.power-levels.enforced",),
          on_request=_room_name_not_enforced),
    Fault("large-events-accepted",
          "An event over 65536 bytes is accepted.",
          ("matrix.send.size-limit",),
          on_request=_large_events_accepted),
    Fault("sync-filter-ignored",
          "/sync ignores its filter parameter.",
          ("matrix.filter.applied", "matrix.sync.timeline-limit"),
          on_request=_sync_filter_ignored),
    Fault("wrong-password-as-401",
          "A login with a wrong password answers 401 instead of 403 M_FORBIDDEN.",
          ("matrix.login.wrong-password",),
          on_response=_status(_path_ends("/login", method="POST"), 403, 401)),
    Fault("one-time-key-counts-empty",
          "/keys/upload does not count the uploaded one-time keys.",
          ("matrix.keys.upload",),
          on_response=_edit_json(_path_ends("/keys/upload"),
                                 lambda body: dict(body, one_time_key_counts={}))),
    Fault("to-device-redelivered",
          "To-device messages are delivered again after the next /sync acknowledged them.",
          ("matrix.to-device.once",),
          on_response=_Redeliver()),
    Fault("kick-reason-dropped",
          "Member events lose the reason of a kick.",
          ("matrix.membership.kick",),
          on_response=_edit_json(_path_has("/state/m.room.member/"), _drop_member_reason)),
    Fault("preset-ignored",
          "createRoom ignores the preset, so public_chat rooms are private.",
          ("matrix.room.preset-public",),
          on_request=_strip_preset),
    Fault("missing-state-as-empty",
          "A state event never set is answered 200 with an empty object.",
          ("matrix.state.not-found",),
          on_response=_status(_path_has("/state/", method="GET"), 404, 200, {})),
    Fault("alias-conflict-accepted",
          "Creating an alias that exists answers 200.",
          ("matrix.alias.conflict",),
          on_response=_status(_path_has("/directory/room/", method="PUT"), 409, 200, {})),
    Fault("public-rooms-empty",
          "/publicRooms never lists anything.",
          ("matrix.directory.public-rooms",),
          on_response=_edit_json(_path_ends("/publicRooms"),
                                 lambda body: dict(body, chunk=[]))),
    Fault("device-rename-ignored",
          "PUT /devices/{deviceId} answers 200 but the name is not kept.",
          ("matrix.devices.update",),
          on_request=_short_circuit(_path_has("/devices/", method="PUT"), 200, {})),
    Fault("account-data-not-synced",
          "/sync leaves out the global account data.",
          ("matrix.account-data.sync",),
          on_response=_edit_json(_is_sync, _drop_from("account_data"))),
    Fault("status-msg-dropped",
          "GET presence loses the status message.",
          ("matrix.presence.set-get",),
          on_response=_edit_json(_path_ends("/status", method="GET"),
                                 _drop_from("status_msg"))),
    Fault("receipts-not-relayed",
          "Read receipts never reach /sync.",
          ("matrix.receipts.notified",),
          on_response=_edit_json(_is_sync, _drop_ephemeral("m.receipt"))),
    Fault("default-room-version-unavailable",
          "The capabilities name a default room version that is not available.",
          ("matrix.capabilities.room-versions",),
          on_response=_edit_json(_path_ends("/capabilities"), _unavailable_default)),
    Fault("well-known-without-base-url",
          "/.well-known/matrix/client names no m.homeserver.base_url.",
          ("matrix.wellknown.base-url",),
          on_response=_edit_json(_path_ends("/.well-known/matrix/client"),
                                 lambda body: {"m.homeserver": {}})),
    Fault("failed-stage-without-flows",
          "A failed UIA stage answers 401 without the flows.",
          ("matrix.uia.wrong-password",),
          on_response=_edit_json(_path_has("/devices/", method="DELETE"),
                                 _drop_from("flows"))),
    Fault("context-without-tokens",
          "/context answers without start and end tokens.",
          ("matrix.context.around",),
          on_response=_edit_json(_path_has("/context/"),
                                 lambda body: _drop_from("end")(_drop_from("start")(body)))),
    Fault("long-bodies-truncated",
          "Message bodies are cut at 1000 characters when an event is fetched.",
          ("matrix.message.roundtrip",),
          on_response=_edit_json(_path_has("/event/", method="GET"), _truncate_bodies)),
    Fault("unknown-event-as-500",
          "An unknown event id answers 500 instead of 404 M_NOT_FOUND.",
          ("matrix.event.unknown",),
          on_response=_status(_path_has("/event/", method="GET"), 404, 500,
                              {"errcode": "M_UNKNOWN", "error": "Internal server error"})),
]

