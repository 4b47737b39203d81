"""RecordingSession: relative URLs, no redirects followed, every exchange recorded."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest

from conformance.check.evidence import EvidenceLog, bind_evidence, unbind_evidence
from conformance.check.http import RecordingSession
from tests.helpers import local_http_server


@pytest.fixture
def log() -> Iterator[EvidenceLog]:
    evidence = EvidenceLog()
    token = bind_evidence(evidence)
    yield evidence
    unbind_evidence(token)


def test_relative_urls_join_the_base_url(log: EvidenceLog) -> None:
    with local_http_server() as (base, seen):
        session = RecordingSession(base + "dav")  # no trailing slash: still a folder
        assert session.base_url == base + "dav/"
        session.get("calendars/home/")
        session.request("PROPFIND", "", headers={"Depth": "0"})
        session.get(base + "absolute")
    assert [(m, p) for m, p, _, _ in seen.requests] == [
        ("GET", "/dav/calendars/home/"), ("PROPFIND", "/dav/"), ("GET", "/absolute")]
    assert seen.requests[0][2]["User-Agent"] == "eos-conformance"
    assert [e.url for e in log.exchanges] == [
        base + "dav/calendars/home/", base + "dav/", base + "absolute"]
    assert log.exchanges[1].request_headers["depth"] == "0"
    assert log.exchanges[0].response_headers["etag"] == '"v1"'
    assert "x-demo" not in log.exchanges[0].response_headers


def test_redirects_are_not_followed(log: EvidenceLog) -> None:
    with local_http_server() as (base, seen):
        answer = RecordingSession(base).request("GET", "redirect")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/elsewhere"
    assert [p for _, p, _, _ in seen.requests] == ["/redirect"]
    assert [e.status for e in log.exchanges] == [302]
    assert log.exchanges[0].response_headers["location"] == "/elsewhere"


@pytest.mark.parametrize("method", ["get", "options"])
def test_redirects_are_not_followed_by_the_verb_helpers(log: EvidenceLog, method: str) -> None:
    with local_http_server() as (base, seen):
        answer = getattr(RecordingSession(base), method)("redirect")
    assert [p for _, p, _, _ in seen.requests] == ["/redirect"]
    assert answer.status_code == 302


def test_redirects_are_not_followed_by_head_and_put(log: EvidenceLog) -> None:
    with local_http_server() as (base, seen):
        session = RecordingSession(base)
        assert session.head("redirect").status_code == 302
        assert session.put("redirect", data=b"x").status_code == 302
    assert [p for _, p, _, _ in seen.requests] == ["/redirect", "/redirect"]


def test_status_and_body_of_an_error_are_recorded(log: EvidenceLog) -> None:
    with local_http_server() as (base, _):
        RecordingSession(base).put("missing/x.ics", data=b"BEGIN:VCALENDAR")
    (exchange,) = log.exchanges
    assert (exchange.method, exchange.status, exchange.response_body) == ("PUT", 404, "not here")
    assert exchange.request_body == "BEGIN:VCALENDAR"
    assert exchange.elapsed_ms > 0


def test_credentials_are_sent_but_not_recorded(log: EvidenceLog) -> None:
    with local_http_server() as (base, seen):
        RecordingSession(base, auth=("alice", "alice-secret")).get("")
    token = base64.b64encode(b"alice:alice-secret").decode()
    assert seen.requests[0][2]["Authorization"] == f"Basic {token}"
    assert log.exchanges[0].request_headers["authorization"] == "[redacted]"
    dumped = json.dumps(log.to_dict())
    assert token not in dumped and "alice-secret" not in dumped
