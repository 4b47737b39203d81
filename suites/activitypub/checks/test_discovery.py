"""WebFinger (RFC 7033), NodeInfo, the actor document (ActivityPub §4.1) and content
negotiation (ActivityPub §3.2)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.api import RecordingSession, expect, expect_equal, expect_in
from suites.activitypub.client import LD_MEDIA_TYPE, FederationClient, webfinger_url
from suites.activitypub.remote import AP_MEDIA_TYPE, LocalActor
from suites.activitypub.streams import http_url

ACTOR_TYPES = {"Application", "Group", "Organization", "Person", "Service"}
AS2_TYPES = ("application/activity+json", "application/ld+json")
AS2_PROFILE = "https://www.w3.org/ns/activitystreams"
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/"
CLIENT_ORIGIN = "https://client.example"


def media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def is_as2_link_type(value: Any) -> bool:
    """application/activity+json, or application/ld+json with the Activity Streams profile
    (ActivityPub and WebFinger §3.2: plain ld+json names no vocabulary)."""
    if not isinstance(value, str):
        return False
    kind = media_type(value)
    if kind == "application/activity+json":
        return True
    profiles = [p.split("=", 1)[1].strip().strip('"') for p in value.split(";")[1:]
                if p.strip().lower().startswith("profile=")]
    return kind == "application/ld+json" and AS2_PROFILE in " ".join(profiles).split()


def nodeinfo_link(session: RecordingSession) -> tuple[str, str] | None:
    """The (rel, href) of the NodeInfo document /.well-known/nodeinfo links (the first link
    whose rel is a NodeInfo schema and that has an href)."""
    response = session.get(".well-known/nodeinfo")
    try:
        body = response.json()
    except ValueError:
        return None
    links = body.get("links") if isinstance(body, dict) else None
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and str(link.get("rel", "")).startswith(NODEINFO_SCHEMA) \
                and isinstance(link.get("href"), str) and link["href"]:
            return str(link["rel"]), str(link["href"])
    return None


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
    expect(isinstance(body, dict), "the WebFinger answer is a JSON object", "JRD", body)
    assert isinstance(body, dict)
    aliases = body.get("aliases") if isinstance(body.get("aliases"), list) else []
    # Either the subject is the account asked for, or (a canonical subject) the account is
    # one of its aliases; a subject that is merely one of its own aliases says nothing.
    expect(body.get("subject") == acct or (isinstance(body.get("subject"), str)
                                           and acct in aliases),
           "the JRD subject is the queried account, or the account is among its aliases",
           acct, {"subject": body.get("subject"), "aliases": aliases})


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
    as2 = [link for link in selves if is_as2_link_type(link.get("type"))
           and http_url(link.get("href")) is not None]
    expect(bool(as2), "a self link points at an ActivityStreams document (type "
           "application/activity+json or application/ld+json; profile=\"…/activitystreams\", "
           "with an http(s) href)", AP_MEDIA_TYPE, selves)


@pytest.mark.requirement("activitypub.webfinger.cors")
def test_webfinger_cors(session: RecordingSession, acct: str) -> None:
    response = session.get(webfinger_url(acct), headers={"Origin": CLIENT_ORIGIN})
    allowed = (response.headers.get("Access-Control-Allow-Origin") or "").strip()
    expect(allowed in ("*", CLIENT_ORIGIN),
           "the WebFinger answer carries Access-Control-Allow-Origin allowing the origin",
           f"* or {CLIENT_ORIGIN}", allowed or dict(response.headers))


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
    expect(http_url(actor.get("inbox")) is not None, "the actor has an inbox (an http(s) URL)",
           "inbox URL", actor.get("inbox", sorted(actor)))


@pytest.mark.requirement("activitypub.actor.outbox")
def test_actor_outbox(actor: dict[str, Any]) -> None:
    expect(http_url(actor.get("outbox")) is not None, "the actor has an outbox (an http(s) URL)",
           "outbox URL", actor.get("outbox", sorted(actor)))


@pytest.mark.requirement("activitypub.actor.followers")
def test_actor_followers(actor: dict[str, Any]) -> None:
    expect(http_url(actor.get("followers")) is not None,
           "the actor document (as a remote server sees it) has a followers collection URL",
           "followers", sorted(actor))


@pytest.mark.requirement("activitypub.actor.following")
def test_actor_following(actor: dict[str, Any]) -> None:
    expect(http_url(actor.get("following")) is not None,
           "the actor document (as a remote server sees it) has a following collection URL",
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
    try:
        body = response.json()
    except ValueError:
        body = None
    expect(isinstance(body, dict) and body.get("id") == actor_id,
           "the document served is the actor itself", actor_id,
           body.get("id") if isinstance(body, dict) else body)


@pytest.mark.requirement("activitypub.negotiation.activity-json")
def test_activity_json(fed: FederationClient, actor_id: str, me: LocalActor) -> None:
    response = fed.get(actor_id, me, accept=AP_MEDIA_TYPE)
    expect_equal(response.status_code, 200, "GET with Accept: application/activity+json")
    expect_in(media_type(response.headers.get("Content-Type")), AS2_TYPES, "Content-Type")
    try:
        body = response.json()
    except ValueError:
        body = None
    expect(isinstance(body, dict) and body.get("id") == actor_id,
           "the document served is the actor itself", actor_id,
           body.get("id") if isinstance(body, dict) else body)


@pytest.mark.requirement("activitypub.nodeinfo.discovery")
def test_nodeinfo_discovery(session: RecordingSession) -> None:
    response = session.get(".well-known/nodeinfo")
    expect_equal(response.status_code, 200, "GET /.well-known/nodeinfo")
    # A schema rel without an href links nothing: the link must carry both.
    expect(nodeinfo_link(session) is not None,
           "a link with a NodeInfo schema rel and an href", "rel schema + href",
           response.text[:500])


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


@pytest.mark.requirement("activitypub.nodeinfo.document")
def test_nodeinfo_document(session: RecordingSession, fed: FederationClient) -> None:
    link = nodeinfo_link(session)
    expect(link is not None, "the NodeInfo discovery names a document")
    assert link is not None
    rel, href = link
    response = session.get(fed.route(href))
    try:
        document = response.json()
    except ValueError:
        document = None
    expect(isinstance(document, dict), "the NodeInfo document is a JSON object", "object",
           response.status_code)
    assert isinstance(document, dict)
    # What the NodeInfo 2.x schema requires (schemas/2.0/schema.json, "required").
    version = rel.removeprefix(NODEINFO_SCHEMA)
    expect_equal(document.get("version"), version, f"NodeInfo version (linked as {rel})")
    software = document.get("software")
    expect(isinstance(software, dict) and isinstance(software.get("name"), str)
           and bool(software["name"]) and isinstance(software.get("version"), str),
           "NodeInfo names the software and its version", "software.name, software.version",
           software)
    protocols = document.get("protocols")
    expect(_is_str_list(protocols) and "activitypub" in protocols,
           "NodeInfo protocols is a list that includes activitypub", ["activitypub"], protocols)
    services = document.get("services")
    expect(isinstance(services, dict) and _is_str_list(services.get("inbound"))
           and _is_str_list(services.get("outbound")),
           "NodeInfo lists its inbound and outbound services", "services", services)
    expect(isinstance(document.get("openRegistrations"), bool),
           "NodeInfo says whether registrations are open", "openRegistrations", document)
    usage = document.get("usage")
    expect(isinstance(usage, dict) and isinstance(usage.get("users"), dict),
           "NodeInfo gives its usage (users)", "usage.users", usage)
    expect(isinstance(document.get("metadata"), dict), "NodeInfo has a metadata object",
           "metadata", document.get("metadata"))
