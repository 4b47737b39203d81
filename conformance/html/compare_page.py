"""compare.html: several candidates' reports for one profile, side by side."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from conformance.errors import InputError
from conformance.html.environment import anchor, render
from conformance.html.outcome_view import CATEGORIES, LEVELS, Category, category, section_key
from conformance.html.report_page import HTML_FILE
from conformance.html.signature import SignatureView, report_path
from conformance.outcomes import Outcome
from conformance.report.judge import ProfileJudgement, rejudge
from conformance.report.model import Report, RequirementInfo


@dataclass
class Column:
    product: str
    version: str
    candidate: str
    signature: SignatureView
    facts: ProfileJudgement
    href: str | None  # the candidate's report.html, relative to the comparison page


@dataclass
class Cell:
    outcome: Category | None  # None: the requirement is not in this report's catalogue
    href: str | None


@dataclass
class CompareRow:
    id: str
    anchor: str
    section: str
    url: str
    level: str
    summary: str
    cells: list[Cell]
    differs: bool
    outcomes: str
    search: str


@dataclass
class Group:
    title: str
    anchor: str
    rows: list[CompareRow] = field(default_factory=list)


@dataclass
class Entry:
    """One report to compare: where it is, its content and its verified signature status."""

    path: Path
    report: Report
    signature: SignatureView


def common_profile(entries: list[Entry], wanted: str | None) -> tuple[str, str]:
    """The (standard, profile) every report has; --profile picks one when there are several."""
    sets = [{(p.standard, p.profile) for p in e.report.profiles} for e in entries]
    shared = set.intersection(*sets)
    if wanted is not None:
        chosen = [k for k in shared if wanted in (k[1], f"{k[0]}/{k[1]}")]
        if not chosen:
            raise InputError(
                f"--profile {wanted}: not a profile of every report "
                f"(shared: {', '.join(sorted(p for _, p in shared)) or 'none'})"
            )
        return chosen[0]
    if not shared:
        listing = "; ".join(
            f"{e.report.candidate.id}: {', '.join(sorted(p for _, p in s)) or 'none'}"
            for e, s in zip(entries, sets, strict=True)
        )
        raise InputError(f"the reports share no profile to compare ({listing})")
    if len(shared) > 1:
        raise InputError(
            "the reports share several profiles; choose one with --profile "
            f"({', '.join(sorted(p for _, p in shared))})"
        )
    return next(iter(shared))


def render_compare(entries: list[Entry], out: Path, wanted: str | None = None) -> str:
    if len(entries) < 2:
        raise InputError("compare needs at least two reports")
    standard, profile = common_profile(entries, wanted)
    columns: list[Column] = []
    outcomes: list[dict[str, Outcome]] = []
    for entry in entries:
        recomputed = rejudge(entry.report)
        facts = next(
            p for p in recomputed.profiles if (p.standard, p.profile) == (standard, profile)
        )
        page = report_path(entry.path).with_name(HTML_FILE)
        href = os.path.relpath(page, out.parent) if page.exists() else None
        candidate = entry.report.candidate
        columns.append(
            Column(
                candidate.product,
                candidate.version or "(no version)",
                candidate.id,
                entry.signature,
                facts,
                href,
            )
        )
        outcomes.append(recomputed.outcomes)
    groups = _groups(entries, outcomes, columns, standard, profile)
    versions = sorted(
        {
            f"{s.catalogue_version} ({s.catalogue_digest[:19]}…)"
            for e in entries
            for s in e.report.suites
            if s.standard == standard
        }
    )
    return render(
        "compare.html.j2",
        script="filters.js",
        standard=standard,
        profile=profile,
        columns=columns,
        groups=groups,
        catalogue_versions=versions,
        categories=list(CATEGORIES.values()),
        levels=LEVELS,
        total=sum(len(g.rows) for g in groups),
        differing=sum(r.differs for g in groups for r in g.rows),
    )


def _groups(
    entries: list[Entry],
    outcomes: list[dict[str, Outcome]],
    columns: list[Column],
    standard: str,
    profile: str,
) -> list[Group]:
    infos: dict[str, RequirementInfo] = {}
    for entry in entries:
        for requirement in entry.report.requirements:
            if requirement.standard == standard and profile in requirement.profiles:
                infos.setdefault(requirement.id, requirement)
    order: dict[str, int] = {}
    for info in infos.values():
        order.setdefault(info.spec, len(order))
    groups: dict[str, Group] = {}
    for info in sorted(infos.values(), key=lambda r: (order[r.spec], section_key(r.section), r.id)):
        cells = []
        for entry, found, column in zip(entries, outcomes, columns, strict=True):
            outcome = found.get(info.id)
            if outcome is None:
                cells.append(Cell(None, None))
                continue
            deviation = info.id in entry.report.candidate.known_deviations
            href = f"{column.href}#{anchor(info.id)}" if column.href else None
            cells.append(Cell(category(outcome, deviation), href))
        keys = {c.outcome.key if c.outcome else "absent" for c in cells}
        group = groups.setdefault(
            info.spec, Group(info.spec_title, "spec-" + anchor(info.spec)[4:])
        )
        group.rows.append(
            CompareRow(
                id=info.id,
                anchor=anchor(info.id),
                section=info.section,
                url=info.url,
                level=info.level,
                summary=info.summary,
                cells=cells,
                differs=len(keys) > 1,
                outcomes=" ".join(sorted(keys)),
                search=" ".join([info.id, info.section, info.summary, info.spec_title]).lower(),
            )
        )
    return list(groups.values())
