"""Raw Client-Server API calls with exact checks of status, error format and JSON shapes.

Every request goes through the harness's recording session, so each exchange is evidence.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from conformance.api import RecordingSession, expect

CLIENT = "_matrix/client/v3"
VERSION = re.compile(r"^(r0\.\d+\.\d+|v(\d+)\.(\d+))$")


def q(value: str) -> str:
    """A path segment, percent-encoded (room ids, aliases and user ids carry '!', '#', ':')."""
    return quote(value, safe="")


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@dataclass
class User:
    """A signed-in test user: its id, password and one device's access token."""

    session: RecordingSession
    user_id: str
    password: str
    access_token: str
    device_id: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def localpart(self) -> str:
        return self.user_id[1:].split(":", 1)[0]

    @property
    def server_name(self) -> str:
        return self.user_id.split(":", 1)[1]

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return call(self.session, method, path, token=self.access_token, **kwargs)

    def ok(self, method: str, path: str, what: str, **kwargs: Any) -> dict[str, Any]:
        return ok(self.call(method, path, **kwargs), what)


def call(session: RecordingSession, method: str, path: str, token: str | None = None,
         body: Any = None, params: dict[str, Any] | None = None, data: bytes | None = None,
         headers: dict[str, str] | None = None) -> requests.Response:
    """``path`` is relative to /_matrix/client/v3 unless it starts with '_matrix/' or '.well'."""
    if not path.startswith(("_matrix/", ".well-known/")):
        path = f"{CLIENT}/{path.lstrip('/')}"
    sent = dict(headers or {})
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    if body is not None:
        data = json.dumps(body).encode()
        sent.setdefault("Content-Type", "application/json")
    return session.request(method, path, data=data, params=params, headers=sent)


def json_body(response: requests.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError:
        expect(False, f"{what}: the body is not JSON", "JSON", response.text[:200])


def ok(response: requests.Response, what: str) -> dict[str, Any]:
    """The JSON object of a 200 answer, or a failure saying what came instead."""
    expect(response.status_code == 200,
           f"{what}: expected 200, got {response.status_code} {response.text[:300]}",
           200, response.status_code)
    body = json_body(response, what)
    expect(isinstance(body, dict), f"{what}: the body is not a JSON object", "object", body)
    return dict(body)


def error(response: requests.Response, status: int | tuple[int, ...],
          errcodes: str | tuple[str, ...], what: str) -> dict[str, Any]:
    """Check a standard error response: the status, JSON with errcode and error, the errcode."""
    statuses = (status,) if isinstance(status, int) else status
    codes = (errcodes,) if isinstance(errcodes, str) else errcodes
    expect(response.status_code in statuses,
           f"{what}: expected HTTP {' or '.join(map(str, statuses))}, got "
           f"{response.status_code} {response.text[:300]}", statuses, response.status_code)
    body = json_body(response, what)
    expect(isinstance(body, dict) and isinstance(body.get("errcode"), str),
           f"{what}: the error has no 'errcode' string", "errcode", body)
    expect(isinstance(body.get("error"), str),
           f"{what}: the error has no 'error' string", "error", body)
    expect(not codes or body["errcode"] in codes,
           f"{what}: expected errcode {' or '.join(codes)}, got {body['errcode']}",
           codes, body["errcode"])
    return dict(body)


def version_numbers(versions: list[str]) -> list[tuple[int, int]]:
    found = []
    for version in versions:
        match = VERSION.match(version)
        if match and match.group(2):
            found.append((int(match.group(2)), int(match.group(3))))
    return found


# --- rooms and sync ----------------------------------------------------------------------

def create_room(user: User, **options: Any) -> str:
    body = ok(user.call("POST", "createRoom", body=options), "POST /createRoom")
    room_id = body.get("room_id")
    expect(isinstance(room_id, str) and room_id.startswith("!"),
           "POST /createRoom: no room_id starting with '!'", "!…", room_id)
    return str(room_id)


def send_text(user: User, room_id: str, text: str) -> str:
    response = user.call("PUT", f"rooms/{q(room_id)}/send/m.room.message/{unique('t')}",
                         body={"msgtype": "m.text", "body": text})
    event_id = ok(response, "PUT /send").get("event_id")
    expect(isinstance(event_id, str), "PUT /send: no event_id", "event_id", event_id)
    return str(event_id)


def join(user: User, room_id: str) -> None:
    ok(user.call("POST", f"rooms/{q(room_id)}/join", body={}), "POST /join")


def state(user: User, room_id: str, event_type: str, key: str = "") -> dict[str, Any]:
    return ok(user.call("GET", f"rooms/{q(room_id)}/state/{event_type}/{q(key)}"),
              f"GET state {event_type}")


def sync(user: User, since: str | None = None, filter_: str | dict[str, Any] | None = None,
         timeout_ms: int = 0) -> dict[str, Any]:
    params: dict[str, Any] = {"timeout": timeout_ms}
    if since:
        params["since"] = since
    if isinstance(filter_, str):
        params["filter"] = filter_
    else:
        # A server may answer a request identical to an earlier one from a short-lived cache
        # (retries are common); a filter that excludes an account-data type nobody uses makes
        # each request distinct without changing what it asks for.
        inline = json.loads(json.dumps(filter_ or {}))
        inline.setdefault("account_data", {})["not_types"] = [f"org.example.eos.{unique('')}"]
        params["filter"] = json.dumps(inline)
    return ok(user.call("GET", "sync", params=params), "GET /sync")


def next_batch(body: dict[str, Any]) -> str:
    token = body.get("next_batch")
    expect(isinstance(token, str) and bool(token), "/sync: no next_batch string",
           "next_batch", token)
    return str(token)


def joined_room(body: dict[str, Any], room_id: str) -> dict[str, Any]:
    room = body.get("rooms", {}).get("join", {}).get(room_id)
    expect(isinstance(room, dict), f"/sync: room {room_id} is not under rooms.join",
           room_id, sorted(body.get("rooms", {}).get("join", {})))
    return dict(room)


def timeline_events(body: dict[str, Any], room_id: str) -> list[dict[str, Any]]:
    return list(joined_room(body, room_id).get("timeline", {}).get("events", []))


def sync_until(user: User, since: str, found: Any, seconds: float = 8.0,
               filter_: str | dict[str, Any] | None = None) -> tuple[Any, str]:
    """Incremental syncs until ``found(body)`` returns something, or the time is up."""
    deadline = time.monotonic() + seconds
    token = since
    while True:
        body = sync(user, token, filter_, timeout_ms=1000)
        result = found(body)
        token = next_batch(body)
        if result or time.monotonic() > deadline:
            return result, token
