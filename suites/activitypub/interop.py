"""Mutual federation of two real candidates, with no harness actor in between: A's user follows
B's user (B's user accepts, through its outbox where B needs that), B's user posts a Note that
must reach A's user's inbox, A's user undoes the Follow and B's followers must drop A's actor.
Run in both directions by ``tests/integration/test_activitypub_interop.py``.

Each peer is driven only as its own user (the manifest's ``client_headers``); everything
between the two servers is their own server-to-server traffic.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from suites.activitypub import httpsig
from suites.activitypub.remote import AP_MEDIA_TYPE, AS_CONTEXT
from suites.activitypub.streams import PUBLIC, as_list, ids_of, url_of


@dataclass
class Peer:
    name: str
    base: str  # where it is reached, the same as its origin here
    username: str
    client_headers: dict[str, str]
    accepts_via_outbox: bool
    actor_id: str = ""
    actor: dict[str, Any] = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        own = {k: v.replace("{actor}", self.actor_id) for k, v in self.client_headers.items()}
        return {"Accept": AP_MEDIA_TYPE, **own}

    def discover(self) -> None:
        host = urlsplit(self.base).netloc
        jrd = requests.get(f"{self.base.rstrip('/')}/.well-known/webfinger?resource="
                           f"{quote(f'acct:{self.username}@{host}', safe=':@')}", timeout=10)
        self.actor_id = next(str(link["href"]) for link in jrd.json()["links"]
                             if link.get("rel") == "self")
        self.actor = self.get(self.actor_id) or {}

    def get(self, url: str) -> dict[str, Any] | None:
        answer = requests.get(url, headers=self.headers(), timeout=10)
        try:
            value = answer.json()
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def post(self, activity: dict[str, Any]) -> requests.Response:
        body = json.dumps({"@context": AS_CONTEXT, "actor": self.actor_id, **activity}).encode()
        return requests.post(str(url_of(self.actor.get("outbox"))), data=body, timeout=10,
                             headers={**self.headers(), "Content-Type": AP_MEDIA_TYPE,
                                      "Digest": httpsig.digest_header(body)})

    def items(self, key: str) -> list[Any]:
        """The items of the actor's collection ``key``, its first page embedded or linked."""
        url = url_of(self.actor.get(key))
        found: list[Any] = []
        page = self.get(url) if url else None
        for _ in range(10):
            if page is None:
                break
            found += as_list(page.get("orderedItems", page.get("items")))
            first = page.get("first")
            link = first if not isinstance(first, dict) else None
            if isinstance(first, dict):
                found += as_list(first.get("orderedItems", first.get("items")))
                link = first.get("next")
            page = self.get(str(url_of(link))) if url_of(link) else None
        return found


@dataclass
class Step:
    what: str
    ok: bool


def _until(test: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)
    return True


def _follow_of(peer: Peer, follower: str) -> dict[str, Any] | None:
    for item in peer.items("inbox"):
        document = item if isinstance(item, dict) else peer.get(str(item))
        if document and document.get("type") == "Follow" and url_of(document.get("actor")) == \
                follower:
            return document
    return None


def follow_post_undo(a: Peer, b: Peer, timeout: float = 15) -> list[Step]:
    """A follows B, B posts, A undoes; each step as the two servers did it."""
    steps: list[Step] = []
    follow = a.post({"type": "Follow", "object": b.actor_id, "to": [b.actor_id]})
    steps.append(Step(f"{a.name}'s user posts a Follow of {b.name}'s user",
                      200 <= follow.status_code < 300))
    follow_id = follow.headers.get("Location")
    if b.accepts_via_outbox:
        seen = _until(lambda: _follow_of(b, a.actor_id) is not None, timeout)
        steps.append(Step(f"the Follow reaches {b.name}'s inbox", seen))
        if seen:
            accepted = b.post({"type": "Accept", "object": _follow_of(b, a.actor_id),
                               "to": [a.actor_id]})
            steps.append(Step(f"{b.name}'s user posts the Accept (HTTP {accepted.status_code})",
                              200 <= accepted.status_code < 300))
    steps.append(Step(f"{b.name}'s followers list {a.name}'s actor", _until(
        lambda: a.actor_id in ids_of(b.items("followers")), timeout)))
    steps.append(Step(f"{a.name}'s following lists {b.name}'s actor (the Accept arrived)",
                      _until(lambda: b.actor_id in ids_of(a.items("following")), timeout)))
    marker = f"eos-interop-{uuid.uuid4().hex[:8]}"
    followers = url_of((b.get(b.actor_id) or {}).get("followers"))
    b.post({"type": "Create", "to": [PUBLIC], "cc": as_list(followers),
            "object": {"type": "Note", "content": marker, "attributedTo": b.actor_id,
                       "to": [PUBLIC], "cc": as_list(followers)}})

    def note_arrived() -> bool:
        for item in a.items("inbox"):
            document = item if isinstance(item, dict) else a.get(str(item))
            obj = (document or {}).get("object")
            obj = obj if isinstance(obj, dict) else a.get(str(obj)) if obj else None
            if obj and marker in str(obj.get("content", "")):
                return True
        return False

    steps.append(Step(f"{b.name}'s post reaches {a.name}'s inbox", _until(note_arrived, timeout)))
    original = a.get(follow_id) if follow_id else None
    a.post({"type": "Undo", "object": original or follow_id, "to": [b.actor_id]})
    steps.append(Step(f"{a.name}'s Undo removes it from {b.name}'s followers", _until(
        lambda: a.actor_id not in ids_of(b.items("followers")), timeout)))
    return steps
