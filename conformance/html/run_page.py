"""report.html written beside report.json at the end of every run (and by report rebuild)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from conformance.report.model import Report


def write_run_page(report: Report | None, directory: Path) -> Path | None:
    """Write report.html for a run just written; a failure here never costs the run's files.

    The signature status is verified like any other page's (with $CONFORMANCE_TRUST_LIST when
    set); signing writes the page again. ``report`` None means: read it from DIRECTORY.
    """
    from conformance.html.report_page import write_report_html
    from conformance.html.signature import inputs_from_environment

    at = datetime.now(UTC)
    try:
        return write_report_html(directory, inputs_from_environment(at), at, shown=report)
    except Exception as error:  # the JSON, JUnit and EARL files are already safe on disk
        print(
            f"warning: {directory / 'report.html'} not written: {type(error).__name__}: {error}",
            file=sys.stderr,
        )
        return None
