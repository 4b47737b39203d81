"""report.html as an output writer: rendered from the built report, with the signature
status found by verifying the envelope beside it (with $CONFORMANCE_TRUST_LIST when set)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from conformance.html.report_page import HTML_FILE, render_report
from conformance.html.signature import examine, inputs_from_environment
from conformance.report.files import OutputWriter
from conformance.report.model import Report


def render_run_page(report: Report, directory: Path) -> bytes:
    at = datetime.now(UTC)
    shown, signature = examine(directory, inputs_from_environment(at), at, report)
    return render_report(shown, signature).encode("utf-8")


# The JSON, JUnit and EARL files are already safe on disk when the page is rendered.
HTML_WRITER = OutputWriter(HTML_FILE, render_run_page, shows_signature=True, best_effort=True)

