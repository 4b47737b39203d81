"""The results journal survives a crash mid-write and refuses what is not a journal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.errors import InputError
from conformance.report.events import RunEventType, events_from
from conformance.run.journal import Journal, read_journal
from tests.helpers import Req, check_entry, end_entry, start_entry


def written(path: Path) -> list[RunEventType]:
    entries = events_from(
        [start_entry([Req("demo.a")]), check_entry("t::a", ["demo.a"], "passed"), end_entry()]
    )
    journal = Journal(path)
    for entry in entries:
        journal.append(entry)
    journal.close()
    return entries


def test_appended_entries_are_read_back(tmp_path: Path) -> None:
    path = tmp_path / "run" / "journal.jsonl"  # the folder is created
    entries = written(path)
    assert read_journal(path) == entries
    # One JSON document per line, flushed as written.
    assert len(path.read_text().splitlines()) == 3


def test_entries_are_on_disk_before_close(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    journal.append(events_from([start_entry([Req("demo.a")])])[0])
    try:
        assert read_journal(path)[0].type == "start"
    finally:
        journal.close()
    journal.close()  # closing twice is harmless


def test_truncated_last_line_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    entries = written(path)
    # A crash in the middle of writing the next entry leaves half a line behind.
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(check_entry("t::b", ["demo.a"], "failed"))[:40])
    assert read_journal(path) == entries


def test_journal_without_header(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text(json.dumps(check_entry("t::a", ["demo.a"], "passed")) + "\n")
    with pytest.raises(InputError) as caught:
        read_journal(path)
    assert str(path) in str(caught.value)
    assert "run header" in str(caught.value)


def test_empty_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text("")
    with pytest.raises(InputError, match="run header"):
        read_journal(path)


def test_corrupted_middle_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    written(path)
    lines = path.read_text().splitlines()
    lines[1] = lines[1][:25]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as caught:
        read_journal(path)
    assert str(path) in str(caught.value)
    assert "line 2 is not JSON" in str(caught.value)


def test_missing_journal(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_journal(tmp_path / "nope.jsonl")
    assert "cannot read" in str(caught.value)


def test_line_that_is_no_run_event_is_named(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    written(path)
    lines = path.read_text().splitlines()
    lines[1] = json.dumps({"type": "check"})
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as caught:
        read_journal(path)
    assert "line 2 is not a run event" in str(caught.value)
