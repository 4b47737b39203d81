"""Source documents of every ODF document type a producer is asked to save: a spreadsheet
with formulas and number styles, a presentation, a drawing, a text document embedding a
chart (a sub-document with its own manifest entries).
Formula documents (.odf) are not among them: LibreOffice 7.4 headless cannot load one
("source file could not be loaded"), so no reference producer saves them.

They feed the producer profile's package and document rules (``suites/odf/rules``); each
carries enough of its type (master pages, graphic styles, data styles, an embedded object,
``table:formula`` values) for the rules to look at something on what a tool saves.
"""

from __future__ import annotations

import io
import re
import zipfile

from odf import chart, dc, meta, number
from odf.draw import Frame, Image, Page, Rect, TextBox
from odf.draw import Object as DrawObject
from odf.opendocument import (
    OpenDocumentChart,
    OpenDocumentDrawing,
    OpenDocumentPresentation,
    OpenDocumentSpreadsheet,
    OpenDocumentText,
)
from odf.style import (
    GraphicProperties,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
)
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, P

from suites.odf.corpus import SourceDocument, _saved, tiny_png


def _meta(document: OpenDocumentText | OpenDocumentSpreadsheet | OpenDocumentPresentation
          | OpenDocumentDrawing, title: str) -> dict[str, str]:
    values = {"title": title, "keyword": "odf"}
    document.meta.addElement(dc.Title(text=title))
    document.meta.addElement(meta.Keyword(text="odf"))
    return values


def sheet_formulas() -> SourceDocument:
    """Numbers with a number style, and OpenFormula formulas (of: prefix)."""
    document = OpenDocumentSpreadsheet()
    metadata = _meta(document, "Corpus formulas")
    money = number.NumberStyle(name="N2")
    money.addElement(number.Number(decimalplaces="2", minintegerdigits="1"))
    document.styles.addElement(money)
    cell_style = Style(name="ce1", family="table-cell", datastylename="N2")
    cell_style.addElement(TableCellProperties(border="0.5pt solid #000000"))
    document.automaticstyles.addElement(cell_style)
    table = Table(name="Figures")
    table.addElement(TableColumn(numbercolumnsrepeated="2"))
    values = [("north", 317.25), ("south", 128.5), ("east", 46.75)]
    cells = [["Region", "Amount"]]
    for label, value in [("Region", None), *values]:
        row = TableRow()
        first = TableCell(valuetype="string")
        first.addElement(P(text=label))
        row.addElement(first)
        if value is None:
            second = TableCell(valuetype="string")
            second.addElement(P(text="Amount"))
        else:
            second = TableCell(valuetype="float", value=str(value), stylename=cell_style)
            second.addElement(P(text=f"{value:.2f}"))
            cells.append([label, f"{value:.2f}"])
        row.addElement(second)
        table.addElement(row)
    total = TableRow()
    label = TableCell(valuetype="string")
    label.addElement(P(text="total"))
    total.addElement(label)
    summed = TableCell(valuetype="float", value="492.5", formula="of:=SUM([.B2:.B4])",
                       stylename=cell_style)
    summed.addElement(P(text="492.50"))
    total.addElement(summed)
    table.addElement(total)
    cells.append(["total", "492.50"])
    document.spreadsheet.addElement(table)
    return SourceDocument("sheet-formulas", "spreadsheet", _saved(document), cells=cells,
                          metadata=metadata)


def _page_styles(document: OpenDocumentPresentation | OpenDocumentDrawing) -> MasterPage:
    layout = PageLayout(name="PM1")
    layout.addElement(PageLayoutProperties(pagewidth="28cm", pageheight="21cm",
                                           printorientation="landscape"))
    document.automaticstyles.addElement(layout)
    master = MasterPage(name="Default", pagelayoutname=layout)
    document.masterstyles.addElement(master)
    return master


def presentation() -> SourceDocument:
    document = OpenDocumentPresentation()
    metadata = _meta(document, "Corpus slides")
    master = _page_styles(document)
    box = Style(name="gr1", family="graphic")
    box.addElement(GraphicProperties(fill="none", stroke="none"))
    document.automaticstyles.addElement(box)
    centred = Style(name="P1", family="paragraph")
    centred.addElement(ParagraphProperties(textalign="center"))
    document.automaticstyles.addElement(centred)
    texts = ["Slide one: quarterly figures", "Slide two: next steps for Łódź"]
    for number_, text in enumerate(texts, 1):
        page = Page(name=f"page{number_}", masterpagename=master)
        frame = Frame(stylename=box, width="20cm", height="3cm", x="2cm", y="2cm")
        text_box = TextBox()
        text_box.addElement(P(stylename=centred, text=text))
        frame.addElement(text_box)
        page.addElement(frame)
        document.presentation.addElement(page)
    return SourceDocument("slides-basic", "presentation", _saved(document), paragraphs=texts,
                          metadata=metadata)


def drawing() -> SourceDocument:
    document = OpenDocumentDrawing()
    metadata = _meta(document, "Corpus drawing")
    master = _page_styles(document)
    filled = Style(name="gr1", family="graphic")
    filled.addElement(GraphicProperties(fill="solid", fillcolor="#3465a4"))
    document.automaticstyles.addElement(filled)
    page = Page(name="page1", masterpagename=master)
    rect = Rect(stylename=filled, width="6cm", height="4cm", x="2cm", y="2cm")
    rect.addElement(P(text="a blue box"))
    page.addElement(rect)
    picture = document.addPicture("Pictures/red.png", "image/png", tiny_png())
    frame = Frame(width="2cm", height="2cm", x="10cm", y="2cm")
    frame.addElement(Image(href=picture, type="simple", show="embed", actuate="onLoad"))
    page.addElement(frame)
    document.drawing.addElement(page)
    return SourceDocument("drawing-basic", "drawing", _saved(document),
                          paragraphs=["a blue box"], metadata=metadata, images=1)


