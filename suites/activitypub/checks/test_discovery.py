"""WebFinger (RFC 7033), NodeInfo, the actor document (ActivityPub §4.1) and content
negotiation (ActivityPub §3.2)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.api import RecordingSession, expect, expect_equal, expect_in
from suites.activitypub.client import LD_MEDIA_TYPE, FederationClient, webfinger_url
from suites.activitypub.remote import AP_MEDIA_TYPE, LocalActor
from suites.activitypub.streams import url_of

ACTOR_TYPES = {"Application", "Group", "Organization", "Person", "Service"}
AS2_TYPES = ("application/activity+json", "application/ld+json")


def media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def jrd(session: RecordingSession, resource: str) -> tuple[int, str, Any]:
    response = session.get(webfinger_url(resource), headers={"Accept": "application/jrd+json"})
    try:
        body = response.json()
    except ValueError:
        body = None
    return response.status_code, media_type(response.headers.get("Content-Type")), body


@pytest.mark.requirement("activitypub.webfinger.jrd")
def test_webfinger_answers_with_a_jrd(session: RecordingSession, acct: str) -> None:
    status, _, body = jrd(session, acct)
    expect_equal(status, 200, f"WebFinger status for {acct}")
    expect(isinstance(body, dict) and isinstance(body.get("links", []), list),
           "the WebFinger answer is a JSON object (JRD) with a links array", "JRD", body)


@pytest.mark.requirement("activitypub.webfinger.media-type")
def test_webfinger_media_type(session: RecordingSession, acct: str) -> None:
    _, kind, _ = jrd(session, acct)
    expect_equal(kind, "application/jrd+json", "WebFinger Content-Type")


@pytest.mark.requirement("activitypub.webfinger.subject")
def test_webfinger_subject(session: RecordingSession, acct: str) -> None:
    _, _, body = jrd(session, acct)
    expect(isinstance(body, dict) and body.get("subject") in (acct, *body.get("aliases", [])),
           "the JRD subject names the queried account", acct, body)


@pytest.mark.requirement("activitypub.webfinger.unknown-404")
def test_webfinger_unknown_account(session: RecordingSession, acct: str) -> None:
    host = acct.split("@", 1)[1]
    status, _, _ = jrd(session, f"acct:no-such-user-eos-check@{host}")
    expect_equal(status, 404, "WebFinger status for an unknown account")


@pytest.mark.requirement("activitypub.webfinger.missing-resource-400")
def test_webfinger_without_resource(session: RecordingSession) -> None:
    response = session.get(".well-known/webfinger", headers={"Accept": "application/jrd+json"})
    expect_equal(response.status_code, 400, "WebFinger status without a resource parameter")


@pytest.mark.requirement("activitypub.webfinger.self-link")
def test_webfinger_self_link(session: RecordingSession, acct: str) -> None:
    _, _, body = jrd(session, acct)
    links = body.get("links", []) if isinstance(body, dict) else []
    selves = [link for link in links if isinstance(link, dict) and link.get("rel") == "self"]
    expect(bool(selves), "the JRD has a rel=self link", "rel=self", links)
    expect(any(media_type(link.get("type")) in AS2_TYPES and link.get("href") for link in selves),
           "the self link points at an ActivityStreams document (type activity+json)",
           AP_MEDIA_TYPE, selves)


@pytest.mark.requirement("activitypub.webfinger.cors")
def test_webfinger_cors(session: RecordingSession, acct: str) -> None:
    response = session.get(webfinger_url(acct), headers={"Origin": "https://client.example"})
    expect(response.headers.get("Access-Control-Allow-Origin") is not None,
           "the WebFinger answer carries Access-Control-Allow-Origin", "header present",
           dict(response.headers))


@pytest.mark.requirement("activitypub.actor.retrievable")
def test_actor_retrievable(fed: FederationClient, actor_id: str, me: LocalActor) -> None:
    response, document = fed.get_json(actor_id, me)
    expect_equal(response.status_code, 200, f"signed GET {actor_id}")
    expect(document is not None, "the actor answer is a JSON object")
    expect_in(media_type(response.headers.get("Content-Type")), AS2_TYPES,
              "actor Content-Type")


@pytest.mark.requirement("activitypub.actor.id")
def test_actor_id(actor: dict[str, Any], actor_id: str) -> None:
    expect_equal(actor.get("id"), actor_id, "the actor document's id")


@pytest.mark.requirement("activitypub.actor.type")
def test_actor_type(actor: dict[str, Any]) -> None:
    expect_in(actor.get("type"), ACTOR_TYPES, "actor type")


@pytest.mark.requirement("activitypub.actor.context")
def test_actor_context(actor: dict[str, Any]) -> None:
    context = actor.get("@context")
    contexts = context if isinstance(context, list) else [context]
    expect("https://www.w3.org/ns/activitystreams" in contexts,
           "the @context includes the Activity Streams context", "AS2 context", context)


@pytest.mark.requirement("activitypub.actor.inbox")
def test_actor_inbox(actor: dict[str, Any]) -> None:
    expect(url_of(actor.get("inbox")) is not None, "the actor has an inbox", "inbox", actor)


@pytest.mark.requirement("activitypub.actor.outbox")
def test_actor_outbox(actor: dict[str, Any]) -> None:
    expect(url_of(actor.get("outbox")) is not None, "the actor has an outbox", "outbox", actor)


@pytest.mark.requirement("activitypub.actor.followers")
def test_actor_followers(actor: dict[str, Any]) -> None:
    expect(url_of(actor.get("followers")) is not None,
           "the actor document (as a remote server sees it) has a followers collection",
           "followers", sorted(actor))


@pytest.mark.requirement("activitypub.actor.following")
def test_actor_following(actor: dict[str, Any]) -> None:
    expect(url_of(actor.get("following")) is not None,
           "the actor document (as a remote server sees it) has a following collection",
           "following", sorted(actor))


@pytest.mark.requirement("activitypub.actor.public-key")
def test_actor_public_key(actor: dict[str, Any]) -> None:
    from cryptography.hazmat.primitives import serialization

    key = actor.get("publicKey")
    expect(isinstance(key, dict) and key.get("id") and key.get("publicKeyPem"),
           "the actor has a publicKey with id and publicKeyPem", "publicKey", key)
    assert isinstance(key, dict)
    try:
        serialization.load_pem_public_key(str(key["publicKeyPem"]).encode())
    except ValueError as error:
        expect(False, f"publicKeyPem is not a PEM public key: {error}")


@pytest.mark.requirement("activitypub.actor.key-owner")
def test_actor_key_owner(actor: dict[str, Any], actor_id: str) -> None:
    key = actor.get("publicKey")
    expect(isinstance(key, dict), "the actor has a publicKey", "publicKey", key)
    assert isinstance(key, dict)
    expect_equal(key.get("owner"), actor_id, "publicKey.owner")


@pytest.mark.requirement("activitypub.negotiation.ld-json")
def test_ld_json_profile(fed: FederationClient, actor_id: str, me: LocalActor) -> None:
    response = fed.get(actor_id, me, accept=LD_MEDIA_TYPE)
    expect_equal(response.status_code, 200, "GET with Accept: application/ld+json; profile=…")
    expect_in(media_type(response.headers.get("Content-Type")), AS2_TYPES, "Content-Type")
    expect_equal(response.json().get("id"), actor_id, "the id of the document served")


@pytest.mark.requirement("activitypub.negotiation.activity-json")
def test_activity_json(fed: FederationClient, actor_id: str, me: LocalActor) -> None:
    response = fed.get(actor_id, me, accept=AP_MEDIA_TYPE)
    expect_equal(response.status_code, 200, "GET with Accept: application/activity+json")
    expect_in(media_type(response.headers.get("Content-Type")), AS2_TYPES, "Content-Type")


@pytest.mark.requirement("activitypub.nodeinfo.discovery")
def test_nodeinfo_discovery(session: RecordingSession) -> None:
    response = session.get(".well-known/nodeinfo")
    expect_equal(response.status_code, 200, "GET /.well-known/nodeinfo")
    links = response.json().get("links", [])
    expect(any(str(link.get("rel", "")).startswith("http://nodeinfo.diaspora.software/ns/schema/")
               for link in links), "a link to a NodeInfo schema document", "rel schema", links)


@pytest.mark.requirement("activitypub.nodeinfo.document")
def test_nodeinfo_document(session: RecordingSession, fed: FederationClient) -> None:
    links = session.get(".well-known/nodeinfo").json().get("links", [])
    href = next((link.get("href") for link in links
                 if str(link.get("rel", "")).startswith(
                     "http://nodeinfo.diaspora.software/ns/schema/")), None)
    expect(href is not None, "the NodeInfo discovery names a document")
    document = session.get(fed.route(str(href))).json()
    expect(isinstance(document.get("software"), dict) and document["software"].get("name"),
           "NodeInfo names the software", "software.name", document)
    expect("activitypub" in document.get("protocols", []),
           "NodeInfo lists activitypub among its protocols", "activitypub",
           document.get("protocols"))
    expect(bool(document.get("version")), "NodeInfo has a version", "version", document)
