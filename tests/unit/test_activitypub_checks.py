"""The ActivityPub suite's helpers and the faults that prove its loose checks were made exact,
on made-up documents (the integration tests prove the faults against bovine-herd)."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from conformance.suite.faults import ProxyRequest, ProxyResponse
from suites.activitypub import faults
from suites.activitypub.checks.test_discovery import is_as2_link_type
from suites.activitypub.checks.test_inbox import LIKE_FORMS
from suites.activitypub.remote import LocalActor
from suites.activitypub.streams import PUBLIC, PUBLIC_FORMS, as_list, http_url, ids_of, url_of

NOTE = "http://candidate.example/objects/1"


@pytest.mark.parametrize("value", ["", "inbox", "/inbox", "ftp://h/inbox", None, 3, {"id": ""}])
def test_what_is_not_an_http_url(value: object) -> None:
    assert http_url(value) is None


def test_http_urls_as_strings_or_objects() -> None:
    assert http_url("https://h.example/inbox") == "https://h.example/inbox"
    assert http_url({"id": "http://h.example/a"}) == "http://h.example/a"
    assert ids_of(["http://a", {"id": "http://b"}, {"type": "Note"}, "http://a"]) == [
        "http://a", "http://b", "http://a"]


@pytest.mark.parametrize(("value", "expected"), [
    ("application/activity+json", True),
    ('application/ld+json; profile="https://www.w3.org/ns/activitystreams"', True),
    ("application/ld+json;profile=https://www.w3.org/ns/activitystreams", True),
    ("application/ld+json", False),
    ('application/ld+json; profile="https://example.org/other"', False),
    ("application/json", False),
    (None, False),
])
def test_self_link_types(value: str | None, expected: bool) -> None:
    assert is_as2_link_type(value) is expected


def test_every_like_form_is_the_same_like_written_differently() -> None:
    me = LocalActor("eos-alice", "http://harness.example/",
                    rsa.generate_private_key(public_exponent=65537, key_size=1024))
    plain = LIKE_FORMS["plain"](me, NOTE)
    seen = {json.dumps(plain, sort_keys=True)}
    for name, form in LIKE_FORMS.items():
        like = form(me, NOTE)
        assert like["type"] == "Like", name
        assert url_of(like["actor"]) == me.id and url_of(like["object"]) == NOTE, name
        assert [a in PUBLIC_FORMS for a in as_list(like["to"])] == [True], name
        if name != "plain":
            assert json.dumps(like, sort_keys=True) not in seen, f"{name} repeats another form"
            seen.add(json.dumps(like, sort_keys=True))
    compact = {a for f in LIKE_FORMS.values() for a in as_list(f(me, NOTE)["to"])}
    # The bare term "Public" is the SHOULD of its own check (jsonld.public-term, §5.6).
    assert compact == PUBLIC_FORMS - {"Public"}, "each MUST form of the Public collection"


def _post(document: dict[str, object]) -> ProxyRequest:
    return ProxyRequest("POST", "/endpoints/inbox", {"Content-Type": "application/activity+json"},
                        json.dumps(document).encode())


def test_compact_public_likes_are_swallowed_and_the_plain_one_passes() -> None:
    for audience in (["as:Public"], "Public", ["http://x.example/a", "as:Public"]):
        answer = faults._drop_compact_public_likes(_post({"type": "Like", "to": audience}))
        assert isinstance(answer, ProxyResponse) and answer.status == 202
    plain = _post({"type": "Like", "to": [PUBLIC]})
    assert faults._drop_compact_public_likes(plain) is plain


def _jrd(request_path: str, document: dict[str, object]) -> tuple[ProxyRequest, ProxyResponse]:
    request = ProxyRequest("GET", request_path, {}, b"")
    return request, ProxyResponse.from_json(200, document, "application/jrd+json")


def test_subject_fault_hides_the_account() -> None:
    request, response = _jrd("/.well-known/webfinger?resource=acct:alice@h", {
        "subject": "acct:alice@h",
        "links": [{"rel": "self", "type": "application/activity+json", "href": "http://h/a"}]})
    changed = faults._subject_is_an_alias(request, response).json_object()
    assert changed is not None
    assert changed["subject"] == "http://h/a" and changed["aliases"] == ["http://h/a"]


def test_collection_padding_applies_to_the_actors_collections_only() -> None:
    collections = faults._ActorCollections(("followers",), faults._padded)
    actor = {"id": "http://h/a", "inbox": "http://h/in", "publicKey": {"id": "k"},
             "followers": "http://h/endpoints/f1"}
    get = ProxyRequest("GET", "/endpoints/f1", {}, b"")
    listing = {"type": "OrderedCollection", "orderedItems": ["http://x/b"], "totalItems": 1}
    # Before the actor document passed, the collection is unknown and left alone.
    assert collections.on_response(get, ProxyResponse.from_json(200, listing)).json_object() \
        == listing
    collections.on_response(ProxyRequest("GET", "/a", {}, b""),
                            ProxyResponse.from_json(200, actor))
    padded = collections.on_response(get, ProxyResponse.from_json(200, listing)).json_object()
    assert padded is not None
    assert padded["orderedItems"] == ["http://x/b", "http://elsewhere.invalid/actors/pending"]
    assert padded["totalItems"] == 2
    other = ProxyRequest("GET", "/endpoints/outbox", {}, b"")
    assert collections.on_response(other, ProxyResponse.from_json(200, listing)).json_object() \
        == listing


def test_bcc_moved_to_cc() -> None:
    create = {"type": "Create", "cc": ["http://h/followers"], "bcc": ["http://x/m"]}
    faults._bcc_to_cc(create)
    assert create == {"type": "Create", "cc": ["http://h/followers", "http://x/m"]}
