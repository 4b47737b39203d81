"""The report as JUnit XML: one test case per requirement, so CI dashboards show them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from conformance.outcomes import Outcome
from conformance.report.model import Report, RequirementResult


def to_junit(report: Report) -> bytes:
    root = ET.Element("testsuites", name=f"{report.candidate.id} conformance")
    durations = {check.nodeid: check.duration_seconds for check in report.checks}
    for suite in report.suites:
        members = [r for r in report.requirements if r.standard == suite.standard]
        element = ET.SubElement(
            root,
            "testsuite",
            name=suite.standard,
            tests=str(len(members)),
            failures=str(sum(r.outcome == Outcome.FAILED for r in members)),
            errors=str(sum(r.outcome == Outcome.CANT_TELL for r in members)),
            skipped=str(
                sum(r.outcome in (Outcome.UNTESTED, Outcome.INAPPLICABLE) for r in members)
            ),
            timestamp=report.run.started,
        )
        for requirement in members:
            _add_case(element, requirement, durations)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def _add_case(
    parent: ET.Element, requirement: RequirementResult, durations: dict[str, float]
) -> None:
    case = ET.SubElement(
        parent,
        "testcase",
        classname=f"{requirement.standard}.{requirement.level}",
        name=requirement.id,
        # The time of every check covering the requirement, passed or not.
        time=str(round(sum(durations.get(nodeid, 0.0) for nodeid in requirement.checks), 3)),
    )
    properties = ET.SubElement(case, "properties")
    for name, value in (
        ("spec", f"{requirement.spec} §{requirement.section}"),
        ("url", requirement.url),
        ("level", requirement.level),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    message = "; ".join(f.message for f in requirement.findings)[:500]
    detail = json.dumps([f.model_dump(mode="json") for f in requirement.findings], indent=1)
    if requirement.known_deviation:
        message = f"[known deviation: {requirement.known_deviation.reason}] {message}"
    if requirement.outcome == Outcome.FAILED:
        ET.SubElement(case, "failure", message=message).text = detail
    elif requirement.outcome == Outcome.CANT_TELL:
        ET.SubElement(case, "error", message=message).text = detail
    elif requirement.outcome in (Outcome.UNTESTED, Outcome.INAPPLICABLE):
        ET.SubElement(case, "skipped", message=requirement.outcome.value)
