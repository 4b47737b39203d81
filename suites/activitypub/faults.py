"""The ActivityPub fault catalogue: each fault makes a real server (behind a rewriting proxy)
break one rule, and names the requirements whose checks must then fail.

Two directions. Most faults sit between the harness and the candidate, like the CalDAV ones.
Faults of the candidate's own deliveries (unsigned, wrong key, wrong Content-Type…) are
``inbound``: the suite puts a proxy with them in front of its own remote server, so the
candidate's real deliveries arrive broken, as a buggy sender's would.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from conformance.faults import Fault, ProxyRequest, ProxyResponse

JsonEdit = Callable[[dict[str, Any]], bool]


def _json(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _rewrite_response(method: str, edit: JsonEdit) -> Callable[[ProxyRequest, ProxyResponse],
                                                                 ProxyResponse]:
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        document = _json(response.body) if request.method == method else None
        if document is None or not edit(document):
            return response
        return response.with_body(json.dumps(document).encode())
    return on_response


def _with_header(request: ProxyRequest, name: str, value: str) -> ProxyRequest:
    return replace(request.without_header(name), headers={
        **request.without_header(name).headers, name: value})


def _rewrite_request_body(edit: JsonEdit) -> Callable[[ProxyRequest], ProxyRequest]:
    def on_request(request: ProxyRequest) -> ProxyRequest:
        document = _json(request.body) if request.method == "POST" else None
        if document is None or not edit(document):
            return request
        return request.with_body(json.dumps(document).encode())
    return on_request


def _is_webfinger(request: ProxyRequest) -> bool:
    return request.path.startswith("/.well-known/webfinger")


# --- harness -> candidate -------------------------------------------------------------------

def _unknown_account_found(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if _is_webfinger(request) and response.status == 404:
        return ProxyResponse(200, [("Content-Type", "application/jrd+json")],
                             b'{"subject": "acct:nobody@example.invalid", "links": []}')
    return response


def _jrd_as_json(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if _is_webfinger(request):
        return response.with_header("Content-Type", "application/json")
    return response


def _drop_self_links(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if not _is_webfinger(request):
        return response
    document = _json(response.body)
    if document is None:
        return response
    document["links"] = [link for link in document.get("links", [])
                         if not (isinstance(link, dict) and link.get("rel") == "self")]
    return response.with_body(json.dumps(document).encode())


def _is_actor(document: dict[str, Any]) -> bool:
    return isinstance(document.get("publicKey"), dict) and "inbox" in document


def _drop_inbox(document: dict[str, Any]) -> bool:
    return _is_actor(document) and document.pop("inbox", None) is not None


def _foreign_key_owner(document: dict[str, Any]) -> bool:
    if not _is_actor(document):
        return False
    document["publicKey"]["owner"] = "https://someone-else.example/actor"
    return True


def _actor_as_html(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    document = _json(response.body) if request.method == "GET" else None
    if document is not None and _is_actor(document):
        return response.with_header("Content-Type", "text/html; charset=utf-8")
    return response


def _accept_unsigned(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if request.method == "POST" and request.header("Signature") is None \
            and request.header("X-Cattle-Grid-Requester") is None:
        return ProxyResponse(202, [("Content-Type", "application/json")], b'{"status": "ok"}')
    return request


def _unverified_accepted(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if request.method == "POST" and request.header("Signature") and response.status in (401, 403):
        return ProxyResponse(202, [("Content-Type", "application/json")], b'{"status": "ok"}')
    return response


def _nodeinfo_without_activitypub(request: ProxyRequest, response: ProxyResponse
                                  ) -> ProxyResponse:
    document = _json(response.body) if request.method == "GET" else None
    if document is None or "protocols" not in document:
        return response
    document["protocols"] = [p for p in document["protocols"] if p != "activitypub"]
    return response.with_body(json.dumps(document).encode())


def _ordered_as_plain(document: dict[str, Any]) -> bool:
    if document.get("type") != "OrderedCollection":
        return False
    document["type"] = "Collection"
    return True


def _oldest_first(document: dict[str, Any]) -> bool:
    items = document.get("orderedItems")
    if not isinstance(items, list) or len(items) < 2:
        return False
    document["orderedItems"] = list(reversed(items))
    return True


def _harness_followers_hidden(document: dict[str, Any]) -> bool:
    items = document.get("orderedItems", document.get("items"))
    if not isinstance(items, list):
        return False
    kept = [i for i in items if not (isinstance(i, str) and "/actors/eos-" in i)]
    if len(kept) == len(items):
        return False
    document["orderedItems" if "orderedItems" in document else "items"] = kept
    document["totalItems"] = len(kept)
    return True


def _inbox_items_doubled(document: dict[str, Any]) -> bool:
    items = document.get("orderedItems")
    if document.get("type") not in ("OrderedCollection", "OrderedCollectionPage") \
            or not isinstance(items, list) or not items:
        return False
    document["orderedItems"] = [x for item in items for x in (item, item)]
    return True


def _gone_as_ok(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if request.method == "GET" and response.status == 410:
        return ProxyResponse(200, response.headers, json.dumps(
            {"type": "Note", "content": "still here"}).encode())
    return response


def _refuse_compact_forms(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    document = _json(request.body) if request.method == "POST" else None
    if document is not None and document.get("type") == "Like" and (
            not isinstance(document.get("to"), list) or isinstance(document.get("actor"), dict)
            or not isinstance(document.get("@context"), list)):
        return ProxyResponse(400, [("Content-Type", "application/json")],
                             b'{"error": "unsupported form"}')
    return request


# --- candidate -> harness (inbound: the candidate's deliveries) --------------------------------

def _strip_signature(request: ProxyRequest) -> ProxyRequest:
    return request.without_header("Signature").without_header("Signature-Input")


def _text_plain(request: ProxyRequest) -> ProxyRequest:
    return _with_header(request, "Content-Type", "text/plain")


def _wrong_digest(request: ProxyRequest) -> ProxyRequest:
    if request.header("Digest") is None:
        return request
    import base64

    other = base64.b64encode(hashlib.sha256(request.body + b" ").digest()).decode()
    return _with_header(request.without_header("Content-Digest"), "Digest", f"SHA-256={other}")


def _foreign_key_id(request: ProxyRequest) -> ProxyRequest:
    signature = request.header("Signature")
    if signature is None:
        return request
    # The sender names a key of another actor (the harness's eos-mallory) as keyId.
    host = request.header("Host") or ""
    start = signature.index('keyId="') + len('keyId="')
    end = signature.index('"', start)
    changed = signature[:start] + f"http://{host}/actors/eos-mallory#main-key" + signature[end:]
    return _with_header(request, "Signature", changed)


def _drop(kind: str) -> Callable[[ProxyRequest], ProxyRequest | ProxyResponse]:
    def on_request(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
        document = _json(request.body) if request.method == "POST" else None
        if document is not None and document.get("type") == kind:
            return ProxyResponse(202, [("Content-Type", "application/json")], b"{}")
        return request
    return on_request


def _inbound(name: str, **hooks: Any) -> Fault:
    return Fault(f"{name}-on-delivery", "applied to the candidate's deliveries", (), **hooks)


FAULTS: list[Fault] = [
    Fault("webfinger-unknown-found",
          "WebFinger answers 200 with a JRD for accounts that do not exist.",
          ("activitypub.webfinger.unknown-404",), on_response=_unknown_account_found),
    Fault("webfinger-as-plain-json", "WebFinger answers are labelled application/json.",
          ("activitypub.webfinger.media-type",), on_response=_jrd_as_json),
    Fault("webfinger-without-self-link", "The JRD does not link the ActivityPub actor.",
          ("activitypub.webfinger.self-link",), on_response=_drop_self_links),
    Fault("actor-missing-inbox", "The actor document has no inbox.",
          ("activitypub.actor.inbox",), on_response=_rewrite_response("GET", _drop_inbox)),
    Fault("actor-key-owner-wrong", "The actor's publicKey names another actor as owner.",
          ("activitypub.actor.key-owner",),
          on_response=_rewrite_response("GET", _foreign_key_owner)),
    Fault("actor-served-as-html", "Actor documents are labelled text/html.",
          ("activitypub.actor.retrievable", "activitypub.negotiation.activity-json",
           "activitypub.negotiation.ld-json"), on_response=_actor_as_html),
    Fault("unsigned-posts-accepted", "The inbox accepts deliveries without a signature.",
          ("activitypub.inbox.unsigned-rejected",), on_request=_accept_unsigned),
    Fault("signatures-not-verified",
          "The inbox accepts signed deliveries whose signature or digest does not verify.",
          ("activitypub.httpsig.bad-signature-rejected",
           "activitypub.httpsig.digest-mismatch-rejected"), on_response=_unverified_accepted),
    Fault("nodeinfo-without-activitypub", "NodeInfo does not list the activitypub protocol.",
          ("activitypub.nodeinfo.document",), on_response=_nodeinfo_without_activitypub),
    Fault("outbox-unordered", "Ordered collections are served as plain Collections.",
          ("activitypub.outbox.ordered-collection",),
          on_response=_rewrite_response("GET", _ordered_as_plain)),
    Fault("outbox-oldest-first", "Ordered collections list their oldest items first.",
          ("activitypub.outbox.reverse-chronological",),
          on_response=_rewrite_response("GET", _oldest_first)),
    Fault("followers-not-updated", "Accepted followers never appear in the followers list.",
          ("activitypub.followers.updated",),
          on_response=_rewrite_response("GET", _harness_followers_hidden)),
    Fault("inbox-not-deduplicated", "An activity delivered twice is stored twice.",
          ("activitypub.inbox.deduplicated",),
          on_response=_rewrite_response("GET", _inbox_items_doubled)),
    Fault("deleted-object-still-served", "Deleted objects are still served with 200.",
          ("activitypub.delete.gone", "activitypub.delete.tombstone"), on_response=_gone_as_ok),
    Fault("jsonld-compact-forms-refused",
          "The inbox refuses single-valued audiences, embedded actors and string contexts.",
          ("activitypub.jsonld.equivalent-forms",), on_request=_refuse_compact_forms),
    Fault("unsigned-deliveries", "The candidate delivers without HTTP signatures.",
          ("activitypub.delivery.signed", "activitypub.create.signed"),
          inbound=_inbound("unsigned", on_request=_strip_signature)),
    Fault("deliveries-as-text-plain", "The candidate delivers with Content-Type text/plain.",
          ("activitypub.delivery.content-type",),
          inbound=_inbound("text-plain", on_request=_text_plain)),
    Fault("delivery-digest-wrong", "The candidate's Digest does not match what it sends.",
          ("activitypub.delivery.digest",),
          inbound=_inbound("digest", on_request=_wrong_digest)),
    Fault("delivery-signed-with-foreign-key",
          "The candidate signs deliveries with a key that another actor owns.",
          ("activitypub.delivery.key-owner",),
          inbound=_inbound("foreign-key", on_request=_foreign_key_id)),
    Fault("accept-never-sent", "The candidate never delivers the Accept of a Follow.",
          ("activitypub.follow.accept-delivered",),
          inbound=_inbound("no-accept", on_request=_drop("Accept"))),
    Fault("create-not-delivered", "The candidate does not deliver posts to followers.",
          ("activitypub.create.delivered",),
          inbound=_inbound("no-create", on_request=_drop("Create"))),
]
