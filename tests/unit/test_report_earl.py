"""The report as W3C EARL in JSON-LD: one assertion per requirement with its outcome."""

from __future__ import annotations

import json
from typing import Any

from conformance.report.earl import to_earl
from conformance.report.model import Report
from tests.helpers import Req, check_entry, end_entry, report_from, start_entry

REQS = [Req("demo.p"), Req("demo.f"), Req("demo.c"), Req("demo.i"), Req("demo.u")]


def report() -> Report:
    return report_from([
        start_entry(REQS, known_deviations={"demo.f": {"reason": "upstream bug",
                                                       "reference": "x"}}),
        check_entry("t::p", ["demo.p"], "passed"),
        check_entry("t::f", ["demo.f"], "failed", "status 404, expected 201"),
        check_entry("t::c", ["demo.c"], "cantTell", "no calendar"),
        check_entry("t::i", ["demo.i"], "inapplicable", "no tasks"),
        end_entry(),
    ])


def assertions(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = [n for n in document["@graph"] if n.get("@type") == "earl:Assertion"]
    return {n["test"]["@id"].removeprefix("urn:eos:requirement:"): n for n in found}


def test_earl_is_json_ld_with_a_context() -> None:
    document = to_earl(report())
    context = document["@context"]
    assert context["earl"] == "http://www.w3.org/ns/earl#"
    assert context["outcome"]["@id"] == "earl:outcome"
    # It serialises as plain JSON.
    assert json.loads(json.dumps(document)) == document


def test_one_assertion_per_requirement_with_the_right_outcome() -> None:
    by_requirement = assertions(to_earl(report()))
    assert sorted(by_requirement) == sorted(r.id for r in REQS)
    expected = {"demo.p": "earl:passed", "demo.f": "earl:failed", "demo.c": "earl:cantTell",
                "demo.i": "earl:inapplicable", "demo.u": "earl:untested"}
    assert {k: v["result"]["outcome"] for k, v in by_requirement.items()} == expected


def test_assertions_name_subject_assessor_source_and_findings() -> None:
    document = to_earl(report())
    nodes = {n.get("@id"): n for n in document["@graph"] if "@id" in n}
    failed = assertions(document)["demo.f"]
    assert failed["subject"] in nodes and "earl:TestSubject" in nodes[failed["subject"]]["@type"]
    assert failed["assertedBy"] in nodes
    assert failed["mode"] == "earl:automatic"
    assert failed["test"]["source"] == "https://example.org/spec#section-1"
    info = failed["result"]["info"]
    assert "status 404, expected 201" in info
    assert "known deviation: upstream bug" in info
