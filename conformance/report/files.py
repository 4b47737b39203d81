"""Writing a run's output files, each replaced atomically so a reader never sees half a file."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conformance.report.earl import to_earl
from conformance.report.junit import to_junit
from conformance.report.model import Report

REPORT_FILE = "report.json"
JUNIT_FILE = "junit.xml"
EARL_FILE = "earl.jsonld"


def write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def write_outputs(report: Report, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    outputs = {
        REPORT_FILE: report.model_dump_json(indent=2).encode() + b"\n",
        JUNIT_FILE: to_junit(report),
        EARL_FILE: json.dumps(to_earl(report), indent=2).encode() + b"\n",
    }
    written = []
    for name, data in outputs.items():
        write_atomically(directory / name, data)
        written.append(directory / name)
    from conformance.html.run_page import write_run_page  # renders from the files above

    page = write_run_page(report, directory)
    return [*written, page] if page else written
