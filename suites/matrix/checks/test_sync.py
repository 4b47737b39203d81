"""/sync: initial and incremental, since tokens, timeline limits, limited, state, invites."""

from __future__ import annotations

import contextvars
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from conformance.api import expect
from suites.matrix import mx

LIMIT_2 = {"room": {"timeline": {"limit": 2}}}


def _bodies(events: list[dict[str, Any]]) -> list[str]:
    return [e.get("content", {}).get("body") for e in events if e.get("type") == "m.room.message"]


def _ids(events: list[dict[str, Any]]) -> list[str]:
    return [str(e.get("event_id")) for e in events]


@pytest.mark.requirement("matrix.sync.initial")
def test_initial(fresh_user: mx.User) -> None:
    kept = mx.create_room(fresh_user)
    left = mx.create_room(fresh_user)
    fresh_user.ok("POST", f"rooms/{mx.q(left)}/leave", "leave", body={})
    body = mx.sync(fresh_user)
    mx.next_batch(body)
    # A new user in one room (having left another): rooms.join is exactly that room.
    joined = sorted(body.get("rooms", {}).get("join", {}))
    expect(joined == [kept], "rooms.join is not exactly the room the user is in", [kept], joined)


@pytest.mark.requirement("matrix.sync.incremental")
def test_incremental(alice: mx.User, room: str) -> None:
    token = mx.next_batch(mx.sync(alice))
    event_id = mx.send_text(alice, room, mx.unique("after "))
    body = mx.sync(alice, token)
    mx.next_batch(body)
    # Only this event happened in the room since the token: the timeline is exactly it.
    ids = _ids(mx.timeline_events(body, room))
    expect(ids == [event_id], "the incremental timeline is not exactly the event sent after "
           "the token", [event_id], ids)


@pytest.mark.requirement("matrix.sync.no-repeat")
def test_no_repeat(alice: mx.User, room: str) -> None:
    token = mx.next_batch(mx.sync(alice))
    first = mx.send_text(alice, room, "one")
    body = mx.sync(alice, token)
    seen = _ids(mx.timeline_events(body, room))
    expect(seen == [first], "the incremental sync is not exactly the new event", [first], seen)
    second = mx.send_text(alice, room, "two")
    again = mx.sync(alice, mx.next_batch(body))
    ids = _ids(mx.timeline_events(again, room))
    expect(first not in ids, "an event already synced came again", "not " + first, ids)
    expect(ids == [second], "the next sync is not exactly the newer event", [second], ids)


@pytest.mark.requirement("matrix.sync.timeline-limit")
def test_timeline_limit(alice: mx.User, room: str) -> None:
    texts = [f"limit {index}" for index in range(5)]
    for text in texts:
        mx.send_text(alice, room, text)
    events = mx.timeline_events(mx.sync(alice, filter_=LIMIT_2), room)
    expect(len(events) <= 2, f"{len(events)} timeline events with limit 2", "<= 2", len(events))
    # The limit is a maximum (the server may give fewer), but it caps the timeline, it does
    # not empty it: the newest messages, in order.
    got = _bodies(events)
    expect(bool(events) and len(got) == len(events) and got == texts[len(texts) - len(got):],
           f"{len(events)} timeline events with limit 2 after 5 messages, not the newest",
           texts[-2:], got)


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
    expect(earlier == list(reversed(texts[:3])) and got == texts[3:],
           "prev_batch does not lead to the events just before the timeline",
           {"timeline": texts[3:], "before": list(reversed(texts[:3]))},
           {"timeline": got, "before": earlier})


@pytest.mark.requirement("matrix.sync.state")
def test_state(alice: mx.User, room: str) -> None:
    # A timeline of one event leaves the rest of the room's state to the state section; state
    # plus the timeline's state events must then be exactly the current state.
    joined = mx.joined_room(mx.sync(alice, filter_={"room": {"timeline": {"limit": 1}}}), room)
    synced: dict[tuple[str, str], Any] = {}
    for event in (joined.get("state", {}).get("events", [])
                  + joined.get("timeline", {}).get("events", [])):
        if isinstance(event, dict) and isinstance(event.get("state_key"), str):
            synced[(str(event.get("type")), event["state_key"])] = event.get("content")
    listed = mx.json_body(alice.call("GET", f"rooms/{mx.q(room)}/state"), "GET /state")
    expect(isinstance(listed, list), "GET /state is not a list", "list", listed)
    current = {(str(e.get("type")), str(e.get("state_key"))): e.get("content") for e in listed
               if isinstance(e, dict)}
    expect(("m.room.create", "") in current and ("m.room.member", alice.user_id) in current,
           "GET /state lacks the room's create or member event", "m.room.create, m.room.member",
           sorted(map(str, current)))
    expect(synced == current, "the initial sync's state and timeline are not the room's current "
           "state", sorted(map(str, current)), sorted(map(str, synced)))


