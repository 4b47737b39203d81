"""The consumer corpus and faults (suites/odf/consumer/, faults_consumer.py) and the
interoperability matrix's comparison and page (interop.py, interop_page.py)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from suites.odf import signatures
from suites.odf.consumer.corpus import FOREIGN, build_consumer_corpus
from suites.odf.corpus import build_corpus
from suites.odf.faults import FAULTS
from suites.odf.interop import REFERENCE, lost_items, save_losses
from suites.odf.interop_page import render
from suites.odf.schemas import SchemaSource
from suites.odf.validate import validate_bytes

SHARED = Path(__file__).resolve().parents[3] / "shared" / "odf-schemas"
CORPUS = build_consumer_corpus()
CONSUMER_FAULTS = [f for f in FAULTS if f.stage == "read"
                   and f.breaks[0] not in ("odf.consumer.reads-text", "odf.consumer.reads-tables",
                                           "odf.consumer.reads-unicode")]


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"no ODF schemas in {SHARED}")
def test_the_consumer_corpus_conforms() -> None:
    source = SchemaSource(directory=SHARED)
    classes = {}
    for name, document in CORPUS.items():
        if document.encrypted:  # its parts are ciphertext: the validator's tests judge those
            continue
        result = validate_bytes(document.data, name, source)
        assert result.problems == [] and result.undecided == {}, name
        classes[name] = (result.version, result.conformance_class)
    # Only the foreign element (another producer's markup) keeps the text document extended.
    assert classes.pop("consumer-text") == ("1.3", "extended")
    assert set(classes.values()) >= {("1.2", "strict"), ("1.4", "strict")}
    assert {c for _, c in classes.values()} == {"strict"}
    assert FOREIGN.encode() in zipfile.ZipFile(io.BytesIO(CORPUS["consumer-text"].data)).read(
        "content.xml")


def test_the_signed_document_verifies() -> None:
    package = zipfile.ZipFile(io.BytesIO(CORPUS["consumer-odf-1.3-signed"].data))
    root = etree.fromstring(package.read(signatures.DOCUMENT_SIGNATURES))
    result = signatures.verify(root, package.read)
    assert result.problems == [] and result.undecided == []


@pytest.mark.parametrize("fault", CONSUMER_FAULTS, ids=lambda f: f.name)
def test_each_consumer_fault_changes_a_corpus_document(fault: object) -> None:
    changed = []
    for name, document in CORPUS.items():
        try:
            damaged = fault.corrupt(document.data)  # type: ignore[attr-defined]
        except ValueError:
            continue
        assert damaged is not None and damaged != document.data
        changed.append(name)
    assert changed, "the fault applies to no document of the consumer corpus"


def test_sixteen_consumer_faults_one_per_requirement() -> None:
    broken = [r for f in CONSUMER_FAULTS for r in f.breaks]
    assert len(broken) == len(set(broken)) == 16


def test_lost_items_name_what_an_export_does_not_show() -> None:
    text = next(d for d in build_corpus(0) if d.name == "text-basic")
    shown = "\n".join([*text.reading_order, *(c for row in text.cells for c in row)])
    assert lost_items(text, shown, "txt") == []
    assert lost_items(text, shown.replace(text.reading_order[1], ""), "txt") == [
        f"not shown: {text.reading_order[1]}"]
    sheet = next(d for d in build_corpus(0) if d.name == "sheet-basic")
    rows = [",".join(f'"{c}"' for c in row) for row in sheet.cells]
    assert lost_items(sheet, "\n".join(rows), "csv") == []
    lost = lost_items(sheet, "\n".join(rows[:-1]), "csv")
    assert lost == [f"row {len(rows)}: {' | '.join(sheet.cells[-1])} (shown: nothing)"]


def test_the_page_shows_each_cell_with_what_was_lost() -> None:
    cell = {"kind": "text", "producer": REFERENCE, "consumer": "tool", "outcome": "lossy",
            "lost": ["not shown: <Fruit>"], "detail": "", "read_as": "txt"}
    page = render({"producers": {"text": [REFERENCE], "spreadsheet": [REFERENCE]},
                   "consumers": {"text": ["tool"], "spreadsheet": []}, "cells": [cell],
                   "unavailable": {"x": "not installed"}, "tools": ["tool"], "seed": 0}, "t")
    assert "not shown: &lt;Fruit&gt;" in page and "lossy" in page
    assert "No tool of this campaign reads spreadsheet documents" in page
    assert "x: not installed" in page


def test_save_losses_name_the_structure_a_save_lost() -> None:
    text = next(d for d in build_corpus(0) if d.name == "text-basic")
    assert save_losses(text, text.data) == []
    flattened = next(f for f in FAULTS if f.name == "headings-flattened").corrupt(text.data)
    assert flattened is not None
    assert save_losses(text, flattened) == [
        f"headings {text.headings} saved as {[(1, t) for _, t in text.headings]}"]
    assert save_losses(text, b"not a zip")[0].startswith("the saved document cannot be read")


def test_the_matrix_command_wants_two_tools() -> None:
    from click.testing import CliRunner

    from suites.odf.commands import COMMANDS

    answer = CliRunner().invoke(COMMANDS, ["matrix", "--candidate", "libreoffice"])
    assert answer.exit_code == 2
    assert "two or more --candidate tools" in answer.output
