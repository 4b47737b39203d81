"""The interoperability matrix: each producer's documents opened by each consumer.

A producer is the generated corpus itself (the reference row) or a candidate with a
``[settings.odf.roundtrip]`` command for the document kind; a consumer is a candidate with an
export for it (text: txt, else html, else pdf; spreadsheet: csv). Each cell says whether the
consumer showed everything of the source document the producer saved: ``clean``, ``lossy``
(with what was lost), ``failed`` (the producer saved nothing or the consumer read nothing,
with the command's answer) or ``not offered`` (a manifest declares no command for it).
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from conformance.api import (
    CampaignCandidate,
    CandidateContext,
    ConformanceError,
    started_candidate,
)
from suites.odf.compare import csv_rows, html_text, in_text_order
from suites.odf.content import normalise, read_content
from suites.odf.corpus import SourceDocument, build_corpus
from suites.odf.runner import Conversion, command_for, convert

REFERENCE = "generated corpus"
DOCUMENTS = ("text-basic", "sheet-basic")  # one small document per kind: a short matrix
READ_FORMATS = {"text": ("txt", "html", "pdf"), "spreadsheet": ("csv",)}
JSON_FILE, HTML_FILE = "odf-interop.json", "odf-interop.html"
WORKERS = 2  # tools at once; one tool's conversions run one after another (shared profile)


@dataclass
class Cell:
    kind: str
    producer: str
    consumer: str
    outcome: str  # clean, lossy, failed, not offered
    lost: list[str] = field(default_factory=list)
    detail: str = ""
    read_as: str = ""


@dataclass
class Saved:
    data: bytes | None
    problem: str = ""
    lost: list[str] = field(default_factory=list)  # what the saved document itself lacks


def save_losses(source: SourceDocument, data: bytes) -> list[str]:
    """What of the source's structure the saved document no longer holds (headings with
    their levels, list items, metadata, pictures): losses no export of its text shows."""
    try:
        found = read_content(data)
    except Exception as error:  # any unreadable save is reported, never raised
        return [f"the saved document cannot be read: {type(error).__name__}: {error}"[:300]]
    lost = []
    if found.headings != source.headings:
        lost.append(f"headings {source.headings} saved as {found.headings}")
    if found.list_items != source.list_items:
        lost.append(f"list items {source.list_items} saved as {found.list_items}")
    lost += [f"metadata {key} {value!r} saved as {found.metadata.get(key)!r}"
             for key, value in source.metadata.items() if found.metadata.get(key) != value]
    if len(found.images) != source.images:
        lost.append(f"{source.images} picture(s) saved as {len(found.images)}")
    return lost


def _answer(conversion: Conversion) -> str:
    run = conversion.run
    return (f"{' '.join(run.command)} -> exit {run.returncode}: {conversion.problem}; "
            f"{run.output[-300:].strip()}")


def _save(tool: CandidateContext, source: SourceDocument, path: Path) -> Saved | None:
    template = command_for(tool, "roundtrip", source.kind)
    if template is None:
        return None
    conversion = convert(tool, template, f"settings.odf.roundtrip.{source.kind}", path,
                         source.extension)
    if conversion.output is None:
        return Saved(None, _answer(conversion))
    data = conversion.output.read_bytes()
    return Saved(data, lost=save_losses(source, data))


def _shown(output: Path, extension: str) -> str:
    if extension == "html":
        return html_text(output.read_bytes())
    if extension == "pdf":
        from suites.odf.checks.test_consumer import pdf_text  # poppler, only when needed
        return pdf_text(output)
    return output.read_bytes().decode("utf-8", "replace")


def lost_items(source: SourceDocument, shown: str, extension: str) -> list[str]:
    """What of ``source`` the consumer's export does not show, in the source's order."""
    if extension == "csv":
        rows = csv_rows(shown)
        lost = []
        for number, row in enumerate(source.cells, 1):
            expected = [normalise(c) for c in row]
            found = rows[number - 1] if number <= len(rows) else []
            if found != expected:
                lost.append(f"row {number}: {' | '.join(expected)} (shown: "
                            f"{' | '.join(found) or 'nothing'})")
        return lost
    wanted = [*source.reading_order, *(c for row in source.cells for c in row)]
    match = in_text_order(wanted, shown)
    return ([f"not shown: {t}" for t in match.lost]
            + [f"out of order: {t}" for t in match.misplaced])


def _read(tool: CandidateContext, name: str, source: SourceDocument, saved: Saved,
          work: Path) -> Cell:
    formats = [f for f in READ_FORMATS[source.kind] if command_for(tool, "export", f)]
    cell = Cell(source.kind, "", tool.id, "not offered")
    if not formats:
        cell.detail = f"declares no export of {source.kind} documents"
        return cell
    if saved.data is None:
        cell.outcome, cell.detail = "failed", f"the producer saved nothing: {saved.problem}"
        return cell
    extension = cell.read_as = formats[0]
    path = work / f"{name}.{source.extension}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(saved.data)
    template = command_for(tool, "export", extension)
    assert template is not None
    conversion = convert(tool, template, f"settings.odf.export.{extension}", path, extension)
    if conversion.output is None:
        cell.outcome, cell.detail = "failed", f"could not read it: {_answer(conversion)}"
        return cell
    try:
        cell.lost = lost_items(source, _shown(conversion.output, extension), extension)
    except ConformanceError as error:
        cell.outcome, cell.detail = "failed", f"its {extension} export is unreadable: {error}"
        return cell
    cell.outcome = "lossy" if cell.lost else "clean"
    return cell


def _document_of(corpus: dict[str, SourceDocument], kind: str) -> str:
    return next(name for name, document in corpus.items() if document.kind == kind)


def build_matrix(candidates: list[str], seed: int = 0) -> dict[str, Any]:
    """Start every candidate, let each producer save each document and each consumer read
    what every producer saved; the result is what the JSON file holds."""
    corpus = {d.name: d for d in build_corpus(seed) if d.name in DOCUMENTS}
    with tempfile.TemporaryDirectory(prefix="odf-interop-") as scratch, ExitStack() as stack:
        root = Path(scratch)
        tools: dict[str, CandidateContext] = {}
        unavailable: dict[str, str] = {}
        for number, candidate in enumerate(candidates):
            try:
                tool = stack.enter_context(started_candidate(candidate, root / f"t{number}"))
                tools[tool.id] = tool
            except ConformanceError as error:
                unavailable[str(candidate)] = str(error)
        sources = {}
        for name, document in corpus.items():
            sources[name] = root / "corpus" / f"{name}.{document.extension}"
            sources[name].parent.mkdir(parents=True, exist_ok=True)
            sources[name].write_bytes(document.data)

        def produce(tool: CandidateContext) -> dict[str, Saved | None]:
            return {n: _save(tool, corpus[n], sources[n]) for n in corpus}

        def consume(tool: CandidateContext, saved: dict[tuple[str, str], Saved]) -> list[Cell]:
            cells = []
            for (producer, name), document in saved.items():
                cell = _read(tool, f"{producer}-{name}", corpus[name], document,
                             root / "read" / tool.id / producer)
                cell.producer = producer
                cells.append(cell)
            return cells

        with ThreadPoolExecutor(WORKERS) as pool:
            produced = dict(zip(tools, pool.map(produce, tools.values()), strict=True))
            saved: dict[tuple[str, str], Saved] = {
                (REFERENCE, n): Saved(d.data) for n, d in corpus.items()}
            for producer, documents in produced.items():
                saved.update({(producer, n): s for n, s in documents.items() if s is not None})
            columns = list(pool.map(lambda t: consume(t, saved), tools.values()))
    cells = [cell for column in columns for cell in column]
    # What the save itself lost is lost in every exchange from that producer.
    for cell in cells:
        save = saved.get((cell.producer, _document_of(corpus, cell.kind)))
        if save is not None and save.lost and cell.outcome in ("clean", "lossy"):
            cell.lost = [f"saving lost {item}" for item in save.lost] + cell.lost
            cell.outcome = "lossy"
    producers = {kind: [REFERENCE, *[p for p, d in produced.items()
                                     if any(corpus[n].kind == kind and s is not None
                                            for n, s in d.items())]]
                 for kind in READ_FORMATS}
    return {
        "seed": seed,
        "documents": {n: {"kind": d.kind, "items": d.reading_order or d.cells}
                      for n, d in corpus.items()},
        "tools": sorted(tools),
        "unavailable": unavailable,
        "producers": producers,
        "consumers": {kind: sorted({c.consumer for c in cells
                                    if c.kind == kind and c.outcome != "not offered"})
                      for kind in READ_FORMATS},
        "cells": [asdict(c) for c in cells if c.outcome != "not offered"],
        # What each producer's saved document itself lost (no text export shows it).
        "saves": [{"producer": p, "document": n, "kind": corpus[n].kind, "lost": s.lost,
                   "problem": s.problem}
                  for p, documents in produced.items() for n, s in documents.items()
                  if s is not None],
        "not_offered": [asdict(c) for c in cells if c.outcome == "not offered"
                        and c.producer == REFERENCE],
    }


def write_matrix(matrix: dict[str, Any], directory: Path, title: str) -> list[Path]:
    import json

    from suites.odf.interop_page import render

    directory.mkdir(parents=True, exist_ok=True)
    data, page = directory / JSON_FILE, directory / HTML_FILE
    data.write_text(json.dumps(matrix, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    page.write_text(render(matrix, title), encoding="utf-8")
    return [page, data]


def campaign_page(candidates: list[CampaignCandidate], directory: Path) -> list[Path]:
    """The campaign's interop page, when it has two or more ODF tools."""
    if len(candidates) < 2:
        return []
    matrix = build_matrix([c.manifest for c in candidates])
    return write_matrix(matrix, directory, f"ODF interoperability: campaign {directory.name}")
