"""/sync: initial and incremental, since tokens, timeline limits, limited, state, invites."""

from __future__ import annotations

import time
from typing import Any

import pytest

from conformance.api import expect
from suites.matrix import mx

LIMIT_2 = {"room": {"timeline": {"limit": 2}}}


def _bodies(events: list[dict[str, Any]]) -> list[str]:
    return [e.get("content", {}).get("body") for e in events if e.get("type") == "m.room.message"]


@pytest.mark.requirement("matrix.sync.initial")
def test_initial(alice: mx.User, room: str) -> None:
    body = mx.sync(alice)
    mx.next_batch(body)
    mx.joined_room(body, room)


@pytest.mark.requirement("matrix.sync.incremental")
def test_incremental(alice: mx.User, room: str) -> None:
    token = mx.next_batch(mx.sync(alice))
    text = mx.unique("after ")
    mx.send_text(alice, room, text)
    body = mx.sync(alice, token)
    mx.next_batch(body)
    expect(text in _bodies(mx.timeline_events(body, room)),
           "the message sent after the token is not in the incremental sync", text,
           _bodies(mx.timeline_events(body, room)))


@pytest.mark.requirement("matrix.sync.no-repeat")
def test_no_repeat(alice: mx.User, room: str) -> None:
    token = mx.next_batch(mx.sync(alice))
    first = mx.send_text(alice, room, "one")
    body = mx.sync(alice, token)
    seen = [e.get("event_id") for e in mx.timeline_events(body, room)]
    expect(first in seen, "the new event is missing from the incremental sync", first, seen)
    second = mx.send_text(alice, room, "two")
    again = mx.sync(alice, mx.next_batch(body))
    ids = [e.get("event_id") for e in mx.timeline_events(again, room)]
    expect(first not in ids, "an event already synced came again", "not " + first, ids)
    expect(second in ids, "the newer event is missing", second, ids)


@pytest.mark.requirement("matrix.sync.timeline-limit")
def test_timeline_limit(alice: mx.User, room: str) -> None:
    for index in range(5):
        mx.send_text(alice, room, f"limit {index}")
    events = mx.timeline_events(mx.sync(alice, filter_=LIMIT_2), room)
    expect(len(events) <= 2, f"{len(events)} timeline events with limit 2", "<= 2", len(events))


@pytest.mark.requirement("matrix.sync.limited")
def test_limited(alice: mx.User, room: str) -> None:
    token = mx.next_batch(mx.sync(alice, filter_=LIMIT_2))
    for index in range(5):
        mx.send_text(alice, room, f"gap {index}")
    timeline = mx.joined_room(mx.sync(alice, token, LIMIT_2), room).get("timeline", {})
    expect(timeline.get("limited") is True, "5 new events, limit 2, but limited is not true",
           True, timeline.get("limited"))
    expect(isinstance(timeline.get("prev_batch"), str), "a limited timeline has no prev_batch",
           "prev_batch", sorted(timeline))


@pytest.mark.requirement("matrix.sync.prev-batch")
def test_prev_batch(alice: mx.User, room: str) -> None:
    token = mx.next_batch(mx.sync(alice, filter_=LIMIT_2))
    texts = [f"page {index}" for index in range(5)]
    for text in texts:
        mx.send_text(alice, room, text)
    timeline = mx.joined_room(mx.sync(alice, token, LIMIT_2), room).get("timeline", {})
    got = _bodies(timeline.get("events", []))
    page = alice.ok("GET", f"rooms/{mx.q(room)}/messages", "/messages from prev_batch",
                    params={"from": timeline.get("prev_batch"), "dir": "b", "limit": 3})
    earlier = _bodies(page.get("chunk", []))
    expect(earlier[:3] == list(reversed(texts[:3])) and got == texts[3:],
           "prev_batch does not lead to the events just before the timeline",
           {"timeline": texts[3:], "before": list(reversed(texts[:3]))},
           {"timeline": got, "before": earlier})


@pytest.mark.requirement("matrix.sync.state")
def test_state(alice: mx.User, room: str) -> None:
    joined = mx.joined_room(mx.sync(alice), room)
    events = joined.get("state", {}).get("events", []) + joined.get("timeline", {}).get(
        "events", [])
    types = {(e.get("type"), e.get("state_key")) for e in events}
    expect(("m.room.create", "") in types and ("m.room.member", alice.user_id) in types,
           "the initial sync lacks the room's create or member state",
           "m.room.create, m.room.member", sorted(map(str, types)))


@pytest.mark.requirement("matrix.sync.invite")
def test_invite(alice: mx.User, fresh_user: mx.User, room: str) -> None:
    alice.ok("POST", f"rooms/{mx.q(room)}/invite", "invite", body={"user_id": fresh_user.user_id})
    invited = mx.sync(fresh_user).get("rooms", {}).get("invite", {})
    expect(room in invited, "the invited room is not under rooms.invite", room, sorted(invited))
    events = invited[room].get("invite_state", {}).get("events", [])
    expect(any(e.get("type") == "m.room.member" and e.get("state_key") == fresh_user.user_id
               for e in events), "invite_state has no membership event for the invitee",
           "m.room.member", events)


@pytest.mark.requirement("matrix.sync.leave")
def test_leave(alice: mx.User, fresh_user: mx.User) -> None:
    room = mx.create_room(alice, preset="public_chat")
    mx.join(fresh_user, room)
    token = mx.next_batch(mx.sync(fresh_user))
    fresh_user.ok("POST", f"rooms/{mx.q(room)}/leave", "leave", body={})
    left = mx.sync(fresh_user, token).get("rooms", {}).get("leave", {})
    expect(room in left, "the room left is not under rooms.leave", room, sorted(left))


@pytest.mark.requirement("matrix.sync.timeout")
def test_timeout(fresh_user: mx.User) -> None:
    token = mx.next_batch(mx.sync(fresh_user))
    began = time.monotonic()
    body = mx.sync(fresh_user, token, timeout_ms=700)
    took = time.monotonic() - began
    mx.next_batch(body)
    expect(took < 10, f"a 0.7 s long-poll took {took:.1f} s", "< 10 s", took)
