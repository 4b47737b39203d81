"""The client-to-server API (ActivityPub §6), profile ``activitypub-c2s``: what the server does
with what its own user's client posts to the outbox. The client channel is the manifest's
``client_headers`` (its authorisation named in ``c2s_authorisation``)."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from conformance.api import cant_tell, current_evidence, expect, expect_equal, inapplicable
from suites.activitypub.remote import AS_CONTEXT, Delivery, RemoteServer
from suites.activitypub.scenarios import CandidateUser
from suites.activitypub.streams import PUBLIC, PUBLIC_FORMS, as_list, http_url, ids_of, url_of

SUBMITTED_ID = "http://elsewhere.invalid/eos/activity-the-client-chose"


@pytest.fixture(autouse=True)
def _authorisation_noted(ap_settings: dict[str, Any]) -> None:
    log = current_evidence()
    if log is not None:
        log.note("client-to-server authorisation: "
                 f"{ap_settings.get('c2s_authorisation') or 'not named in the manifest'}")


def public_as_iri(value: Any) -> list[Any]:
    """An audience with the Public collection's compact forms (as:Public, Public) written as
    its IRI: AS2 Core §2.1 makes them the same value."""
    return [PUBLIC if a in PUBLIC_FORMS else a for a in as_list(value)]


def marker() -> str:
    return f"eos-{uuid.uuid4().hex[:10]}"


def created(user: CandidateUser, response: requests.Response) -> dict[str, Any]:
    """The activity a successful outbox POST created, read at its Location."""
    if not 200 <= response.status_code < 300:
        cant_tell(f"the outbox refused the post (HTTP {response.status_code})")
    location = http_url(response.headers.get("Location"))
    document = user.fetch(location) if location else None
    if document is None:
        cant_tell(f"the created activity cannot be read at its Location ({location})")
    return document


def note_of(user: CandidateUser, create: dict[str, Any]) -> dict[str, Any]:
    """The Create's object, as the server now serves it at its id."""
    note_id = url_of(create.get("object"))
    note = user.fetch(note_id) if note_id else None
    if note is None:
        cant_tell(f"the created object cannot be read at its id ({note_id})")
    return note


