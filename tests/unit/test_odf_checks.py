"""The comparisons behind the ODF content and consumer checks: each case here is one the old
check accepted (cells searched one by one in squeezed text, paragraphs searched as a bag,
an image file's mere presence) and the new one refuses."""

from __future__ import annotations

import pytest

from conformance.api import CantTell, NotApplicable
from suites.odf.checks.test_consumer import wanted
from suites.odf.compare import (
    csv_rows,
    html_tables,
    html_text,
    image_format,
    in_order,
    in_text_order,
    squeeze,
)
from suites.odf.corpus import build_corpus, tiny_png
from suites.odf.runner import undeclared

CELLS = [["Fruit", "Stock", "Price"], ["apples", "317 crates", "EUR 1.53"],
         ["pears", "128 crates", "EUR 0.79"], ["quinces", "46 crates", "EUR 2.41"]]


def flat(rows: list[list[str]]) -> list[str]:
    return [c for row in rows for c in row]


def shown(rows: list[list[str]]) -> str:
    return "\n".join("  ".join(row) for row in rows)


def old_presence_check(texts: list[str], text: str) -> bool:
    """What reads-tables and reads-text did: each text somewhere in the squeezed export."""
    return all(squeeze(t) in squeeze(text) for t in texts)


def test_cells_shown_in_order_pass() -> None:
    assert in_text_order(flat(CELLS), shown(CELLS)).exact


def test_swapped_cells_pass_the_old_check_and_fail_the_new() -> None:
    mirrored = [list(reversed(row)) for row in CELLS]
    assert old_presence_check(flat(CELLS), shown(mirrored))
    match = in_text_order(flat(CELLS), shown(mirrored))
    assert not match.exact and match.misplaced and not match.lost


def test_swapped_rows_and_a_dropped_row_fail() -> None:
    swapped = [CELLS[0], CELLS[2], CELLS[1], CELLS[3]]
    assert old_presence_check(flat(CELLS), shown(swapped))
    assert in_text_order(flat(CELLS), shown(swapped)).misplaced
    assert in_text_order(flat(CELLS), shown(CELLS[:-1])).lost == CELLS[-1]


def test_the_old_cell_values_were_found_in_unrelated_text() -> None:
    # "3" and "12" of the old corpus are found in any text that has those digits.
    assert old_presence_check(["3", "12", "1.50"], "Chapter 3, page 12, price 1.50 elsewhere")


def test_corpus_cells_are_distinct_and_part_of_no_other_text() -> None:
    for document in build_corpus(11):
        cells = [squeeze(c) for c in flat(document.cells)]
        others = [squeeze(t) for t in document.reading_order]
        for cell in cells:
            assert [c for c in cells if cell in c] == [cell], cell
            assert not any(cell in t for t in others), cell


def test_reading_order_is_the_document_order() -> None:
    document = build_corpus(11)[0]
    assert document.reading_order == [
        "Chapter one", "The quick brown fox jumps over the lazy dog.",
        "Grüße aus Köln, à bientôt à Liège, señora Núñez.", "Section 1.1 — détails",
        "A paragraph with  two spaces and a final one.", "Ελληνικά κείμενα και κυριλλица тоже.",
        "first item", "second item", "third item"]
    assert document.paragraphs == [t for t in document.reading_order
                                   if t not in {"Chapter one", "Section 1.1 — détails"}
                                   and "item" not in t]


def test_paragraphs_in_swapped_order_fail_the_new_producer_check() -> None:
    expected = ["one", "two", "three"]
    assert sorted(["two", "one", "three"]) == sorted(expected)  # the old bag comparison
    match = in_order(expected, ["two", "one", "three"])
    assert match.misplaced == ["two"] and not match.lost
    assert in_order(expected, ["one", "", "two", "extra", "three"]).exact
    assert in_order(expected, ["one", "three"]).lost == ["two"]


def test_csv_rows_are_compared_cell_by_cell() -> None:
    text = '\ufeffItem,Note\n"row 1",alpha\n"row 2","a, b"\n,,\n'
    assert csv_rows(text) == [["Item", "Note"], ["row 1", "alpha"], ["row 2", "a, b"]]
    assert csv_rows("Item,Note\nalpha,row 1\n") != [["Item", "Note"], ["row 1", "alpha"]]


def test_html_tables_and_text_leave_the_head_out() -> None:
    page = (b"<html><head><title>Fruit Stock Price</title><style>td{margin:46px}</style>"
            b"</head><body><p>before</p><table><tr><th>Fruit</th><th>Stock</th></tr>"
            b"<tr><td><p>apples</p></td><td>317 crates</td></tr></table></body></html>")
    assert html_tables(page) == [[["Fruit", "Stock"], ["apples", "317 crates"]]]
    assert "margin" not in html_text(page) and "Fruit Stock Price" not in html_text(page)


def test_an_empty_picture_is_no_image() -> None:
    assert image_format(tiny_png()) == "PNG"
    assert image_format(b"") is None
    assert image_format(b"not a picture") is None
    assert image_format(b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')


def test_nothing_to_look_for_is_cant_tell_not_a_pass() -> None:
    with pytest.raises(CantTell):
        wanted(["", "  "], "table cells")
    assert wanted(["a", ""], "cells") == ["a"]


def test_an_undeclared_command_is_inapplicable_with_its_signal() -> None:
    with pytest.raises(NotApplicable) as raised:
        undeclared("export", "pdf", "exporting to pdf")
    assert raised.value.signal == "the manifest declares no [settings.odf.export] pdf command"
