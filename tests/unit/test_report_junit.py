"""The report as JUnit XML: one test case per requirement, outcomes mapped for CI dashboards."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from conformance.report.junit import to_junit
from tests.helpers import Req, check_entry, end_entry, report_from, start_entry

REQS = [Req("demo.p"), Req("demo.f1"), Req("demo.f2", "SHOULD"), Req("demo.c"),
        Req("demo.i"), Req("demo.u")]


def junit() -> ET.Element:
    report = report_from([
        start_entry(REQS),
        check_entry("t::p", ["demo.p"], "passed"),
        check_entry("t::f1", ["demo.f1"], "failed", "expected 201 <got> 404 & more"),
        check_entry("t::f2", ["demo.f2"], "failed", "no ETag"),
        check_entry("t::c", ["demo.c"], "cantTell", "setup failed"),
        check_entry("t::i", ["demo.i"], "inapplicable", "no tasks"),
        end_entry(),
    ])
    return ET.fromstring(to_junit(report))


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {case.attrib["name"]: case for case in root.iter("testcase")}


def test_junit_parses_with_one_testcase_per_requirement() -> None:
    root = junit()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.attrib["name"] == "demo"
    assert sorted(cases(root)) == sorted(r.id for r in REQS)
    assert cases(root)["demo.f2"].attrib["classname"] == "demo.SHOULD"


def test_outcomes_map_to_failure_error_and_skipped() -> None:
    by_name = cases(junit())

    def children(name: str) -> list[str]:
        return [child.tag for child in by_name[name] if child.tag != "properties"]

    assert children("demo.p") == []
    assert children("demo.f1") == ["failure"]
    assert children("demo.f2") == ["failure"]
    assert children("demo.c") == ["error"]
    assert children("demo.i") == ["skipped"]
    assert children("demo.u") == ["skipped"]
    failure = by_name["demo.f1"].find("failure")
    assert failure is not None
    assert failure.attrib["message"] == "expected 201 <got> 404 & more"  # escaped, intact
    assert "t::f1" in (failure.text or "")
    skipped = by_name["demo.u"].find("skipped")
    assert skipped is not None and skipped.attrib["message"] == "untested"


def test_testsuite_counts_match_the_cases() -> None:
    (suite,) = junit().findall("testsuite")
    assert suite.attrib["tests"] == "6"
    assert suite.attrib["failures"] == "2"
    assert suite.attrib["errors"] == "1"
    assert suite.attrib["skipped"] == "2"
    assert suite.attrib["timestamp"] == "2026-01-01T10:00:00.000+00:00"


def test_properties_carry_spec_section_and_level() -> None:
    case = cases(junit())["demo.p"]
    properties = {p.attrib["name"]: p.attrib["value"] for p in case.iter("property")}
    assert properties == {"spec": "spec §1", "url": "https://example.org/spec#section-1",
                          "level": "MUST"}


def test_each_case_carries_the_time_of_its_checks_passed_or_not() -> None:
    found = cases(junit())
    # check_entry gives every check 0.25 s; a requirement without checks took no time.
    assert found["demo.p"].attrib["time"] == "0.25"
    assert found["demo.f1"].attrib["time"] == "0.25"
    assert float(found["demo.u"].attrib["time"]) == 0
