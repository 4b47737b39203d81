"""The results journal: a handler of the run's event stream that appends one JSON line per
event and flushes it to disk at once.

A crash or Ctrl-C never loses what was recorded: ``conformance report rebuild`` folds a
journal back into a report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from conformance.errors import InputError
from conformance.jsonfile import loads_bounded
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


@dataclass
class JournalContents:
    events: list[RunEventType]
    # "line N: what is wrong" for each damaged line that was left out.
    damaged: list[str] = field(default_factory=list)


def read_journal(path: Path) -> list[RunEventType]:
    """Every event of an undamaged journal (a last line cut short by a crash is ignored);
    a damaged line is an input error naming it."""
    contents = read_journal_leniently(path)
    if contents.damaged:
        raise InputError(f"journal {path}: {contents.damaged[0]}")
    return contents.events


def read_journal_leniently(path: Path) -> JournalContents:
    """Every readable event; damaged lines are named and left out. Only the run header (the
    first line) must be sound, since nothing can be rebuilt without it."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as error:
        raise InputError(f"journal {path}: cannot read: {error}") from None
    contents = JournalContents([])
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = loads_bounded(line)
        except ValueError:
            if not contents.events:
                raise InputError(f"journal {path}: line {number} is not JSON, and nothing can "
                                 "be rebuilt without the run header") from None
            if number == len(lines):
                break  # the last line, cut short by a crash
            contents.damaged.append(f"line {number} is not JSON")
            continue
        if not contents.events and not (isinstance(data, dict) and data.get("type") == "start"):
            break
        try:
            contents.events.append(EVENT.validate_python(data))
        except ValidationError as error:
            problem = error.errors()[0]
            where = ".".join(str(part) for part in problem["loc"])
            contents.damaged.append(
                f"line {number} is not a run event ({where}: {problem['msg']})"
            )
    if not contents.events or not isinstance(contents.events[0], RunStarted):
        raise InputError(f"journal {path}: does not begin with a run header")
    return contents
