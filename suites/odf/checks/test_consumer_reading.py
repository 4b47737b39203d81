"""What a consumer reads, seen through its exports of the consumer corpus
(suites/odf/consumer/corpus.py): HTML for structure (headings, lists, emphasis, pictures,
the title), plain text for characters exactly (white space, bidirectional and combining
text, foreign markup, every ODF version, a signed package), CSV for cell types, formulas
and repeated cells. Each document is exported once per format and shared by the checks.

ODF 1.3 Part 3 §2.4 lets a consumer leave the semantics of some elements uninterpreted, so
reading a given feature is a SHOULD; reading a conforming (here: signed) package at all is
a MUST (Part 2 §2.2.1, §3)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from conformance.api import CandidateContext, CheckFailure, current_evidence
from suites.odf import signatures
from suites.odf.compare import in_text_order
from suites.odf.consumer import corpus as c
from suites.odf.consumer.corpus import ConsumerDocument, build_consumer_corpus
from suites.odf.consumer.reading import (
    emphasis,
    html_headings,
    html_images,
    html_list_items,
    html_title,
    nfc,
    rows_by_label,
    text_lines,
)
from suites.odf.runner import command_for, convert, undeclared

Export = Callable[[str, str], Path]


@pytest.fixture(scope="module")
def consumer_corpus() -> dict[str, ConsumerDocument]:
    return build_consumer_corpus()


@pytest.fixture(scope="module")
def consumer_export(candidate: CandidateContext, consumer_corpus: dict[str, ConsumerDocument],
                    tmp_path_factory: pytest.TempPathFactory) -> Export:
    """(document, format) -> the exported file, converted once; a failed conversion fails
    every check that needs it, with the command as evidence."""
    directory = tmp_path_factory.mktemp("odf-consumer-corpus")
    done: dict[tuple[str, str], Path | CheckFailure] = {}
    runs: dict[tuple[str, str], str] = {}  # how each export was made, noted in every check

    def get(name: str, extension: str) -> Path:
        key = (name, extension)
        if key not in done:
            document = consumer_corpus[name]
            source = directory / f"{name}.{document.extension}"
            source.write_bytes(document.data)
            table, extra = ("export", None)
            if document.encrypted:
                table, extra = "export_with_password", {"password": c.PASSWORD}
            template = command_for(candidate, table, extension)
            if template is None:
                undeclared(table, extension, f"exporting {document.name} to {extension}")
            conversion = convert(candidate, template, f"settings.odf.{table}.{extension}",
                                 source, extension, extra)
            runs[key] = (f"{' '.join(conversion.run.command)} -> exit "
                         f"{conversion.run.returncode} in {conversion.run.seconds:.2f} s")
            done[key] = conversion.output or CheckFailure(
                f"exporting {name} to {extension} failed: {conversion.problem}",
                actual=conversion.run.output[-500:])
        result = done[key]
        log = current_evidence()
        if log is not None:
            log.note(f"{name} exported to {extension}: {runs[key]}")
        if isinstance(result, CheckFailure):
            raise result
        return result

    return get


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "replace")


def shown(what: str, output: Path, expected: object, actual: object) -> CheckFailure:
    log = current_evidence()
    if log is not None:
        log.add_document(f"export {output.name}", output.suffix.lstrip("."),
                         read_text(output)[:1500], note=what)
    return CheckFailure(what, expected=expected, actual=actual)


def expect_line(output: Path, wanted: str, what: str, canonical: bool = False) -> None:
    """A line of the plain-text export is ``wanted``, character for character (or up to
    Unicode canonical equivalence when ``canonical``)."""
    lines = text_lines(read_text(output))
    same = (lambda a, b: nfc(a) == nfc(b)) if canonical else (lambda a, b: a == b)
    if not any(same(line, wanted) for line in lines):
        near = [line for line in lines if wanted.split()[-1] in line]
        raise shown(f"no line of the text export is {what} exactly", output,
                    ascii(wanted), [ascii(line) for line in near] or "no such line")


@pytest.mark.requirement("odf.consumer.reads-headings")
def test_headings_keep_their_levels(consumer_export: Export) -> None:
    output = consumer_export("consumer-text", "html")
    found = html_headings(output.read_bytes())
    if found != c.HEADINGS:
        raise shown("the HTML export's headings (h1-h6) are not the document's text:h "
                    "with their outline levels", output, c.HEADINGS, found)


@pytest.mark.requirement("odf.consumer.reads-lists")
def test_list_items_are_a_list(consumer_export: Export) -> None:
    output = consumer_export("consumer-text", "html")
    found = html_list_items(output.read_bytes())
    if found != c.LIST_ITEMS:
        raise shown("the HTML export's list items (li in ul/ol) are not the document's "
                    "text:list-item elements", output, c.LIST_ITEMS, found)


@pytest.mark.requirement("odf.consumer.reads-styles")
def test_text_styles_are_applied(consumer_export: Export) -> None:
    output = consumer_export("consumer-text", "html")
    data = output.read_bytes()
    found = {text: sorted(emphasis(data, text)) for text in (c.BOLD, c.ITALIC, c.PLAIN)}
    wanted = {c.BOLD: ["bold"], c.ITALIC: ["italic"], c.PLAIN: []}
    if found != wanted:
        raise shown("the HTML export does not show the spans' automatic text styles "
                    "(fo:font-weight bold, fo:font-style italic) on exactly those words",
                    output, wanted, found)


@pytest.mark.requirement("odf.consumer.reads-images")
def test_embedded_picture_is_shown(consumer_export: Export) -> None:
    output = consumer_export("consumer-text", "html")
    found = html_images(output.read_bytes())
    if len(found) != 1 or not found[0]:
        raise shown("the HTML export does not show the document's one draw:image "
                    "(Pictures/red.png) as one img", output, "one img with a src", found)


@pytest.mark.requirement("odf.consumer.reads-metadata")
def test_title_is_read_from_meta(consumer_export: Export) -> None:
    output = consumer_export("consumer-text", "html")
    found = html_title(output.read_bytes())
    if found != c.TITLE:
        raise shown("the HTML export's title is not the document's dc:title (meta.xml)",
                    output, c.TITLE, found)


@pytest.mark.requirement("odf.consumer.reads-whitespace")
def test_spaces_and_tabs_are_kept(consumer_export: Export) -> None:
    expect_line(consumer_export("consumer-text", "txt"), c.SPACED,
                "the paragraph with text:s text:c=\"4\" and text:tab")


@pytest.mark.requirement("odf.consumer.reads-foreign-content")
def test_foreign_element_content_is_read(consumer_export: Export) -> None:
    output = consumer_export("consumer-text", "txt")
    match = in_text_order(["Before", c.FOREIGN_TEXT, "after."], read_text(output))
    if not match.exact:
        raise shown("the text inside a foreign element of a paragraph (no "
                    "office:process-content) is not shown in its place", output,
                    ["Before", c.FOREIGN_TEXT, "after."], match.lost + match.misplaced)


@pytest.mark.requirement("odf.consumer.reads-bidi")
def test_right_to_left_text_and_marks(consumer_export: Export) -> None:
    expect_line(consumer_export("consumer-text", "txt"), c.RTL,
                "the Hebrew and Arabic paragraph with its U+200F and U+061C marks")


@pytest.mark.requirement("odf.consumer.reads-combining")
def test_combining_marks(consumer_export: Export) -> None:
    expect_line(consumer_export("consumer-text", "txt"), c.COMBINING,
                "the paragraph of base letters and combining marks", canonical=True)


@pytest.mark.requirement("odf.consumer.reads-versions")
@pytest.mark.parametrize("version", c.VERSIONS)
def test_every_version_is_read(consumer_export: Export, version: str) -> None:
    expect_line(consumer_export(f"consumer-odf-{version}", "txt"), c.version_probe(version),
                f"the paragraph of the document declaring office:version {version}")


def _verification(data: bytes) -> signatures.Verification:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = set(package.namelist())
        root = etree.fromstring(package.read(signatures.DOCUMENT_SIGNATURES))
        return signatures.verify(root, lambda n: package.read(n) if n in names else None)


@pytest.mark.requirement("odf.consumer.reads-signed")
def test_signed_document_is_read_and_left_intact(
        consumer_export: Export, consumer_corpus: dict[str, ConsumerDocument]) -> None:
    name = "consumer-odf-1.3-signed"
    output = consumer_export(name, "txt")
    expect_line(output, c.version_probe("1.3"), "the signed document's paragraph")
    # The file the consumer was given (convert() stages it in the job's in/ folder).
    given = output.parent.parent / "in" / f"{name}.odt"
    after = given.read_bytes()
    if after != consumer_corpus[name].data:
        try:
            problems = [f.message for f in _verification(after).problems]
        except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as error:
            problems = [f"the signature cannot be read any more: {error}"]
        raise CheckFailure("opening the signed document changed the file, so its "
                           "signature no longer covers it", expected="the file as given",
                           actual=problems or "changed, though the signature still verifies")


@pytest.mark.requirement("odf.consumer.reads-encrypted")
def test_encrypted_document_is_read_with_its_password(consumer_export: Export) -> None:
    expect_line(consumer_export("consumer-odf-1.3-encrypted", "txt"), c.version_probe("1.3"),
                "the paragraph of the document encrypted with the corpus's password")


def _same_row(wanted: list[str], found: list[str]) -> bool:
    """Cells equal, a shown date being any non-empty cell (its format is the consumer's)."""
    return len(wanted) == len(found) and all(
        f != "" if w == c.SHOWN_DATE else w == f for w, f in zip(wanted, found, strict=True))


def _cells(output: Path, labels: tuple[str, ...], columns: int | None = None) -> None:
    """The CSV rows labelled ``labels`` (first cell) are exactly the source's, compared
    over the first ``columns`` columns (all when None)."""
    found = {label: [r[:columns] for r in rows_by_label(read_text(output)).get(label, [])]
             for label in labels}
    wanted = {label: [r[:columns] for r in c.spreadsheet_document().rows if r[0] == label]
              for label in labels}
    same = all(len(wanted[k]) == len(found[k])
               and all(_same_row(w, f) for w, f in zip(wanted[k], found[k], strict=True))
               for k in labels)
    if not same:
        raise shown("the CSV export's rows are not the cells the document holds", output,
                    wanted, found)


@pytest.mark.requirement("odf.consumer.reads-numbers")
def test_number_cells_are_numbers(consumer_export: Export) -> None:
    output = consumer_export("consumer-sheet", "csv")
    _cells(output, ("lot Heron", "lot Ibis", "lot Egret"), columns=2)
    # SUM over the three float cells, stored without a result: 491.75 only when the
    # consumer read office:value-type="float" office:value (strings sum to nothing).
    _cells(output, ("total mass",))


@pytest.mark.requirement("odf.consumer.reads-dates")
def test_date_cells_are_dates(consumer_export: Export) -> None:
    # YEAR/MONTH/DAY and DAYS over office:date-value cells: right only when read as dates.
    _cells(consumer_export("consumer-sheet", "csv"), ("sown", "picked"))


@pytest.mark.requirement("odf.consumer.reads-formulas")
def test_formulas_are_evaluated(consumer_export: Export) -> None:
    # Formula cells carry no stored result (no office:value): the consumer must evaluate.
    _cells(consumer_export("consumer-sheet", "csv"),
           ("Lot", "lot Heron", "lot Ibis", "lot Egret"))


@pytest.mark.requirement("odf.consumer.reads-repeated-cells")
def test_repeated_cells_and_rows(consumer_export: Export) -> None:
    _cells(consumer_export("consumer-sheet", "csv"), ("crate Vole", "row Lemming"))
