"""The results journal: a handler of the run's event stream that appends one JSON line per
event and flushes it to disk at once.

A crash or Ctrl-C never loses what was recorded: ``conformance report rebuild`` folds a
journal back into a report.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import ValidationError

from conformance.errors import InputError
from conformance.report.events import EVENT, RunEventType, RunStarted, event_line

JOURNAL_FILE = "journal.jsonl"


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = path.open("w", encoding="utf-8")

    def __call__(self, event: RunEventType) -> None:
        self.append(event)

    def append(self, event: RunEventType) -> None:
        self._handle.write(event_line(event) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()


def read_journal(path: Path) -> list[RunEventType]:
    """Every complete event; a last line cut short by a crash is ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"journal {path}: cannot read: {error}") from None
    events: list[RunEventType] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            if number == len(lines):
                break
            raise InputError(f"journal {path}: line {number} is not JSON") from None
        if not events and not (isinstance(data, dict) and data.get("type") == "start"):
            break
        try:
            events.append(EVENT.validate_python(data))
        except ValidationError as error:
            problem = error.errors()[0]
            where = ".".join(str(part) for part in problem["loc"])
            raise InputError(
                f"journal {path}: line {number} is not a run event ({where}: {problem['msg']})"
            ) from None
    if not events or not isinstance(events[0], RunStarted):
        raise InputError(f"journal {path}: does not begin with a run header")
    return events
