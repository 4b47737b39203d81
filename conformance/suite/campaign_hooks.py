"""Campaign-level pages a suite writes itself (e.g. how its candidates work with each other).

A suite whose declaration names ``campaign_page`` (``"module:function"``) is called once a
campaign has run, with the candidates that claimed its standard and the campaign's output
directory; it returns the files it wrote (none when it has nothing to show). Such a writer,
and a suite command, start a candidate outside a pytest run with ``started_candidate``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conformance.candidate.context import CandidateContext
from conformance.candidate.launchers import launcher_of
from conformance.candidate.manifest import LoadedManifest, resolve_manifest
from conformance.errors import ConformanceError, InputError
from conformance.locations import bundled_candidates_dir
from conformance.suite.catalogue import Suite
from conformance.suite.contract import resolve


@dataclass(frozen=True)
class CampaignCandidate:
    """One candidate of a campaign, as a campaign page sees it."""

    id: str
    manifest: str  # a manifest path, or the id of a bundled candidate
    report_dir: Path | None  # None: its shard wrote no report


PageWriter = Callable[[list[CampaignCandidate], Path], list[Path]]


def load_candidate(name_or_path: str | Path) -> LoadedManifest:
    """A manifest path, or the id of a bundled reference candidate."""
    return resolve_manifest(str(name_or_path), bundled_candidates_dir())


@contextmanager
def started_candidate(name_or_path: str | Path, work_dir: Path) -> Iterator[CandidateContext]:
    """The candidate started by its manifest's launcher, and stopped when the block ends."""
    loaded = load_candidate(name_or_path)
    launcher = launcher_of(loaded, work_dir)
    running = launcher.start()
    try:
        yield CandidateContext(loaded.manifest, running)
    finally:
        launcher.stop()


def write_campaign_pages(
    suites: dict[str, Suite], candidates: dict[str, list[CampaignCandidate]], directory: Path
) -> tuple[list[Path], list[str]]:
    """Every declared campaign page, given each standard's candidates: the files written,
    and one message per writer that failed (a page never fails the campaign)."""
    written: list[Path] = []
    problems: list[str] = []
    for standard, suite in sorted(suites.items()):
        reference = suite.declaration.campaign_page
        if reference is None or not candidates.get(standard):
            continue
        writer = resolve(suite, reference, "campaign_page")
        if not callable(writer):
            raise InputError(f"suite {standard}: campaign_page {reference!r} is not callable")
        try:
            written += writer(candidates[standard], directory)
        except ConformanceError as error:
            problems.append(f"suite {standard}: campaign page not written: {error}")
    return written, problems
