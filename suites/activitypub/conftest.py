"""ActivityPub provisioning: the harness's own remote server, discovery of the candidate's
actor, and the federation scenarios (follow, post, delete; see ``scenarios``) run once per
session for the checks that look at them.

Manifest (nothing here knows a product by name):
- endpoint ``origin`` (optional, default ``base``): where the candidate's ids live;
- ``[settings.activitypub]``: ``account`` (default ``primary``; its username is the WebFinger
  user), ``client_headers`` (headers that make a request the candidate's own user's, for the
  client-to-server steps; ``{actor}`` is the actor id), ``accept_follows_via_outbox`` (the
  user accepts follows through the outbox, for servers that do not accept them by
  themselves), ``delivery_timeout`` (seconds to wait for a delivery, default 10).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance.api import CandidateContext, FaultProxy, RecordingSession, active_fault, cant_tell
from suites.activitypub.client import FederationClient, webfinger_url
from suites.activitypub.remote import AS_CONTEXT, Delivery, LocalActor, RemoteServer
from suites.activitypub.scenarios import (
    CandidateUser,
    DeletedNote,
    FollowLedger,
    FollowOutcome,
    PostedNote,
    create_matches,
    follow,
)
from suites.activitypub.streams import PUBLIC, as_list, url_of

ACTOR_NAMES = ("eos-alice", "eos-bob", "eos-carol", "eos-dave", "eos-erin", "eos-mallory",
               "eos-frank", "eos-grace")


@pytest.fixture(scope="session")
def ap_settings(candidate: CandidateContext) -> dict[str, Any]:
    return candidate.settings("activitypub")


@pytest.fixture(scope="session")
def delivery_timeout(ap_settings: dict[str, Any]) -> float:
    return float(ap_settings.get("delivery_timeout", 10))


@pytest.fixture(scope="session")
def remote() -> Iterator[RemoteServer]:
    from suites.activitypub.faults import FAULTS

    server = RemoteServer(ACTOR_NAMES).start()
    fault = active_fault(FAULTS)
    proxy = None
    if fault is not None and fault.inbound is not None:
        # Fault runs only: a proxy that breaks the candidate's deliveries stands in front.
        proxy = FaultProxy(server.local_url, fault.inbound).start()
        server.publish_at(proxy.url)
    yield server
    if proxy is not None:
        proxy.stop()
    server.stop()


@pytest.fixture(scope="session")
def me(remote: RemoteServer) -> LocalActor:
    return remote.actors["eos-alice"]


@pytest.fixture(scope="session")
def mallory(remote: RemoteServer) -> LocalActor:
    return remote.actors["eos-mallory"]


@pytest.fixture(scope="session")
def origin(candidate: CandidateContext) -> str:
    endpoints = candidate.running.endpoints
    return endpoints.get("origin") or candidate.base_url


@pytest.fixture(scope="session")
def session(candidate: CandidateContext) -> RecordingSession:
    return candidate.session(None)


@pytest.fixture(scope="session")
def fed(session: RecordingSession, origin: str) -> FederationClient:
    return FederationClient(session, origin)


@pytest.fixture(scope="session")
def acct(candidate: CandidateContext, ap_settings: dict[str, Any], origin: str) -> str:
    username = candidate.account(str(ap_settings.get("account", "primary"))).username
    return f"acct:{username}@{urlsplit(origin).netloc}"


@pytest.fixture(scope="session")
def actor_id(session: RecordingSession, acct: str) -> str:
    response = session.get(webfinger_url(acct), headers={"Accept": "application/jrd+json"})
    try:
        links = response.json().get("links", [])
    except (ValueError, AttributeError):
        links = []
    for link in links:
        if isinstance(link, dict) and link.get("rel") == "self" and link.get("href"):
            return str(link["href"])
    cant_tell(f"WebFinger for {acct} answered {response.status_code} without a self link, "
              "so the actor cannot be found")


@pytest.fixture(scope="session")
def actor(fed: FederationClient, actor_id: str, me: LocalActor) -> dict[str, Any]:
    """The candidate's actor document, fetched as a remote server does (signed)."""
    response, document = fed.get_json(actor_id, me)
    if document is None:
        response, document = fed.get_json(actor_id, None)
    if document is None:
        cant_tell(f"the actor {actor_id} could not be fetched (HTTP {response.status_code})")
    return document


