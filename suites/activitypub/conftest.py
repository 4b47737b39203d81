"""ActivityPub provisioning: the harness's own remote server, discovery of the candidate's
actor, and the federation scenarios (follow, post, delete) several checks look at.

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
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from conformance.api import CandidateContext, FaultProxy, RecordingSession, active_fault, cant_tell
from suites.activitypub.client import FederationClient
from suites.activitypub.remote import AS_CONTEXT, Delivery, LocalActor, RemoteServer

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PUBLIC_FORMS = {PUBLIC, "as:Public", "Public"}


@pytest.fixture(scope="session")
def ap_settings(candidate: CandidateContext) -> dict[str, Any]:
    return candidate.settings("activitypub")


@pytest.fixture(scope="session")
def delivery_timeout(ap_settings: dict[str, Any]) -> float:
    return float(ap_settings.get("delivery_timeout", 10))


@pytest.fixture(scope="session")
def remote() -> Iterator[RemoteServer]:
    from suites.activitypub.faults import FAULTS

    server = RemoteServer(("eos-alice", "eos-bob", "eos-carol", "eos-dave", "eos-mallory")).start()
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


def webfinger_url(resource: str) -> str:
    return f".well-known/webfinger?resource={quote(resource, safe=':@')}"


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


def url_of(value: Any) -> str | None:
    """An IRI given as a string or as an object with an id."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="session")
def inbox(actor: dict[str, Any]) -> str:
    url = url_of(actor.get("inbox"))
    if url is None:
        cant_tell("the actor document names no inbox")
    return url


class CandidateUser:
    """Acting as the candidate's own user (client-to-server), as the manifest says how."""

    def __init__(self, fed: FederationClient, actor_id: str, actor: dict[str, Any],
                 settings: dict[str, Any]) -> None:
        self.fed = fed
        self.actor_id = actor_id
        self.actor = actor
        raw = settings.get("client_headers") or {}
        self.headers = {str(k): str(v).replace("{actor}", actor_id) for k, v in raw.items()}

    def _require(self) -> None:
        if not self.headers:
            cant_tell("[settings.activitypub] gives no client_headers, so the harness cannot "
                      "make the candidate's user act")

    def document(self) -> dict[str, Any]:
        self._require()
        response = self.fed.get(self.actor_id, None, extra=self.headers)
        try:
            value = response.json()
        except ValueError:
            value = None
        return value if isinstance(value, dict) else self.actor

    def post(self, activity: dict[str, Any]) -> str | None:
        """Posts to the user's outbox; the Location of the new activity, if given."""
        self._require()
        outbox = url_of(self.actor.get("outbox"))
        if outbox is None:
            cant_tell("the actor document names no outbox")
        response = self.fed.post(outbox, activity, None, extra=self.headers)
        if not 200 <= response.status_code < 300:
            cant_tell(f"the user's outbox refused {activity.get('type')} "
                      f"(HTTP {response.status_code})")
        return response.headers.get("Location")

    def collection_items(self, url: str, limit: int = 20) -> list[Any]:
        """Items of a collection as the user sees it, following at most ``limit`` pages."""
        self._require()
        items: list[Any] = []
        next_url: str | None = url
        for _ in range(limit):
            if next_url is None:
                break
            response = self.fed.get(next_url, None, extra=self.headers)
            try:
                page = response.json()
            except ValueError:
                break
            if not isinstance(page, dict):
                break
            items += as_list(page.get("orderedItems", page.get("items")))
            first = page.get("first")
            if isinstance(first, dict):
                items += as_list(first.get("orderedItems", first.get("items")))
                next_url = url_of(first.get("next"))
            else:
                next_url = url_of(first) or url_of(page.get("next"))
        return items

    def inbox_ids(self) -> set[str]:
        return {i for i in (url_of(x) for x in self.collection_items(self.inbox_url())) if i}

    def inbox_url(self) -> str:
        url = url_of(self.actor.get("inbox"))
        if url is None:
            cant_tell("the actor document names no inbox")
        return url


@pytest.fixture(scope="session")
def user(fed: FederationClient, actor_id: str, actor: dict[str, Any],
         ap_settings: dict[str, Any]) -> CandidateUser:
    return CandidateUser(fed, actor_id, actor, ap_settings)


def activity(remote: RemoteServer, kind: str, by: LocalActor, obj: Any,
             **extra: Any) -> dict[str, Any]:
    """A new activity by a harness actor, published at its id."""
    value = {"@context": AS_CONTEXT, "id": remote.new_object_id(), "type": kind,
             "actor": by.id, "object": obj, **extra}
    remote.publish(value)
    return value


