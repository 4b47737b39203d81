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
    FollowLedger,
    FollowOutcome,
    PostedNote,
    follow,
    user_follows,
)
from suites.activitypub.streams import PUBLIC_FORMS, as_list, ids_of, url_of
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


def members_once(user: CandidateUser, collection: str, must_show: str,
                 wait: float) -> list[str]:
    """The collection's item ids once ``must_show`` is among them, or after ``wait`` s."""
    deadline = time.monotonic() + wait
    while True:
        items = ids_of(user.collection_items(collection))
        if must_show in items or time.monotonic() >= deadline:
            return items
        time.sleep(0.3)


def followers_of(user: CandidateUser) -> str:
    followers = url_of(user.document().get("followers"))
    if followers is None:
        cant_tell("the actor names no followers collection")
    return followers


@pytest.mark.requirement("activitypub.followers.updated")
def test_followers_list_follower(followed: FollowOutcome, user: CandidateUser,
                                 me: LocalActor, ledger: FollowLedger) -> None:
    accept_of(followed)
    items = members_once(user, followers_of(user), me.id, 3.0)
    # Exactly the accepted followers, each once: a follower merely searched for would let a
    # collection that also lists pending, rejected or unknown actors pass.
    expect(sorted(items) == sorted(ledger.followers),
           "the followers collection lists exactly the accepted followers",
           sorted(ledger.followers), items)


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
                     ap_settings: dict[str, Any], inbox: str, delivery_timeout: float,
                     followed: FollowOutcome, ledger: FollowLedger) -> None:
    # eos-alice (followed) stays a follower: the collection must still list her once bob's
    # Undo is done, so an emptied or unreadable collection cannot pass for an Undo.
    if followed.accept is None:
        cant_tell("eos-alice could not become a follower, so no follower would remain")
    bob = remote.actors["eos-bob"]
    outcome = follow(remote, fed, user, ap_settings, bob, inbox, delivery_timeout)
    followers = followers_of(user)
    if outcome.accept is None:
        cant_tell("eos-bob could not become a follower to undo")
    ledger.followers.add(bob.id)
    if bob.id not in members_once(user, followers, bob.id, 3.0):
        cant_tell("eos-bob does not show among the followers, so an Undo cannot be seen")
    undo = {"@context": "https://www.w3.org/ns/activitystreams", "id": remote.new_object_id(),
            "type": "Undo", "actor": bob.id, "object": outcome.follow}
    remote.publish(undo)
    response = fed.post(inbox, undo, bob)
    expect(200 <= response.status_code < 300, "the Undo is accepted", "2xx",
           response.status_code)
    ledger.followers.discard(bob.id)
    deadline = time.monotonic() + delivery_timeout
    while True:
        items = ids_of(user.collection_items(followers))
        if bob.id not in items or time.monotonic() >= deadline:
            break
        time.sleep(0.3)
    expect(bob.id not in items, "after Undo Follow the follower leaves the followers collection",
           "absent", "still listed")
    expect(sorted(items) == sorted(ledger.followers),
           "the Undo removes that follower only: the others are still listed",
           sorted(ledger.followers), items)


def answer_follow(remote: RemoteServer, fed: FederationClient, user: CandidateUser,
                  inbox: str, target: LocalActor, kind: str, timeout: float,
                  ledger: FollowLedger) -> str:
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
    if kind == "Accept":
        ledger.following.add(target.id)
    return following


@pytest.mark.requirement("activitypub.following.accept-added")
def test_accepted_follow_in_following(remote: RemoteServer, fed: FederationClient,
                                      user: CandidateUser, inbox: str,
                                      delivery_timeout: float, ledger: FollowLedger) -> None:
    dave = remote.actors["eos-dave"]
    following = answer_follow(remote, fed, user, inbox, dave, "Accept", delivery_timeout,
                              ledger)
    items = members_once(user, following, dave.id, 3.0)
    expect(dave.id in items,
           "once the Follow is accepted, the followed actor is in the following collection",
           dave.id, items)
    expect(sorted(items) == sorted(ledger.following),
           "the following collection lists exactly the accepted follows",
           sorted(ledger.following), items)


