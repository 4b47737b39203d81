"""Consumers read what documents say (ODF 1.3 Part 3 §2.4, §6.1): the candidate exports
generated documents to plain text, PDF, HTML or CSV, and the harness finds the content there
in the document's order. Text is compared without white space, since exports wrap and lay
out lines their own way; CSV and HTML tables are parsed and compared cell by cell."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conformance.api import CandidateContext, CheckFailure, cant_tell, current_evidence
from suites.odf.compare import Match, csv_rows, html_tables, html_text, in_text_order
from suites.odf.content import normalise
from suites.odf.corpus import SourceDocument
from suites.odf.runner import command_for, convert, undeclared

EXPORTS = ("txt", "pdf", "html")


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        cant_tell("pdftotext (poppler-utils) is needed to read PDF exports")
    # -layout keeps each table row on its line; without it poppler may read a table column
    # by column, which would look like cells out of order.
    answer = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                            capture_output=True, timeout=60, check=False)
    if answer.returncode != 0:
        raise CheckFailure("the exported PDF cannot be read by pdftotext",
                           actual=answer.stderr.decode("utf-8", "replace")[-500:])
    return answer.stdout.decode("utf-8", "replace")


def exported(candidate: CandidateContext, source: SourceDocument, path: Path,
             extension: str) -> Path:
    template = command_for(candidate, "export", extension)
    if template is None:
        undeclared("export", extension, f"exporting to {extension}")
    conversion = convert(candidate, template, f"settings.odf.export.{extension}", path,
                         extension)
    if conversion.output is None:
        raise CheckFailure(f"exporting {source.name} to {extension} failed: "
                           f"{conversion.problem}", actual=conversion.run.output[-500:])
    return conversion.output


def shown_text(output: Path, extension: str) -> str:
    if extension == "pdf":
        return pdf_text(output)
    if extension == "html":
        return html_text(output.read_bytes())
    return output.read_bytes().decode("utf-8", "replace")


def wanted(items: list[str], what: str) -> list[str]:
    """What to look for; never empty, so a check cannot pass on nothing."""
    found = [i for i in items if i.strip()]
    if not found:
        cant_tell(f"the source document has no {what} to look for")
    return found


def expect_in_order(source: SourceDocument, texts: list[str], shown: str, extension: str,
                    what: str) -> None:
    match = in_text_order(texts, shown)
    if match.exact:
        return
    note = describe(match)
    log = current_evidence()
    if log is not None:
        log.add_document(f"{source.name} exported to {extension}", extension, shown[:1000],
                         note=note)
    raise CheckFailure(f"the {extension} export: {match.describe(what)}", expected=texts,
                       actual={"missing": match.lost, "out of order": match.misplaced,
                               "shown": shown[:500]})


def describe(match: Match) -> str:
    parts = []
    if match.lost:
        parts.append("not found: " + " | ".join(match.lost[:5]))
    if match.misplaced:
        parts.append("found out of order: " + " | ".join(match.misplaced[:5]))
    return "; ".join(parts)


@pytest.mark.requirement("odf.consumer.reads-text")
@pytest.mark.parametrize("extension", EXPORTS)
def test_export_shows_the_text(candidate: CandidateContext, corpus: dict[str, SourceDocument],
                               corpus_files: dict[str, Path], extension: str) -> None:
    source = corpus["text-basic"]
    texts = wanted(source.reading_order, "headings, paragraphs or list items")
    output = exported(candidate, source, corpus_files[source.name], extension)
    expect_in_order(source, texts, shown_text(output, extension), extension,
                    "heading(s), paragraph(s) or list item(s)")


def expect_table(source: SourceDocument, tables: list[list[list[str]]], shown: str,
                 extension: str) -> None:
    expected = [[normalise(c) for c in row] for row in source.cells]
    if expected in tables:
        return
    log = current_evidence()
    if log is not None:
        log.add_document(f"{source.name} exported to {extension}", extension, shown[:1000],
                         note="no table of the export holds the source's cells row by row")
    raise CheckFailure(f"no table of the {extension} export holds the source's cells row by "
                       "row, column by column", expected=expected, actual=tables)


@pytest.mark.requirement("odf.consumer.reads-tables")
@pytest.mark.parametrize(("document", "extension"),
                         [*(("text-basic", e) for e in EXPORTS), ("sheet-basic", "csv")])
def test_export_shows_table_cells(candidate: CandidateContext,
                                  corpus: dict[str, SourceDocument],
                                  corpus_files: dict[str, Path], document: str,
                                  extension: str) -> None:
    source = corpus[document]
    cells = wanted([c for row in source.cells for c in row], "table cells")
    output = exported(candidate, source, corpus_files[document], extension)
    if extension == "csv":
        text = output.read_bytes().decode("utf-8", "replace")
        expect_table(source, [csv_rows(text)], text, extension)
    elif extension == "html":
        data = output.read_bytes()
        expect_table(source, html_tables(data), html_text(data), extension)
    else:
        # Flat text keeps no cell boundaries: every cell in row-major order. The cell values
        # are distinct and part of no other text, so a dropped, moved or swapped cell shows.
        expect_in_order(source, cells, shown_text(output, extension), extension, "cell(s)")


@pytest.mark.requirement("odf.consumer.reads-unicode")
@pytest.mark.parametrize("extension", ("txt", "html"))
def test_export_shows_unicode_text(candidate: CandidateContext,
                                   corpus: dict[str, SourceDocument],
                                   corpus_files: dict[str, Path], extension: str) -> None:
    source = corpus["text-unicode"]
    texts = wanted(source.paragraphs, "Unicode paragraphs")
    output = exported(candidate, source, corpus_files[source.name], extension)
    expect_in_order(source, texts, shown_text(output, extension), extension, "paragraph(s)")
