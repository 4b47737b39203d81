"""Server-Server API: redactions, auth chains, missing events, key claims, filtered public
rooms and authenticated media, as the candidate serves them to another server
(SS API v1.15 §get_matrixfederationv1event_authroomideventid,
§post_matrixfederationv1get_missing_eventsroomid, §post_matrixfederationv1userkeysclaim,
§post_matrixfederationv1publicrooms, §get_matrixfederationv1mediadownloadmediaid;
rooms v11 §redactions)."""

from __future__ import annotations

import time
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import pytest
import signedjson.key
import signedjson.sign

from conformance.api import expect, expect_equal
from suites.matrix import mx
from suites.matrix.federation import events
from suites.matrix.federation.client import FederationClient
from suites.matrix.federation.fixtures import fed, harness
from suites.matrix.federation.rooms import Joined, RoomView, harness_user, join, q, transaction

__all__ = ["fed", "harness"]
V1 = "/_matrix/federation/v1"


@pytest.fixture(scope="module")
def room(fed: FederationClient, alice: mx.User) -> Joined:
    room_id = mx.create_room(alice, preset="public_chat", room_version="11")
    return join(fed, room_id, harness_user(fed, "historian"))


def pdu_of(fed: FederationClient, event_id: str) -> dict[str, Any]:
    body = mx.ok(fed.request("GET", f"{V1}/event/{q(event_id)}"), "GET /event")
    pdus = body.get("pdus") or [{}]
    return dict(pdus[0])


@pytest.mark.requirement("matrix.federation.redaction.served")
def test_redacted_event_served(fed: FederationClient, room: Joined, alice: mx.User) -> None:
    event_id = mx.send_text(alice, room.room_id, "to be redacted")
    original = pdu_of(fed, event_id)
    alice.ok("PUT", f"rooms/{q(room.room_id)}/redact/{q(event_id)}/{mx.unique('r')}",
             "redact", body={"reason": "test"})
    deadline = time.monotonic() + 5
    served = pdu_of(fed, event_id)
    while served.get("content") and time.monotonic() < deadline:
        time.sleep(0.2)
        served = pdu_of(fed, event_id)
    expected = events.redact(original, room.room_version)
    expect_equal({k: v for k, v in served.items() if k not in ("unsigned",)},
                 {k: v for k, v in expected.items() if k not in ("unsigned",)},
                 "the redacted event is not the original stripped by the redaction algorithm")
    expect_equal(events.event_id(served, room.room_version), event_id,
                 "redaction changed the event's reference hash")


@pytest.mark.requirement("matrix.federation.redaction.received")
def test_remote_redaction_applied(fed: FederationClient, room: Joined, alice: mx.User) -> None:
    view = RoomView(alice, room.room_id, room.room_version)
    target, pdu = view.pdu(fed, room.user_id, "m.room.message", {"msgtype": "m.text",
                                                                    "body": "oops"})
    mx.ok(transaction(fed, [pdu], []), "PUT /send")
    redaction_id, redaction = view.pdu(fed, room.user_id, "m.room.redaction",
                                       {"redacts": target}, prev_events=[target])
    mx.ok(transaction(fed, [redaction], []), "PUT /send the redaction")
    deadline = time.monotonic() + 5
    while True:
        response = alice.call("GET", f"rooms/{q(room.room_id)}/event/{q(redaction_id)}")
        if response.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    body = mx.ok(alice.call("GET", f"rooms/{q(room.room_id)}/event/{q(target)}"),
                 "GET the redacted event")
    expect_equal(body.get("content"), {},
                 "a remote sender's redaction of its own event left the content visible")


@pytest.mark.requirement("matrix.federation.event-auth")
def test_event_auth(fed: FederationClient, room: Joined) -> None:
    event = pdu_of(fed, room.event_id)
    body = mx.ok(fed.request("GET", f"{V1}/event_auth/{q(room.room_id)}/{q(room.event_id)}"),
                 "GET /event_auth")
    chain = body.get("auth_chain")
    expect(isinstance(chain, list), "auth_chain is not a list", "list", body)
    assert isinstance(chain, list)
    ids = {events.event_id(p, room.room_version) for p in chain}
    missing = [a for a in event.get("auth_events", []) if a not in ids]
    expect_equal(missing, [], "the auth chain lacks some of the event's auth events")


