"""The fault proxy: transparent unless its fault says otherwise, in front of a real server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from conformance.candidate.launchers.base import free_loopback_port
from conformance.suite.faults import NO_FAULT, Fault, FaultProxy, ProxyRequest, ProxyResponse
from tests.helpers import Seen, local_http_server


@pytest.fixture
def upstream() -> Iterator[tuple[str, Seen]]:
    with local_http_server() as served:
        yield served


@contextmanager
def running(upstream: str, fault: Fault = NO_FAULT) -> Iterator[FaultProxy]:
    """A started proxy; its server polls faster than the default, so stopping it is quick."""
    proxy = FaultProxy(upstream, fault)
    proxy.thread = threading.Thread(target=proxy.server.serve_forever, args=(0.02,), daemon=True)
    with proxy:
        yield proxy


def client() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # never a proxy from the environment in front of the proxy
    return session


def test_transparent_pass_through(upstream: tuple[str, Seen]) -> None:
    base, seen = upstream
    with running(base) as proxy:
        http = client()
        ok = http.request("PROPFIND", proxy.url + "dav/?x=1", data=b"<propfind/>",
                          headers={"Depth": "1", "Content-Type": "application/xml"})
        missing = http.get(proxy.url + "missing", allow_redirects=False)
        moved = http.get(proxy.url + "redirect", allow_redirects=False)
    assert ok.status_code == 200
    assert ok.content == b"hello PROPFIND /dav/?x=1 <propfind/>"
    assert ok.headers["ETag"] == '"v1"'
    assert ok.headers["X-Demo"] == "yes"
    assert ok.headers["Content-Length"] == str(len(ok.content))
    assert (missing.status_code, missing.content) == (404, b"not here")
    assert (moved.status_code, moved.headers["Location"]) == (302, "/elsewhere")
    method, path, headers, body = seen.requests[0]
    assert (method, path, body) == ("PROPFIND", "/dav/?x=1", b"<propfind/>")
    assert headers["Depth"] == "1"
    assert headers["Host"] == base.removeprefix("http://").rstrip("/")


def test_head_has_no_body(upstream: tuple[str, Seen]) -> None:
    base, _ = upstream
    with running(base) as proxy:
        answer = client().head(proxy.url + "x")
    assert answer.status_code == 200
    assert answer.content == b""


def test_head_answer_never_carries_a_body(upstream: tuple[str, Seen]) -> None:
    # Even if a fault gives the answer a body, HEAD must not send it: the stray bytes would
    # be read as the start of the next answer on the same connection.
    base, _ = upstream
    fault = Fault(name="body", description="", breaks=(),
                  on_response=lambda request, response: response.with_body(b"stray bytes"))
    with running(base, fault) as proxy:
        http = client()
        head = http.head(proxy.url + "x")
        after = http.get(proxy.url + "y")
    assert head.status_code == 200
    assert head.headers["Content-Length"] == "11"
    assert (after.status_code, after.content) == (200, b"stray bytes")


def test_on_response_drops_a_header(upstream: tuple[str, Seen]) -> None:
    base, seen = upstream
    fault = Fault(name="no-etag", description="drops ETag", breaks=("demo.etag",),
                  on_response=lambda request, response: response.without_header("etag"))
    with running(base, fault) as proxy:
        answer = client().get(proxy.url + "item")
    assert "ETag" not in answer.headers
    assert answer.headers["X-Demo"] == "yes"  # only that header goes
    assert answer.content == b"hello GET /item"
    assert len(seen.requests) == 1  # the upstream still answered, with its ETag


def test_on_response_changes_status_and_body(upstream: tuple[str, Seen]) -> None:
    base, _ = upstream
    fault = Fault(name="wrong", description="", breaks=(),
                  on_response=lambda request, response: response.with_status(207)
                  .with_body(b"changed body").with_header("X-Demo", "no"))
    with running(base, fault) as proxy:
        answer = client().get(proxy.url + "item")
    assert answer.status_code == 207
    assert answer.content == b"changed body"
    assert answer.headers["Content-Length"] == "12"  # recomputed for the new body
    assert answer.headers["X-Demo"] == "no"


def test_on_request_can_strip_a_request_header(upstream: tuple[str, Seen]) -> None:
    base, seen = upstream
    fault = Fault(name="no-depth", description="", breaks=(),
                  on_request=lambda request: request.without_header("depth"))
    with running(base, fault) as proxy:
        client().request("PROPFIND", proxy.url, headers={"Depth": "1"})
    assert "Depth" not in seen.requests[0][2]


def test_on_request_response_short_circuits(upstream: tuple[str, Seen]) -> None:
    base, seen = upstream
    answered: list[ProxyRequest] = []

    def refuse(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
        answered.append(request)
        return ProxyResponse(403, [("Content-Type", "text/plain")], b"forbidden by fault")

    fault = Fault(name="refuse", description="", breaks=(), on_request=refuse)
    with running(base, fault) as proxy:
        answer = client().put(proxy.url + "cal/x.ics", data=b"BEGIN:VCALENDAR")
    assert (answer.status_code, answer.content) == (403, b"forbidden by fault")
    assert seen.requests == []  # the candidate never saw it
    assert answered[0].method == "PUT" and answered[0].body == b"BEGIN:VCALENDAR"
    assert answered[0].header("content-length") == "15"


def test_unreachable_upstream_gives_502() -> None:
    closed = free_loopback_port()  # bound and released: nothing listens there
    # The proxy exactly as shipped (its own start and stop), once.
    with FaultProxy(f"http://127.0.0.1:{closed}/") as proxy:
        answer = client().get(proxy.url + "x")
        assert proxy.thread.is_alive()
    assert answer.status_code == 502
    assert b"upstream failed" in answer.content
    assert not proxy.thread.is_alive()


def test_proxy_response_helpers_are_case_insensitive() -> None:
    response = ProxyResponse(200, [("ETag", '"1"'), ("X-A", "a")], b"")
    assert response.header("etag") == '"1"'
    assert response.without_header("ETAG").header("etag") is None
    assert response.with_header("x-a", "b").headers == [("ETag", '"1"'), ("x-a", "b")]
    request = ProxyRequest("GET", "/", {"Depth": "0"}, b"")
    assert request.header("DEPTH") == "0"
    assert request.with_body(b"x").body == b"x"


def test_proxy_request_path_and_query() -> None:
    request = ProxyRequest("GET", "/cal/a.ics?x=1&empty=&x=2", {}, b"")
    assert request.path_only == "/cal/a.ics"
    assert request.query == {"x": "2", "empty": ""}  # blank values kept, the last one wins
    assert ProxyRequest("GET", "/plain", {}, b"").path_only == "/plain"
    assert ProxyRequest("GET", "/plain", {}, b"").query == {}
    moved = request.with_path("/elsewhere?y=3")
    assert (moved.path_only, moved.query, moved.method) == ("/elsewhere", {"y": "3"}, "GET")


def test_proxy_request_with_header_replaces_any_case() -> None:
    request = ProxyRequest("PUT", "/", {"content-type": "text/plain", "Depth": "1"}, b"")
    changed = request.with_header("Content-Type", "text/calendar")
    assert changed.headers == {"Depth": "1", "Content-Type": "text/calendar"}
    assert request.headers["content-type"] == "text/plain"  # the original is unchanged
    assert request.with_header("X-New", "v").header("x-new") == "v"


@pytest.mark.parametrize("body", [b"", b"not json", b"\xff\xfe", b"null", b"{broken"])
def test_a_body_that_is_not_json_reads_as_none(body: bytes) -> None:
    assert ProxyRequest("POST", "/", {}, body).json() is None
    assert ProxyRequest("POST", "/", {}, body).json_object() is None
    assert ProxyResponse(200, [], body).json() is None
    assert ProxyResponse(200, [], body).json_object() is None


def test_json_reads_any_value_and_json_object_only_objects() -> None:
    assert ProxyResponse(200, [], b'[1, "a"]').json() == [1, "a"]
    assert ProxyResponse(200, [], b'[1, "a"]').json_object() is None
    assert ProxyResponse(200, [], b'"text"').json_object() is None
    assert ProxyResponse(200, [], b'{"a": [1]}').json_object() == {"a": [1]}
    assert ProxyRequest("POST", "/", {}, b'{"a": 1}').json() == {"a": 1}
    assert ProxyRequest("POST", "/", {}, b"7").json() == 7
    assert ProxyRequest("POST", "/", {}, b"7").json_object() is None


def test_with_json_replaces_the_body_and_keeps_the_headers() -> None:
    response = ProxyResponse(201, [("Content-Type", "application/activity+json"),
                                   ("ETag", '"1"')], b'{"old": true}')
    changed = response.with_json({"new": ["é", 1]})
    assert changed.body == b'{"new": ["\\u00e9", 1]}'  # json.dumps defaults
    assert (changed.status, changed.headers) == (response.status, response.headers)
    assert changed.json() == {"new": ["é", 1]}
    request = ProxyRequest("POST", "/inbox", {"Content-Type": "application/json",
                                              "Content-Length": "13"}, b'{"old": true}')
    sent = request.with_json([1, 2])
    assert sent.body == b"[1, 2]"
    assert sent.headers == request.headers  # the proxy never forwards Content-Length


def test_from_json_answers_with_one_content_type() -> None:
    answer = ProxyResponse.from_json(404, {"error": "gone"})
    assert (answer.status, answer.headers, answer.body) == (
        404, [("Content-Type", "application/json")], b'{"error": "gone"}')
    jrd = ProxyResponse.from_json(200, {"links": []}, "application/jrd+json")
    assert jrd.header("content-type") == "application/jrd+json"
    assert jrd.body == b'{"links": []}'


def test_a_rewritten_json_body_reaches_both_sides_with_its_own_length(
        upstream: tuple[str, Seen]) -> None:
    base, seen = upstream

    def on_request(request: ProxyRequest) -> ProxyRequest:
        value = request.json_object()
        return request.with_json({**value, "added": "by the proxy"}) if value else request

    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        return response.with_json({"path": request.path_only, "query": request.query})

    fault = Fault(name="json", description="", breaks=(), on_request=on_request,
                  on_response=on_response)
    with running(base, fault) as proxy:
        answer = client().post(proxy.url + "inbox?page=2", json={"type": "Note"})
    _, _, headers, body = seen.requests[0]
    assert body == b'{"type": "Note", "added": "by the proxy"}'
    assert headers["Content-Length"] == str(len(body))
    assert answer.json() == {"path": "/inbox", "query": {"page": "2"}}
    assert answer.headers["Content-Length"] == str(len(answer.content))


def test_only_faults_with_a_hook_variant_or_inbound_part_are_injected_by_the_harness() -> None:
    from conformance.suite.faults import Fault, ProxyResponse

    def answer_teapot(_request: object) -> ProxyResponse:
        return ProxyResponse(418, [], b"")

    document_only = Fault(name="doc", description="a corrupted document", breaks=("x",))
    assert not document_only.injected_by_harness
    assert Fault(name="r", description="", breaks=(), on_request=answer_teapot).injected_by_harness
    assert Fault(name="v", description="", breaks=(), variant="broken").injected_by_harness
    assert Fault(name="i", description="", breaks=(), inbound=document_only).injected_by_harness


def test_faults_run_on_a_catalogue_the_harness_cannot_inject_is_a_clear_error() -> None:
    from click.testing import CliRunner

    from conformance.cli import main

    answer = CliRunner().invoke(main, ["faults", "run", "odf", "--candidate", "libreoffice"])
    assert answer.exit_code == 2
    assert "cannot inject them" in answer.output
    assert "Traceback" not in answer.output
