"""Follow → Accept, the followers collection, Undo, and what the candidate delivers: Create
to followers (addressing, bto/bcc), Delete and the Tombstone left behind, signatures on every
delivery (ActivityPub §5–§7, HTTP Signatures)."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import pytest

from conformance.api import cant_tell, current_evidence, expect, expect_equal, expect_in
from suites.activitypub.client import FederationClient
from suites.activitypub.remote import AS_CONTEXT, Delivery, LocalActor, RemoteServer
from suites.activitypub.scenarios import (
    CandidateUser,
    DeletedNote,
    FollowOutcome,
    PostedNote,
    follow,
    user_follows,
)
from suites.activitypub.streams import PUBLIC_FORMS, as_list, url_of
from suites.activitypub.verify import DeliveryCheck, check_delivery

AS2_TYPES = ("application/activity+json", "application/ld+json")
MAX_PAGES = 50


def accept_of(followed: FollowOutcome) -> Delivery:
    if followed.accept is None:
        expect(False, "an Accept of the Follow reaches the follower's inbox", "Accept", "none")
    assert followed.accept is not None
    return followed.accept


def verified(delivery: Delivery, fed: FederationClient, me: LocalActor,
             remote: RemoteServer) -> DeliveryCheck:
    return check_delivery(delivery, fed, me, remote.origin)


def delivered(posted: PostedNote) -> Delivery:
    if posted.to_follower is None:
        expect(False, "the Create reaches the follower's inbox", "delivery", "none")
    assert posted.to_follower is not None
    return posted.to_follower


@pytest.mark.requirement("activitypub.follow.accept-delivered")
def test_follow_accepted(followed: FollowOutcome) -> None:
    accept = accept_of(followed)
    body = accept.json() or {}
    expect_equal(body.get("type"), "Accept", "type of the answer to the Follow")
    log = current_evidence()
    if log is not None and followed.accepted_by_user:
        log.note("the candidate's user accepted the Follow through its outbox "
                 "(accept_follows_via_outbox)")


@pytest.mark.requirement("activitypub.follow.accept-actor")
def test_accept_actor(followed: FollowOutcome, actor_id: str) -> None:
    body = accept_of(followed).json() or {}
    expect_equal(url_of(body.get("actor")), actor_id, "actor of the Accept")


@pytest.mark.requirement("activitypub.delivery.signed")
def test_accept_signed(followed: FollowOutcome, fed: FederationClient, me: LocalActor,
                       remote: RemoteServer) -> None:
    result = verified(accept_of(followed), fed, me, remote)
    expect(result.signature_ok, f"the delivery carries a valid HTTP signature ({result.scheme})",
           "valid signature", "; ".join(result.problems))


@pytest.mark.requirement("activitypub.delivery.digest")
def test_delivery_digest(followed: FollowOutcome, fed: FederationClient, me: LocalActor,
                         remote: RemoteServer) -> None:
    delivery = accept_of(followed)
    result = verified(delivery, fed, me, remote)
    expect(result.digest is not None, "the delivery carries a body digest that matches",
           "Digest or Content-Digest", "; ".join(result.problems))
    expect(any(name in result.covered for name in ("digest", "content-digest")),
           "the signature covers the digest", "digest covered", result.covered)


@pytest.mark.requirement("activitypub.delivery.key-owner")
def test_delivery_key_owner(followed: FollowOutcome, fed: FederationClient, me: LocalActor,
                            remote: RemoteServer) -> None:
    delivery = accept_of(followed)
    result = verified(delivery, fed, me, remote)
    if result.key_owner is None and result.problems:
        expect(False, "the signing key can be resolved", "key", "; ".join(result.problems))
    actor = url_of((delivery.json() or {}).get("actor"))
    expect_equal(result.key_owner, actor, "owner of the signing key vs. the activity's actor")


@pytest.mark.requirement("activitypub.delivery.content-type")
def test_delivery_content_type(followed: FollowOutcome) -> None:
    kind = (accept_of(followed).header("Content-Type") or "").split(";")[0].strip().lower()
    expect_in(kind, AS2_TYPES, "Content-Type of the delivery")


@pytest.mark.requirement("activitypub.delivery.date")
def test_delivery_date(followed: FollowOutcome) -> None:
    delivery = accept_of(followed)
    value = delivery.header("Date")
    expect(value is not None, "the delivery carries a Date header")
    sent = email.utils.parsedate_to_datetime(str(value)).timestamp()
    expect(abs(sent - delivery.received) < 300,
           "the Date of the delivery is within 5 minutes of its arrival", "< 300 s",
           f"{sent - delivery.received:.0f} s")


@pytest.mark.requirement("activitypub.followers.updated")
def test_followers_list_follower(followed: FollowOutcome, user: CandidateUser,
                                 me: LocalActor) -> None:
    accept_of(followed)
    followers = url_of(user.document().get("followers"))
    if followers is None:
        cant_tell("the actor names no followers collection")
    time.sleep(0.3)
    items = [url_of(i) for i in user.collection_items(followers)]
    expect(me.id in items, "the accepted follower is in the followers collection", me.id, items)


@pytest.mark.requirement("activitypub.followers.collection")
def test_followers_is_a_collection(followed: FollowOutcome, user: CandidateUser,
                                   fed: FederationClient, me: LocalActor) -> None:
    followers = url_of(user.document().get("followers"))
    if followers is None:
        cant_tell("the actor names no followers collection")
    _, document = fed.get_json(followers, me)
    expect(document is not None, "the followers collection can be fetched")
    assert document is not None
    expect_in(document.get("type"), ("OrderedCollection", "Collection"), "followers type")


@pytest.mark.requirement("activitypub.undo.follow")
def test_undo_follow(remote: RemoteServer, fed: FederationClient, user: CandidateUser,
                     ap_settings: dict[str, Any], inbox: str, delivery_timeout: float) -> None:
    bob = remote.actors["eos-bob"]
    outcome = follow(remote, fed, user, ap_settings, bob, inbox, delivery_timeout)
    followers = url_of(user.document().get("followers"))
    if outcome.accept is None or followers is None:
        cant_tell("eos-bob could not become a follower to undo")
    time.sleep(0.3)
    if bob.id not in [url_of(i) for i in user.collection_items(followers)]:
        cant_tell("eos-bob does not show among the followers, so an Undo cannot be seen")
    undo = {"@context": "https://www.w3.org/ns/activitystreams", "id": remote.new_object_id(),
            "type": "Undo", "actor": bob.id, "object": outcome.follow}
    remote.publish(undo)
    response = fed.post(inbox, undo, bob)
    expect(200 <= response.status_code < 300, "the Undo is accepted", "2xx",
           response.status_code)
    deadline = time.monotonic() + delivery_timeout
    while time.monotonic() < deadline:
        if bob.id not in [url_of(i) for i in user.collection_items(followers)]:
            return
        time.sleep(0.3)
    expect(False, "after Undo Follow the follower leaves the followers collection", "absent",
           "still listed")


def answer_follow(remote: RemoteServer, fed: FederationClient, user: CandidateUser,
                  inbox: str, target: LocalActor, kind: str, timeout: float) -> str:
    """The candidate's user follows ``target``, which answers ``kind`` (Accept or Reject);
    the user's following collection."""
    follow_activity = user_follows(remote, user, target, timeout)
    if follow_activity is None:
        cant_tell(f"the user's Follow of {target.id} was not delivered, so it cannot be "
                  f"answered with {kind}")
    following = url_of(user.document().get("following"))
    if following is None:
        cant_tell("the actor names no following collection")
    answer = {"@context": AS_CONTEXT, "id": remote.new_object_id(), "type": kind,
              "actor": target.id, "object": follow_activity, "to": [user.actor_id]}
    remote.publish(answer)
    response = fed.post(inbox, answer, target)
    if not 200 <= response.status_code < 300:
        cant_tell(f"the inbox refused a correctly signed {kind} (HTTP {response.status_code})")
    return following


