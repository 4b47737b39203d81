"""compare-<standard>-<profile>.html written at the end of a campaign, one per profile that
two or more of its candidates claim, so reference products can be read side by side."""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from conformance.report.model import Report


def comparison_groups(reports: list[tuple[Path, Report]]) -> dict[tuple[str, str], list[Path]]:
    """(standard, profile) -> the report directories of every candidate that claims it."""
    groups: dict[tuple[str, str], list[Path]] = defaultdict(list)
    for directory, report in reports:
        for verdict in report.profiles:
            groups[(verdict.standard, verdict.profile)].append(directory)
    return {key: paths for key, paths in sorted(groups.items()) if len(paths) >= 2}


def write_campaign_comparisons(reports: list[tuple[Path, Report]], out_dir: Path) -> list[Path]:
    """Write the comparison pages; a failure here never costs the campaign's reports."""
    from conformance.html.compare_page import Entry, render_compare
    from conformance.html.signature import examine, inputs_from_environment
    from conformance.report.files import write_atomically

    at = datetime.now(UTC)
    inputs = inputs_from_environment(at)  # not strict: an unusable trust list shows as such
    written = []
    for (standard, profile), directories in comparison_groups(reports).items():
        out = out_dir / f"compare-{standard}-{profile}.html"
        try:
            entries = [Entry(d, *examine(d, inputs, at)) for d in directories]
            write_atomically(out, render_compare(entries, out, profile).encode("utf-8"))
        except Exception as error:
            print(f"warning: {out} not written: {type(error).__name__}: {error}", file=sys.stderr)
            continue
        written.append(out)
    return written
