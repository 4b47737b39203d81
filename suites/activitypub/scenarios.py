"""Acting as the candidate's own user (client-to-server, as the manifest says how) and the
federation scenarios several checks look at: a harness actor follows the candidate's user,
the user posts a Note and deletes it, the user follows a harness actor.

Manifest settings under ``[settings.activitypub]``: ``client_headers`` (headers that make a
request the candidate's own user's; ``{actor}`` is the actor id) and
``accept_follows_via_outbox`` (the user accepts follows through the outbox, for servers that do
not accept them by themselves).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from conformance.api import cant_tell
from suites.activitypub.client import FederationClient
from suites.activitypub.remote import AS_CONTEXT, Delivery, LocalActor, RemoteServer
from suites.activitypub.streams import as_list, refers_to, url_of


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
        return self.fetch(self.actor_id) or self.actor

    def fetch(self, url: str) -> dict[str, Any] | None:
        """``url`` as the user sees it (a JSON object), or None."""
        self._require()
        response = self.fed.get(url, None, extra=self.headers)
        try:
            value = response.json()
        except ValueError:
            value = None
        return value if isinstance(value, dict) else None

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

    def submit(self, activity: dict[str, Any]) -> requests.Response:
        """POSTs to the user's outbox as its client (ActivityPub §6); the answer as it is."""
        self._require()
        outbox = url_of(self.actor.get("outbox"))
        if outbox is None:
            cant_tell("the actor document names no outbox")
        return self.fed.post(outbox, activity, None, extra=self.headers)

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


def activity(remote: RemoteServer, kind: str, by: LocalActor, obj: Any,
             **extra: Any) -> dict[str, Any]:
    """A new activity by a harness actor, published at its id."""
    value = {"@context": AS_CONTEXT, "id": remote.new_object_id(), "type": kind,
             "actor": by.id, "object": obj, **extra}
    remote.publish(value)
    return value


@dataclass
class FollowLedger:
    """Who the harness knows to follow the candidate's user, and whom the user follows, from
    the Accepts and Undos of this run: what the collections must list exactly (the candidate
    is a fresh instance, so nobody else is in them)."""

    followers: set[str] = field(default_factory=set)
    following: set[str] = field(default_factory=set)


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


@dataclass
class DeletedNote:
    note_id: str
    delivery: Delivery | None


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
