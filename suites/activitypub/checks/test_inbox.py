"""What the candidate's inbox accepts (ActivityPub §7, HTTP Signatures, digests), and
deduplication by activity id (ActivityPub §7.1.2 / §7.3)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.api import cant_tell, expect
from suites.activitypub.client import LD_MEDIA_TYPE, FederationClient
from suites.activitypub.remote import AS_CONTEXT, LocalActor, RemoteServer
from suites.activitypub.scenarios import CandidateUser, activity
from suites.activitypub.streams import PUBLIC, url_of


def accepted(status: int) -> bool:
    return 200 <= status < 300


def rejected(status: int) -> bool:
    return 400 <= status < 500


def note_create(remote: RemoteServer, by: LocalActor, text: str) -> dict[str, Any]:
    note = {"id": remote.new_object_id(), "type": "Note", "attributedTo": by.id,
            "content": text, "to": [PUBLIC]}
    remote.publish(note)
    return activity(remote, "Create", by, note, to=[PUBLIC])


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
                                 me: LocalActor, mallory: LocalActor,
                                 user: CandidateUser) -> None:
    # mallory signs correctly with her own key, but the activity claims eos-alice as actor.
    forged = note_create(remote, me, "claimed by another actor")
    response = fed.post(inbox, forged, mallory)
    if rejected(response.status_code):
        return
    time.sleep(1.0)
    expect(forged["id"] not in user.inbox_ids(),
           "an activity whose actor is not the signing key's owner is not taken into the inbox",
           "refused or dropped", f"HTTP {response.status_code} and stored")


@pytest.mark.requirement("activitypub.inbox.deduplicated")
def test_same_activity_id_once(fed: FederationClient, inbox: str, remote: RemoteServer,
                               me: LocalActor, user: CandidateUser) -> None:
    create = note_create(remote, me, "delivered twice")
    first = fed.post(inbox, create, me)
    second = fed.post(inbox, create, me)
    if not accepted(first.status_code):
        cant_tell(f"the first delivery was refused (HTTP {first.status_code})")
    time.sleep(1.0)
    items = user.collection_items(user.inbox_url())
    count = sum(1 for item in items if url_of(item) == create["id"])
    expect(count == 1, "an activity delivered twice appears once in the inbox",
           1, f"{count} (second delivery answered {second.status_code})")


# JSON-LD forms of one and the same Like: the context as a string, a list or with the
# security context; the actor and object as IRIs or embedded objects; audiences as a single
# value or a list; the Public collection in its full or compacted form.
_CONTEXTS = st.sampled_from([AS_CONTEXT, [AS_CONTEXT], [AS_CONTEXT, "https://w3id.org/security/v1"]])
_PUBLIC = st.sampled_from([PUBLIC, "as:Public", "Public"])


@st.composite
def like_forms(draw: st.DrawFn, me: LocalActor, target: str) -> dict[str, Any]:
    actor: Any = me.id if draw(st.booleans()) else {"id": me.id, "type": "Person"}
    obj: Any = target if draw(st.booleans()) else {"id": target}
    public = draw(_PUBLIC)
    to: Any = public if draw(st.booleans()) else [public]
    return {"@context": draw(_CONTEXTS), "type": "Like", "actor": actor, "object": obj, "to": to}


@pytest.mark.requirement("activitypub.jsonld.equivalent-forms")
def test_jsonld_forms_accepted(fed: FederationClient, inbox: str, remote: RemoteServer,
                               me: LocalActor, actor_id: str) -> None:
    @settings(max_examples=6, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(form=like_forms(me, actor_id))
    def each(form: dict[str, Any]) -> None:
        form["id"] = remote.new_object_id()
        remote.publish(form)
        response = fed.post(inbox, form, me)
        expect(accepted(response.status_code),
               "every JSON-LD form of the same signed Like is accepted", "2xx",
               f"HTTP {response.status_code} for {json.dumps(form)[:300]}")

    each()


@pytest.mark.requirement("activitypub.actor.shared-inbox")
def test_shared_inbox_takes_deliveries(fed: FederationClient, actor: dict[str, Any],
                                       remote: RemoteServer, me: LocalActor) -> None:
    endpoints = actor.get("endpoints")
    shared = url_of(endpoints.get("sharedInbox")) if isinstance(endpoints, dict) else None
    if shared is None:
        pytest.skip("the actor advertises no endpoints.sharedInbox (optional, §4.1)")
    response = fed.post(shared, note_create(remote, me, "shared inbox"), me)
    expect(accepted(response.status_code),
           "a correctly signed public delivery to the advertised sharedInbox is accepted",
           "2xx", response.status_code)