def post_note(user: CandidateUser, **fields: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    note = {"type": "Note", "content": f"c2s note {marker()}", "attributedTo": user.actor_id,
            "to": [PUBLIC], **fields}
    create = created(user, user.submit({"@context": AS_CONTEXT, "type": "Create",
                                        "actor": user.actor_id, "to": [PUBLIC],
                                        "object": note}))
    return create, note_of(user, create)


@pytest.mark.requirement("activitypub.c2s.outbox-created")
def test_outbox_post_answers_201_with_location(user: CandidateUser) -> None:
    text = f"c2s note {marker()}"
    response = user.submit({"@context": AS_CONTEXT, "type": "Create", "actor": user.actor_id,
                            "to": [PUBLIC], "object": {"type": "Note", "content": text,
                                                       "to": [PUBLIC]}})
    expect_equal(response.status_code, 201, "the outbox's answer to a Create")
    location = http_url(response.headers.get("Location"))
    expect(location is not None, "the 201 names the new activity's id in Location", "URL",
           response.headers.get("Location"))
    document = created(user, response)
    expect_equal(document.get("id"), location, "the id of the activity served at Location")


@pytest.mark.requirement("activitypub.c2s.id-assigned")
def test_submitted_activity_id_is_replaced(user: CandidateUser) -> None:
    response = user.submit({"@context": AS_CONTEXT, "id": SUBMITTED_ID, "type": "Create",
                            "actor": user.actor_id, "to": [PUBLIC],
                            "object": {"type": "Note", "content": f"c2s {marker()}",
                                       "to": [PUBLIC]}})
    location = response.headers.get("Location")
    expect(location != SUBMITTED_ID, "the server ignores the id the client chose (Location)",
           "a new id", location)
    document = created(user, response)
    expect(document.get("id") not in (None, SUBMITTED_ID),
           "the created activity has a new id of the server's", "a new id", document.get("id"))


@pytest.mark.requirement("activitypub.c2s.create-wrapped")
def test_bare_object_wrapped_in_create(user: CandidateUser) -> None:
    text = f"bare note {marker()}"
    response = user.submit({"@context": AS_CONTEXT, "type": "Note", "content": text,
                            "attributedTo": user.actor_id, "to": [PUBLIC]})
    expect(200 <= response.status_code < 300, "the outbox accepts a bare Note", "2xx",
           response.status_code)
    create = created(user, response)
    expect_equal(create.get("type"), "Create", "the type of the activity at Location")
    expect_equal(note_of(user, create).get("content"), text, "the wrapped object's content")


@pytest.mark.requirement("activitypub.c2s.wrap-audience")
def test_wrapping_copies_the_audience(user: CandidateUser, remote: RemoteServer) -> None:
    to, cc = [PUBLIC], [remote.actors["eos-erin"].id]
    create = created(user, user.submit({"@context": AS_CONTEXT, "type": "Note",
                                        "content": f"bare note {marker()}",
                                        "attributedTo": user.actor_id, "to": to, "cc": cc}))
    # No Create made, nothing copied: a server that stores the bare object fails this too.
    expect_equal(create.get("type"), "Create", "the type of the activity at Location")
    expect_equal(public_as_iri(create.get("to")), to, "the wrapping Create's to")
    expect_equal(public_as_iri(create.get("cc")), cc, "the wrapping Create's cc")


@pytest.mark.requirement("activitypub.c2s.create-attributed")
def test_create_actor_copied_to_attributed_to(user: CandidateUser) -> None:
    create = created(user, user.submit({
        "@context": AS_CONTEXT, "type": "Create", "actor": user.actor_id, "to": [PUBLIC],
        "object": {"type": "Note", "content": f"no attributedTo {marker()}", "to": [PUBLIC]}}))
    expect_equal(url_of(note_of(user, create).get("attributedTo")), user.actor_id,
                 "the created Note's attributedTo")


def update(user: CandidateUser, note: dict[str, Any], **changes: Any) -> dict[str, Any]:
    response = user.submit({"@context": AS_CONTEXT, "type": "Update", "actor": user.actor_id,
                            "to": [PUBLIC], "object": {"id": note["id"], "type": "Note",
                                                       **changes}})
    if not 200 <= response.status_code < 300:
        cant_tell(f"the outbox refused the Update (HTTP {response.status_code})")
    time.sleep(0.3)  # some servers apply the side effect after answering
    after = user.fetch(str(note["id"]))
    if after is None:
        cant_tell("the Note cannot be read after its Update")
    return after


@pytest.mark.requirement("activitypub.c2s.update-applied")
def test_update_modifies_the_object(user: CandidateUser) -> None:
    _, note = post_note(user)
    text = f"updated {marker()}"
    expect_equal(update(user, note, content=text).get("content"), text,
                 "the Note's content after the user's Update")


@pytest.mark.requirement("activitypub.c2s.update-partial")
def test_update_is_partial(user: CandidateUser) -> None:
    _, note = post_note(user, summary="eos: a summary the Update leaves alone")
    if note.get("summary") != "eos: a summary the Update leaves alone":
        cant_tell("the created Note does not keep its summary, so a partial Update cannot show")
    text = f"updated {marker()}"
    after = update(user, note, content=text)
    if after.get("content") != text:
        cant_tell("the Update was not applied at all (activitypub.c2s.update-applied)")
    expect_equal(after.get("summary"), note.get("summary"),
                 "the summary the partial Update did not name")


@pytest.mark.requirement("activitypub.c2s.like-liked")
def test_like_added_to_liked(user: CandidateUser, remote: RemoteServer) -> None:
    liked = user.document().get("liked")
    if "liked" not in user.document():
        inapplicable("the actor has no liked collection (ActivityPub §5.5: optional)",
                     "the actor advertises no liked collection")
    liked_url = http_url(liked)
    expect(liked_url is not None, "liked is an http(s) collection URL", "URL", liked)
    assert liked_url is not None
    target = remote.actors["eos-erin"]
    note = {"id": remote.new_object_id(), "type": "Note", "attributedTo": target.id,
            "content": "a note to like", "to": [PUBLIC]}
    remote.publish(note)
    created(user, user.submit({"@context": AS_CONTEXT, "type": "Like", "actor": user.actor_id,
                               "object": note["id"], "to": [target.id]}))
    deadline = time.monotonic() + 5
    while note["id"] not in (items := ids_of(user.collection_items(liked_url))) \
            and time.monotonic() < deadline:
        time.sleep(0.3)
    expect(note["id"] in items, "the liked collection lists the object the user liked",
           note["id"], items[:10])


def delivered_to(remote: RemoteServer, name: str, mark: int, kind: str) -> list[Delivery]:
    path = urlsplit(remote.actors[name].inbox).path
    return [d for d in remote.deliveries_since(mark)
            if d.path.startswith(path) and (d.json() or {}).get("type") == kind]


@pytest.mark.requirement("activitypub.c2s.block-not-delivered")
def test_block_not_delivered_to_its_object(user: CandidateUser, remote: RemoteServer,
                                           delivery_timeout: float) -> None:
    # eos-frank takes part in nothing else: blocking him changes no other check.
    frank, erin = remote.actors["eos-frank"], remote.actors["eos-erin"]
    mark = remote.mark()
    created(user, user.submit({"@context": AS_CONTEXT, "type": "Block", "actor": user.actor_id,
                               "object": frank.id, "to": [frank.id]}))
    # Judged once a later post addressed to another actor arrived: the Block went out first.
    text = f"control {marker()}"
    user.submit({"@context": AS_CONTEXT, "type": "Create", "actor": user.actor_id,
                 "to": [erin.id], "object": {"type": "Note", "content": text, "to": [erin.id]}})

    def is_control(delivery: Delivery) -> bool:
        obj = (delivery.json() or {}).get("object")
        return (delivery.path.startswith(urlsplit(erin.inbox).path) and isinstance(obj, dict)
                and text in str(obj.get("content", "")))

    if remote.wait_for(mark, is_control, delivery_timeout) is None:
        cant_tell("a later post to eos-erin never arrived, so a withheld Block cannot be told "
                  "from a slow one")
    time.sleep(0.5)
    expect(not delivered_to(remote, "eos-frank", mark, "Block"),
           "the Block is not delivered to the blocked actor", "no delivery",
           "the Block reached eos-frank's inbox")


@pytest.mark.requirement("activitypub.delivery.addressed-actor")
def test_post_to_one_actor_delivered(user: CandidateUser, remote: RemoteServer,
                                     delivery_timeout: float) -> None:
    # §7.1: an individual in `to` is delivered to, follower or not (eos-grace follows no one).
    grace = remote.actors["eos-grace"]
    text = f"for grace {marker()}"
    mark = remote.mark()
    created(user, user.submit({"@context": AS_CONTEXT, "type": "Create", "actor": user.actor_id,
                               "to": [grace.id], "object": {"type": "Note", "content": text,
                                                            "to": [grace.id]}}))

    def is_it(delivery: Delivery) -> bool:
        obj = (delivery.json() or {}).get("object")
        return (delivery.path.startswith(urlsplit(grace.inbox).path) and isinstance(obj, dict)
                and text in str(obj.get("content", "")))

    expect(remote.wait_for(mark, is_it, delivery_timeout) is not None,
           "the Create reaches the inbox of the one actor it is addressed to", "a delivery",
           "none")
