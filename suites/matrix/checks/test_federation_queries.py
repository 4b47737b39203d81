"""Server-Server API: what the candidate serves other servers about its rooms and users:
events, state, history, profiles, aliases, devices and the public room list
(SS API v1.15 §retrieving-events, §backfilling-and-retrieving-missing-events, §query-apis,
§device-management, §public-room-directory)."""

from __future__ import annotations

from typing import Any

import pytest
import signedjson.key
import signedjson.sign

from conformance.api import expect, expect_equal
from suites.matrix import mx
from suites.matrix.federation import events
from suites.matrix.federation.client import FederationClient
from suites.matrix.federation.fixtures import fed, harness
from suites.matrix.federation.rooms import Joined, harness_user, join, q

__all__ = ["fed", "harness"]
V1 = "/_matrix/federation/v1"


@pytest.fixture(scope="module")
def room(fed: FederationClient, alice: mx.User) -> tuple[Joined, str]:
    """A public room the harness joined, with a message alice sent after the join."""
    room_id = mx.create_room(alice, preset="public_chat", room_version="11")
    joined = join(fed, room_id, harness_user(fed, "reader"))
    return joined, mx.send_text(alice, room_id, "history")


def client_state_ids(alice: mx.User, room_id: str) -> list[str]:
    listed = alice.call("GET", f"rooms/{q(room_id)}/state")
    body = mx.json_body(listed, "GET /state")
    return sorted(e["event_id"] for e in body)


@pytest.mark.requirement("matrix.federation.event.get")
def test_get_event(fed: FederationClient, room: tuple[Joined, str]) -> None:
    joined, event_id = room
    body = mx.ok(fed.request("GET", f"{V1}/event/{q(event_id)}"), "GET /event")
    pdus = body.get("pdus")
    expect(isinstance(pdus, list) and len(pdus) == 1, "pdus is not a list of one PDU",
           1, pdus)
    assert isinstance(pdus, list)
    expect_equal(events.event_id(pdus[0], joined.room_version), event_id,
                 "the PDU returned is not the event asked for (its reference hash differs)")
    expect_equal(body.get("origin"), fed.destination, "origin is not the answering server")


@pytest.mark.requirement("matrix.federation.state-ids")
def test_state_ids(fed: FederationClient, room: tuple[Joined, str], alice: mx.User) -> None:
    joined, event_id = room
    body = mx.ok(fed.request("GET", f"{V1}/state_ids/{q(joined.room_id)}",
                             params={"event_id": event_id}), "GET /state_ids")
    expect(isinstance(body.get("auth_chain_ids"), list), "auth_chain_ids is not a list",
           "list", body.get("auth_chain_ids"))
    expect_equal(sorted(body.get("pdu_ids", [])), client_state_ids(alice, joined.room_id),
                 "pdu_ids are not the room's state at the event")


@pytest.mark.requirement("matrix.federation.state")
def test_state(fed: FederationClient, room: tuple[Joined, str], alice: mx.User) -> None:
    joined, event_id = room
    body = mx.ok(fed.request("GET", f"{V1}/state/{q(joined.room_id)}",
                             params={"event_id": event_id}), "GET /state")
    expect(isinstance(body.get("auth_chain"), list), "auth_chain is not a list", "list",
           body.get("auth_chain"))
    ids = sorted(events.event_id(p, joined.room_version) for p in body.get("pdus", []))
    expect_equal(ids, client_state_ids(alice, joined.room_id),
                 "the PDUs are not the room's state at the event")


@pytest.mark.requirement("matrix.federation.backfill")
def test_backfill(fed: FederationClient, room: tuple[Joined, str]) -> None:
    joined, event_id = room
    body = mx.ok(fed.request("GET", f"{V1}/backfill/{q(joined.room_id)}",
                             params={"v": event_id, "limit": "2"}), "GET /backfill")
    pdus = body.get("pdus", [])
    ids = [events.event_id(p, joined.room_version) for p in pdus]
    expect(event_id in ids, "backfill from an event does not include it", event_id, ids)
    expect(len(pdus) <= 2, "backfill returned more PDUs than the limit", 2, len(pdus))
    expect_equal(body.get("origin"), fed.destination, "origin is not the answering server")


@pytest.mark.requirement("matrix.federation.state.not-in-room")
def test_state_when_not_in_room(fed: FederationClient, alice: mx.User) -> None:
    room_id = mx.create_room(alice, preset="private_chat", room_version="11")
    event_id = mx.send_text(alice, room_id, "private")
    mx.error(fed.request("GET", f"{V1}/state_ids/{q(room_id)}", params={"event_id": event_id}),
             403, "M_FORBIDDEN", "state_ids of a room no user of the asking server is in")


@pytest.mark.requirement("matrix.federation.query.profile")
def test_query_profile(fed: FederationClient, fresh_user: mx.User) -> None:
    name = mx.unique("Fed ")
    fresh_user.ok("PUT", f"profile/{q(fresh_user.user_id)}/displayname", "set displayname",
                  body={"displayname": name})
    body = mx.ok(fed.request("GET", f"{V1}/query/profile",
                             params={"user_id": fresh_user.user_id}), "query/profile")
    expect_equal(body.get("displayname"), name, "the profile's displayname")


