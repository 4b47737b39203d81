"""The report as W3C EARL 1.0 in JSON-LD (https://www.w3.org/TR/EARL10-Schema/)."""

from __future__ import annotations

from typing import Any

from conformance.report.model import Report

CONTEXT = {
    "earl": "http://www.w3.org/ns/earl#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "doap": "http://usefulinc.com/ns/doap#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "assertedBy": {"@id": "earl:assertedBy", "@type": "@id"},
    "subject": {"@id": "earl:subject", "@type": "@id"},
    "test": {"@id": "earl:test", "@type": "@id"},
    "result": "earl:result",
    "outcome": {"@id": "earl:outcome", "@type": "@id"},
    "mode": {"@id": "earl:mode", "@type": "@id"},
    "info": "earl:info",
    "date": {"@id": "dct:date", "@type": "xsd:dateTime"},
    "title": "dct:title",
    "description": "dct:description",
    "source": {"@id": "dct:source", "@type": "@id"},
    "name": "foaf:name",
    "revision": "doap:revision",
}


def to_earl(report: Report) -> dict[str, Any]:
    subject_id = f"urn:eos:candidate:{report.candidate.id}:{report.candidate.version or 'unknown'}"
    assessor_id = f"urn:eos:assessor:{report.campaign.assessor}"
    harness_id = f"urn:eos:harness:{report.harness.version}"
    graph: list[dict[str, Any]] = [
        {
            "@id": subject_id,
            "@type": ["earl:TestSubject", "doap:Project"],
            "name": report.candidate.product,
            "revision": report.candidate.version,
            "description": ", ".join(
                f"{a.name} {a.digest}" for a in report.candidate.artefacts if a.digest
            ),
        },
        {
            "@id": assessor_id,
            "@type": ["earl:Assertor", "foaf:Agent"],
            "name": report.campaign.assessor,
        },
        {
            "@id": harness_id,
            "@type": ["earl:Software", "doap:Project"],
            "name": report.harness.name,
            "revision": report.harness.version,
        },
    ]
    for requirement in report.requirements:
        info = "; ".join(f.message for f in requirement.findings if f.message)
        if requirement.known_deviation:
            info = f"{info} (known deviation: {requirement.known_deviation.reason})".strip()
        graph.append(
            {
                "@type": "earl:Assertion",
                "assertedBy": assessor_id,
                "subject": subject_id,
                "test": {
                    "@id": f"urn:eos:requirement:{requirement.id}",
                    "@type": "earl:TestRequirement",
                    "title": requirement.summary,
                    "source": requirement.url,
                },
                "mode": "earl:automatic",
                "result": {
                    "@type": "earl:TestResult",
                    "outcome": f"earl:{requirement.outcome.value}",
                    "date": report.run.finished or report.run.started,
                    "info": info,
                },
            }
        )
    return {"@context": CONTEXT, "@graph": graph}