@pytest.fixture(scope="session")
def inbox(actor: dict[str, Any]) -> str:
    url = url_of(actor.get("inbox"))
    if url is None:
        cant_tell("the actor document names no inbox")
    return url


@pytest.fixture(scope="session")
def user(fed: FederationClient, actor_id: str, actor: dict[str, Any],
         ap_settings: dict[str, Any]) -> CandidateUser:
    return CandidateUser(fed, actor_id, actor, ap_settings)


@pytest.fixture(scope="session")
def ledger() -> FollowLedger:
    return FollowLedger()


@pytest.fixture(scope="session")
def followed(remote: RemoteServer, fed: FederationClient, user: CandidateUser,
             ap_settings: dict[str, Any], me: LocalActor, inbox: str,
             delivery_timeout: float, ledger: FollowLedger) -> FollowOutcome:
    """The harness's eos-alice follows the candidate's actor (once per run)."""
    outcome = follow(remote, fed, user, ap_settings, me, inbox, delivery_timeout)
    if not 200 <= outcome.response_status < 300:
        cant_tell(f"the inbox refused a correctly signed Follow (HTTP {outcome.response_status})")
    if outcome.accept is not None:
        ledger.followers.add(me.id)
    return outcome


@pytest.fixture
def own_note(user: CandidateUser) -> str:
    """The id of a new public Note the candidate's user posts (one per check) for others to
    interact with."""
    location = user.post({"@context": AS_CONTEXT, "type": "Create", "actor": user.actor_id,
                          "to": [PUBLIC],
                          "object": {"type": "Note", "attributedTo": user.actor_id,
                                     "content": "conformance note to like", "to": [PUBLIC]}})
    create = user.fetch(location) if location else None
    note = url_of(create.get("object")) if create is not None else None
    if note is None:
        cant_tell(f"the user's Create (Location {location}) does not name its Note")
    return note


@pytest.fixture(scope="session")
def posted(followed: FollowOutcome, remote: RemoteServer, user: CandidateUser,
           actor: dict[str, Any], me: LocalActor, mallory: LocalActor,
           delivery_timeout: float) -> PostedNote:
    """The candidate's user posts a public Note to its followers, with eos-mallory in bcc."""
    if followed.accept is None:
        cant_tell("the harness could not become a follower, so it cannot see deliveries")
    followers = url_of(user.document().get("followers")) or url_of(actor.get("followers"))
    marker = f"eos-{uuid.uuid4().hex[:10]}"
    note = {"type": "Note", "content": f"conformance note {marker}",
            "attributedTo": user.actor_id, "to": [PUBLIC], "cc": as_list(followers),
            "bcc": [mallory.id]}
    mark = remote.mark()
    location = user.post({"@context": AS_CONTEXT, "type": "Create", "actor": user.actor_id,
                          "to": [PUBLIC], "cc": as_list(followers), "bcc": [mallory.id],
                          "object": note})
    to_follower = remote.wait_for(mark, create_matches(marker, urlsplit(me.inbox).path),
                                  delivery_timeout)
    to_bcc = remote.wait_for(mark, create_matches(marker, urlsplit(mallory.inbox).path),
                             delivery_timeout / 2 if to_follower else 0.1)
    note_id = None
    if to_follower is not None:
        note_id = url_of((to_follower.json() or {}).get("object"))
    return PostedNote(location, note_id, marker, to_follower, to_bcc)


@pytest.fixture(scope="session")
def deleted(posted: PostedNote, remote: RemoteServer, user: CandidateUser, me: LocalActor,
            actor: dict[str, Any], delivery_timeout: float) -> DeletedNote:
    if posted.note_id is None:
        cant_tell("no delivered Note to delete")
    # Addressed like the Note: §7.1 delivers to the followers collection only when an
    # activity names it (the Public collection is never delivered to).
    followers = url_of(user.document().get("followers")) or url_of(actor.get("followers"))
    mark = remote.mark()
    user.post({"@context": AS_CONTEXT, "type": "Delete", "actor": user.actor_id,
               "object": posted.note_id, "to": [PUBLIC], "cc": as_list(followers)})
    note_id = posted.note_id

    def is_delete(delivery: Delivery) -> bool:
        body = delivery.json() or {}
        return body.get("type") == "Delete" and url_of(body.get("object")) == note_id

    delivery = remote.wait_for(mark, is_delete, delivery_timeout)
    time.sleep(0.3)  # the origin updates its own copy asynchronously on some servers
    return DeletedNote(note_id, delivery)
