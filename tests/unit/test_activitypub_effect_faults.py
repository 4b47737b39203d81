"""The stateful ActivityPub faults on made-up exchanges: each remembers what was delivered and
rewrites only what the buggy server would serve differently (the integration tests prove
them caught against the real servers)."""

from __future__ import annotations

import json

from conformance.api import ProxyRequest, ProxyResponse
from suites.activitypub import faults_effects, faults_fedify

NOTE = "http://cand.example/o/note/1"
SIGNED = {"Content-Type": "application/activity+json", "Signature": 'keyId="x",signature="y"'}


def _post(document: dict[str, object], headers: dict[str, str] = SIGNED,
          path: str = "/users/alice/inbox") -> ProxyRequest:
    return ProxyRequest("POST", path, dict(headers), json.dumps(document).encode())


def _get(path: str) -> ProxyRequest:
    return ProxyRequest("GET", path, {"Accept": "application/activity+json"}, b"")


def _collection(items: list[str]) -> ProxyResponse:
    return ProxyResponse.from_json(200, {"type": "OrderedCollection", "orderedItems": items})


def _items(response: ProxyResponse) -> list[object]:
    document = response.json_object()
    assert document is not None
    return list(document["orderedItems"])


def test_reactions_hidden_only_once_delivered_signed() -> None:
    fault = faults_effects._Reactions("Like", hide=True)
    fault.on_request(_post({"type": "Like", "id": "http://h/like/1", "object": NOTE}))
    # An unsigned post is the user's client, not a delivery: not remembered.
    fault.on_request(_post({"type": "Like", "id": "http://h/like/2", "object": NOTE},
                           {"Content-Type": "application/activity+json"}))
    served = fault.on_response(_get("/o/note/1/likes"),
                               _collection(["http://h/like/1", "http://h/like/2"]))
    assert _items(served) == ["http://h/like/2"]


def test_undone_reaction_stays_beside_the_others_of_its_object() -> None:
    fault = faults_effects._Reactions("Like", hide=False)
    for like in ("http://h/like/1", "http://h/like/2"):
        fault.on_request(_post({"type": "Like", "id": like, "object": NOTE}))
    fault.on_request(_post({"type": "Undo", "id": "http://h/undo", "object": "http://h/like/1"}))
    served = fault.on_response(_get("/o/note/1/likes"), _collection(["http://h/like/2"]))
    assert _items(served) == ["http://h/like/2", "http://h/like/1"]
    # Another object's collection is left alone.
    other = fault.on_response(_get("/o/note/9/likes"), _collection(["http://h/else"]))
    assert _items(other) == ["http://h/else"]


def test_strangers_update_is_served_but_the_owners_is_not_rewritten() -> None:
    fault = faults_effects._StrangersUpdateApplied()
    note = {"id": NOTE, "type": "Note", "attributedTo": "http://cand.example/users/alice",
            "content": "forged"}
    fault.on_request(_post({"type": "Update", "actor": "http://h/actors/bob", "object": note}))
    original = ProxyResponse.from_json(200, dict(note, content="original"))
    assert (fault.on_response(_get("/o/note/1"), original).json_object() or {})["content"] \
        == "forged"
    assert fault.on_response(_get("/o/note/2"), original) is original


def test_forged_actor_kept_and_listed_in_the_inbox() -> None:
    fault = faults_fedify._ForgedActorKept()
    forged = {"type": "Create", "id": "http://h/create/1", "actor": "http://h/actors/alice"}
    headers = dict(SIGNED, Signature='keyId="http://h/actors/mallory#main-key",'
                                     'algorithm="rsa-sha256",headers="date",signature="c2ln"')
    answer = fault.on_request(_post(forged, headers))
    assert isinstance(answer, ProxyResponse) and answer.status == 202
    honest = _post(dict(forged, id="http://h/create/2"),
                   dict(headers, Signature=headers["Signature"].replace("mallory", "alice")))
    assert fault.on_request(honest) is honest
    served = fault.on_response(_get("/users/alice/inbox"), _collection(["http://h/create/2"]))
    assert _items(served) == ["http://h/create/1", "http://h/create/2"]
