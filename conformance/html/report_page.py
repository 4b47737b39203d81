"""report.html: one candidate's report as a single self-contained page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from conformance.html.environment import anchor, render
from conformance.html.evidence_view import Node, evidence_entries
from conformance.html.outcome_view import CATEGORIES, LEVELS, Category, category, section_key
from conformance.html.signature import Inputs, SignatureView, examine, report_path
from conformance.outcomes import Outcome
from conformance.report.files import write_atomically
from conformance.report.judge import rejudge, stale_deviations
from conformance.report.model import CheckResult, KnownDeviation, Report, RequirementResult

HTML_FILE = "report.html"


@dataclass
class FindingView:
    nodeid: str
    outcome: Category
    message: str
    expected: str | None
    actual: str | None
    duration: str
    evidence: list[tuple[str, Node]]


@dataclass
class RequirementRow:
    id: str
    anchor: str
    section: str
    url: str
    level: str
    summary: str
    outcome: Category
    checks: list[str]
    findings: list[FindingView]
    deviation: KnownDeviation | None
    test_mode: list[str]
    search: str


@dataclass
class SpecGroup:
    spec: str
    title: str
    anchor: str
    rows: list[RequirementRow] = field(default_factory=list)

    @property
    def counts(self) -> list[tuple[Category, int]]:
        tally = Counter(r.outcome.key for r in self.rows)
        return [(c, tally[k]) for k, c in CATEGORIES.items() if tally[k]]


def finding_view(check: CheckResult) -> FindingView:
    return FindingView(
        nodeid=check.nodeid,
        outcome=category(check.outcome),
        message=check.message,
        expected=check.expected,
        actual=check.actual,
        duration=f"{check.duration_seconds:.2f} s",
        evidence=evidence_entries(check.evidence),
    )


def requirement_row(
    requirement: RequirementResult, report: Report, outcome: Outcome, covering: list[CheckResult]
) -> RequirementRow:
    """One row; outcome and findings come from the check results, not the stated outcome."""
    deviation = requirement.known_deviation or report.candidate.known_deviations.get(requirement.id)
    test_mode = [t.name for t in report.candidate.test_mode if requirement.id in t.requirements]
    shown = category(outcome, deviation is not None)
    findings = [c for c in covering if c.outcome in (Outcome.FAILED, Outcome.CANT_TELL)]
    search = " ".join(
        [
            requirement.id,
            requirement.section,
            requirement.summary,
            requirement.spec_title,
            shown.text,
            requirement.level,
        ]
    ).lower()
    return RequirementRow(
        id=requirement.id,
        anchor=anchor(requirement.id),
        section=requirement.section,
        url=requirement.url,
        level=requirement.level,
        summary=requirement.summary,
        outcome=shown,
        checks=[c.nodeid for c in covering],
        findings=[finding_view(f) for f in findings],
        deviation=deviation,
        test_mode=test_mode,
        search=search,
    )


def spec_groups(report: Report, outcomes: dict[str, Outcome]) -> list[SpecGroup]:
    covering: dict[str, list[CheckResult]] = {}
    for check in report.checks:
        for requirement_id in check.requirements:
            covering.setdefault(requirement_id, []).append(check)
    # Specifications in the catalogue's order, requirements by section within each.
    first_seen: dict[tuple[str, str], int] = {}
    for number, requirement in enumerate(report.requirements):
        first_seen.setdefault((requirement.standard, requirement.spec), number)
    groups: dict[str, SpecGroup] = {}
    for requirement in sorted(
        report.requirements,
        key=lambda r: (first_seen[(r.standard, r.spec)], section_key(r.section), r.id),
    ):
        key = f"{requirement.standard}/{requirement.spec}"
        group = groups.get(key)
        if group is None:
            group = groups[key] = SpecGroup(
                requirement.spec, requirement.spec_title, "spec-" + anchor(key)[4:]
            )
        group.rows.append(
            requirement_row(
                requirement,
                report,
                outcomes.get(requirement.id, Outcome.UNTESTED),
                covering.get(requirement.id, []),
            )
        )
    return list(groups.values())


def render_report(report: Report, signature: SignatureView) -> str:
    recomputed = rejudge(report)
    labels = {
        label.profile: label
        for label in (signature.verification.labels if signature.verification else [])
    }
    groups = spec_groups(report, recomputed.outcomes)
    tally = Counter(row.outcome.key for group in groups for row in group.rows)
    return render(
        "report.html.j2",
        script="filters.js",
        report=report,
        signature=signature,
        profiles=recomputed.profiles,
        mismatches=recomputed.mismatches,
        stale=stale_deviations(recomputed.outcomes, report.candidate.known_deviations),
        labels=labels,
        groups=groups,
        categories=[(c, tally[k]) for k, c in CATEGORIES.items()],
        levels=LEVELS,
        total=sum(len(g.rows) for g in groups),
    )


def write_report_html(
    path: Path, inputs: Inputs, at: datetime | None = None, shown: Report | None = None
) -> Path:
    """Render the report at PATH (directory, report.json or envelope) into report.html."""
    report, signature = examine(path, inputs, at, shown)
    target = report_path(path).with_name(HTML_FILE)
    write_atomically(target, render_report(report, signature).encode("utf-8"))
    return target