@pytest.mark.requirement("matrix.sync.invite")
def test_invite(alice: mx.User, fresh_user: mx.User, room: str) -> None:
    alice.ok("POST", f"rooms/{mx.q(room)}/invite", "invite", body={"user_id": fresh_user.user_id})
    invited = mx.sync(fresh_user).get("rooms", {}).get("invite", {})
    expect(room in invited, "the invited room is not under rooms.invite", room, sorted(invited))
    events = invited[room].get("invite_state", {}).get("events", [])
    expect(any(e.get("type") == "m.room.member" and e.get("state_key") == fresh_user.user_id
               and e.get("content", {}).get("membership") == "invite" for e in events),
           "invite_state has no invite membership event for the invitee", "m.room.member",
           events)


@pytest.mark.requirement("matrix.sync.leave")
def test_leave(alice: mx.User, fresh_user: mx.User) -> None:
    room = mx.create_room(alice, preset="public_chat")
    mx.join(fresh_user, room)
    token = mx.next_batch(mx.sync(fresh_user))
    fresh_user.ok("POST", f"rooms/{mx.q(room)}/leave", "leave", body={})
    left = mx.sync(fresh_user, token).get("rooms", {}).get("leave", {})
    expect(sorted(left) == [room], "rooms.leave is not exactly the room left", [room],
           sorted(left))


# A long-poll with nothing new waits for its timeout (within these bounds), and one woken by
# a new event answers well before its own timeout.
QUIET_MS = 2000
WAKE_MS = 10000
SENT_AFTER = 1.0


def _news(body: dict[str, Any]) -> list[str]:
    """The parts of a /sync answer that carry something new (empty ones say nothing)."""
    parts = [f"rooms.{kind}" for kind, rooms in body.get("rooms", {}).items() if rooms]
    parts += [name for name in ("presence", "account_data", "to_device")
              if body.get(name, {}).get("events")]
    lists = body.get("device_lists", {})
    return parts + (["device_lists"] if lists.get("changed") or lists.get("left") else [])


def _timed_sync(user: mx.User, token: str, timeout_ms: int) -> tuple[dict[str, Any], float]:
    began = time.monotonic()
    body = mx.sync(user, token, timeout_ms=timeout_ms)
    return body, time.monotonic() - began


@pytest.mark.requirement("matrix.sync.timeout")
def test_timeout(fresh_user: mx.User) -> None:
    token = mx.next_batch(mx.sync(fresh_user))
    # An answer before the timeout is right only when it brings something new; then the poll
    # goes on from its token (a few times at most).
    for _ in range(3):
        body, took = _timed_sync(fresh_user, token, QUIET_MS)
        token = mx.next_batch(body)
        if took >= 0.9 * QUIET_MS / 1000 or not _news(body):
            break
    expect(0.9 * QUIET_MS / 1000 <= took <= QUIET_MS / 1000 + 8,
           f"a {QUIET_MS / 1000:.0f} s long-poll with nothing new answered after {took:.2f} s",
           f"{0.9 * QUIET_MS / 1000:.1f}-{QUIET_MS / 1000 + 8:.0f} s", round(took, 2))

    room = mx.create_room(fresh_user)
    token = mx.next_batch(mx.sync(fresh_user))
    # The poll runs beside the check (with its evidence log) while the event is sent.
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1) as pool:
        poll = pool.submit(context.run, _timed_sync, fresh_user, token, WAKE_MS)
        time.sleep(SENT_AFTER)
        event_id = mx.send_text(fresh_user, room, mx.unique("wake "))
        body, took = poll.result(timeout=WAKE_MS / 1000 + 30)
    expect(took < WAKE_MS / 2000,
           f"a {WAKE_MS / 1000:.0f} s long-poll answered {took:.2f} s after it began, though an "
           f"event came after {SENT_AFTER:.0f} s", f"< {WAKE_MS / 2000:.0f} s", round(took, 2))
    rooms = body.get("rooms", {}).get("join", {})
    ids = _ids(rooms.get(room, {}).get("timeline", {}).get("events", []))
    expect(ids == [event_id], "the long-poll woken early does not carry exactly the new event",
           [event_id], ids)
