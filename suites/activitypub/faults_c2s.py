"""Faults of the client-to-server API (ActivityPub §6), in a proxy between the harness (as the
user's client) and the candidate's outbox. The ones for rules bovine-herd breaks itself run in
front of Fedify's minimal app, which keeps them."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from conformance.api import Fault, ProxyRequest, ProxyResponse
from suites.activitypub.streams import as_list, url_of

FEDIFY = "fedify"
ACTIVITY_TYPES = {"Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Like",
                  "Announce", "Block", "Add", "Remove"}


def _to_outbox(request: ProxyRequest) -> dict[str, Any] | None:
    """A client's post (unsigned: server-to-server deliveries carry HTTP signatures; outbox
    URLs need not end in /outbox)."""
    if request.method != "POST" or request.header("Signature"):
        return None
    return request.json_object()


def _served(request: ProxyRequest, response: ProxyResponse) -> dict[str, Any] | None:
    return response.json_object() if request.method == "GET" else None


def _answers_200(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    return response.with_status(200) if _to_outbox(request) is not None \
        and response.status == 201 else response


def _keeps_submitted_id(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    body = _to_outbox(request)
    if body is not None and isinstance(body.get("id"), str):
        return response.with_header("Location", body["id"])
    return response


def _bare_objects_refused(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    body = _to_outbox(request)
    if body is not None and body.get("type") not in ACTIVITY_TYPES:
        return ProxyResponse.from_json(400, {"error": "only activities may be posted"})
    return request


def _create_without_cc(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    document = _served(request, response)
    if document is None or document.get("type") != "Create" or "cc" not in document:
        return response
    document.pop("cc")
    return response.with_json(document)


def _note_without_author(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    document = _served(request, response)
    if document is None or document.get("type") != "Note" or "attributedTo" not in document:
        return response
    document.pop("attributedTo")
    return response.with_json(document)


def _updates_swallowed(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    body = _to_outbox(request)
    if body is not None and body.get("type") == "Update":
        return ProxyResponse(201, [("Location", str(url_of(body.get("object"))))], b"")
    return request


class _UpdateReplacesWhole:
    """Updates replace the object: what the Update did not name is served no more."""

    def __init__(self) -> None:
        self.named: dict[str, set[str]] = {}  # object id -> the keys its Update gave

    def on_request(self, request: ProxyRequest) -> ProxyRequest:
        body = _to_outbox(request)
        obj = body.get("object") if body is not None else None
        if body is not None and body.get("type") == "Update" and isinstance(obj, dict):
            self.named[str(obj.get("id"))] = set(obj)
        return request

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        document = _served(request, response)
        keys = self.named.get(str(document.get("id"))) if document is not None else None
        if document is None or keys is None:
            return response
        kept = {"@context", "id", "type"} | keys
        return response.with_json({k: v for k, v in document.items() if k in kept})


class _LikedNeverUpdated:
    """The objects the user likes never show in its liked collection."""

    def __init__(self) -> None:
        self.liked: set[str] = set()

    def on_request(self, request: ProxyRequest) -> ProxyRequest:
        body = _to_outbox(request)
        if body is not None and body.get("type") == "Like" and url_of(body.get("object")):
            self.liked.add(str(url_of(body.get("object"))))
        return request

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        document = _served(request, response)
        if document is None or not self.liked:
            return response
        changed = False
        for key in ("orderedItems", "items"):
            if key in document:
                items = as_list(document[key])
                document[key] = [i for i in items if url_of(i) not in self.liked]
                changed = changed or document[key] != items
        return response.with_json(document) if changed else response


def _block_delivered(request: ProxyRequest) -> ProxyRequest:
    """The server delivers a Block to its object, as any activity to its audience."""
    body = _to_outbox(request)
    target = url_of(body.get("object")) if body is not None and body.get("type") == "Block" \
        else None
    if target is None:
        return request
    try:
        asked = urllib.request.Request(target, headers={"Accept": "application/activity+json"})
        with urllib.request.urlopen(asked, timeout=5) as answer:
            inbox = json.loads(answer.read()).get("inbox")
        sent = urllib.request.Request(str(inbox), data=json.dumps(body).encode(), method="POST",
                                      headers={"Content-Type": "application/activity+json"})
        urllib.request.urlopen(sent, timeout=5).close()
    except (OSError, ValueError, AttributeError):
        pass  # the Block simply is not delivered then; the check decides
    return request


_WHOLE = _UpdateReplacesWhole()
_LIKED = _LikedNeverUpdated()

C2S_FAULTS: list[Fault] = [
    Fault("outbox-answers-200", "The outbox answers a Create with 200 instead of 201 Created.",
          ("activitypub.c2s.outbox-created",), on_response=_answers_200),
    Fault("outbox-keeps-submitted-id",
          "The outbox keeps the id the client put on the activity (Location names it).",
          ("activitypub.c2s.id-assigned",), on_response=_keeps_submitted_id),
    Fault("outbox-updates-swallowed", "Updates posted to the outbox are answered and dropped.",
          ("activitypub.c2s.update-applied",), on_request=_updates_swallowed),
    Fault("outbox-refuses-bare-objects",
          "The outbox refuses an object that is no activity (as bovine-herd does not wrap it).",
          ("activitypub.c2s.create-wrapped",), on_request=_bare_objects_refused,
          proven_against=FEDIFY),
    Fault("wrapping-create-loses-cc", "The Create made around a bare object has no cc.",
          ("activitypub.c2s.wrap-audience",), on_response=_create_without_cc,
          proven_against=FEDIFY),
    Fault("create-not-attributed",
          "The actor is not copied onto the object's attributedTo (as bovine-herd's).",
          ("activitypub.c2s.create-attributed",), on_response=_note_without_author,
          proven_against=FEDIFY),
    Fault("update-replaces-whole-object",
          "A client Update replaces the whole object (as bovine-herd's).",
          ("activitypub.c2s.update-partial",),
          on_request=_WHOLE.on_request, on_response=_WHOLE.on_response, proven_against=FEDIFY),
    Fault("liked-never-updated", "The user's Likes never show in its liked collection.",
          ("activitypub.c2s.like-liked",),
          on_request=_LIKED.on_request, on_response=_LIKED.on_response, proven_against=FEDIFY),
    Fault("block-delivered-to-object",
          "A Block is delivered to the blocked actor (as bovine-herd's).",
          ("activitypub.c2s.block-not-delivered",), on_request=_block_delivered,
          proven_against=FEDIFY),
]
