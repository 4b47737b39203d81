"""The results journal: one JSON line per event, flushed to disk as each check finishes.

A crash or Ctrl-C never loses what was recorded: ``conformance report rebuild`` turns a
journal back into a report.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from conformance.errors import InputError

JOURNAL_FILE = "journal.jsonl"


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = path.open("w", encoding="utf-8")

    def append(self, entry: dict[str, Any]) -> None:
        self._handle.write(json.dumps(entry, sort_keys=True, default=str) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()


def read_journal(path: Path) -> list[dict[str, Any]]:
    """Every complete entry; a last line cut short by a crash is ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InputError(f"journal {path}: cannot read: {error}") from None
    entries: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            if number == len(lines):
                break
            raise InputError(f"journal {path}: line {number} is not JSON") from None
    if not entries or entries[0].get("type") != "start":
        raise InputError(f"journal {path}: does not begin with a run header")
    return entries
