"""Server-to-server side effects (ActivityPub §7): what receiving a Like, an Announce, an Undo of
either, an Update by someone else, or a reply addressed to the user's followers does to the
user's own objects and followers. Each check works on a fresh Note of the user (``own_note``),
so its collections must list exactly what this check delivered."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance.api import cant_tell, expect, expect_equal, inapplicable
from suites.activitypub.client import FederationClient
from suites.activitypub.remote import Delivery, LocalActor, RemoteServer
from suites.activitypub.scenarios import CandidateUser, FollowOutcome, activity
from suites.activitypub.streams import PUBLIC, http_url, ids_of, url_of


def reaction_collection(user: CandidateUser, note: str, key: str, section: str) -> str:
    """The Note's likes/shares collection; §7.10/§7.11 apply only "if this collection is
    present", so its absence is the positive signal that makes the check inapplicable."""
    document = user.fetch(note)
    if document is None:
        cant_tell(f"the user's Note {note} cannot be read")
    if key not in document:
        inapplicable(f"the Note has no {key} collection (ActivityPub {section}: only if present)",
                     f"the user's Note advertises no {key} collection")
    url = http_url(document.get(key))
    expect(url is not None, f"the Note's {key} is an http(s) collection URL", "URL",
           document.get(key))
    assert url is not None
    return url


def settle(read: Callable[[], list[str]], done: Callable[[list[str]], bool],
           timeout: float) -> list[str]:
    """Reads until ``done`` holds or the timeout passes; the last reading."""
    deadline = time.monotonic() + timeout
    while True:
        items = read()
        if done(items) or time.monotonic() >= deadline:
            return items
        time.sleep(0.3)


def send(fed: FederationClient, inbox: str, remote: RemoteServer, by: LocalActor, kind: str,
         obj: Any, **extra: Any) -> dict[str, Any]:
    value = activity(remote, kind, by, obj, to=[PUBLIC], **extra)
    response = fed.post(inbox, value, by)
    if not 200 <= response.status_code < 300:
        cant_tell(f"the inbox refused a correctly signed {kind} (HTTP {response.status_code})")
    return value


def expect_reaction_added(fed: FederationClient, inbox: str, remote: RemoteServer,
                          user: CandidateUser, note: str, kind: str, key: str, section: str,
                          timeout: float) -> None:
    collection = reaction_collection(user, note, key, section)
    bob, carol = remote.actors["eos-bob"], remote.actors["eos-carol"]
    sent = [send(fed, inbox, remote, who, kind, note)["id"] for who in (bob, carol)]
    items = settle(lambda: ids_of(user.collection_items(collection)),
                   lambda got: set(sent) <= set(got), timeout)
    expect_equal(sorted(items), sorted(sent), f"the Note's {key} lists exactly the {kind}s sent")


def expect_undo_removes(fed: FederationClient, inbox: str, remote: RemoteServer,
                        user: CandidateUser, note: str, kind: str, key: str, section: str,
                        timeout: float) -> None:
    collection = reaction_collection(user, note, key, section)
    bob, carol = remote.actors["eos-bob"], remote.actors["eos-carol"]
    undone = send(fed, inbox, remote, bob, kind, note)
    kept = send(fed, inbox, remote, carol, kind, note)["id"]
    both = {undone["id"], kept}
    if not both <= set(settle(lambda: ids_of(user.collection_items(collection)),
                              lambda got: both <= set(got), timeout)):
        cant_tell(f"the {kind}s never both showed in the Note's {key}, so no Undo can be seen")
    send(fed, inbox, remote, bob, "Undo", undone)
    items = settle(lambda: ids_of(user.collection_items(collection)),
                   lambda got: undone["id"] not in got, timeout)
    # The other actor's reaction stays: an emptied collection is no Undo of one activity.
    expect_equal(items, [kept], f"after bob's Undo the Note's {key} lists only carol's {kind}")


@pytest.mark.requirement("activitypub.like.likes-added")
def test_like_added_to_likes(fed: FederationClient, inbox: str, remote: RemoteServer,
                             user: CandidateUser, own_note: str, delivery_timeout: float) -> None:
    expect_reaction_added(fed, inbox, remote, user, own_note, "Like", "likes", "§7.10",
                          delivery_timeout)


