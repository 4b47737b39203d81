"""Which writers a run's report goes through, and signing as the step after them.

The data files come first, so a page that cannot be rendered never costs them; signing
writes the envelope and then re-runs only the writers that show the signature status.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conformance.html.run_page import HTML_WRITER
from conformance.report.files import DATA_WRITERS, OutputWriter, write_outputs
from conformance.report.model import Report
from conformance.trust.sign import sign_report_file

RUN_WRITERS: tuple[OutputWriter, ...] = (*DATA_WRITERS, HTML_WRITER)


def write_run_outputs(report: Report, directory: Path) -> list[Path]:
    return write_outputs(report, directory, RUN_WRITERS)


def show_signature(report: Report, directory: Path) -> list[Path]:
    """Re-run the writers that show the signature status (after signing, or a new trust list)."""
    return write_outputs(report, directory, [w for w in RUN_WRITERS if w.shows_signature])


def sign_run(report: Report, directory: Path, key: Ed25519PrivateKey) -> Path:
    """Sign the report.json in DIRECTORY; the pages then show the signature."""
    envelope = sign_report_file(directory, key)
    show_signature(report, directory)
    return envelope
