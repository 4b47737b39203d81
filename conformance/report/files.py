"""A run's output files. Each output format is a writer: a file name and a function from the
built report to that file's bytes. The caller picks the writers (the data formats here, the
HTML page in ``conformance.html``); every file is replaced atomically, so a reader never sees
half a file.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from conformance.report.earl import to_earl
from conformance.report.junit import to_junit
from conformance.report.model import Report

REPORT_FILE = "report.json"
JUNIT_FILE = "junit.xml"
EARL_FILE = "earl.jsonld"


@dataclass(frozen=True)
class OutputWriter:
    file: str
    render: Callable[[Report, Path], bytes]
    # Whether the file shows the report's signature status: signing re-runs only these.
    shows_signature: bool = False
    # A best-effort output never costs the run the files written before it.
    best_effort: bool = False


def write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _json(report: Report, directory: Path) -> bytes:
    return report.model_dump_json(indent=2).encode() + b"\n"


def _junit(report: Report, directory: Path) -> bytes:
    return to_junit(report)


def _earl(report: Report, directory: Path) -> bytes:
    return json.dumps(to_earl(report), indent=2).encode() + b"\n"


DATA_WRITERS = (
    OutputWriter(REPORT_FILE, _json),
    OutputWriter(JUNIT_FILE, _junit),
    OutputWriter(EARL_FILE, _earl),
)


def write_outputs(
    report: Report, directory: Path, writers: Iterable[OutputWriter] = DATA_WRITERS
) -> list[Path]:
    """Run each writer over the report, in order; return the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for writer in writers:
        target = directory / writer.file
        try:
            write_atomically(target, writer.render(report, directory))
        except Exception as error:
            if not writer.best_effort:
                raise
            print(
                f"warning: {target} not written: {type(error).__name__}: {error}",
                file=sys.stderr,
            )
            continue
        written.append(target)
    return written