@pytest.mark.requirement("activitypub.undo.like")
def test_undo_like_removes_it(fed: FederationClient, inbox: str, remote: RemoteServer,
                              user: CandidateUser, own_note: str,
                              delivery_timeout: float) -> None:
    expect_undo_removes(fed, inbox, remote, user, own_note, "Like", "likes", "§7.10",
                        delivery_timeout)


@pytest.mark.requirement("activitypub.announce.shares-added")
def test_announce_added_to_shares(fed: FederationClient, inbox: str, remote: RemoteServer,
                                  user: CandidateUser, own_note: str,
                                  delivery_timeout: float) -> None:
    expect_reaction_added(fed, inbox, remote, user, own_note, "Announce", "shares", "§7.11",
                          delivery_timeout)


@pytest.mark.requirement("activitypub.undo.announce")
def test_undo_announce_removes_it(fed: FederationClient, inbox: str, remote: RemoteServer,
                                  user: CandidateUser, own_note: str,
                                  delivery_timeout: float) -> None:
    expect_undo_removes(fed, inbox, remote, user, own_note, "Announce", "shares", "§7.11",
                        delivery_timeout)


@pytest.mark.requirement("activitypub.update.owner-only")
def test_update_by_another_actor_not_applied(fed: FederationClient, inbox: str,
                                             remote: RemoteServer, me: LocalActor,
                                             user: CandidateUser, own_note: str,
                                             delivery_timeout: float) -> None:
    # §7.3: the receiver must make sure an Update is authorised to modify its object. eos-bob
    # does not own the user's Note; his Update of it must leave it as it was.
    before = user.fetch(own_note)
    if before is None or not isinstance(before.get("content"), str):
        cant_tell("the user's Note cannot be read with its content")
    bob = remote.actors["eos-bob"]
    forged = "eos: rewritten by someone who does not own it"
    response = fed.post(inbox, activity(remote, "Update", bob, dict(before, content=forged),
                                        to=[PUBLIC]), bob)
    if 200 <= response.status_code < 300:
        # Judged once a later delivery by the same sender shows it was processed.
        control = send(fed, inbox, remote, bob, "Like", own_note)
        if control["id"] not in settle(lambda: ids_of(user.collection_items(user.inbox_url())),
                                       lambda got: control["id"] in got, delivery_timeout):
            cant_tell("a later Like by the same actor never showed in the user's inbox, so "
                      "whether the Update was processed cannot be judged")
    after = user.fetch(own_note)
    if after is None:
        cant_tell("the user's Note cannot be read after the Update")
    expect_equal(after.get("content"), before.get("content"),
                 "the Note's content after another actor's Update")


def is_forwarded(create_id: str, inbox_path: str) -> Callable[[Delivery], bool]:
    def accept(delivery: Delivery) -> bool:
        body = delivery.json() or {}
        return delivery.path.startswith(inbox_path) and body.get("id") == create_id
    return accept


@pytest.mark.requirement("activitypub.inbox.forwarding")
def test_reply_to_followers_forwarded(fed: FederationClient, inbox: str, remote: RemoteServer,
                                      me: LocalActor, user: CandidateUser,
                                      actor: dict[str, Any], followed: FollowOutcome,
                                      own_note: str, delivery_timeout: float) -> None:
    # §7.1.2: eos-bob replies to the user's Note, addressed to the user's followers collection
    # (which only the candidate can deliver to): the candidate must forward it to eos-alice.
    if followed.accept is None:
        cant_tell("eos-alice could not become a follower to receive the forwarded reply")
    followers = url_of(user.document().get("followers")) or url_of(actor.get("followers"))
    if followers is None:
        cant_tell("the user has no followers collection to address")
    bob = remote.actors["eos-bob"]
    reply = {"id": remote.new_object_id(), "type": "Note", "attributedTo": bob.id,
             "content": "eos: a reply for the user's followers", "inReplyTo": own_note,
             "to": [user.actor_id], "cc": [followers]}
    remote.publish(reply)
    create = activity(remote, "Create", bob, reply, to=[user.actor_id], cc=[followers])
    mark = remote.mark()
    response = fed.post(inbox, create, bob)
    if not 200 <= response.status_code < 300:
        cant_tell(f"the inbox refused the reply (HTTP {response.status_code})")
    forwarded = remote.wait_for(mark, is_forwarded(create["id"], urlsplit(me.inbox).path),
                                delivery_timeout)
    expect(forwarded is not None,
           "the reply addressed to the user's followers is forwarded to eos-alice, a follower",
           "a delivery of the Create", "none")
