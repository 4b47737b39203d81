"""Faults of the client-to-server API (ActivityPub §6), in a proxy between the harness (as the
user's client) and bovine-herd's outbox.

Fedify has no client-to-server API (its minimal app's owner channel is our wiring, not
Fedify's), so it claims no c2s profile and proves no c2s fault. The c2s rules bovine-herd
breaks itself therefore have no real product in front of which a fault could be shown caught:
they are exempt, each proven by bovine-herd's own failure."""

from __future__ import annotations

from typing import Any

from conformance.api import Exemption, Fault, ProxyRequest, ProxyResponse
from suites.activitypub.streams import url_of


def _to_outbox(request: ProxyRequest) -> dict[str, Any] | None:
    """A client's post (unsigned: server-to-server deliveries carry HTTP signatures; outbox
    URLs need not end in /outbox)."""
    if request.method != "POST" or request.header("Signature"):
        return None
    return request.json_object()


def _answers_200(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    return response.with_status(200) if _to_outbox(request) is not None \
        and response.status == 201 else response


def _keeps_submitted_id(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    body = _to_outbox(request)
    if body is not None and isinstance(body.get("id"), str):
        return response.with_header("Location", body["id"])
    return response


def _updates_swallowed(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    body = _to_outbox(request)
    if body is not None and body.get("type") == "Update":
        return ProxyResponse(201, [("Location", str(url_of(body.get("object"))))], b"")
    return request



C2S_FAULTS: list[Fault] = [
    Fault("outbox-answers-200", "The outbox answers a Create with 200 instead of 201 Created.",
          ("activitypub.c2s.outbox-created",), on_response=_answers_200),
    Fault("outbox-keeps-submitted-id",
          "The outbox keeps the id the client put on the activity (Location names it).",
          ("activitypub.c2s.id-assigned",), on_response=_keeps_submitted_id),
    Fault("outbox-updates-swallowed", "Updates posted to the outbox are answered and dropped.",
          ("activitypub.c2s.update-applied",), on_request=_updates_swallowed),
]

_ONLY_BOVINE = ("bovine-herd is the one reference with a client-to-server API and it fails "
                "this rule for real ({how}; a known deviation in its manifest), so no fault "
                "in front of it can be shown caught; that failure shows the check fails")

C2S_EXEMPTIONS: dict[str, Exemption] = {
    "activitypub.c2s.create-wrapped": Exemption(
        _ONLY_BOVINE.format(how="a bare object posted to the outbox is never wrapped in a "
                            "Create"), proven_by="bovine-herd"),
    "activitypub.c2s.wrap-audience": Exemption(
        _ONLY_BOVINE.format(how="no Create is made for a bare object, so no audience is "
                            "copied"), proven_by="bovine-herd"),
    "activitypub.c2s.create-attributed": Exemption(
        _ONLY_BOVINE.format(how="update_id never sets attributedTo"), proven_by="bovine-herd"),
    "activitypub.c2s.update-partial": Exemption(
        _ONLY_BOVINE.format(how="outgoing_update replaces the whole object"),
        proven_by="bovine-herd"),
    "activitypub.c2s.block-not-delivered": Exemption(
        _ONLY_BOVINE.format(how="a Block is delivered like any activity"),
        proven_by="bovine-herd"),
    "activitypub.c2s.like-liked": Exemption(
        "bovine-herd, the one reference with a client-to-server API, advertises no liked "
        "collection (the requirement is inapplicable there), so neither a fault nor a real "
        "failure can show this check fail yet; a second c2s server is needed"),
}