@pytest.mark.requirement("matrix.federation.missing-events.served")
def test_get_missing_events(fed: FederationClient, room: Joined, alice: mx.User) -> None:
    sent = [mx.send_text(alice, room.room_id, f"gap {i}") for i in range(3)]
    body = mx.ok(fed.request("POST", f"{V1}/get_missing_events/{q(room.room_id)}", body={
        "earliest_events": [room.event_id], "latest_events": [sent[-1]], "limit": 10}),
        "POST /get_missing_events")
    got = [events.event_id(p, room.room_version) for p in body.get("events", [])]
    expect(all(e in got for e in sent[:-1]),
           "the events between earliest and latest are not all returned", sent[:-1], got)
    expect(sent[-1] not in got and room.event_id not in got,
           "the latest or earliest events themselves are returned", "excluded", got)


@pytest.mark.requirement("matrix.federation.keys-claim")
def test_keys_claim(fed: FederationClient, fresh_user: mx.User) -> None:
    key = signedjson.key.generate_signing_key(fresh_user.device_id)
    otk = signedjson.sign.sign_json({"key": signedjson.key.encode_verify_key_base64(
        signedjson.key.get_verify_key(key))}, fresh_user.user_id, key)
    key_id = f"signed_curve25519:{mx.unique('K')}"
    fresh_user.ok("POST", "keys/upload", "POST /keys/upload",
                  body={"one_time_keys": {key_id: otk}})
    body = mx.ok(fed.request("POST", f"{V1}/user/keys/claim", body={"one_time_keys": {
        fresh_user.user_id: {fresh_user.device_id: "signed_curve25519"}}}), "user/keys/claim")
    claimed = body.get("one_time_keys", {}).get(fresh_user.user_id, {}).get(
        fresh_user.device_id)
    expect_equal(claimed, {key_id: otk}, "the claim does not return the uploaded one-time key")


@pytest.mark.requirement("matrix.federation.directory.filter")
def test_public_rooms_filter(fed: FederationClient, alice: mx.User) -> None:
    name = mx.unique("Findable ")
    room_id = mx.create_room(alice, preset="public_chat", room_version="11",
                             visibility="public", name=name)
    mx.create_room(alice, preset="public_chat", room_version="11", visibility="public",
                   name=mx.unique("Other "))
    body = mx.ok(fed.request("POST", f"{V1}/publicRooms", body={
        "filter": {"generic_search_term": name}, "limit": 50}), "POST /publicRooms")
    expect_equal([r.get("room_id") for r in body.get("chunk", [])], [room_id],
                 "the filtered list is not exactly the one matching room")


def media(alice: mx.User, data: bytes) -> str:
    body = mx.ok(alice.call("POST", "_matrix/media/v3/upload", data=data,
                            headers={"Content-Type": "text/plain"}), "upload")
    return str(body.get("content_uri", "")).rsplit("/", 1)[-1]


@pytest.mark.requirement("matrix.federation.media.download")
def test_media_download(fed: FederationClient, alice: mx.User) -> None:
    data = mx.unique("federated media ").encode()
    response = fed.request("GET", f"{V1}/media/download/{q(media(alice, data))}")
    expect(response.status_code == 200, f"media download answered {response.status_code}",
           200, response.status_code)
    kind = response.headers.get("Content-Type", "")
    expect(kind.startswith("multipart/mixed"), "the answer is not multipart/mixed",
           "multipart/mixed", kind)
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {kind}\r\n\r\n".encode() + response.content)
    parts = list(message.iter_parts()) if message.is_multipart() else []
    expect(len(parts) == 2, "the multipart answer does not have two parts", 2, len(parts))
    first = parts[0]
    expect(first.get_content_type() == "application/json",
           "the first part is not the JSON metadata", "application/json",
           first.get_content_type())
    payload = parts[1].get_payload(decode=True)
    expect(payload == data, "the second part is not the uploaded bytes", data, payload)


@pytest.mark.requirement("matrix.federation.media.unknown")
def test_media_unknown(fed: FederationClient) -> None:
    mx.error(fed.request("GET", f"{V1}/media/download/{mx.unique('nomedia')}"), 404,
             "M_NOT_FOUND", "media download of an id that does not exist")


@pytest.mark.requirement("matrix.federation.media.auth")
def test_media_needs_signature(fed: FederationClient, alice: mx.User) -> None:
    media_id = media(alice, b"signed only")
    mx.error(fed.request("GET", f"{V1}/media/download/{q(media_id)}", sign=False), 401,
             (), "an unsigned federation media download")
