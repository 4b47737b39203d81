"""Sending events, /messages in both directions, single events, state, redaction, context,
and message bodies that must come back unchanged (property-based, through matrix-nio)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nio import RoomGetEventResponse, RoomSendResponse

from conformance.api import CandidateContext, cant_tell, expect
from suites.matrix import mx
from suites.matrix.nioclient import NioClient

EVENT_LIMIT = 65536


def messages(user: mx.User, room: str, direction: str, limit: int,
             start: str | None = None) -> dict[str, Any]:
    params: dict[str, object] = {"dir": direction, "limit": limit}
    if start:
        params["from"] = start
    return user.ok("GET", f"rooms/{mx.q(room)}/messages", f"/messages dir={direction}",
                   params=params)


def texts(chunk: object) -> list[str]:
    return [e.get("content", {}).get("body") for e in chunk or []  # type: ignore[attr-defined]
            if isinstance(e, dict) and e.get("type") == "m.room.message"]


@pytest.fixture
def filled_room(alice: mx.User) -> tuple[str, list[str]]:
    room = mx.create_room(alice, preset="private_chat")
    sent = [f"m{index}" for index in range(7)]
    for text in sent:
        mx.send_text(alice, room, text)
    return room, sent


@pytest.mark.requirement("matrix.send.event-id")
def test_send(alice: mx.User, room: str) -> None:
    event_id = mx.send_text(alice, room, "hello")
    expect(event_id.startswith("$"), "the event_id does not start with '$'", "$…", event_id)


@pytest.mark.requirement("matrix.send.idempotent")
def test_idempotent(alice: mx.User, room: str) -> None:
    path = f"rooms/{mx.q(room)}/send/m.room.message/{mx.unique('txn')}"
    content = {"msgtype": "m.text", "body": "once"}
    first = alice.ok("PUT", path, "first send", body=content).get("event_id")
    second = alice.ok("PUT", path, "the same transaction again", body=content).get("event_id")
    expect(first == second, "a repeated transaction id gave another event", first, second)
    chunk = messages(alice, room, "b", 10)["chunk"]
    ids = [e.get("event_id") for e in chunk]
    expect(ids.count(first) == 1 and texts(chunk).count("once") == 1,
           "the repeated transaction created a second event", 1, texts(chunk).count("once"))


@pytest.mark.requirement("matrix.send.forbidden")
def test_send_forbidden(fresh_user: mx.User, room: str) -> None:
    response = fresh_user.call("PUT", f"rooms/{mx.q(room)}/send/m.room.message/t1",
                               body={"msgtype": "m.text", "body": "intruder"})
    mx.error(response, 403, "M_FORBIDDEN", "sending into a room the user is not in")


@pytest.mark.requirement("matrix.send.size-limit")
def test_size_limit(alice: mx.User, room: str) -> None:
    response = alice.call("PUT", f"rooms/{mx.q(room)}/send/m.room.message/{mx.unique('big')}",
                          body={"msgtype": "m.text", "body": "x" * (EVENT_LIMIT + 100)})
    # The spec forbids such events; it names no status, 413 M_TOO_LARGE is the usual one.
    mx.error(response, (400, 413), (), "an event over 65536 bytes")


@pytest.fixture
def nio_alice(candidate: CandidateContext, alice: mx.User, room: str) -> Iterator[NioClient]:
    client = NioClient(candidate.base_url, alice)
    client.run(client.client.sync(timeout=0, full_state=True))
    if room not in client.client.rooms:
        cant_tell("matrix-nio's sync did not show the room just created")
    yield client
    client.close()


BODIES = st.one_of(
    st.text(min_size=1, max_size=200),
    st.text(alphabet=st.characters(min_codepoint=0x80), min_size=1, max_size=50),
    # Near the size limit: the event's other fields take about 1 KiB of the 64 KiB.
    st.integers(min_value=50_000, max_value=60_000).map(lambda n: "ä" * (n // 2)),
)


@pytest.mark.requirement("matrix.message.roundtrip")
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=BODIES)
def test_roundtrip(nio_alice: NioClient, room: str, body: str) -> None:
    content = {"msgtype": "m.text", "body": body}
    if len(json.dumps(content, ensure_ascii=False).encode()) > 64_000:
        return
    sent = nio_alice.run(nio_alice.client.room_send(room, "m.room.message", content))
    expect(isinstance(sent, RoomSendResponse), f"send through matrix-nio failed: {sent}",
           "RoomSendResponse", type(sent).__name__)
    got = nio_alice.run(nio_alice.client.room_get_event(room, sent.event_id))
    expect(isinstance(got, RoomGetEventResponse), f"get through matrix-nio failed: {got}",
           "RoomGetEventResponse", type(got).__name__)
    back = got.event.source.get("content", {}).get("body")
    expect(back == body, "the message body came back changed", body, back)


@pytest.mark.requirement("matrix.messages.backward")
def test_backward(alice: mx.User, filled_room: tuple[str, list[str]]) -> None:
    room, sent = filled_room
    page = messages(alice, room, "b", 3)
    expect(isinstance(page.get("start"), str) and isinstance(page.get("end"), str),
           "no start and end tokens", "start, end", sorted(page))
    expect(texts(page.get("chunk")) == list(reversed(sent))[:3], "dir=b is not newest first",
           list(reversed(sent))[:3], texts(page.get("chunk")))


@pytest.mark.requirement("matrix.messages.forward")
def test_forward(alice: mx.User, filled_room: tuple[str, list[str]]) -> None:
    room, sent = filled_room
    got: list[str] = []
    start: str | None = None
    for _ in range(10):
        page = messages(alice, room, "f", 50, start)
        got += texts(page.get("chunk"))
        if not page.get("chunk") or not page.get("end"):
            break
        start = str(page["end"])
    expect(got == sent, "dir=f does not give the messages oldest first", sent, got)


@pytest.mark.requirement("matrix.messages.pagination")
def test_pagination(alice: mx.User, filled_room: tuple[str, list[str]]) -> None:
    room, sent = filled_room
    got: list[str] = []
    start: str | None = None
    for _ in range(20):
        page = messages(alice, room, "b", 2, start)
        got += texts(page.get("chunk"))
        if "end" not in page:
            break
        start = str(page["end"])
    else:
        expect(False, "pagination never ended (always an 'end' token)", "no end", "20 pages")
    expect(got == list(reversed(sent)), "paging backwards lost or repeated events",
           list(reversed(sent)), got)


@pytest.mark.requirement("matrix.messages.limit")
def test_limit(alice: mx.User, filled_room: tuple[str, list[str]]) -> None:
    room, sent = filled_room
    chunk = messages(alice, room, "b", 2).get("chunk")
    expect(isinstance(chunk, list) and len(chunk) <= 2, "more events than 'limit'", 2,
           len(chunk) if isinstance(chunk, list) else chunk)
    assert isinstance(chunk, list)
    # 'limit' is a maximum, so one event is allowed; none (seven messages remain) is not, and
    # those given are the newest, in order.
    newest = list(reversed(sent))[:2]
    got = texts(chunk)
    expect(bool(chunk) and len(got) == len(chunk) and got == newest[:len(got)],
           "the page is empty or not the newest messages", newest, got)


@pytest.mark.requirement("matrix.event.get")
def test_event_get(alice: mx.User, room: str) -> None:
    event_id = mx.send_text(alice, room, "fetch me")
    event = alice.ok("GET", f"rooms/{mx.q(room)}/event/{mx.q(event_id)}", "GET event")
    expect((event.get("event_id"), event.get("type"), event.get("sender"),
            event.get("content", {}).get("body"))
           == (event_id, "m.room.message", alice.user_id, "fetch me"),
           "the event read back differs", event_id, event)


@pytest.mark.requirement("matrix.event.unknown")
def test_event_unknown(alice: mx.User, room: str) -> None:
    mx.error(alice.call("GET", f"rooms/{mx.q(room)}/event/{mx.q('$eosnosuchevent')}"), 404,
             "M_NOT_FOUND", "an unknown event")


@pytest.mark.requirement("matrix.state.put-get")
def test_state_put_get(alice: mx.User, room: str) -> None:
    content = {"value": mx.unique("v"), "n": 3}
    body = alice.ok("PUT", f"rooms/{mx.q(room)}/state/org.example.eos/{mx.q('key/1')}",
                    "PUT state", body=content)
    expect(isinstance(body.get("event_id"), str), "PUT state returned no event_id",
           "event_id", body)
    got = mx.state(alice, room, "org.example.eos", "key/1")
    expect(got == content, "the state content read back differs", content, got)


@pytest.mark.requirement("matrix.state.all")
def test_state_all(alice: mx.User, room: str) -> None:
    path = f"rooms/{mx.q(room)}/state/org.example.eos.all/k"
    alice.ok("PUT", path, "PUT state", body={"value": mx.unique("old")})
    content = {"value": mx.unique("all")}
    alice.ok("PUT", path, "PUT state again", body=content)
    listed = mx.json_body(alice.call("GET", f"rooms/{mx.q(room)}/state"), "GET state")
    expect(isinstance(listed, list) and all(isinstance(e, dict) for e in listed),
           "GET /state is not a list of events", "list", listed)
    keys = [(e.get("type"), e.get("state_key")) for e in listed]
    # Current state: each (type, state_key) once, the replaced content gone.
    twice = sorted({str(k) for k in keys if keys.count(k) > 1})
    expect(twice == [], "GET /state lists a (type, state_key) more than once", [], twice)
    mine = [e.get("content") for e in listed if e.get("type") == "org.example.eos.all"]
    expect(mine == [content], "GET /state does not hold exactly the new content", [content], mine)
    needed = {("m.room.create", ""), ("m.room.power_levels", ""), ("m.room.join_rules", ""),
              ("m.room.member", alice.user_id)}
    expect(needed <= set(keys), "GET /state lacks the room's create, power levels, join rules "
           "or member event", sorted(map(str, needed)), sorted(map(str, keys)))
    # Each listed event is the state GET /state/{type}/{stateKey} gives.
    for event in listed:
        single = mx.state(alice, room, str(event.get("type")), str(event.get("state_key")))
        expect(single == event.get("content"), "GET /state disagrees with the single state "
               f"event {event.get('type')}", single, event.get("content"))


@pytest.mark.requirement("matrix.state.not-found")
def test_state_not_found(alice: mx.User, room: str) -> None:
    mx.error(alice.call("GET", f"rooms/{mx.q(room)}/state/org.example.eos.never/x"), 404,
             "M_NOT_FOUND", "state never set")


@pytest.mark.requirement("matrix.redaction.applied")
def test_redaction(alice: mx.User, room: str) -> None:
    event_id = mx.send_text(alice, room, "secret to redact")
    body = alice.ok("PUT", f"rooms/{mx.q(room)}/redact/{mx.q(event_id)}/{mx.unique('r')}",
                    "redact", body={"reason": "eos"})
    expect(isinstance(body.get("event_id"), str), "the redaction returned no event_id",
           "event_id", body)
    event = alice.ok("GET", f"rooms/{mx.q(room)}/event/{mx.q(event_id)}", "the redacted event")
    expect(event.get("content") == {}, "the redacted event still has content", {},
           event.get("content"))


@pytest.mark.requirement("matrix.context.around")
def test_context(alice: mx.User, filled_room: tuple[str, list[str]]) -> None:
    room, _ = filled_room
    middle = mx.send_text(alice, room, "middle")
    mx.send_text(alice, room, "after")
    body = alice.ok("GET", f"rooms/{mx.q(room)}/context/{mx.q(middle)}", "context",
                    params={"limit": 4})
    expect(body.get("event", {}).get("event_id") == middle, "context of another event",
           middle, body.get("event"))
    expect(texts(body.get("events_before"))[:1] == ["m6"]
           and texts(body.get("events_after"))[:1] == ["after"],
           "events_before/events_after are not the neighbours",
           {"before": "m6", "after": "after"},
           {"before": texts(body.get("events_before")), "after": texts(body.get("events_after"))})
    expect(isinstance(body.get("start"), str) and isinstance(body.get("end"), str),
           "no start and end tokens", "start, end", sorted(body))