@pytest.mark.requirement("matrix.federation.query.profile-field")
def test_query_profile_field(fed: FederationClient, fresh_user: mx.User) -> None:
    name = mx.unique("Field ")
    fresh_user.ok("PUT", f"profile/{q(fresh_user.user_id)}/displayname", "set displayname",
                  body={"displayname": name})
    fresh_user.ok("PUT", f"profile/{q(fresh_user.user_id)}/avatar_url", "set avatar",
                  body={"avatar_url": "mxc://eos.test/avatar"})
    body = mx.ok(fed.request("GET", f"{V1}/query/profile", params={
        "user_id": fresh_user.user_id, "field": "displayname"}), "query/profile field")
    expect_equal(body, {"displayname": name}, "a field query answers more than the field")


@pytest.mark.requirement("matrix.federation.query.profile-unknown")
def test_query_profile_unknown(fed: FederationClient) -> None:
    user = f"@{mx.unique('nobody')}:{fed.destination}"
    mx.error(fed.request("GET", f"{V1}/query/profile", params={"user_id": user}), 404,
             "M_NOT_FOUND", "query/profile of a user that does not exist")


@pytest.mark.requirement("matrix.federation.query.directory")
def test_query_directory(fed: FederationClient, alice: mx.User) -> None:
    room_id = mx.create_room(alice, preset="public_chat", room_version="11")
    alias = f"#{mx.unique('fed')}:{fed.destination}"
    alice.ok("PUT", f"directory/room/{q(alias)}", "create alias", body={"room_id": room_id})
    body = mx.ok(fed.request("GET", f"{V1}/query/directory", params={"room_alias": alias}),
                 "query/directory")
    expect_equal(body.get("room_id"), room_id, "the alias's room_id")
    servers = body.get("servers")
    expect(isinstance(servers, list) and fed.destination in servers,
           "servers does not list the resident server", fed.destination, servers)


@pytest.mark.requirement("matrix.federation.query.directory-unknown")
def test_query_directory_unknown(fed: FederationClient) -> None:
    alias = f"#{mx.unique('none')}:{fed.destination}"
    mx.error(fed.request("GET", f"{V1}/query/directory", params={"room_alias": alias}), 404,
             "M_NOT_FOUND", "query/directory of an alias that does not exist")


def upload_device_keys(user: mx.User) -> dict[str, Any]:
    """Signed device keys for the user's device, uploaded; what was uploaded."""
    key = signedjson.key.generate_signing_key(user.device_id)
    public = signedjson.key.encode_verify_key_base64(signedjson.key.get_verify_key(key))
    device_keys = signedjson.sign.sign_json({
        "user_id": user.user_id, "device_id": user.device_id,
        "algorithms": ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
        "keys": {f"ed25519:{user.device_id}": public,
                 f"curve25519:{user.device_id}": public},
    }, user.user_id, key)
    user.ok("POST", "keys/upload", "POST /keys/upload", body={"device_keys": device_keys})
    return dict(device_keys)


@pytest.mark.requirement("matrix.federation.devices.list")
def test_user_devices(fed: FederationClient, fresh_user: mx.User) -> None:
    uploaded = upload_device_keys(fresh_user)
    body = mx.ok(fed.request("GET", f"{V1}/user/devices/{q(fresh_user.user_id)}"),
                 "user/devices")
    expect_equal(body.get("user_id"), fresh_user.user_id, "user_id")
    expect(isinstance(body.get("stream_id"), int), "stream_id is not an integer", "integer",
           body.get("stream_id"))
    devices: Any = body.get("devices")
    found = [d for d in devices if d.get("device_id") == fresh_user.device_id] if isinstance(
        devices, list) else []
    expect(len(found) == 1, "devices does not list the user's device once",
           fresh_user.device_id, devices)
    expect_equal(found[0].get("keys"), uploaded, "the device's keys are not those uploaded")


@pytest.mark.requirement("matrix.federation.keys-query")
def test_user_keys_query(fed: FederationClient, fresh_user: mx.User) -> None:
    uploaded = upload_device_keys(fresh_user)
    body = mx.ok(fed.request("POST", f"{V1}/user/keys/query",
                             body={"device_keys": {fresh_user.user_id: []}}), "user/keys/query")
    got = body.get("device_keys", {}).get(fresh_user.user_id, {}).get(fresh_user.device_id)
    # 'unsigned' is the one part a homeserver adds (CS API v1.15 §post_matrixclientv3keysquery).
    signed = {k: v for k, v in got.items() if k != "unsigned"} if isinstance(got, dict) else got
    expect_equal(signed, uploaded, "user/keys/query does not return the uploaded device keys")


@pytest.mark.requirement("matrix.federation.directory.public-rooms")
def test_public_rooms(fed: FederationClient, alice: mx.User) -> None:
    room_id = mx.create_room(alice, preset="public_chat", room_version="11",
                             visibility="public", name=mx.unique("Listed "))
    body = mx.ok(fed.request("GET", f"{V1}/publicRooms", params={"limit": "500"}),
                 "GET /publicRooms")
    chunk = body.get("chunk")
    listed = [r for r in chunk if r.get("room_id") == room_id] if isinstance(chunk, list) else []
    expect(len(listed) == 1, "the published room is not listed once", room_id, chunk)
    entry = listed[0]
    expect(isinstance(entry.get("num_joined_members"), int)
           and isinstance(entry.get("world_readable"), bool)
           and isinstance(entry.get("guest_can_join"), bool),
           "the entry lacks num_joined_members, world_readable or guest_can_join", "fields",
           entry)