def _chart() -> OpenDocumentChart:
    """A bar chart over its own local table (chart:chart, plot area, one series)."""
    document = OpenDocumentChart()
    body = chart.Chart(attributes={"class": "chart:bar"}, width="8cm", height="6cm")
    plot = chart.PlotArea(cellrangeaddress="local-table.$A$1:.$B$3")
    plot.addElement(chart.Series(valuescellrangeaddress="local-table.$B$2:.$B$3",
                                 labelcelladdress="local-table.$B$1",
                                 attributes={"class": "chart:bar"}))
    body.addElement(plot)
    table = Table(name="local-table")
    table.addElement(TableColumn(numbercolumnsrepeated="2"))
    for label, value in [("", "amount"), ("north", "3"), ("south", "5")]:
        row = TableRow()
        first = TableCell(valuetype="string")
        first.addElement(P(text=label))
        row.addElement(first)
        second = (TableCell(valuetype="string") if value == "amount"
                  else TableCell(valuetype="float", value=value))
        second.addElement(P(text=value))
        row.addElement(second)
        table.addElement(row)
    body.addElement(table)
    document.chart.addElement(body)
    return document


def _as_version(data: bytes, version: str) -> bytes:
    """Every part (sub-documents too) and the manifest declaring ``version``: odfpy writes
    1.2, and a producer keeping an embedded object as it found it would keep that."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "content.xml":  # an identified paragraph (RDF metadata)
                content = content.replace(b"<text:p>The chart", b'<text:p xml:id="caption1">'
                                          b"The chart", 1)
            if info.filename.endswith(".xml"):
                content = re.sub(rb'(office|manifest):version="1\.2"',
                                 rb'\1:version="' + version.encode() + b'"', content)
            target.writestr(info, content)
    return out.getvalue()


def text_with_chart() -> SourceDocument:
    document = OpenDocumentText()
    metadata = _meta(document, "Corpus chart")
    document.text.addElement(H(outlinelevel=1, text="A chart"))
    href = document.addObject(_chart())
    frame = Frame(width="8cm", height="6cm", anchortype="paragraph", name="Chart 1")
    frame.addElement(DrawObject(href=href, type="simple", show="embed", actuate="onLoad"))
    # The object's replacement image (what a consumer without charts shows).
    replacement = document.addPicture("ObjectReplacements/Object 1", "image/png", tiny_png())
    frame.addElement(Image(href=replacement, type="simple", show="embed", actuate="onLoad"))
    holder = P()
    holder.addElement(frame)
    document.text.addElement(holder)
    document.text.addElement(P(text="The chart above shows two regions."))
    return SourceDocument("text-chart", "text", _as_version(_saved(document), "1.3"),
                          paragraphs=["The chart above shows two regions."], metadata=metadata)


def flat_document() -> list[SourceDocument]:
    """Flat XML (.fodt, .fods, .fodp) forms of a text, a spreadsheet and a presentation."""
    text = OpenDocumentText()
    metadata = _meta(text, "Corpus flat text")
    text.text.addElement(H(outlinelevel=1, text="A flat document"))
    text.text.addElement(P(text="One XML file, no package."))
    sheet = OpenDocumentSpreadsheet()
    _meta(sheet, "Corpus flat text")
    table = Table(name="Flat")
    table.addElement(TableColumn())
    row = TableRow()
    cell = TableCell(valuetype="float", value="42")
    cell.addElement(P(text="42"))
    row.addElement(cell)
    table.addElement(row)
    sheet.spreadsheet.addElement(table)
    slides = presentation()
    return [
        SourceDocument("text-flat", "text-flat", _flat(text),
                       paragraphs=["One XML file, no package."], metadata=metadata),
        SourceDocument("sheet-flat", "spreadsheet-flat", _flat(sheet),
                       cells=[["42"]], metadata=metadata),
        SourceDocument("slides-flat", "presentation-flat", _flat_presentation(),
                       paragraphs=slides.paragraphs, metadata=slides.metadata),
    ]


def _flat(document: OpenDocumentText | OpenDocumentSpreadsheet
          | OpenDocumentPresentation) -> bytes:
    """odfpy's flat XML, less the empty office:settings it writes out of the schema's order
    (after office:font-face-decls instead of before office:scripts)."""
    return bytes(document.xml()).replace(b"<office:settings/>", b"", 1)


def _flat_presentation() -> bytes:
    document = OpenDocumentPresentation()
    _meta(document, "Corpus flat slides")
    master = _page_styles(document)
    page = Page(name="page1", masterpagename=master)
    frame = Frame(width="20cm", height="3cm", x="2cm", y="2cm")
    box = TextBox()
    box.addElement(P(text="A flat slide"))
    frame.addElement(box)
    page.addElement(frame)
    document.presentation.addElement(page)
    return _flat(document)


def build_type_corpus() -> list[SourceDocument]:
    return [sheet_formulas(), presentation(), drawing(), text_with_chart(), *flat_document()]