@pytest.mark.requirement("activitypub.follow.reject-not-following")
def test_rejected_follow_not_in_following(remote: RemoteServer, fed: FederationClient,
                                          user: CandidateUser, inbox: str,
                                          delivery_timeout: float, ledger: FollowLedger) -> None:
    carol, erin = remote.actors["eos-carol"], remote.actors["eos-erin"]
    following = answer_follow(remote, fed, user, inbox, carol, "Reject", delivery_timeout,
                              ledger)
    # A later follow that eos-erin accepts: once she shows, the Reject sent before her Accept
    # has been processed too, and the collection is shown to be readable (a fixed sleep and
    # an empty answer would otherwise pass).
    answer_follow(remote, fed, user, inbox, erin, "Accept", delivery_timeout, ledger)
    items = members_once(user, following, erin.id, delivery_timeout)
    if erin.id not in items:
        cant_tell("a later accepted follow (eos-erin) never showed in the following "
                  "collection, so the Reject's effect cannot be judged")
    expect(carol.id not in items,
           "after a Reject of the Follow, the rejecting actor is not in the following "
           "collection", "absent", items)
    expect(sorted(items) == sorted(ledger.following),
           "the following collection lists exactly the accepted follows",
           sorted(ledger.following), items)


@pytest.mark.requirement("activitypub.create.delivered")
def test_create_delivered(posted: PostedNote) -> None:
    body = delivered(posted).json() or {}
    expect_equal(body.get("type"), "Create", "type of the delivered activity")


@pytest.mark.requirement("activitypub.create.addressing")
def test_create_addressing(posted: PostedNote, user: CandidateUser) -> None:
    body = delivered(posted).json() or {}
    to, cc = as_list(body.get("to")), as_list(body.get("cc"))
    followers = url_of(user.document().get("followers"))
    # Exactly what the user addressed (to: Public, cc: followers): a lost audience hides the
    # post, an added one shows it to someone it was not meant for (bcc moved to cc).
    expect(len(to) == 1 and to[0] in PUBLIC_FORMS,
           "the delivered Create's to is the Public collection, as posted", "as:Public", to)
    expect(followers is not None and cc == [followers],
           "the delivered Create's cc is the followers collection, as posted", [followers], cc)


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
def test_create_attributed(posted: PostedNote, actor_id: str) -> None:
    body = delivered(posted).json() or {}
    obj = body.get("object") if isinstance(body.get("object"), dict) else {}
    assert isinstance(obj, dict)
    # Both must be the user: two missing values are equal, and prove nothing.
    expect_equal(url_of(body.get("actor")), actor_id, "actor of the delivered Create")
    expect_equal(url_of(obj.get("attributedTo")), actor_id,
                 "attributedTo of the Note (the Create's actor)")


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
    total = document.get("totalItems")
    if "orderedItems" in document:
        items = document["orderedItems"]
        expect(isinstance(items, list), "orderedItems is a list", "list", items)
        assert isinstance(items, list)
        expect_listed(items, total, posted)
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
    expect(link is None, f"the page chain ends within {MAX_PAGES} pages", "no next", link)
    expect_listed(items, total, posted)


def expect_listed(items: list[Any], total: Any, posted: PostedNote) -> None:
    """The outbox's items hold the user's latest public Create and match its totalItems: an
    empty list would otherwise pass for a collection that lists its items."""
    if isinstance(total, int):
        expect_equal(len(items), total, "items listed vs. the collection's totalItems")
    if posted.create_id is None:
        cant_tell("the user's Create has no known id to look for in the outbox")
    expect(posted.create_id in ids_of(items), "the outbox lists the user's latest public Create",
           posted.create_id, ids_of(items)[:10])


@pytest.mark.requirement("activitypub.outbox.reverse-chronological")
def test_outbox_newest_first(posted: PostedNote, followed: FollowOutcome,
                             user: CandidateUser) -> None:
    # The Accept came before the Create, whether the user posted it or the server sent it
    # by itself; only one the outbox lists can be ordered (else cantTell below).
    older = url_of((accept_of(followed).json() or {}).get("id"))
    if posted.create_id is None or older is None:
        cant_tell("no two activities of the user's outbox with a known order")
    outbox = url_of(user.actor.get("outbox"))
    assert outbox is not None
    items = [url_of(i) for i in user.collection_items(outbox)]
    if posted.create_id not in items or older not in items:
        cant_tell("the outbox does not list both the Accept and the later Create")
    expect(items.index(posted.create_id) < items.index(older),
           "the later Create comes before the earlier Accept in the outbox",
           "Create first", items[:5])
