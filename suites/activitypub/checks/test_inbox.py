"""What the candidate's inbox accepts (ActivityPub §7, HTTP Signatures, digests), and
deduplication by activity id (ActivityPub §7.1.2 / §7.3)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from conformance.api import cant_tell, current_evidence, expect, inapplicable
from suites.activitypub.client import LD_MEDIA_TYPE, FederationClient
from suites.activitypub.remote import AS_CONTEXT, SECURITY_CONTEXT, LocalActor, RemoteServer
from suites.activitypub.scenarios import CandidateUser, activity
from suites.activitypub.streams import PUBLIC, http_url, ids_of


def accepted(status: int) -> bool:
    return 200 <= status < 300


def rejected(status: int) -> bool:
    return 400 <= status < 500


def note_create(remote: RemoteServer, by: LocalActor, text: str) -> dict[str, Any]:
    note = {"id": remote.new_object_id(), "type": "Note", "attributedTo": by.id,
            "content": text, "to": [PUBLIC]}
    remote.publish(note)
    return activity(remote, "Create", by, note, to=[PUBLIC])


def inbox_after_control(fed: FederationClient, inbox: str, remote: RemoteServer,
                        me: LocalActor, user: CandidateUser, timeout: float) -> list[str]:
    """The ids in the user's inbox once a correctly signed control delivery, sent now, shows
    there: what was delivered before it has been processed by then. A fixed sleep would pass
    a check on a slow server before it acted, and an unreadable inbox would look empty."""
    control = note_create(remote, me, "control delivery")
    response = fed.post(inbox, control, me)
    if not accepted(response.status_code):
        cant_tell(f"the control delivery was refused (HTTP {response.status_code})")
    deadline = time.monotonic() + timeout
    while True:
        ids = ids_of(user.collection_items(user.inbox_url()))
        if control["id"] in ids:
            time.sleep(0.3)  # deliveries processed concurrently with the control settle too
            return ids_of(user.collection_items(user.inbox_url()))
        if time.monotonic() >= deadline:
            cant_tell("a correctly signed control delivery never showed in the user's inbox, "
                      "so what the inbox took cannot be judged")
        time.sleep(0.3)


@pytest.mark.requirement("activitypub.inbox.signed-accepted")
def test_signed_post_accepted(fed: FederationClient, inbox: str, remote: RemoteServer,
                              me: LocalActor) -> None:
    response = fed.post(inbox, note_create(remote, me, "signed"), me)
    expect(accepted(response.status_code), "a correctly signed delivery is accepted (2xx)",
           "2xx", response.status_code)


@pytest.mark.requirement("activitypub.inbox.ld-json-accepted")
def test_ld_json_post_accepted(fed: FederationClient, inbox: str, remote: RemoteServer,
                               me: LocalActor) -> None:
    response = fed.post(inbox, note_create(remote, me, "ld+json"), me,
                        content_type=LD_MEDIA_TYPE)
    expect(accepted(response.status_code),
           "a signed delivery with Content-Type application/ld+json; profile=… is accepted",
           "2xx", response.status_code)


@pytest.mark.requirement("activitypub.inbox.unsigned-rejected")
def test_unsigned_post_rejected(fed: FederationClient, inbox: str, remote: RemoteServer,
                                me: LocalActor) -> None:
    response = fed.post(inbox, note_create(remote, me, "unsigned"), None)
    expect(rejected(response.status_code), "an unsigned delivery is refused (401/403)",
           "4xx", response.status_code)


@pytest.mark.requirement("activitypub.httpsig.bad-signature-rejected")
def test_bad_signature_rejected(fed: FederationClient, inbox: str, remote: RemoteServer,
                                me: LocalActor, mallory: LocalActor) -> None:
    # Signed with mallory's key but claiming eos-alice's keyId: the signature cannot verify.
    response = fed.post(inbox, note_create(remote, me, "forged"), mallory, key_id=me.key_id)
    expect(rejected(response.status_code),
           "a delivery whose signature does not verify with the named key is refused",
           "4xx", response.status_code)


@pytest.mark.requirement("activitypub.httpsig.digest-mismatch-rejected")
def test_digest_mismatch_rejected(fed: FederationClient, inbox: str, remote: RemoteServer,
                                  me: LocalActor) -> None:
    signed = note_create(remote, me, "original body")
    swapped = json.dumps(dict(signed, id=remote.new_object_id())).encode()
    response = fed.post(inbox, signed, me, body_after_signing=swapped)
    expect(rejected(response.status_code),
           "a delivery whose body does not match its signed Digest is refused",
           "4xx", response.status_code)


@pytest.mark.requirement("activitypub.httpsig.rfc9421-accepted")
def test_rfc9421_signature_accepted(fed: FederationClient, inbox: str, remote: RemoteServer,
                                    me: LocalActor) -> None:
    response = fed.post(inbox, note_create(remote, me, "rfc9421"), me, scheme="rfc9421")
    expect(accepted(response.status_code),
           "a delivery signed with RFC 9421 HTTP Message Signatures is accepted",
           "2xx", response.status_code)


@pytest.mark.requirement("activitypub.inbox.actor-key-owner")
def test_foreign_actor_not_taken(fed: FederationClient, inbox: str, remote: RemoteServer,
                                 me: LocalActor, mallory: LocalActor, user: CandidateUser,
                                 delivery_timeout: float) -> None:
    # mallory signs correctly with her own key, but the activity claims eos-alice as actor.
    forged = note_create(remote, me, "claimed by another actor")
    response = fed.post(inbox, forged, mallory)
    if rejected(response.status_code):
        return
    taken = inbox_after_control(fed, inbox, remote, me, user, delivery_timeout)
    expect(forged["id"] not in taken,
           "an activity whose actor is not the signing key's owner is not taken into the inbox",
           "refused or dropped", f"HTTP {response.status_code} and stored")


@pytest.mark.requirement("activitypub.inbox.deduplicated")
def test_same_activity_id_once(fed: FederationClient, inbox: str, remote: RemoteServer,
                               me: LocalActor, user: CandidateUser,
                               delivery_timeout: float) -> None:
    create = note_create(remote, me, "delivered twice")
    first = fed.post(inbox, create, me)
    second = fed.post(inbox, create, me)
    if not accepted(first.status_code):
        cant_tell(f"the first delivery was refused (HTTP {first.status_code})")
    taken = inbox_after_control(fed, inbox, remote, me, user, delivery_timeout)
    count = taken.count(create["id"])
    expect(count == 1, "an activity delivered twice appears once in the inbox",
           1, f"{count} (second delivery answered {second.status_code})")


# JSON-LD forms of one and the same Like of the user's Note, each differing from the plain
# form in one way (the last in all at once): the context as a list or with the security
# context (AS2 Core §2.1 allows augmenting it); the actor or object embedded instead of an
# IRI; the audience as a single value; the Public collection compacted (as:Public, Public:
# ActivityPub §5.6 names all three forms). Fully expanded JSON-LD is not among them: AS2 Core
# §2.1 says documents MUST be serialised in compacted form.
Form = Callable[[LocalActor, str], dict[str, Any]]


def _like(me: LocalActor, note: str, **changes: Any) -> dict[str, Any]:
    return {"@context": AS_CONTEXT, "type": "Like", "actor": me.id, "object": note,
            "to": [PUBLIC], **changes}


LIKE_FORMS: dict[str, Form] = {
    "plain": lambda me, note: _like(me, note),
    "context-list": lambda me, note: _like(me, note, **{"@context": [AS_CONTEXT]}),
    "context-with-security": lambda me, note: _like(
        me, note, **{"@context": [AS_CONTEXT, SECURITY_CONTEXT]}),
    "embedded-actor": lambda me, note: _like(me, note, actor={"id": me.id, "type": "Person"}),
    "embedded-object": lambda me, note: _like(me, note, object={"id": note, "type": "Note"}),
    "single-audience": lambda me, note: _like(me, note, to=PUBLIC),
    "as:Public": lambda me, note: _like(me, note, to=["as:Public"]),
    "all-compact": lambda me, note: _like(
        me, note, actor={"id": me.id, "type": "Person"}, object={"id": note},
        to="as:Public", **{"@context": [AS_CONTEXT, SECURITY_CONTEXT]}),
}


def _likes_collection(user: CandidateUser, note_id: str) -> str | None:
    document = user.fetch(note_id)
    return http_url(document.get("likes")) if document is not None else None


class Handling:
    """How the candidate handled each delivered form of a Like of the user's Note: the
    times its id shows in the user's inbox and in the Note's likes collection (None when
    the Note has none)."""

    def __init__(self, fed: FederationClient, inbox: str, remote: RemoteServer,
                 me: LocalActor, user: CandidateUser, note: str) -> None:
        self.fed, self.inbox, self.remote, self.me = fed, inbox, remote, me
        self.user, self.note = user, note
        self.sent: dict[str, str] = {}  # form -> Like id
        self.likes_url = _likes_collection(user, note)
        self.in_likes: list[str] = []

    def deliver(self, forms: dict[str, Form]) -> None:
        for name, form in forms.items():
            like = dict(form(self.me, self.note), id=self.remote.new_object_id())
            self.remote.publish(like)
            response = self.fed.post(self.inbox, like, self.me)
            expect(accepted(response.status_code),
                   f"every JSON-LD form of the same signed Like is accepted ({name})", "2xx",
                   f"HTTP {response.status_code} for {json.dumps(like)[:300]}")
            self.sent[name] = like["id"]

    def observe(self, timeout: float) -> dict[str, tuple[int, int | None]]:
        """Waits (at most ``timeout``) until every Like shows in both places, then says how
        often each shows where."""
        ids, plain = set(self.sent.values()), {self.sent["plain"]}
        start = time.monotonic()
        deadline, plain_seen = start + timeout, False
        while True:
            in_inbox = ids_of(self.user.collection_items(self.user.inbox_url()))
            self.in_likes = (ids_of(self.user.collection_items(self.likes_url))
                             if self.likes_url else [])
            now = time.monotonic()
            if (ids <= set(in_inbox) and (self.likes_url is None or ids <= set(self.in_likes))) \
                    or now >= deadline:
                break
            if not plain_seen and plain <= set(in_inbox):
                # The forms were delivered together: once the plain one is handled, the others
                # get as long again (at least 2 s more), not the whole timeout.
                plain_seen = True
                deadline = min(deadline, now + max(2.0, now - start))
            time.sleep(0.3)
        handled = {name: (in_inbox.count(i), self.in_likes.count(i) if self.likes_url else None)
                   for name, i in self.sent.items()}
        log = current_evidence()
        if log is not None:
            log.note(f"likes collection of {self.note}: {self.likes_url}; "
                     f"(in inbox, in likes) per form: {handled}")
        return handled

    def expect_alike(self, handled: dict[str, tuple[int, int | None]]) -> None:
        baseline = handled["plain"]
        expect(baseline[0] == 1, "the plain Like shows once in the user's inbox", 1,
               baseline[0])
        different = {name: seen for name, seen in handled.items() if seen != baseline}
        expect(not different,
               "every equivalent form is handled as the plain one (in inbox, in likes)",
               {name: baseline for name in different}, different)
        if self.likes_url is not None and baseline[1]:
            # The Note's likes then hold exactly these Likes: none missing, none extra.
            ids = sorted(self.sent.values())
            expect(sorted(self.in_likes) == ids,
                   "the Note's likes collection lists exactly the Likes delivered", ids,
                   sorted(self.in_likes))


@pytest.mark.requirement("activitypub.jsonld.equivalent-forms")
def test_jsonld_forms_handled_alike(fed: FederationClient, inbox: str, remote: RemoteServer,
                                    me: LocalActor, user: CandidateUser, own_note: str,
                                    delivery_timeout: float) -> None:
    handling = Handling(fed, inbox, remote, me, user, own_note)
    handling.deliver(LIKE_FORMS)
    handling.expect_alike(handling.observe(delivery_timeout))


@pytest.mark.requirement("activitypub.jsonld.context-assumed")
def test_missing_context_assumed(fed: FederationClient, inbox: str, remote: RemoteServer,
                                 me: LocalActor, user: CandidateUser, own_note: str,
                                 delivery_timeout: float) -> None:
    # AS2 Core §2.1: an application/activity+json document without @context is read with
    # the normative context, so it must be handled as the same Like with the context.
    handling = Handling(fed, inbox, remote, me, user, own_note)
    handling.deliver({
        "plain": LIKE_FORMS["plain"],
        "no-context": lambda me, note: {k: v for k, v in _like(me, note).items()
                                        if k != "@context"},
    })
    handling.expect_alike(handling.observe(delivery_timeout))


@pytest.mark.requirement("activitypub.jsonld.public-term")
def test_public_term_accepted(fed: FederationClient, inbox: str, remote: RemoteServer,
                              me: LocalActor, user: CandidateUser, own_note: str,
                              delivery_timeout: float) -> None:
    # ActivityPub §5.6: "Public" is one of the three representations to be prepared for. A
    # SHOULD of its own: in JSON-LD an @id-typed value does not expand terms, so a strict
    # processor reads "Public" as a relative IRI.
    handling = Handling(fed, inbox, remote, me, user, own_note)
    handling.deliver({
        "plain": LIKE_FORMS["plain"],
        "Public": lambda me, note: _like(me, note, to=["Public"]),
    })
    handling.expect_alike(handling.observe(delivery_timeout))


@pytest.mark.requirement("activitypub.actor.shared-inbox")
def test_shared_inbox_takes_deliveries(fed: FederationClient, actor: dict[str, Any],
                                       remote: RemoteServer, me: LocalActor) -> None:
    endpoints = actor.get("endpoints")
    advertised = endpoints.get("sharedInbox") if isinstance(endpoints, dict) else None
    if advertised is None:
        inapplicable("endpoints.sharedInbox not advertised (ActivityPub §4.1, optional)",
                     "the actor advertises no shared inbox, so there is none to deliver to")
    shared = http_url(advertised)
    expect(shared is not None, "the advertised sharedInbox is an http(s) URL", "URL",
           advertised)
    assert shared is not None
    response = fed.post(shared, note_create(remote, me, "shared inbox"), me)
    expect(accepted(response.status_code),
           "a correctly signed public delivery to the advertised sharedInbox is accepted",
           "2xx", response.status_code)