def listed(user: CandidateUser, collection: str, actor_id: str, wait: float) -> bool:
    """Whether ``actor_id`` shows in ``collection`` within ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        if actor_id in [url_of(i) for i in user.collection_items(collection)]:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.3)


@pytest.mark.requirement("activitypub.following.accept-added")
def test_accepted_follow_in_following(remote: RemoteServer, fed: FederationClient,
                                      user: CandidateUser, inbox: str,
                                      delivery_timeout: float) -> None:
    dave = remote.actors["eos-dave"]
    following = answer_follow(remote, fed, user, inbox, dave, "Accept", delivery_timeout)
    expect(listed(user, following, dave.id, 3.0),
           "once the Follow is accepted, the followed actor is in the following collection",
           dave.id, "absent")


@pytest.mark.requirement("activitypub.follow.reject-not-following")
def test_rejected_follow_not_in_following(remote: RemoteServer, fed: FederationClient,
                                          user: CandidateUser, inbox: str,
                                          delivery_timeout: float) -> None:
    carol = remote.actors["eos-carol"]
    following = answer_follow(remote, fed, user, inbox, carol, "Reject", delivery_timeout)
    time.sleep(1.0)  # give the inbox time to process the Reject, as for an Accept
    expect(not listed(user, following, carol.id, 0.0),
           "after a Reject of the Follow, the rejecting actor is not in the following "
           "collection", "absent", "listed")


@pytest.mark.requirement("activitypub.create.delivered")
def test_create_delivered(posted: PostedNote) -> None:
    body = delivered(posted).json() or {}
    expect_equal(body.get("type"), "Create", "type of the delivered activity")


@pytest.mark.requirement("activitypub.create.addressing")
def test_create_addressing(posted: PostedNote, user: CandidateUser) -> None:
    body = delivered(posted).json() or {}
    audience = as_list(body.get("to")) + as_list(body.get("cc"))
    expect(any(a in PUBLIC_FORMS for a in audience),
           "the delivered Create keeps the Public audience", "as:Public", audience)
    followers = url_of(user.document().get("followers"))
    expect(followers in audience, "the delivered Create keeps the followers audience",
           followers, audience)


@pytest.mark.requirement("activitypub.create.signed")
def test_create_signed(posted: PostedNote, fed: FederationClient, me: LocalActor,
                       remote: RemoteServer) -> None:
    result = verified(delivered(posted), fed, me, remote)
    expect(result.signature_ok, f"the Create delivery is validly signed ({result.scheme})",
           "valid signature", "; ".join(result.problems))


@pytest.mark.requirement("activitypub.delivery.bcc-stripped")
def test_bcc_stripped(posted: PostedNote) -> None:
    deliveries = [d for d in (posted.to_follower, posted.to_bcc) if d is not None]
    if not deliveries:
        cant_tell("no delivery of the Create to look at")
    for delivery in deliveries:
        body = delivery.json() or {}
        obj = body.get("object") if isinstance(body.get("object"), dict) else {}
        leaked = [k for k in ("bto", "bcc") if k in body or k in obj]
        expect(not leaked, "bto and bcc are removed before delivery", "absent", leaked)


@pytest.mark.requirement("activitypub.delivery.bcc-delivered")
def test_bcc_delivered(posted: PostedNote) -> None:
    delivered(posted)
    expect(posted.to_bcc is not None, "the bcc recipient receives the Create", "delivery",
           "none")


@pytest.mark.requirement("activitypub.create.attributed")
def test_create_attributed(posted: PostedNote) -> None:
    body = delivered(posted).json() or {}
    obj = body.get("object") if isinstance(body.get("object"), dict) else {}
    assert isinstance(obj, dict)
    expect_equal(url_of(obj.get("attributedTo")), url_of(body.get("actor")),
                 "attributedTo of the Note vs. actor of the Create")


@pytest.mark.requirement("activitypub.object.dereferenceable")
def test_note_dereferenceable(posted: PostedNote, fed: FederationClient, me: LocalActor) -> None:
    delivered(posted)
    if posted.note_id is None:
        cant_tell("the delivered Create embeds no Note id")
    response, document = fed.get_json(posted.note_id, me)
    expect_equal(response.status_code, 200, f"signed GET of the Note {posted.note_id}")
    assert document is not None
    expect_equal(document.get("id"), posted.note_id, "id of the fetched Note")
    expect(posted.marker in str(document.get("content")), "the fetched Note is the one posted")


@pytest.mark.requirement("activitypub.delete.delivered")
def test_delete_delivered(deleted: DeletedNote) -> None:
    expect(deleted.delivery is not None, "the Delete reaches the follower's inbox", "delivery",
           "none")


@pytest.mark.requirement("activitypub.delete.gone")
def test_deleted_gone(deleted: DeletedNote, fed: FederationClient, me: LocalActor) -> None:
    response = fed.get(deleted.note_id, me)
    expect_in(response.status_code, (404, 410), "status of a deleted object")


@pytest.mark.requirement("activitypub.delete.tombstone")
def test_deleted_tombstone(deleted: DeletedNote, fed: FederationClient, me: LocalActor) -> None:
    response = fed.get(deleted.note_id, me)
    expect_equal(response.status_code, 410, "status of a deleted object")
    try:
        body = response.json()
    except ValueError:
        body = {}
    expect_equal(body.get("type"), "Tombstone", "type of the body served for it")


@pytest.mark.requirement("activitypub.outbox.ordered-collection")
def test_outbox_ordered_collection(fed: FederationClient, actor: dict[str, Any],
                                   me: LocalActor) -> None:
    outbox = url_of(actor.get("outbox"))
    if outbox is None:
        cant_tell("the actor names no outbox")
    response, document = fed.get_json(outbox, me)
    expect(document is not None, "the outbox can be fetched", "JSON", response.status_code)
    assert document is not None
    expect_equal(document.get("type"), "OrderedCollection", "outbox type")


@pytest.mark.requirement("activitypub.collection.items-or-pages")
def test_outbox_items_or_pages(posted: PostedNote, fed: FederationClient,
                               actor: dict[str, Any], me: LocalActor) -> None:
    outbox = url_of(actor.get("outbox"))
    if outbox is None:
        cant_tell("the actor names no outbox")
    _, document = fed.get_json(outbox, me)
    expect(document is not None, "the outbox can be fetched")
    assert document is not None
    if "orderedItems" in document:
        expect(isinstance(document["orderedItems"], list), "orderedItems is a list")
        return
    first = document.get("first")
    expect(first is not None, "the collection holds orderedItems or links its first page",
           "orderedItems or first", sorted(document))
    # Walk the whole chain: every next link must lead to another page (AS2 Core §5.2).
    items: list[Any] = []
    link: Any = first
    for _ in range(MAX_PAGES):
        page = link if isinstance(link, dict) else fed.get_json(str(url_of(link)), me)[1]
        expect(isinstance(page, dict) and page.get("type") == "OrderedCollectionPage",
               f"the page {url_of(link)} is an OrderedCollectionPage", "OrderedCollectionPage",
               page)
        assert isinstance(page, dict)
        items += as_list(page.get("orderedItems"))
        link = page.get("next")
        if link is None:
            break
    total = document.get("totalItems")
    if isinstance(total, int) and link is None:
        expect_equal(len(items), total, "items on the pages vs. the collection's totalItems")


@pytest.mark.requirement("activitypub.outbox.reverse-chronological")
def test_outbox_newest_first(posted: PostedNote, followed: FollowOutcome,
                             user: CandidateUser) -> None:
    older = url_of((accept_of(followed).json() or {}).get("id"))
    if posted.create_id is None or older is None or not followed.accepted_by_user:
        cant_tell("no two activities of the user's outbox with a known order")
    outbox = url_of(user.actor.get("outbox"))
    assert outbox is not None
    items = [url_of(i) for i in user.collection_items(outbox)]
    if posted.create_id not in items or older not in items:
        cant_tell("the outbox does not list both the Accept and the later Create")
    expect(items.index(posted.create_id) < items.index(older),
           "the later Create comes before the earlier Accept in the outbox",
           "Create first", items[:5])
