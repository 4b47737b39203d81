"""Evidence: what a check saw, bounded in size and with no secret in it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from conformance.check.evidence import (
    BODY_EXCERPT_LIMIT,
    MAX_EXCHANGES_KEPT,
    EvidenceLog,
    bind_evidence,
    current_evidence,
    excerpt,
    exchange_from_response,
    record_response,
    unbind_evidence,
)

SECRET = "s3cr3t-value"


def response(
    method: str = "PUT",
    url: str = "http://127.0.0.1:1/cal/event.ics",
    status: int = 201,
    body: bytes = b"created",
    request_body: bytes | None = b"BEGIN:VCALENDAR",
) -> requests.Response:
    """A real requests.Response, assembled by hand as the transport adapter would."""
    prepared = requests.Request(
        method, url, data=request_body,
        headers={"Authorization": f"Bearer {SECRET}", "Cookie": f"session={SECRET}",
                 "Proxy-Authorization": f"Basic {SECRET}", "Content-Type": "text/calendar",
                 "If-None-Match": "*", "X-Trace": "not interesting"},
    ).prepare()
    answer = requests.Response()
    answer.status_code = status
    answer.reason = "Created"
    answer._content = body
    answer.headers = CaseInsensitiveDict({"ETag": '"1"', "Set-Cookie": f"session={SECRET}",
                                          "Server": "demo/1.0"})
    answer.request = prepared
    answer.url = url
    answer.elapsed = timedelta(milliseconds=12.5)
    return answer


@pytest.fixture
def log() -> Iterator[EvidenceLog]:
    evidence = EvidenceLog()
    token = bind_evidence(evidence)
    yield evidence
    unbind_evidence(token)


def test_record_response_records_method_url_status(log: EvidenceLog) -> None:
    given = response()
    assert record_response(given) is given  # a hook must hand the response on
    (exchange,) = log.exchanges
    assert exchange.method == "PUT"
    assert exchange.url == "http://127.0.0.1:1/cal/event.ics"
    assert exchange.status == 201
    assert exchange.reason == "Created"
    assert exchange.request_body == "BEGIN:VCALENDAR"
    assert exchange.response_body == "created"
    assert exchange.elapsed_ms == 12.5
    assert log.exchange_count == 1


def test_secrets_are_redacted_and_noise_left_out(log: EvidenceLog) -> None:
    record_response(response())
    (exchange,) = log.exchanges
    assert exchange.request_headers == {
        "authorization": "[redacted]", "cookie": "[redacted]",
        "proxy-authorization": "[redacted]", "content-type": "text/calendar",
        "if-none-match": "*", "content-length": "15",
    }
    assert exchange.response_headers == {"etag": '"1"', "set-cookie": "[redacted]"}
    assert SECRET not in json.dumps(log.to_dict())


def test_nothing_is_recorded_outside_a_check() -> None:
    assert current_evidence() is None
    given = response()
    assert record_response(given) is given


def test_binding_is_scoped() -> None:
    outer = EvidenceLog()
    token = bind_evidence(outer)
    inner = EvidenceLog()
    inner_token = bind_evidence(inner)
    assert current_evidence() is inner
    unbind_evidence(inner_token)
    assert current_evidence() is outer
    unbind_evidence(token)
    assert current_evidence() is None


def test_long_bodies_are_cut_with_a_marker() -> None:
    body = b"x" * (BODY_EXCERPT_LIMIT + 10)
    exchange = exchange_from_response(response(body=body, request_body=body))
    for recorded in (exchange.response_body, exchange.request_body):
        assert recorded.startswith("x" * BODY_EXCERPT_LIMIT)
        assert recorded.endswith("… [10 more characters]")
        assert len(recorded) < BODY_EXCERPT_LIMIT + 30


def test_excerpt_boundaries() -> None:
    assert excerpt(None) == ""
    assert excerpt("a" * BODY_EXCERPT_LIMIT) == "a" * BODY_EXCERPT_LIMIT  # exactly at the limit
    assert excerpt(b"\xff\xfeok") == "\ufffd\ufffdok"  # undecodable bytes do not crash
    assert excerpt("abcdef", 3) == "abc… [3 more characters]"


def test_only_the_last_exchanges_are_kept_but_all_are_counted(log: EvidenceLog) -> None:
    total = MAX_EXCHANGES_KEPT + 5
    for number in range(total):
        record_response(response(url=f"http://127.0.0.1:1/item/{number}"))
    assert log.exchange_count == total
    assert len(log.exchanges) == MAX_EXCHANGES_KEPT
    assert [e.url.rsplit("/", 1)[1] for e in log.exchanges] == [
        str(n) for n in range(5, total)]
    summary = log.to_dict()
    assert summary["exchangeCount"] == total
    assert len(summary["exchanges"]) == MAX_EXCHANGES_KEPT


def test_notes_are_bounded() -> None:
    evidence = EvidenceLog()
    evidence.note("n" * 2000)
    assert evidence.notes[0].startswith("n" * 500)
    assert evidence.notes[0].endswith("[1500 more characters]")


def test_basic_auth_credentials_never_reach_evidence(log: EvidenceLog) -> None:
    prepared = requests.Request("GET", "http://127.0.0.1:1/", auth=("alice", SECRET)).prepare()
    answer = requests.Response()
    answer.status_code, answer._content, answer.request = 200, b"", prepared
    record_response(answer)
    dumped = json.dumps(log.to_dict())
    assert SECRET not in dumped
    assert base64.b64encode(f"alice:{SECRET}".encode()).decode() not in dumped
