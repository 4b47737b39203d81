"""Faults of the side effects of received activities (ActivityPub §7): reactions never counted,
Undos ignored, Updates by strangers applied, replies never forwarded. Each imitates a plausible
server bug by remembering what the proxy saw delivered and rewriting what the candidate later
serves; the ones for rules bovine-herd breaks itself run in front of Fedify."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from conformance.api import Fault, ProxyRequest, ProxyResponse
from suites.activitypub.streams import as_list, url_of

FEDIFY = "fedify"


def _posted(request: ProxyRequest) -> dict[str, Any] | None:
    return request.json_object() if request.method == "POST" else None


def _item_lists(document: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """Where a collection or page lists its items (an embedded first page too)."""
    found: list[tuple[dict[str, Any], str]] = [
        (document, key) for key in ("orderedItems", "items") if key in document]
    first = document.get("first")
    if isinstance(first, dict):
        found += [(first, key) for key in ("orderedItems", "items") if key in first]
    return found


class _Reactions:
    """The Likes or Announces (``kind``) delivered, and those whose Undo was delivered."""

    def __init__(self, kind: str, hide: bool) -> None:
        self.kind, self.hide = kind, hide
        self.target: dict[str, str] = {}  # reaction id -> the object it reacts to
        self.undone: list[str] = []

    def on_request(self, request: ProxyRequest) -> ProxyRequest:
        body = _posted(request)
        if body is None or not request.header("Signature"):
            return request  # only server-to-server deliveries (signed) are reactions
        if body.get("type") == self.kind and isinstance(body.get("id"), str):
            self.target[body["id"]] = str(url_of(body.get("object")))
        if body.get("type") == "Undo" and url_of(body.get("object")) in self.target:
            self.undone.append(str(url_of(body.get("object"))))
        return request

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        document = response.json_object() if request.method == "GET" else None
        if document is None or request.path_only.endswith("/inbox"):
            return response
        changed = False
        for holder, key in _item_lists(document):
            items = as_list(holder.get(key))
            if self.hide:
                # Never counted: the reactions are missing from the object's collection.
                kept = [i for i in items if url_of(i) not in self.target]
            else:
                # Undo ignored: an undone reaction stays beside the others of its object.
                objects = {self.target[i] for i in map(url_of, items) if i in self.target}
                kept = items + [u for u in self.undone
                                if self.target[u] in objects and u not in map(url_of, items)]
            if kept != items:
                holder[key] = kept
                changed = True
        return response.with_json(document) if changed else response


class _StrangersUpdateApplied:
    """An Update of an object is applied whoever sends it: the object is then served with the
    content the Update gave it."""

    def __init__(self) -> None:
        self.content: dict[str, Any] = {}  # object path -> the content a stranger gave it

    def on_request(self, request: ProxyRequest) -> ProxyRequest:
        body = _posted(request)
        obj = body.get("object") if body is not None else None
        if body is not None and body.get("type") == "Update" and isinstance(obj, dict) \
                and request.header("Signature") and isinstance(obj.get("id"), str):
            actor = url_of(body.get("actor")) or ""
            owner = url_of(obj.get("attributedTo")) or ""
            if actor != owner:
                self.content[urlsplit(obj["id"]).path] = obj.get("content")
        return request

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        document = response.json_object() if request.method == "GET" else None
        if document is None or request.path_only not in self.content:
            return response
        document["content"] = self.content[request.path_only]
        return response.with_json(document)


def _forwarded_dropped(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    """The candidate's forwards never leave: deliveries of another actor's activity vanish."""
    body = _posted(request)
    actor = url_of(body.get("actor")) if body is not None else None
    if actor is not None and "/actors/eos-" in actor:
        return ProxyResponse.from_json(202, {})
    return request


def _inbound(name: str, **hooks: Any) -> Fault:
    return Fault(f"{name}-on-delivery", "applied to the candidate's deliveries", (), **hooks)


_LIKES_HIDDEN, _LIKE_UNDO = _Reactions("Like", hide=True), _Reactions("Like", hide=False)
_SHARES_HIDDEN, _SHARE_UNDO = _Reactions("Announce", hide=True), _Reactions("Announce", hide=False)
_STRANGER = _StrangersUpdateApplied()

EFFECT_FAULTS: list[Fault] = [
    Fault("likes-never-counted", "Received Likes never show in the object's likes collection.",
          ("activitypub.like.likes-added",),
          on_request=_LIKES_HIDDEN.on_request, on_response=_LIKES_HIDDEN.on_response),
    Fault("undo-like-ignored", "An Undo of a Like leaves the Like in the likes collection.",
          ("activitypub.undo.like",),
          on_request=_LIKE_UNDO.on_request, on_response=_LIKE_UNDO.on_response),
    Fault("shares-never-counted",
          "Received Announces never show in the object's shares collection.",
          ("activitypub.announce.shares-added",),
          on_request=_SHARES_HIDDEN.on_request, on_response=_SHARES_HIDDEN.on_response),
    Fault("undo-announce-ignored",
          "An Undo of an Announce leaves the Announce in the shares collection.",
          ("activitypub.undo.announce",),
          on_request=_SHARE_UNDO.on_request, on_response=_SHARE_UNDO.on_response),
    Fault("update-by-stranger-applied",
          "An Update of the user's Note by another actor is applied (as bovine-herd's).",
          ("activitypub.update.owner-only",),
          on_request=_STRANGER.on_request, on_response=_STRANGER.on_response,
          proven_against=FEDIFY),
    Fault("replies-not-forwarded",
          "Replies addressed to the user's followers are never forwarded (as bovine-herd's).",
          ("activitypub.inbox.forwarding",),
          inbound=_inbound("no-forward", on_request=_forwarded_dropped), proven_against=FEDIFY),
]
