"""Producers keep what they opened: text, headings, lists, table cells, metadata, images and
arbitrary Unicode survive the candidate's round trip (ODF 1.3 Part 3 §4.3, §5.1.2, §5.1.3,
§5.3, §6.1, §9.1, §10.4.4). Evidence names the XPath that read the saved document."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.api import CheckFailure, cant_tell, current_evidence
from suites.odf.compare import image_format, in_order
from suites.odf.content import (
    HEADINGS,
    IMAGES,
    LIST_ITEMS,
    METADATA,
    PARAGRAPHS,
    TABLES,
    Content,
    normalise,
    read_content,
)
from suites.odf.runner import RoundTrip, saved

TEXT_DOCUMENTS = ("text-basic", "text-unicode")
ALL_DOCUMENTS = (*TEXT_DOCUMENTS, "sheet-basic")


def content_of(trip: RoundTrip) -> Content:
    data = saved(trip)
    try:
        return read_content(data, trip.limits)
    except Exception as error:  # any unreadable package: the content cannot be judged
        cant_tell(f"the saved document cannot be read: {type(error).__name__}: {error}")


def missing(expected: list[str], found: list[str]) -> list[str]:
    """Each expected text, matched once (a text expected twice must be found twice)."""
    pool = list(found)
    lost = []
    for text in expected:
        wanted = normalise(text)
        if wanted in pool:
            pool.remove(wanted)
        else:
            lost.append(wanted)
    return lost


def wanted(items: list[str], what: str) -> list[str]:
    """What to look for; never empty, so a check cannot pass on nothing."""
    if not [i for i in items if i.strip()]:
        cant_tell(f"the source document has no {what} to look for")
    return items


def fail(trip: RoundTrip, xpath: str, what: str, expected: object, actual: object) -> None:
    log = current_evidence()
    if log is not None:
        log.add_document(trip.source.name + " (saved)", "content.xml", repr(actual)[:1000],
                         location=xpath, note=what)
    raise CheckFailure(what, expected=expected, actual=actual)


@pytest.mark.requirement("odf.producer.roundtrip")
@pytest.mark.parametrize("document", ALL_DOCUMENTS)
def test_candidate_saves_the_document(roundtrip: Callable[[str], RoundTrip],
                                      document: str) -> None:
    trip = roundtrip(document)
    assert trip.conversion is not None
    if trip.data is None:
        raise CheckFailure(f"opening and saving {document} produced no document: "
                           f"{trip.conversion.problem}", expected="a saved .odt/.ods",
                           actual=trip.conversion.run.output[-500:])


@pytest.mark.requirement("odf.producer.text-preserved")
@pytest.mark.parametrize("document", ["text-basic"])
def test_paragraph_text_is_kept(roundtrip: Callable[[str], RoundTrip], document: str) -> None:
    trip = roundtrip(document)
    found = content_of(trip)
    expected = [normalise(t) for t in wanted(trip.source.paragraphs, "paragraphs")]
    # In document order; other paragraphs may come between (an image's empty holder, a
    # heading a producer turned into a paragraph is the headings check's business).
    match = in_order(expected, found.paragraphs)
    if not match.exact:
        fail(trip, PARAGRAPHS, match.describe("paragraph(s)"),
             {"expected in order": expected, "missing": match.lost,
              "out of order": match.misplaced}, found.paragraphs)


@pytest.mark.requirement("odf.producer.unicode-preserved")
@pytest.mark.parametrize("document", ["text-unicode", "sheet-basic"])
def test_unicode_text_is_kept(roundtrip: Callable[[str], RoundTrip], document: str) -> None:
    trip = roundtrip(document)
    found = content_of(trip)
    expected = wanted(trip.source.paragraphs or [c for row in trip.source.cells for c in row],
                      "Unicode texts")
    lost = missing(expected, found.texts())
    if lost:
        fail(trip, f"{PARAGRAPHS} | {TABLES}", f"{len(lost)} Unicode text(s) lost or changed",
             lost, found.texts())


@pytest.mark.requirement("odf.producer.headings-preserved")
@pytest.mark.parametrize("document", TEXT_DOCUMENTS)
def test_headings_keep_text_and_level(roundtrip: Callable[[str], RoundTrip],
                                      document: str) -> None:
    trip = roundtrip(document)
    found = content_of(trip)
    expected = [(level, normalise(text)) for level, text in trip.source.headings]
    if found.headings != expected:
        fail(trip, HEADINGS, "headings (outline level, text) differ", expected, found.headings)


@pytest.mark.requirement("odf.producer.lists-preserved")
@pytest.mark.parametrize("document", TEXT_DOCUMENTS)
def test_list_items_are_kept(roundtrip: Callable[[str], RoundTrip], document: str) -> None:
    trip = roundtrip(document)
    found = content_of(trip)
    expected = [normalise(t) for t in trip.source.list_items]
    if found.list_items != expected:
        fail(trip, LIST_ITEMS, "list items differ", expected, found.list_items)


@pytest.mark.requirement("odf.producer.table-cells-preserved")
@pytest.mark.parametrize("document", ALL_DOCUMENTS)
def test_table_cells_are_kept(roundtrip: Callable[[str], RoundTrip], document: str) -> None:
    trip = roundtrip(document)
    found = content_of(trip)
    expected = [[normalise(c) for c in row] for row in trip.source.cells]
    if expected not in found.tables:
        fail(trip, f"{TABLES}/table:table-row/table:table-cell",
             "no table holds the source's cells row by row", expected, found.tables)


@pytest.mark.requirement("odf.producer.metadata-preserved")
@pytest.mark.parametrize("document", ALL_DOCUMENTS)
def test_metadata_is_kept(roundtrip: Callable[[str], RoundTrip], document: str) -> None:
    trip = roundtrip(document)
    found = content_of(trip)
    expected = {k: normalise(v) for k, v in trip.source.metadata.items()}
    differing = {k: found.metadata.get(k) for k, v in expected.items()
                 if found.metadata.get(k) != v}
    if differing:
        paths = " | ".join(METADATA[k] for k in differing)
        fail(trip, paths, f"metadata lost or changed: {', '.join(sorted(differing))}",
             expected, found.metadata)


@pytest.mark.requirement("odf.producer.images-preserved")
@pytest.mark.parametrize("document", TEXT_DOCUMENTS)
def test_images_stay_embedded(roundtrip: Callable[[str], RoundTrip], document: str) -> None:
    trip = roundtrip(document)
    found = content_of(trip)
    if trip.source.images < 1:
        cant_tell("the source document embeds no image to look for")
    # An image is kept when draw:image refers to a stored file that holds image data.
    embedded = {href: image_format(found.image_files[href]) for href in found.images
                if href in found.image_files}
    pictures = [href for href, kind in embedded.items() if kind is not None]
    if len(pictures) < trip.source.images:
        fail(trip, IMAGES, "embedded images lost: no draw:image refers to stored image data",
             f"{trip.source.images} draw:image referring to a stored image",
             {"draw:image hrefs": found.images,
              "stored and recognised": {h: k or "not image data" for h, k in embedded.items()}})
