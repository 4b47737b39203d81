"""Consumer documents written as XML, so every construct a consumer must read is exactly as
the standard describes it (odfpy cannot write formulas without results or foreign markup).

Every text a check looks for is distinctive: it occurs once in the corpus and is part of no
other text, so a dropped, moved or half-read item cannot be mistaken for another.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from suites.odf import signatures
from suites.odf.corpus import tiny_png

TEXT_TYPE = "application/vnd.oasis.opendocument.text"
SHEET_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"'
)
# A namespace no ODF schema declares: markup in it is "foreign" (Part 3 §3.17).
FOREIGN = "urn:example:other-producer:extension"

HEADINGS = [(1, "Harvest report Kestrel"), (2, "Orchards of Vézelay"),
            (3, "Quince yields Ptarmigan")]
LIST_ITEMS = ["bramble ledger", "cider press Halloran", "pruning shears Okapi"]
BOLD = "emboldened Wolverine"
ITALIC = "slanted Marmoset"
PLAIN = "upright Capybara"
TITLE = "Consumer corpus Fennec 4711"
# text:s text:c="4" and text:tab between the words (Part 3 §6.1.3, §6.1.4).
SPACED = "Lot    7731\tkg"
FOREIGN_TEXT = "inside foreign Axolotl"
# Hebrew and Arabic with right-to-left marks (U+200F) and an Arabic letter mark (U+061C).
RTL = "שלום Tamarin\u200f مرحبا\u061c 2026\u200f"
# Decomposed on purpose: combining acute, diaeresis, tilde, dot below + circumflex, and a
# Devanagari vowel sign; NFC would compose most of them, which a consumer must not lose.
COMBINING = "Cafe\u0301 Zo\u0308e n\u0303o Vie\u0323\u0302t \u0915\u093f Quokka"


# A date cell as shown: in the consumer's own date format (Part 3 §19.383 leaves display to
# the data style, and none is given), so only its presence is compared; the formulas beside
# it prove the date was read as a date.
SHOWN_DATE = "<a date>"


@dataclass
class ConsumerDocument:
    name: str
    kind: str  # "text" or "spreadsheet"
    data: bytes
    version: str
    # CSV rows a spreadsheet must export to (after trailing empty cells are dropped).
    rows: list[list[str]] = field(default_factory=list)
    signed: bool = False
    encrypted: bool = False  # opened with PASSWORD

    @property
    def extension(self) -> str:
        return "odt" if self.kind == "text" else "ods"


def _package(media_type: str, version: str, content: str, styles: str, meta: str,
             pictures: dict[str, bytes] | None = None) -> list[tuple[str, bytes]]:
    pictures = pictures or {}
    listed = "".join(f'<manifest:file-entry manifest:full-path="{name}" '
                     f'manifest:media-type="image/png"/>' for name in pictures)
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        f' manifest:version="{version}">'
        f'<manifest:file-entry manifest:full-path="/" manifest:version="{version}"'
        f' manifest:media-type="{media_type}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        f"{listed}</manifest:manifest>"
    )
    return [("mimetype", media_type.encode()), ("content.xml", content.encode()),
            ("styles.xml", styles.encode()), ("meta.xml", meta.encode()),
            *pictures.items(), ("META-INF/manifest.xml", manifest.encode())]


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return out.getvalue()


def _document(root: str, version: str, inner: str, extra_ns: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:{root} {NAMESPACES}{extra_ns} '
            f'office:version="{version}">{inner}</office:{root}>')


def _styles(version: str) -> str:
    return _document("document-styles", version, "<office:styles/>")


def _meta(version: str, title: str) -> str:
    return _document("document-meta", version,
                     f"<office:meta><meta:generator>eos-conformance consumer corpus"
                     f"</meta:generator><dc:title>{title}</dc:title>"
                     f"<meta:keyword>Pangolin</meta:keyword></office:meta>")


def text_document(version: str = "1.3") -> ConsumerDocument:
    automatic = (
        "<office:automatic-styles>"
        '<style:style style:name="T1" style:family="text">'
        '<style:text-properties fo:font-weight="bold"/></style:style>'
        '<style:style style:name="T2" style:family="text">'
        '<style:text-properties fo:font-style="italic"/></style:style>'
        '<style:style style:name="PR" style:family="paragraph">'
        '<style:paragraph-properties style:writing-mode="rl-tb"/></style:style>'
        "</office:automatic-styles>"
    )
    headings = "".join(f'<text:h text:outline-level="{level}">{text}</text:h>'
                       for level, text in HEADINGS[:2])
    items = "".join(f"<text:list-item><text:p>{item}</text:p></text:list-item>"
                    for item in LIST_ITEMS)
    body = (
        f"{headings}"
        f'<text:p>Styled words: <text:span text:style-name="T1">{BOLD}</text:span>, '
        f'<text:span text:style-name="T2">{ITALIC}</text:span> and {PLAIN}.</text:p>'
        f"<text:list>{items}</text:list>"
        f'<text:h text:outline-level="3">{HEADINGS[2][1]}</text:h>'
        '<text:p>Lot<text:s text:c="4"/>7731<text:tab/>kg</text:p>'
        f"<text:p>Before <x:mark>{FOREIGN_TEXT}</x:mark> after.</text:p>"
        f'<text:p text:style-name="PR">{RTL}</text:p>'
        f"<text:p>{COMBINING}</text:p>"
        '<text:p><draw:frame draw:name="red square" text:anchor-type="paragraph" '
        'svg:width="1cm" svg:height="1cm"><draw:image xlink:href="Pictures/red.png" '
        'xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>'
    )
    content = _document("document-content", version,
                        f"{automatic}<office:body><office:text>{body}</office:text></office:body>",
                        f' xmlns:x="{FOREIGN}"')
    entries = _package(TEXT_TYPE, version, content, _styles(version), _meta(version, TITLE),
                       {"Pictures/red.png": tiny_png()})
    return ConsumerDocument("consumer-text", "text", _zip(entries), version)


def version_document(version: str) -> ConsumerDocument:
    """A small text document declaring ``version`` in every part and the manifest."""
    content = _document("document-content", version,
                        f"<office:body><office:text><text:p>{version_probe(version)}</text:p>"
                        "</office:text></office:body>")
    entries = _package(TEXT_TYPE, version, content, _styles(version),
                       _meta(version, f"Version {version}"))
    return ConsumerDocument(f"consumer-odf-{version}", "text", _zip(entries), version)


def version_probe(version: str) -> str:
    return f"Version probe {version} Jackdaw {version.replace('.', '')}93"


def _cell(kind: str, value: str = "", text: str = "", formula: str = "",
          repeat: int = 1) -> str:
    attributes = ""
    if formula:
        attributes += f' table:formula="{formula}"'
    if kind == "float":
        attributes += f' office:value-type="float" office:value="{value}"'
    elif kind == "date":
        attributes += f' office:value-type="date" office:date-value="{value}"'
    elif kind == "string":
        attributes += ' office:value-type="string"'
    if repeat > 1:
        attributes += f' table:number-columns-repeated="{repeat}"'
    paragraph = f"<text:p>{text}</text:p>" if text else ""
    return f"<table:table-cell{attributes}>{paragraph}</table:table-cell>"


def spreadsheet_document() -> ConsumerDocument:
    """Numbers, dates and formulas whose results are not stored (office:value absent), so
    only a consumer that read the cell types and evaluated the formulas shows them; and
    repeated cells and rows (table:number-columns-repeated, -rows-repeated)."""
    s = "string"
    rows = [
        [_cell(s, text="Lot"), _cell(s, text="Mass"), _cell(s, text="Computed")],
        [_cell(s, text="lot Heron"), _cell("float", "317.5", "317.5"),
         _cell("", formula="of:=[.B2]*4")],
        [_cell(s, text="lot Ibis"), _cell("float", "128.25", "128.25"),
         _cell("", formula="of:=ROUND([.B3]/3;2)")],
        [_cell(s, text="lot Egret"), _cell("float", "46", "46"),
         _cell("", formula="of:=IF([.B4]&gt;40;&quot;many egrets&quot;;&quot;few egrets&quot;)")],
        [_cell(s, text="total mass"), _cell("", formula="of:=SUM([.B2:.B4])")],
        [_cell(s, text="sown"), _cell("date", "2025-12-25", "25 December 2025"),
         _cell("", formula="of:=YEAR([.B6])*10000+MONTH([.B6])*100+DAY([.B6])")],
        [_cell(s, text="picked"), _cell("date", "2026-03-14", "14 March 2026"),
         _cell("", formula="of:=DAYS([.B7];[.B6])")],
        [_cell(s, text="crate Vole", repeat=3)],
    ]
    body = "".join(f"<table:table-row>{''.join(row)}</table:table-row>" for row in rows)
    body += (f'<table:table-row table:number-rows-repeated="2">{_cell(s, text="row Lemming")}'
             "</table:table-row>")
    content = _document(
        "document-content", "1.3",
        '<office:body><office:spreadsheet><table:table table:name="Harvest">'
        '<table:table-column table:number-columns-repeated="3"/>'
        f"{body}</table:table></office:spreadsheet></office:body>")
    entries = _package(SHEET_TYPE, "1.3", content, _styles("1.3"),
                       _meta("1.3", "Consumer spreadsheet Dormouse"))
    expected = [["Lot", "Mass", "Computed"], ["lot Heron", "317.5", "1270"],
                ["lot Ibis", "128.25", "42.75"], ["lot Egret", "46", "many egrets"],
                ["total mass", "491.75"], ["sown", SHOWN_DATE, "20251225"],
                ["picked", SHOWN_DATE, "79"], ["crate Vole"] * 3, ["row Lemming"],
                ["row Lemming"]]
    return ConsumerDocument("consumer-sheet", "spreadsheet", _zip(entries), "1.3", expected)


def signed(document: ConsumerDocument) -> ConsumerDocument:
    """``document`` signed over every file but mimetype, with a key made for this call."""
    with zipfile.ZipFile(io.BytesIO(document.data)) as source:
        files = {n: source.read(n) for n in source.namelist()}
    parts = {n: d for n, d in files.items() if n != "mimetype"}
    key, certificate = signatures.throwaway_signer()
    signature = signatures.signature_file(parts, {n for n in parts if n.endswith(".xml")},
                                          key, certificate, datetime.now(UTC),
                                          document.version)
    entries = [*files.items(), (signatures.DOCUMENT_SIGNATURES, signature)]
    return ConsumerDocument(f"{document.name}-signed", document.kind, _zip(entries),
                            document.version, document.rows, signed=True)


VERSIONS = ("1.2", "1.3", "1.4")
# The encrypted document's password (Part 2 §3.4: the start key is its SHA-256, UTF-8).
PASSWORD = "Tr0ub4dor&3 Ünïcode"


def encrypted(document: ConsumerDocument) -> ConsumerDocument:
    """``document`` encrypted with PASSWORD: AES-256-CBC, PBKDF2 (ODF 1.2/1.3)."""
    from suites.odf.encryption import encrypt_package

    return ConsumerDocument(f"{document.name}-encrypted", document.kind,
                            encrypt_package(document.data, PASSWORD), document.version,
                            encrypted=True)


def build_consumer_corpus() -> dict[str, ConsumerDocument]:
    text = text_document()
    documents = [text, signed(version_document("1.3")), encrypted(version_document("1.3")),
                 spreadsheet_document(),
                 *(version_document(v) for v in VERSIONS)]
    return {d.name: d for d in documents}