def refers_to(value: Any, activity_id: str) -> bool:
    return url_of(value) == activity_id


@dataclass
class FollowOutcome:
    follower: LocalActor
    follow: dict[str, Any]
    response_status: int
    accept: Delivery | None = None
    accepted_by_user: bool = False
    notes: list[str] = field(default_factory=list)


def follow(remote: RemoteServer, fed: FederationClient, user: CandidateUser,
           settings: dict[str, Any], follower: LocalActor, inbox_url: str,
           timeout: float) -> FollowOutcome:
    """``follower`` follows the candidate's actor; waits for the Accept."""
    request = activity(remote, "Follow", follower, user.actor_id)
    mark = remote.mark()
    response = fed.post(inbox_url, request, follower)
    outcome = FollowOutcome(follower, request, response.status_code)
    if not 200 <= response.status_code < 300:
        return outcome

    def is_accept(delivery: Delivery) -> bool:
        body = delivery.json() or {}
        return (delivery.path.startswith(urlsplit(follower.inbox).path)
                and body.get("type") == "Accept" and refers_to(body.get("object"), request["id"]))

    wait_first = 2.0 if settings.get("accept_follows_via_outbox") else timeout
    outcome.accept = remote.wait_for(mark, is_accept, wait_first)
    if outcome.accept is None and settings.get("accept_follows_via_outbox"):
        user.post({"@context": AS_CONTEXT, "type": "Accept", "actor": user.actor_id,
                   "object": request, "to": [follower.id]})
        outcome.accepted_by_user = True
        outcome.accept = remote.wait_for(mark, is_accept, timeout)
    return outcome


@pytest.fixture(scope="session")
def followed(remote: RemoteServer, fed: FederationClient, user: CandidateUser,
             ap_settings: dict[str, Any], me: LocalActor, inbox: str,
             delivery_timeout: float) -> FollowOutcome:
    """The harness's eos-alice follows the candidate's actor (once per run)."""
    outcome = follow(remote, fed, user, ap_settings, me, inbox, delivery_timeout)
    if not 200 <= outcome.response_status < 300:
        cant_tell(f"the inbox refused a correctly signed Follow (HTTP {outcome.response_status})")
    return outcome


@dataclass
class PostedNote:
    create_id: str | None
    note_id: str | None
    marker: str
    to_follower: Delivery | None
    to_bcc: Delivery | None


def create_matches(marker: str, inbox_path: str) -> Any:
    def accept(delivery: Delivery) -> bool:
        body = delivery.json() or {}
        obj = body.get("object")
        return (delivery.path.startswith(inbox_path) and body.get("type") == "Create"
                and isinstance(obj, dict) and marker in str(obj.get("content", "")))
    return accept


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


@dataclass
class DeletedNote:
    note_id: str
    delivery: Delivery | None


@pytest.fixture(scope="session")
def deleted(posted: PostedNote, remote: RemoteServer, user: CandidateUser, me: LocalActor,
            delivery_timeout: float) -> DeletedNote:
    if posted.note_id is None:
        cant_tell("no delivered Note to delete")
    mark = remote.mark()
    user.post({"@context": AS_CONTEXT, "type": "Delete", "actor": user.actor_id,
               "object": posted.note_id, "to": [PUBLIC]})
    note_id = posted.note_id

    def is_delete(delivery: Delivery) -> bool:
        body = delivery.json() or {}
        return body.get("type") == "Delete" and url_of(body.get("object")) == note_id

    delivery = remote.wait_for(mark, is_delete, delivery_timeout)
    time.sleep(0.3)  # the origin updates its own copy asynchronously on some servers
    return DeletedNote(note_id, delivery)


def user_follows(remote: RemoteServer, user: CandidateUser, target: LocalActor,
                 timeout: float) -> dict[str, Any] | None:
    """The candidate's user follows ``target``; the Follow as delivered to its inbox."""
    mark = remote.mark()
    user.post({"@context": AS_CONTEXT, "type": "Follow", "actor": user.actor_id,
               "object": target.id, "to": [target.id]})

    def is_follow(delivery: Delivery) -> bool:
        body = delivery.json() or {}
        return (delivery.path.startswith(urlsplit(target.inbox).path)
                and body.get("type") == "Follow" and url_of(body.get("object")) == target.id)

    delivery = remote.wait_for(mark, is_follow, timeout)
    return delivery.json() if delivery is not None else None
