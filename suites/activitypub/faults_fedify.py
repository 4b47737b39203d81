"""Faults for the rules bovine-herd itself breaks, proven in front of Fedify, which keeps them.

A fault is only shown caught when its requirement passes without it, so these cannot run in
front of bovine; each imitates the bug bovine really has (see its manifest), now injected in
front of a server that does not have it (``proven_against = "fedify"``).
"""

from __future__ import annotations

from typing import Any

from conformance.api import Fault, ProxyRequest, ProxyResponse
from suites.activitypub import httpsig
from suites.activitypub.streams import as_list

FEDIFY = "fedify"


def _webfinger_without_cors(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if request.path.startswith("/.well-known/webfinger"):
        return response.without_header("Access-Control-Allow-Origin")
    return response


def _collections_only_for_owner(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    """As bovine's Actor.build: followers and following only in the owner's own view."""
    document = response.json_object() if request.method == "GET" else None
    if document is None or not isinstance(document.get("publicKey"), dict) \
            or request.header("Authorization"):
        return response
    document.pop("followers", None)
    document.pop("following", None)
    return response.with_json(document)


def _bcc_kept(request: ProxyRequest) -> ProxyRequest:
    """As bovine's send_item: the delivered Create keeps a bcc (the recipient's own id)."""
    document = request.json_object() if request.method == "POST" else None
    if document is None or document.get("type") != "Create":
        return request
    document["bcc"] = ["http://elsewhere.invalid/actors/hidden"]
    return request.with_json(document)


class _ForgedActorKept:
    """As bovine's sanitize (its `return` commented out): a delivery signed by one actor's key
    but naming another actor is answered 202 and then listed in the user's inbox."""

    def __init__(self) -> None:
        self.kept: list[str] = []

    def on_request(self, request: ProxyRequest) -> ProxyRequest | ProxyResponse:
        document = request.json_object() if request.method == "POST" else None
        signature = request.header("Signature")
        if document is None or not signature or request.header("Signature-Input"):
            return request
        try:
            signer = httpsig.parse_cavage(signature).key_id.split("#")[0]
        except httpsig.SignatureProblem:
            return request
        actor = document.get("actor")
        actor_id = actor.get("id") if isinstance(actor, dict) else actor
        if not isinstance(actor_id, str) or actor_id == signer or not document.get("id"):
            return request
        self.kept.append(str(document["id"]))
        return ProxyResponse.from_json(202, {})

    def on_response(self, request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        document = response.json_object() if request.method == "GET" else None
        if document is None or not request.path_only.endswith("/inbox") or not self.kept:
            return response
        key = "orderedItems" if "orderedItems" in document else "items"
        document[key] = list(self.kept) + as_list(document.get(key))
        return response.with_json(document)


def _inbound(name: str, **hooks: Any) -> Fault:
    return Fault(f"{name}-on-delivery", "applied to the candidate's deliveries", (), **hooks)


_FORGED = _ForgedActorKept()

FEDIFY_FAULTS: list[Fault] = [
    Fault("webfinger-without-cors",
          "WebFinger answers carry no Access-Control-Allow-Origin (as bovine-herd's).",
          ("activitypub.webfinger.cors",), on_response=_webfinger_without_cors,
          proven_against=FEDIFY),
    Fault("actor-collections-owner-only",
          "The actor document shows followers and following to its owner only (as "
          "bovine-herd's).",
          ("activitypub.actor.followers", "activitypub.actor.following"),
          on_response=_collections_only_for_owner, proven_against=FEDIFY),
    Fault("delivery-keeps-bcc", "The delivered Create still carries bcc (as bovine-herd's).",
          ("activitypub.delivery.bcc-stripped",),
          inbound=_inbound("bcc-kept", on_request=_bcc_kept), proven_against=FEDIFY),
    Fault("inbox-keeps-forged-actor",
          "An activity signed by another actor's key is answered 202 and stored (as "
          "bovine-herd's).",
          ("activitypub.inbox.actor-key-owner",),
          on_request=_FORGED.on_request, on_response=_FORGED.on_response,
          proven_against=FEDIFY),
]
