"""Consumers read what documents say (ODF 1.3 Part 3 §2.3, §6.1): the candidate exports
generated documents to plain text, PDF, HTML or CSV, and the harness finds the content there.
Text is compared without white space, since exports wrap and lay out lines their own way."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html

from conformance.api import CandidateContext, CheckFailure, cant_tell, current_evidence
from suites.odf.corpus import SourceDocument
from suites.odf.runner import command_for, convert

EXPORTS = ("txt", "pdf", "html")


def readable_text(path: Path, extension: str) -> str:
    if extension == "pdf":
        if shutil.which("pdftotext") is None:
            cant_tell("pdftotext (poppler-utils) is needed to read PDF exports")
        answer = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                                capture_output=True, timeout=60, check=False)
        if answer.returncode != 0:
            raise CheckFailure("the exported PDF cannot be read by pdftotext",
                               actual=answer.stderr.decode("utf-8", "replace")[-500:])
        return answer.stdout.decode("utf-8", "replace")
    if extension == "html":
        return str(html.fromstring(path.read_bytes()).text_content())
    return path.read_bytes().decode("utf-8", "replace")


def squeeze(text: str) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFC", text).split())


def exported(candidate: CandidateContext, source: SourceDocument, path: Path,
             extension: str) -> str:
    template = command_for(candidate, "export", extension)
    if template is None:
        pytest.skip(f"the candidate declares no [settings.odf.export] {extension} command")
    conversion = convert(candidate, template, f"settings.odf.export.{extension}", path,
                         extension)
    if conversion.output is None:
        raise CheckFailure(f"exporting {source.name} to {extension} failed: "
                           f"{conversion.problem}", actual=conversion.run.output[-500:])
    return readable_text(conversion.output, extension)


def expect_shown(source: SourceDocument, texts: list[str], shown: str, extension: str) -> None:
    flat = squeeze(shown)
    absent = [t for t in texts if squeeze(t) not in flat]
    if absent:
        log = current_evidence()
        if log is not None:
            log.add_document(f"{source.name} exported to {extension}", extension, shown[:1000],
                             note="text expected but not found: " + " | ".join(absent[:5]))
        raise CheckFailure(f"{len(absent)} of {len(texts)} text(s) missing from the "
                           f"{extension} export", expected=absent, actual=shown[:500])


@pytest.mark.requirement("odf.consumer.reads-text")
@pytest.mark.parametrize("extension", EXPORTS)
def test_export_shows_the_text(candidate: CandidateContext, corpus: dict[str, SourceDocument],
                               corpus_files: dict[str, Path], extension: str) -> None:
    source = corpus["text-basic"]
    shown = exported(candidate, source, corpus_files[source.name], extension)
    texts = [*source.paragraphs, *(t for _, t in source.headings), *source.list_items]
    expect_shown(source, texts, shown, extension)


@pytest.mark.requirement("odf.consumer.reads-tables")
@pytest.mark.parametrize(("document", "extension"),
                         [*(("text-basic", e) for e in EXPORTS), ("sheet-basic", "csv")])
def test_export_shows_table_cells(candidate: CandidateContext,
                                  corpus: dict[str, SourceDocument],
                                  corpus_files: dict[str, Path], document: str,
                                  extension: str) -> None:
    source = corpus[document]
    shown = exported(candidate, source, corpus_files[document], extension)
    expect_shown(source, [c for row in source.cells for c in row if c], shown, extension)


@pytest.mark.requirement("odf.consumer.reads-unicode")
@pytest.mark.parametrize("extension", ("txt", "html"))
def test_export_shows_unicode_text(candidate: CandidateContext,
                                   corpus: dict[str, SourceDocument],
                                   corpus_files: dict[str, Path], extension: str) -> None:
    source = corpus["text-unicode"]
    shown = exported(candidate, source, corpus_files[source.name], extension)
    expect_shown(source, source.paragraphs, shown, extension)
